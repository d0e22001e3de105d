//! The threat library: patterns of threats with the facts that make them
//! apply, their weakness references and typical mitigations
//! (docs/library.md).
//!
//! A library file is YAML (or JSON) read through tmkit-syntax's tree and
//! limits, then deserialised into [`LibraryFile`]; its JSON Schema
//! (`docs/library.schema.json`, `tmkit schema library`) is derived from the
//! same types. The built-in library is a set of such files in `library/` at
//! the repository root, embedded in the binary ([`builtin`]). User
//! libraries, listed in a model's `libraries:`, are layered over it
//! ([`Library::layer`]): a pattern with the id of an earlier one replaces
//! it, a new id extends the library, `disable:` removes patterns.
//!
//! Matching patterns to open questions is [`crate::suggest`].

mod load;

pub use load::{parse_library, parse_library_str};

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use tmkit_model::AssetKind;
use tmkit_model::refs::{StandardRef, WeaknessRef};
use tmkit_model::taxonomy::TargetKind;

/// The format version of library files this tmkit reads.
pub const LIBRARY_FORMAT: i64 = 1;

/// One library file: an organisation's patterns, or a part of the built-in
/// library.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tmkit threat library (format version 1)")]
pub struct LibraryFile {
    /// Format version of library files; must be 1.
    #[serde(rename = "tmkit-library")]
    #[schemars(range(min = 1, max = 1))]
    pub format: i64,
    /// The library's name (`builtin`, `acme-payments`).
    pub name: String,
    /// The library's version, shown by `tmkit library list` (`2026.1`).
    pub version: String,
    /// Ids of patterns of the libraries below this one to leave out.
    #[serde(default)]
    pub disable: Vec<String>,
    /// The patterns.
    #[serde(default)]
    pub patterns: Vec<Pattern>,
}

/// A threat pattern: a kind of threat, the facts that make it apply to a
/// target, and what it answers.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Unique id (the model's id syntax: `sql-injection`).
    pub id: String,
    /// The threat in one line.
    pub title: String,
    /// How the attack works and why it matters (plain text or Markdown).
    pub description: String,
    /// The categories it answers, per taxonomy.
    pub categories: PatternCategories,
    /// The facts a target must have for the pattern to apply.
    pub applies: Applies,
    /// Weaknesses and attack techniques (`CWE-89`, `CAPEC-66`, `T1190`).
    #[serde(default)]
    pub refs: Vec<String>,
    /// Typical mitigations.
    #[serde(default)]
    pub mitigations: Vec<PatternMitigation>,
}

/// The categories a pattern answers, in each taxonomy it supports
/// (STRIDE-per-element uses the STRIDE list).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternCategories {
    /// CIA categories (`confidentiality`, `integrity`, `availability`).
    #[serde(default)]
    pub cia: Vec<String>,
    /// STRIDE categories (`spoofing`, `tampering`, ...).
    #[serde(default)]
    pub stride: Vec<String>,
    /// LINDDUN categories (`linking`, `identifying`, ...).
    #[serde(default)]
    pub linddun: Vec<String>,
}

impl PatternCategories {
    /// Every category, CIA then STRIDE then LINDDUN (names are distinct
    /// across the three taxonomies).
    pub fn all(&self) -> impl Iterator<Item = &str> {
        (self.cia.iter().chain(&self.stride).chain(&self.linddun)).map(String::as_str)
    }

    /// True when the pattern answers `category` (a canonical name).
    pub fn answers(&self, category: &str) -> bool {
        self.all().any(|c| c == category)
    }
}

/// What a target is: the kinds a pattern may name in `applies.targets`,
/// the model's own [`TargetKind`] (an asset of a kind, or a data flow) read
/// by its name, so a kind added to the model is a selector at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TargetSel(pub TargetKind);

impl TargetSel {
    /// A data flow.
    pub const DATAFLOW: TargetSel = TargetSel(TargetKind::DataFlow);

    /// Every selector: the asset kinds in the format's order, then data flows.
    pub fn all() -> impl Iterator<Item = TargetSel> {
        (AssetKind::ALL
            .into_iter()
            .map(|k| TargetSel(TargetKind::Asset(k))))
        .chain([TargetSel::DATAFLOW])
    }

    /// The selector of a target kind.
    pub fn of(kind: TargetKind) -> TargetSel {
        TargetSel(kind)
    }

    /// The selector named `name` in a library file.
    pub fn parse(name: &str) -> Option<TargetSel> {
        TargetSel::all().find(|s| s.as_str() == name)
    }

    /// The name used in library files and in the why of a suggestion.
    pub fn as_str(self) -> &'static str {
        match self.0 {
            TargetKind::DataFlow => "dataflow",
            TargetKind::Asset(k) => k.as_str(),
        }
    }

    /// True for the kinds whose flows are the ones that carry them
    /// (`carries:`) rather than the ones that reach them (`to:`).
    pub fn is_carried(self) -> bool {
        matches!(
            self.0,
            TargetKind::Asset(
                AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate
            )
        )
    }
}

impl<'de> Deserialize<'de> for TargetSel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TargetSel, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TargetSel::parse(&name).ok_or_else(|| {
            let names: Vec<&str> = TargetSel::all().map(TargetSel::as_str).collect();
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&name),
                &format!("one of {}", names.join(", ")).as_str(),
            )
        })
    }
}

impl JsonSchema for TargetSel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TargetSel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one_of: Vec<serde_json::Value> = TargetSel::all()
            .map(|s| {
                let description = match s.0 {
                    TargetKind::DataFlow => "A data flow.".to_string(),
                    TargetKind::Asset(k) => format!("An asset of kind `{}`.", k.as_str()),
                };
                serde_json::json!({ "description": description, "type": "string", "const": s.as_str() })
            })
            .collect();
        schemars::json_schema!({
            "description": "What a target is: the kinds a pattern may name in `applies.targets`.",
            "oneOf": one_of,
        })
    }
}

/// Which way a flow must cross a trust boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CrossingSel {
    /// Into a more trusted zone (a bidirectional crossing counts).
    Inbound,
    /// Out to a less trusted zone (a bidirectional crossing counts).
    Outbound,
    /// Either way.
    Any,
}

/// Where the attacker acts from, relative to the target's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// From a zone less trusted than the target's.
    Outside,
    /// From the target's zone, or a zone at least as trusted.
    Inside,
}

/// The facts a target must have for a pattern to apply; every condition
/// given must hold. Flow conditions (`protocols`, `encrypted`,
/// `authenticated`, `crossing`, `min_trust_delta`) are facts of a data flow:
/// for a flow target, of the flow itself; for an asset, of at least one flow
/// that carries it (data, credentials, keys, certificates) or reaches it
/// (`to:`, or either end of a bidirectional flow: every other kind).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applies {
    /// The kinds of target (asset kinds, or `dataflow`); at least one.
    pub targets: Vec<TargetSel>,
    /// The flow's protocol is one of these (case-insensitive; any word of
    /// the written protocol counts: `HTTP/1.1` is `http`).
    pub protocols: Option<Vec<String>>,
    /// `false`: the flow is not known to be encrypted (a clear-text
    /// protocol, or none written); `true`: it is (docs/library.md lists the
    /// protocols).
    pub encrypted: Option<bool>,
    /// `false`: the flow's protocol is not known to authenticate both ends;
    /// `true`: it is.
    pub authenticated: Option<bool>,
    /// The flow crosses a trust boundary that way.
    pub crossing: Option<CrossingSel>,
    /// The two ends' trust differ by at least this much.
    pub min_trust_delta: Option<f64>,
    /// Where the attacker must act from.
    pub attacker: Option<Position>,
}

impl Applies {
    /// True when a flow condition is given.
    pub fn needs_flow(&self) -> bool {
        self.protocols.is_some()
            || self.encrypted.is_some()
            || self.authenticated.is_some()
            || self.crossing.is_some()
            || self.min_trust_delta.is_some()
    }
}

/// A typical mitigation of a pattern.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternMitigation {
    /// What to do, in one line.
    pub title: String,
    /// Clauses of standards it implements (`ASVS-4.0.3:V5.3.4`).
    #[serde(default)]
    pub refs: Vec<String>,
}

/// Where a pattern of a layered library comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The library's name.
    pub library: String,
    /// The library's version.
    pub version: String,
    /// The file, as shown to the user (`library/flows.yaml`, `org.yaml`).
    pub file: String,
}

/// A pattern of a layered library, with its parsed references.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The pattern as written.
    pub pattern: Pattern,
    /// Its weakness references, parsed (unparsable ones were reported).
    pub refs: Vec<WeaknessRef>,
    /// Each mitigation's clauses, parsed (in `pattern.mitigations` order).
    pub mitigation_refs: Vec<Vec<StandardRef>>,
    /// The file that defined it last.
    pub origin: Origin,
    /// True when it replaced a pattern of a library below.
    pub overrides: bool,
}

/// A library as used: the built-in one with user libraries layered over it,
/// patterns by id.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Patterns by id (ordered: deterministic output).
    pub patterns: BTreeMap<String, Entry>,
    /// The libraries layered, bottom first: (name, version, file).
    pub layers: Vec<Origin>,
    /// Patterns removed by a `disable:`, with the library that removed them.
    pub disabled: BTreeMap<String, String>,
}

impl Library {
    /// The pattern with that id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.patterns.get(id)
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// True when the library has no pattern.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Layers a checked file over the library: its `disable:` entries
    /// remove patterns below it, its patterns replace those of the same id
    /// or are added. Returns the ids of `disable:` that named nothing
    /// (the caller reports them).
    pub fn layer(&mut self, file: &LibraryFile, shown: &str) -> Vec<String> {
        let origin = Origin {
            library: file.name.clone(),
            version: file.version.clone(),
            file: shown.to_string(),
        };
        let mut unknown = Vec::new();
        for id in &file.disable {
            if self.patterns.remove(id).is_some() {
                self.disabled.insert(id.clone(), file.name.clone());
            } else {
                unknown.push(id.clone());
            }
        }
        for p in &file.patterns {
            let refs = p
                .refs
                .iter()
                .filter_map(|r| WeaknessRef::parse(r))
                .collect();
            let mitigation_refs = (p.mitigations.iter())
                .map(|m| {
                    m.refs
                        .iter()
                        .filter_map(|r| StandardRef::parse(r).ok())
                        .collect()
                })
                .collect();
            let overrides = self.patterns.contains_key(&p.id);
            self.disabled.remove(&p.id);
            self.patterns.insert(
                p.id.clone(),
                Entry {
                    pattern: p.clone(),
                    refs,
                    mitigation_refs,
                    origin: origin.clone(),
                    overrides,
                },
            );
        }
        self.layers.push(origin);
        unknown
    }
}

pub mod builtin;

/// The JSON Schema of library files (`tmkit schema library`,
/// `docs/library.schema.json`).
pub fn schema() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft07();
    let schema = settings
        .into_generator()
        .into_root_schema_for::<LibraryFile>();
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every asset kind of the model and data flows are selectors, by the
    /// model's own names, and read back from those names.
    #[test]
    fn selectors_are_the_models_asset_kinds_and_data_flows() {
        let names: Vec<&str> = TargetSel::all().map(TargetSel::as_str).collect();
        let mut expected: Vec<&str> = AssetKind::ALL.iter().map(|k| k.as_str()).collect();
        expected.push("dataflow");
        assert_eq!(names, expected);
        for s in TargetSel::all() {
            assert_eq!(TargetSel::parse(s.as_str()), Some(s));
        }
        let e = serde_json::from_str::<TargetSel>("\"database\"").unwrap_err();
        assert!(e.to_string().contains("one of data, credential"), "{e}");
    }
}
