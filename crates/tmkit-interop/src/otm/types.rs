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

fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Lists whose items may be `null` in the schema: nulls are dropped.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items: Option<Vec<Option<String>>> = Option::deserialize(d)?;
    Ok(items.unwrap_or_default().into_iter().flatten().collect())
}

/// A whole OTM document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Otm {
    /// `0.2.0`.
    pub otm_version: String,
    /// The project.
    pub project: Project,
    /// Diagrams and code representations (kept as they are).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub representations: Vec<Value>,
    /// Data assets.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub assets: Vec<Asset>,
    /// Trust zones.
    #[serde(default, deserialize_with = "nullable")]
    pub trust_zones: Vec<TrustZone>,
    /// Components.
    #[serde(default, deserialize_with = "nullable")]
    pub components: Vec<Component>,
    /// Data flows.
    #[serde(default, deserialize_with = "nullable")]
    pub dataflows: Vec<Dataflow>,
    /// The threat catalogue.
    #[serde(default, deserialize_with = "nullable")]
    pub threats: Vec<Threat>,
    /// The mitigation catalogue.
    #[serde(default, deserialize_with = "nullable")]
    pub mitigations: Vec<Mitigation>,
}

/// The project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// Name.
    pub name: String,
    /// Id.
    pub id: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Owner's contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_contact: Option<String>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// A trust zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TrustZone {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type (a tool's trust-zone library reference).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Trust rating.
    pub risk: TrustRisk,
    /// Enclosing zone or component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Parent>,
    /// Representations (kept as they are).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub representations: Vec<Value>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// Trust of a zone: 0 (untrusted) to 100 (fully trusted).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TrustRisk {
    /// Trust rating.
    pub trust_rating: f64,
}

/// Where an element sits: a trust zone or a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Parent {
    /// Enclosing trust zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_zone: Option<String>,
    /// Enclosing component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
}

/// A component (service, process, datastore, external entity...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Enclosing zone or component.
    pub parent: Parent,
    /// Representations (kept as they are).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub representations: Vec<Value>,
    /// Assets processed or stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assets: Option<AssetInstance>,
    /// Threat instances.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub threats: Vec<ThreatInstance>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// Assets a component processes or stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AssetInstance {
    /// Processed assets.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub processed: Vec<String>,
    /// Stored assets.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub stored: Vec<String>,
}

/// A data flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Dataflow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Both ways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bidirectional: Option<bool>,
    /// Source element.
    pub source: String,
    /// Destination element.
    pub destination: String,
    /// Assets moved.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub assets: Vec<String>,
    /// Threat instances.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub threats: Vec<ThreatInstance>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// A data asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sensitivity.
    pub risk: AssetRisk,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// Sensitivity of an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AssetRisk {
    /// Confidentiality.
    pub confidentiality: f64,
    /// Integrity.
    pub integrity: f64,
    /// Availability.
    pub availability: f64,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A threat of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Threat {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Categories.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub categories: Vec<String>,
    /// CWE ids.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cwes: Vec<String>,
    /// Risk.
    pub risk: ThreatRisk,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "strings",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// Risk of a threat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ThreatRisk {
    /// Likelihood (0-100), when rated.
    pub likelihood: Option<f64>,
    /// Why that likelihood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood_comment: Option<String>,
    /// Impact (0-100).
    #[serde(default)]
    pub impact: f64,
    /// Why that impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_comment: Option<String>,
}

/// A mitigation of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Mitigation {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Risk reduction (0-100).
    #[serde(default)]
    pub risk_reduction: f64,
    /// Attributes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub attributes: Attributes,
}

/// A threat on a component or data flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ThreatInstance {
    /// Id of the catalogue threat.
    pub threat: String,
    /// State (`Exposed`, `Mitigated`, `Partly mitigated`, `Accepted`).
    pub state: String,
    /// Mitigation instances.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub mitigations: Vec<MitigationInstance>,
}

/// A mitigation applied to a threat instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MitigationInstance {
    /// Id of the catalogue mitigation.
    #[serde(default)]
    pub mitigation: Option<String>,
    /// State (`Implemented` or `Required`).
    #[serde(default)]
    pub state: Option<String>,
}
