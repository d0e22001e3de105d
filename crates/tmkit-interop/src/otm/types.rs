//! Serde types for the Open Threat Model 0.2.0 (IriusRisk's open format).
//!
//! Written by hand from the 0.2.0 JSON Schema. Optional members are omitted
//! when empty on output; on input, `null` is accepted wherever the schema
//! allows it and unknown members are ignored, so documents written by other
//! tools load.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Free-form attributes of an element.
pub type Attributes = BTreeMap<String, Value>;

/// Declares OTM types, one line per field: `name: Type = "doc"` for a member
/// that is read and written as it is, `name: Type => "doc"` for one that may
/// be missing or `null` on input and is left out of the output when empty
/// (see [`Lenient`]). Attributes before a field are kept.
macro_rules! otm_types {
    ($($(#[$m:meta])* pub struct $name:ident { $($fields:tt)* })*) => {$(
        otm_types!(@ [$(#[$m])* pub struct $name] [] $($fields)*);
    )*};
    (@ [$($head:tt)*] [$($done:tt)*]) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        $($head)* { $($done)* }
    };
    (@ $head:tt [$($done:tt)*] $(#[$a:meta])* $f:ident: $t:ty = $doc:literal, $($rest:tt)*) => {
        otm_types!(@ $head [$($done)* $(#[$a])* #[doc = $doc] pub $f: $t,] $($rest)*);
    };
    (@ $head:tt [$($done:tt)*] $(#[$a:meta])* $f:ident: $t:ty => $doc:literal, $($rest:tt)*) => {
        otm_types!(@ $head [$($done)* $(#[$a])* #[doc = $doc]
            #[serde(default, deserialize_with = "Lenient::read", skip_serializing_if = "Lenient::skip")]
            pub $f: $t,] $($rest)*);
    };
}

/// A member that may be missing or `null` on input (read as empty), and is
/// left out of the output when empty.
trait Lenient: Sized {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    fn skip(&self) -> bool;
}

impl<T: for<'de> Deserialize<'de>> Lenient for Option<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::deserialize(d)
    }
    fn skip(&self) -> bool {
        self.is_none()
    }
}

/// Lists of strings whose items may be `null` in the schema: nulls are dropped.
impl Lenient for Vec<String> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items: Option<Vec<Option<String>>> = Option::deserialize(d)?;
        Ok(items.unwrap_or_default().into_iter().flatten().collect())
    }
    fn skip(&self) -> bool {
        self.is_empty()
    }
}

/// Collections that may be `null`.
macro_rules! lenient_collections {
    ($($t:ty),*) => {$(
        impl Lenient for $t {
            fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Option::<Self>::deserialize(d)?.unwrap_or_default())
            }
            fn skip(&self) -> bool {
                self.is_empty()
            }
        }
    )*};
}

lenient_collections!(
    Attributes,
    Vec<Value>,
    Vec<Asset>,
    Vec<TrustZone>,
    Vec<Component>,
    Vec<Dataflow>,
    Vec<Threat>,
    Vec<Mitigation>,
    Vec<ThreatInstance>,
    Vec<MitigationInstance>
);

otm_types! {
    /// A whole OTM document.
    pub struct Otm {
        otm_version: String = "`0.2.0`.",
        project: Project = "The project.",
        representations: Vec<Value> => "Diagrams and code representations (kept as they are).",
        assets: Vec<Asset> => "Data assets.",
        #[serde(default, deserialize_with = "Lenient::read")] trust_zones: Vec<TrustZone> = "Trust zones.",
        #[serde(default, deserialize_with = "Lenient::read")] components: Vec<Component> = "Components.",
        #[serde(default, deserialize_with = "Lenient::read")] dataflows: Vec<Dataflow> = "Data flows.",
        #[serde(default, deserialize_with = "Lenient::read")] threats: Vec<Threat> = "The threat catalogue.",
        #[serde(default, deserialize_with = "Lenient::read")] mitigations: Vec<Mitigation> = "The mitigation catalogue.",
    }

    /// The project.
    pub struct Project {
        name: String = "Name.",
        id: String = "Id.",
        description: Option<String> => "Description.",
        owner: Option<String> => "Owner.",
        owner_contact: Option<String> => "Owner's contact.",
        tags: Vec<String> => "Tags.",
        attributes: Attributes => "Attributes.",
    }

    /// A trust zone.
    pub struct TrustZone {
        id: String = "Id.",
        name: String = "Name.",
        #[serde(rename = "type")] kind: Option<String> => "Type (a tool's trust-zone library reference).",
        description: Option<String> => "Description.",
        risk: TrustRisk = "Trust rating.",
        parent: Option<Parent> => "Enclosing zone or component.",
        representations: Vec<Value> => "Representations (kept as they are).",
        attributes: Attributes => "Attributes.",
    }

    /// Where an element sits: a trust zone or a component.
    pub struct Parent {
        trust_zone: Option<String> => "Enclosing trust zone.",
        component: Option<String> => "Enclosing component.",
    }

    /// A component (service, process, datastore, external entity...).
    pub struct Component {
        id: String = "Id.",
        name: String = "Name.",
        #[serde(rename = "type")] kind: String = "Type.",
        description: Option<String> => "Description.",
        parent: Parent = "Enclosing zone or component.",
        representations: Vec<Value> => "Representations (kept as they are).",
        assets: Option<AssetInstance> => "Assets processed or stored.",
        threats: Vec<ThreatInstance> => "Threat instances.",
        tags: Vec<String> => "Tags.",
        attributes: Attributes => "Attributes.",
    }

    /// Assets a component processes or stores.
    pub struct AssetInstance {
        processed: Vec<String> => "Processed assets.",
        stored: Vec<String> => "Stored assets.",
    }

    /// A data flow.
    pub struct Dataflow {
        id: String = "Id.",
        name: String = "Name.",
        description: Option<String> => "Description.",
        bidirectional: Option<bool> => "Both ways.",
        source: String = "Source element.",
        destination: String = "Destination element.",
        assets: Vec<String> => "Assets moved.",
        threats: Vec<ThreatInstance> => "Threat instances.",
        tags: Vec<String> => "Tags.",
        attributes: Attributes => "Attributes.",
    }

    /// A data asset.
    pub struct Asset {
        id: String = "Id.",
        name: String = "Name.",
        description: Option<String> => "Description.",
        risk: AssetRisk = "Sensitivity.",
        attributes: Attributes => "Attributes.",
    }

    /// Sensitivity of an asset.
    pub struct AssetRisk {
        confidentiality: f64 = "Confidentiality.",
        integrity: f64 = "Integrity.",
        availability: f64 = "Availability.",
        comment: Option<String> => "Comment.",
    }

    /// A threat of the catalogue.
    pub struct Threat {
        id: String = "Id.",
        name: String = "Name.",
        description: Option<String> => "Description.",
        categories: Vec<String> => "Categories.",
        cwes: Vec<String> => "CWE ids.",
        risk: ThreatRisk = "Risk.",
        tags: Vec<String> => "Tags.",
        attributes: Attributes => "Attributes.",
    }

    /// Risk of a threat.
    pub struct ThreatRisk {
        likelihood: Option<f64> = "Likelihood (0-100), when rated.",
        likelihood_comment: Option<String> => "Why that likelihood.",
        #[serde(default)] impact: f64 = "Impact (0-100).",
        impact_comment: Option<String> => "Why that impact.",
    }

    /// A mitigation of the catalogue.
    pub struct Mitigation {
        id: String = "Id.",
        name: String = "Name.",
        description: Option<String> => "Description.",
        #[serde(default)] risk_reduction: f64 = "Risk reduction (0-100).",
        attributes: Attributes => "Attributes.",
    }

    /// A threat on a component or data flow.
    pub struct ThreatInstance {
        threat: String = "Id of the catalogue threat.",
        state: String = "State (`Exposed`, `Mitigated`, `Partly mitigated`, `Accepted`).",
        mitigations: Vec<MitigationInstance> => "Mitigation instances.",
    }

    /// A mitigation applied to a threat instance.
    pub struct MitigationInstance {
        #[serde(default)] mitigation: Option<String> = "Id of the catalogue mitigation.",
        #[serde(default)] state: Option<String> = "State (`Implemented` or `Required`).",
    }
}

/// Trust of a zone: 0 (untrusted) to 100 (fully trusted).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TrustRisk {
    /// Trust rating.
    pub trust_rating: f64,
}
