//! The format's types as written: permissive, spanned, and the source of the
//! JSON Schema (`tmkit schema`). [`crate::decode`] fills them from nodes.
//!
//! Required fields are plain values here (so the schema marks them required);
//! when one is missing the decoder reports it and leaves an empty value.

use crate::date::Date;
use crate::span::{FileId, Span};
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

/// Points every span of a decoded value at a file: a document decoded on a
/// prefetching thread gets its file id when its turn comes.
pub(crate) trait SetFile {
    fn set_file(&mut self, file: FileId);
}

impl<T: SetFile> SetFile for Sp<T> {
    fn set_file(&mut self, file: FileId) {
        self.span.file = file;
        self.value.set_file(file);
    }
}

impl<T: SetFile> SetFile for Option<T> {
    fn set_file(&mut self, file: FileId) {
        if let Some(v) = self {
            v.set_file(file);
        }
    }
}

impl<T: SetFile> SetFile for Vec<T> {
    fn set_file(&mut self, file: FileId) {
        self.iter_mut().for_each(|v| v.set_file(file));
    }
}

/// Scalars hold no span of their own.
macro_rules! no_span {
    ($($t:ty),*) => {
        $(impl SetFile for $t {
            fn set_file(&mut self, _: FileId) {}
        })*
    };
}
no_span!(String, i64, f64, bool, Id, Date);

impl SetFile for RawTaxonomy {
    fn set_file(&mut self, file: FileId) {
        if let RawTaxonomy::Custom(list) = self {
            list.set_file(file);
        }
    }
}

impl SetFile for RawThreatMitigation {
    fn set_file(&mut self, file: FileId) {
        match self {
            RawThreatMitigation::Ref(id) => id.set_file(file),
            RawThreatMitigation::Inline(m) => m.set_file(file),
        }
    }
}

/// Declares a mapping type of the format and its field names, as the
/// decoder accepts them (`FIELDS`), from one list: a test asserts that they
/// are the generated schema's properties. Groups of fields that many
/// elements share are written once: `..named` (id, title, description),
/// `..scoped` (in_scope, reason) and `..confidential`; `field as "yaml"`
/// names a field whose key is not its Rust name.
macro_rules! mapping {
    ($(#[$attr:meta])* pub struct $name:ident { $($body:tt)* }) => {
        mapping!(@fields [$(#[$attr])*] $name [] [] [] $($body)*);
    };
    (@fields $attrs:tt $name:ident [$($f:tt)*] [$($n:tt)*] [$($i:ident)*] ..named, $($rest:tt)*) => {
        mapping!(@fields $attrs $name [$($f)*
            /// Id, unique in the model.
            pub id: Sp<Id>,
            /// Title.
            pub title: Sp<String>,
            /// Markdown description.
            pub description: Option<Sp<String>>,
        ] [$($n)* "id", "title", "description",] [$($i)* id title description] $($rest)*);
    };
    (@fields $attrs:tt $name:ident [$($f:tt)*] [$($n:tt)*] [$($i:ident)*] ..scoped, $($rest:tt)*) => {
        mapping!(@fields $attrs $name [$($f)*
            /// In scope of the analysis (default true).
            pub in_scope: Option<Sp<bool>>,
            /// Why it is out of scope (required when in_scope is false).
            pub reason: Option<Sp<String>>,
        ] [$($n)* "in_scope", "reason",] [$($i)* in_scope reason] $($rest)*);
    };
    (@fields $attrs:tt $name:ident [$($f:tt)*] [$($n:tt)*] [$($i:ident)*] ..confidential, $($rest:tt)*) => {
        mapping!(@fields $attrs $name [$($f)*
            /// Withheld from the public view.
            pub confidential: Option<Sp<bool>>,
        ] [$($n)* "confidential",] [$($i)* confidential] $($rest)*);
    };
    (@fields $attrs:tt $name:ident [$($f:tt)*] [$($n:tt)*] [$($i:ident)*]
        $(#[$fattr:meta])* $field:ident $(as $yaml:literal)? : $ty:ty, $($rest:tt)*) => {
        mapping!(@fields $attrs $name
            [$($f)* $(#[$fattr])* $(#[serde(rename = $yaml)])? pub $field: $ty,]
            [$($n)* mapping!(@name $field $($yaml)?),] [$($i)* $field] $($rest)*);
    };
    (@fields [$($attr:tt)*] $name:ident [$($f:tt)*] [$($n:tt)*] [$($i:ident)*]) => {
        $($attr)*
        pub struct $name { $($f)* }
        impl $name {
            /// The keys of this mapping, in the order of the schema.
            pub const FIELDS: &'static [&'static str] = &[$($n)*];
        }
        impl SetFile for $name {
            fn set_file(&mut self, file: FileId) {
                $(self.$i.set_file(file);)*
            }
        }
    };
    (@name $field:ident $yaml:literal) => { $yaml };
    (@name $field:ident) => { stringify!($field) };
}

mapping! {
/// A threat model file (root, component or catalogue).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(title = "tmkit threat model (format version 1)", deny_unknown_fields)]
pub struct RawDocument {
    /// Format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    tmkit: Sp<i64>,
    /// The model's id (the first segment of every qualified id), e.g. `CCC`.
    id: Sp<Id>,
    /// The model's title.
    title: Sp<String>,
    /// Version of the system or of the model.
    version: Option<Sp<String>>,
    /// Owning team (internal: never in the public view).
    owner: Option<Sp<String>>,
    /// Authors.
    #[schemars(default)]
    authors: Vec<Sp<String>>,
    /// What the system does (Markdown).
    description: Option<Sp<String>>,
    /// A confidential model withholds all of its elements from the public view.
    confidential: Option<Sp<bool>>,
    /// What are we building: abstraction, requirements, zones, assets, flows, attackers, assumptions.
    scope: Option<RawScope>,
    /// Answers to questions that no threat covers.
    #[schemars(default)]
    analysis: Vec<RawVerdict>,
    /// Shared mitigations, referenced by id from threats.
    #[schemars(default)]
    mitigations: Vec<RawMitigation>,
    /// Threats (flaws, vulnerabilities).
    #[schemars(default)]
    threats: Vec<RawThreat>,
    /// Component models, by path relative to this file.
    #[schemars(default)]
    components: Vec<RawInclude>,
    /// Shared catalogues (attackers, zones, assumptions, mitigations, requirements).
    #[schemars(default)]
    imports: Vec<RawInclude>,
    /// Threat libraries (organisation patterns), by path relative to this file, layered over the built-in one.
    #[schemars(default)]
    libraries: Vec<Sp<String>>,
    /// The issue tracker of `tmkit sync` (root model only; internal).
    sync: Option<RawSync>,
}
}

mapping! {
/// The issue trackers `tmkit sync` uses (docs/trackers.md).
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSync {
    /// GitHub issues.
    github: Option<RawSyncGitHub>,
}
}

mapping! {
/// A GitHub repository's issues.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSyncGitHub {
    /// The repository, `owner/name`.
    repo: Sp<String>,
    /// The API's base URL (GitHub Enterprise Server: `https://HOST/api/v3`).
    api_url: Option<Sp<String>>,
}
}

mapping! {
/// The scope of a model.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawScope {
    /// Level of abstraction and taxonomy.
    abstraction: Option<RawAbstraction>,
    /// High-level security requirements and compliance.
    #[schemars(default)]
    requirements: Vec<RawRequirement>,
    /// Trust zones; higher trust = more trusted.
    #[schemars(default)]
    zones: Vec<RawZone>,
    /// Assets.
    #[schemars(default)]
    assets: Vec<RawAsset>,
    /// Data flows between assets.
    #[schemars(default)]
    dataflows: Vec<RawDataFlow>,
    /// Attackers / threat agents.
    #[schemars(default)]
    attackers: Vec<RawAttacker>,
    /// Assumptions captured along the way.
    #[schemars(default)]
    assumptions: Vec<RawAssumption>,
}
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

mapping! {
/// Level of abstraction and taxonomy.
#[derive(Debug, Clone, PartialEq, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAbstraction {
    /// `context`, `container`, `component`, `code`, or free text.
    level: Option<Sp<String>>,
    /// The taxonomy questions are asked in (default CIA).
    taxonomy: Option<Sp<RawTaxonomy>>,
    /// Notes.
    notes: Option<Sp<String>>,
}
}

mapping! {
/// A high-level security requirement.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawRequirement {
    ..named,
    /// `compliance`, `business` or `technical`.
    kind: Option<Sp<String>>,
    /// External reference (standard and clause), free text.
    reference as "ref": Option<Sp<String>>,
    /// Structured references to standards, `STANDARD:CLAUSE` (`ASVS-4.0.3:V2.1.1`).
    #[schemars(default, inner(regex(pattern = r"^[A-Za-z][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._()-]*$")))]
    refs: Vec<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// A trust zone.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawZone {
    ..named,
    /// Trust level: higher is more trusted (the open internet is usually 0).
    trust: Sp<f64>,
    /// The zone this one is nested in.
    within: Option<Sp<String>>,
    /// The element's id in the tool it was imported from (informational).
    source: Option<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// An asset.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAsset {
    ..named,
    /// data, credential, key, certificate, service, process, datastore, external, hardware or other.
    #[schemars(regex(
        pattern = r"^(data|credential|key|certificate|service|process|datastore|external|hardware|other)$"
    ))]
    kind: Option<Sp<String>>,
    /// The trust zone it lives in.
    zone: Option<Sp<String>>,
    ..scoped,
    /// The element's id in the tool it was imported from (informational).
    source: Option<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// A data flow.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawDataFlow {
    ..named,
    /// Source asset.
    from: Sp<String>,
    /// Destination asset.
    to: Sp<String>,
    /// Protocol.
    protocol: Option<Sp<String>>,
    /// Assets (data) moved by the flow.
    #[schemars(default)]
    carries: Vec<Sp<String>>,
    /// Data moves both ways.
    bidirectional: Option<Sp<bool>>,
    ..scoped,
    /// The element's id in the tool it was imported from (informational).
    source: Option<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// An attacker / threat agent.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAttacker {
    ..named,
    /// The zone the attacker acts from.
    zone: Option<Sp<String>>,
    ..scoped,
    ..confidential,
}
}

mapping! {
/// An assumption.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAssumption {
    ..named,
    ..confidential,
}
}

mapping! {
/// An analysis verdict: answers questions that no threat covers.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawVerdict {
    /// Target (asset or data flow).
    target: Sp<String>,
    /// Attacker; omitted (or `*`) = every in-scope attacker.
    attacker: Option<Sp<String>>,
    /// Category; omitted (or `*`) = every category of the taxonomy.
    category: Option<Sp<String>>,
    /// `no-threat` or `not-applicable`.
    #[schemars(regex(pattern = r"^(no-threat|not-applicable)$"))]
    verdict: Sp<String>,
    /// Why (required).
    rationale: Sp<String>,
    /// A library pattern this entry suppresses for the target (with
    /// `verdict: not-applicable`): the pattern is no longer suggested there,
    /// and the entry answers no question.
    pattern: Option<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// A mitigation (shared under `mitigations:`, or inline in a threat).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawMitigation {
    /// Id (required for shared mitigations, optional inline).
    id: Option<Sp<Id>>,
    /// Title.
    title: Sp<String>,
    /// Markdown description.
    description: Option<Sp<String>>,
    /// `design`, `operational`, `risk-acceptance`, `transfer` or `avoid`.
    #[schemars(regex(pattern = r"^(design|operational|risk-acceptance|transfer|avoid)$"))]
    kind: Sp<String>,
    /// In place today.
    in_place: Sp<bool>,
    /// Who runs an operational control (internal).
    operator: Option<Sp<String>>,
    /// Who accepted the risk, for a `risk-acceptance` (internal).
    owner: Option<Sp<String>>,
    /// Tracking ticket: key or URL (internal).
    ticket: Option<Sp<String>>,
    // Risk treatment (docs/format.md#risk-treatment), all internal.
    /// Date the risk was accepted (`risk-acceptance`).
    accepted: Option<Sp<Date>>,
    /// Date the acceptance ends (`risk-acceptance`).
    expires: Option<Sp<Date>>,
    /// An acceptance without end (`risk-acceptance`; needs `rationale`).
    permanent: Option<Sp<bool>>,
    /// Why the risk is accepted, transferred or avoided.
    rationale: Option<Sp<String>>,
    /// Who the risk is transferred to: insurer, provider (`transfer`).
    party: Option<Sp<String>>,
    /// Contract, policy or agreement of a `transfer`.
    reference: Option<Sp<String>>,
    /// Date a mitigation not in place is due.
    due: Option<Sp<Date>>,
    /// What shows the mitigation is in place.
    #[schemars(default)]
    evidence: Vec<RawEvidence>,
    /// Requirements this mitigation implements (ids).
    #[schemars(default)]
    requirements: Vec<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// One piece of evidence of a mitigation: exactly one of `test`, `file`, `url`, `ticket`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawEvidence {
    /// A test: `PATH::NAME`, the path relative to the repository root.
    test: Option<Sp<String>>,
    /// A file, relative to the repository root.
    file: Option<Sp<String>>,
    /// A link.
    url: Option<Sp<String>>,
    /// A ticket key.
    ticket: Option<Sp<String>>,
    /// A note.
    note: Option<Sp<String>>,
    /// Shown in the public view (default false: only its existence is).
    public: Option<Sp<bool>>,
}
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

mapping! {
/// A threat.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawThreat {
    ..named,
    /// Categories of the taxonomy (or `other`, or one-letter STRIDE/CIA abbreviations); at least one.
    #[schemars(length(min = 1))]
    categories: Vec<Sp<String>>,
    /// Targets: assets or data flows.
    #[schemars(default)]
    targets: Vec<Sp<String>>,
    /// Attackers; omitted = every in-scope attacker.
    attackers: Option<Vec<Sp<String>>>,
    /// Assumptions this finding relies on.
    #[schemars(default)]
    assumptions: Vec<Sp<String>>,
    /// CVSS vector (3.0, 3.1 or 4.0).
    #[schemars(regex(pattern = r"^CVSS:(3\.0|3\.1|4\.0)/"))]
    cvss: Option<Sp<String>>,
    /// Optional score; an error if it disagrees with the vector.
    #[schemars(range(min = 0.0, max = 10.0))]
    score: Option<Sp<f64>>,
    /// Tracking ticket: key or URL (internal).
    ticket: Option<Sp<String>>,
    /// Mitigations: ids of shared ones, or inline.
    #[schemars(default)]
    mitigations: Vec<RawThreatMitigation>,
    /// Requirements this threat concerns (ids).
    #[schemars(default)]
    requirements: Vec<Sp<String>>,
    /// Weakness references: `CWE-79`, `CAPEC-63`, ATT&CK `T1190` or `T1190.001`.
    #[schemars(default, inner(regex(pattern = r"^(CWE-[1-9][0-9]{0,6}|CAPEC-[1-9][0-9]{0,6}|T[0-9]{4}(\.[0-9]{3})?)$")))]
    refs: Vec<Sp<String>>,
    /// The element's id in the tool it was imported from (informational).
    source: Option<Sp<String>>,
    ..confidential,
}
}

mapping! {
/// A component or import: a path relative to the including file.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawInclude {
    /// Relative path of the file (or of a directory holding threatmodel.yaml).
    path: Sp<String>,
}
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
        assert_eq!(props(&s, None), sorted(RawDocument::FIELDS));
        assert_eq!(props(&s, Some("RawScope")), sorted(RawScope::FIELDS));
        assert_eq!(
            props(&s, Some("RawAbstraction")),
            sorted(RawAbstraction::FIELDS)
        );
        assert_eq!(
            props(&s, Some("RawRequirement")),
            sorted(RawRequirement::FIELDS)
        );
        assert_eq!(props(&s, Some("RawZone")), sorted(RawZone::FIELDS));
        assert_eq!(props(&s, Some("RawAsset")), sorted(RawAsset::FIELDS));
        assert_eq!(props(&s, Some("RawDataFlow")), sorted(RawDataFlow::FIELDS));
        assert_eq!(props(&s, Some("RawAttacker")), sorted(RawAttacker::FIELDS));
        assert_eq!(
            props(&s, Some("RawAssumption")),
            sorted(RawAssumption::FIELDS)
        );
        assert_eq!(props(&s, Some("RawVerdict")), sorted(RawVerdict::FIELDS));
        assert_eq!(
            props(&s, Some("RawMitigation")),
            sorted(RawMitigation::FIELDS)
        );
        assert_eq!(props(&s, Some("RawThreat")), sorted(RawThreat::FIELDS));
        assert_eq!(props(&s, Some("RawInclude")), sorted(RawInclude::FIELDS));
    }
}

#[cfg(test)]
mod schema_file {
    /// `docs/threatmodel.schema.json` is what `tmkit schema` prints; regenerate it with
    /// `cargo run -p tmkit -- schema model -o docs/threatmodel.schema.json`.
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
