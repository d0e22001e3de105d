//! The format's types as written: permissive, spanned, and the source of the
//! JSON Schema (`tmkit schema`). [`crate::decode`] fills them from nodes.
//!
//! Required fields are plain values here (so the schema marks them required);
//! when one is missing the decoder reports it and leaves an empty value.

use crate::span::Span;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Sp<T> {
    /// Pairs a value with a span.
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// An element id: `[A-Za-z][A-Za-z0-9_-]*` then `.`-separated segments of `[A-Za-z0-9_-]+`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(transparent)]
pub struct Id(
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$"))] pub String,
);

/// A threat model file (root, component or catalogue).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(title = "tmkit threat model (format version 1)", deny_unknown_fields)]
pub struct RawDocument {
    /// Format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub tmkit: Sp<i64>,
    /// The model's id (the first segment of every qualified id), e.g. `CCC`.
    pub id: Sp<Id>,
    /// The model's title.
    pub title: Sp<String>,
    /// Version of the system or of the model.
    pub version: Option<Sp<String>>,
    /// Owning team (internal: never in the public view).
    pub owner: Option<Sp<String>>,
    /// Authors.
    #[schemars(default)]
    pub authors: Vec<Sp<String>>,
    /// What the system does (Markdown).
    pub description: Option<Sp<String>>,
    /// A confidential model withholds all of its elements from the public view.
    pub confidential: Option<Sp<bool>>,
    /// What are we building: abstraction, requirements, zones, assets, flows, attackers, assumptions.
    pub scope: Option<RawScope>,
    /// Answers to questions that no threat covers.
    #[schemars(default)]
    pub analysis: Vec<RawVerdict>,
    /// Shared mitigations, referenced by id from threats.
    #[schemars(default)]
    pub mitigations: Vec<RawMitigation>,
    /// Threats (flaws, vulnerabilities).
    #[schemars(default)]
    pub threats: Vec<RawThreat>,
    /// Component models, by path relative to this file.
    #[schemars(default)]
    pub components: Vec<RawInclude>,
    /// Shared catalogues (attackers, zones, assumptions, mitigations, requirements).
    #[schemars(default)]
    pub imports: Vec<RawInclude>,
}

/// The scope of a model.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawScope {
    /// Level of abstraction and taxonomy.
    pub abstraction: Option<RawAbstraction>,
    /// High-level security requirements and compliance.
    #[schemars(default)]
    pub requirements: Vec<RawRequirement>,
    /// Trust zones; higher trust = more trusted.
    #[schemars(default)]
    pub zones: Vec<RawZone>,
    /// Assets.
    #[schemars(default)]
    pub assets: Vec<RawAsset>,
    /// Data flows between assets.
    #[schemars(default)]
    pub dataflows: Vec<RawDataFlow>,
    /// Attackers / threat agents.
    #[schemars(default)]
    pub attackers: Vec<RawAttacker>,
    /// Assumptions captured along the way.
    #[schemars(default)]
    pub assumptions: Vec<RawAssumption>,
}

/// A taxonomy: a built-in name or a list of custom categories.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum RawTaxonomy {
    /// `CIA`, `STRIDE`, `STRIDE-per-element` or `LINDDUN`, in any case.
    /// The pattern spells the case-insensitivity as character classes: JSON
    /// Schema patterns are ECMA-262, which has no inline `(?i)` flag.
    Named(
        #[schemars(regex(
            pattern = r"^([Cc][Ii][Aa]|[Ss][Tt][Rr][Ii][Dd][Ee]|[Ss][Tt][Rr][Ii][Dd][Ee]-[Pp][Ee][Rr]-[Ee][Ll][Ee][Mm][Ee][Nn][Tt]|[Ll][Ii][Nn][Dd][Dd][Uu][Nn])$"
        ))]
        String,
    ),
    /// Custom category names (lower-case, hyphenated).
    Custom(Vec<Sp<String>>),
}

/// Level of abstraction and taxonomy.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAbstraction {
    /// `context`, `container`, `component`, `code`, or free text.
    pub level: Option<Sp<String>>,
    /// The taxonomy questions are asked in (default CIA).
    pub taxonomy: Option<Sp<RawTaxonomy>>,
    /// Notes.
    pub notes: Option<Sp<String>>,
}

/// A high-level security requirement.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawRequirement {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// `compliance`, `business` or `technical`.
    pub kind: Option<Sp<String>>,
    /// External reference (standard and clause).
    #[serde(rename = "ref")]
    pub reference: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// A trust zone.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawZone {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// Trust level: higher is more trusted (the open internet is usually 0).
    pub trust: Sp<f64>,
    /// The zone this one is nested in.
    pub within: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// An asset.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAsset {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// data, credential, key, certificate, service, process, datastore, external, hardware or other.
    #[schemars(regex(
        pattern = r"^(data|credential|key|certificate|service|process|datastore|external|hardware|other)$"
    ))]
    pub kind: Option<Sp<String>>,
    /// The trust zone it lives in.
    pub zone: Option<Sp<String>>,
    /// In scope of the analysis (default true).
    pub in_scope: Option<Sp<bool>>,
    /// Why it is out of scope (required when in_scope is false).
    pub reason: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// A data flow.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawDataFlow {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// Source asset.
    pub from: Sp<String>,
    /// Destination asset.
    pub to: Sp<String>,
    /// Protocol.
    pub protocol: Option<Sp<String>>,
    /// Assets (data) moved by the flow.
    #[schemars(default)]
    pub carries: Vec<Sp<String>>,
    /// Data moves both ways.
    pub bidirectional: Option<Sp<bool>>,
    /// In scope of the analysis (default true).
    pub in_scope: Option<Sp<bool>>,
    /// Why it is out of scope (required when in_scope is false).
    pub reason: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// An attacker / threat agent.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAttacker {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// The zone the attacker acts from.
    pub zone: Option<Sp<String>>,
    /// In scope of the analysis (default true).
    pub in_scope: Option<Sp<bool>>,
    /// Why it is out of scope (required when in_scope is false).
    pub reason: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// An assumption.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAssumption {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// An analysis verdict: answers questions that no threat covers.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawVerdict {
    /// Target (asset or data flow).
    pub target: Sp<String>,
    /// Attacker; omitted (or `*`) = every in-scope attacker.
    pub attacker: Option<Sp<String>>,
    /// Category; omitted (or `*`) = every category of the taxonomy.
    pub category: Option<Sp<String>>,
    /// `no-threat` or `not-applicable`.
    #[schemars(regex(pattern = r"^(no-threat|not-applicable)$"))]
    pub verdict: Sp<String>,
    /// Why (required).
    pub rationale: Sp<String>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// A mitigation (shared under `mitigations:`, or inline in a threat).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawMitigation {
    /// Id (required for shared mitigations, optional inline).
    pub id: Option<Sp<Id>>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// `design`, `operational` or `risk-acceptance`.
    #[schemars(regex(pattern = r"^(design|operational|risk-acceptance)$"))]
    pub kind: Sp<String>,
    /// In place today.
    pub in_place: Sp<bool>,
    /// Who runs an operational control (internal).
    pub operator: Option<Sp<String>>,
    /// Tracking ticket: key or URL (internal).
    pub ticket: Option<Sp<String>>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// A threat's mitigation: a reference to a shared one, or inline.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum RawThreatMitigation {
    /// The id of a shared mitigation.
    Ref(Sp<String>),
    /// An inline mitigation.
    Inline(RawMitigation),
}

/// A threat.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawThreat {
    /// Id, unique in the model.
    pub id: Sp<Id>,
    /// Title.
    pub title: Sp<String>,
    /// Markdown description.
    pub description: Option<Sp<String>>,
    /// Categories of the taxonomy (or `other`, or one-letter STRIDE/CIA abbreviations); at least one.
    #[schemars(length(min = 1))]
    pub categories: Vec<Sp<String>>,
    /// Targets: assets or data flows.
    #[schemars(default)]
    pub targets: Vec<Sp<String>>,
    /// Attackers; omitted = every in-scope attacker.
    pub attackers: Option<Vec<Sp<String>>>,
    /// Assumptions this finding relies on.
    #[schemars(default)]
    pub assumptions: Vec<Sp<String>>,
    /// CVSS vector (3.0, 3.1 or 4.0).
    #[schemars(regex(pattern = r"^CVSS:(3\.0|3\.1|4\.0)/"))]
    pub cvss: Option<Sp<String>>,
    /// Optional score; an error if it disagrees with the vector.
    #[schemars(range(min = 0.0, max = 10.0))]
    pub score: Option<Sp<f64>>,
    /// Tracking ticket: key or URL (internal).
    pub ticket: Option<Sp<String>>,
    /// Mitigations: ids of shared ones, or inline.
    #[schemars(default)]
    pub mitigations: Vec<RawThreatMitigation>,
    /// Withheld from the public view.
    pub confidential: Option<Sp<bool>>,
}

/// A component or import: a path relative to the including file.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawInclude {
    /// Relative path of the file (or of a directory holding threatmodel.yaml).
    pub path: Sp<String>,
}

/// The field names of each mapping type, as the decoder accepts them.
/// A test asserts they match the generated schema.
pub mod fields {
    /// Document.
    pub const DOCUMENT: &[&str] = &[
        "tmkit",
        "id",
        "title",
        "version",
        "owner",
        "authors",
        "description",
        "confidential",
        "scope",
        "analysis",
        "mitigations",
        "threats",
        "components",
        "imports",
    ];
    /// Scope.
    pub const SCOPE: &[&str] = &[
        "abstraction",
        "requirements",
        "zones",
        "assets",
        "dataflows",
        "attackers",
        "assumptions",
    ];
    /// Abstraction.
    pub const ABSTRACTION: &[&str] = &["level", "taxonomy", "notes"];
    /// Requirement.
    pub const REQUIREMENT: &[&str] = &["id", "title", "description", "kind", "ref", "confidential"];
    /// Zone.
    pub const ZONE: &[&str] = &[
        "id",
        "title",
        "description",
        "trust",
        "within",
        "confidential",
    ];
    /// Asset.
    pub const ASSET: &[&str] = &[
        "id",
        "title",
        "description",
        "kind",
        "zone",
        "in_scope",
        "reason",
        "confidential",
    ];
    /// Data flow.
    pub const DATAFLOW: &[&str] = &[
        "id",
        "title",
        "description",
        "from",
        "to",
        "protocol",
        "carries",
        "bidirectional",
        "in_scope",
        "reason",
        "confidential",
    ];
    /// Attacker.
    pub const ATTACKER: &[&str] = &[
        "id",
        "title",
        "description",
        "zone",
        "in_scope",
        "reason",
        "confidential",
    ];
    /// Assumption.
    pub const ASSUMPTION: &[&str] = &["id", "title", "description", "confidential"];
    /// Verdict.
    pub const VERDICT: &[&str] = &[
        "target",
        "attacker",
        "category",
        "verdict",
        "rationale",
        "confidential",
    ];
    /// Mitigation.
    pub const MITIGATION: &[&str] = &[
        "id",
        "title",
        "description",
        "kind",
        "in_place",
        "operator",
        "ticket",
        "confidential",
    ];
    /// Threat.
    pub const THREAT: &[&str] = &[
        "id",
        "title",
        "description",
        "categories",
        "targets",
        "attackers",
        "assumptions",
        "cvss",
        "score",
        "ticket",
        "mitigations",
        "confidential",
    ];
    /// Include.
    pub const INCLUDE: &[&str] = &["path"];
}

/// The JSON Schema (draft-07, for yaml-language-server) of a threat model file.
pub fn schema() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft07();
    let generator = settings.into_generator();
    let schema = generator.into_root_schema_for::<RawDocument>();
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(schema: &serde_json::Value, def: Option<&str>) -> Vec<String> {
        let obj = match def {
            None => schema,
            Some(d) => &schema["definitions"][d],
        };
        let mut v: Vec<String> = obj["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        v.sort();
        v
    }

    fn sorted(f: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn decoder_fields_match_schema() {
        let s = schema();
        assert_eq!(props(&s, None), sorted(fields::DOCUMENT));
        assert_eq!(props(&s, Some("RawScope")), sorted(fields::SCOPE));
        assert_eq!(
            props(&s, Some("RawAbstraction")),
            sorted(fields::ABSTRACTION)
        );
        assert_eq!(
            props(&s, Some("RawRequirement")),
            sorted(fields::REQUIREMENT)
        );
        assert_eq!(props(&s, Some("RawZone")), sorted(fields::ZONE));
        assert_eq!(props(&s, Some("RawAsset")), sorted(fields::ASSET));
        assert_eq!(props(&s, Some("RawDataFlow")), sorted(fields::DATAFLOW));
        assert_eq!(props(&s, Some("RawAttacker")), sorted(fields::ATTACKER));
        assert_eq!(props(&s, Some("RawAssumption")), sorted(fields::ASSUMPTION));
        assert_eq!(props(&s, Some("RawVerdict")), sorted(fields::VERDICT));
        assert_eq!(props(&s, Some("RawMitigation")), sorted(fields::MITIGATION));
        assert_eq!(props(&s, Some("RawThreat")), sorted(fields::THREAT));
        assert_eq!(props(&s, Some("RawInclude")), sorted(fields::INCLUDE));
    }
}

#[cfg(test)]
mod schema_file {
    /// `docs/threatmodel.schema.json` is what `tmkit schema` prints; regenerate it with
    /// `cargo run -p tmkit -- schema -o docs/threatmodel.schema.json`.
    #[test]
    fn committed_schema_is_current() {
        let committed = include_str!("../../../docs/threatmodel.schema.json");
        let mut generated = serde_json::to_string_pretty(&super::schema()).expect("serialises");
        generated.push('\n');
        assert_eq!(
            committed, generated,
            "docs/threatmodel.schema.json is stale: regenerate it"
        );
    }
}
