//! Open Threat Model 0.2.0: export a tmkit project, import an OTM document.
//!
//! # Export ([`export`], [`to_json`])
//!
//! | tmkit | OTM |
//! |---|---|
//! | root model | `project` (id, title as name, description, owner) |
//! | zones | `trustZones`; `trust` scaled to `trustRating` 0-100 over the project's lowest..highest trust (50 when all zones trust alike); `within` as `parent` |
//! | assets of kind service, process, datastore, external, hardware, other | `components` (`type` is the kind, `parent` the zone) |
//! | assets of kind data, credential, key, certificate | root `assets` (risk 0/0/0: tmkit does not rate sensitivity) |
//! | data flows | `dataflows` (`carries` as `assets`) |
//! | threats | root `threats` (impact = CVSS score x 10), with an instance on every component and flow it targets (state `Mitigated`, `Accepted`, `Partly mitigated` or `Exposed`) |
//! | mitigations | root `mitigations` (risk reduction 100 for controls, 0 for risk acceptance), instances `Implemented` when in place, else `Required` |
//!
//! What OTM cannot hold goes into `attributes` under `tmkit.` keys, so an
//! export imports back to the same model: each element's qualified id, model
//! and local id, in/out of scope and reason, confidentiality, CVSS vector,
//! tickets, operators, mitigation kinds, the exact trust level, threat
//! targets (OTM assets cannot hold threat instances) and attackers; and, on
//! the project, the models themselves (`tmkit.models`: ids, paths, titles,
//! taxonomy, requirements, attackers, assumptions, analysis verdicts).
//! An asset without a zone is placed in a synthetic trust zone
//! (`tmkit-no-zone`, rating 0), dropped again on import.
//!
//! Ids are the qualified ids; one longer than OTM's 36 characters becomes its
//! first 27 characters, `~` and 8 hex digits of a hash of the whole id
//! (deterministic), the original being kept in `tmkit.qid`.
//!
//! # Import ([`import`])
//!
//! A document with `tmkit.` attributes is rebuilt exactly. Any other OTM
//! document becomes one model: trust zones become zones (trust = rating),
//! components assets (kind from the type), OTM assets data assets, data flows
//! flows, catalogue threats threats (targets = the components and flows with
//! an instance; mitigations = those named by its instances, in place when an
//! instance says `Implemented`). The taxonomy is STRIDE when every category
//! is a STRIDE word, CIA when every one is a CIA word, else the categories
//! found. Everything approximated is a warning.

pub mod types;

use crate::files::{ImportError, ImportOutput, ImportWarning, ImportedThreat, OutputFile};
use crate::ids::{asset_kind, one_line, sanitise_id};
use crate::yaml_out::{MapBuilder, Yaml, to_string};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use tmkit_analysis::{Analysis, Status};
use tmkit_model::{AssetKind, Model, ModelKind, Taxonomy};
pub use types::*;

/// The OTM version written.
pub const OTM_VERSION: &str = "0.2.0";
/// Longest id OTM tools accept.
pub const MAX_ID_LEN: usize = 36;
/// Id of the trust zone holding assets that have none.
pub const NO_ZONE: &str = "tmkit-no-zone";

const A_QID: &str = "tmkit.qid";
const A_MODEL: &str = "tmkit.model";
const A_ID: &str = "tmkit.id";
const A_MODELS: &str = "tmkit.models";
const A_SYNTHETIC: &str = "tmkit.synthetic";

/// An OTM id for a qualified id: itself when short enough, else a prefix and
/// a hash (see the module docs).
pub fn otm_id(qid: &str) -> String {
    if qid.chars().count() <= MAX_ID_LEN {
        return qid.to_string();
    }
    let prefix: String = qid.chars().take(MAX_ID_LEN - 9).collect();
    format!("{prefix}~{:08x}", fnv1a(qid.as_bytes()) as u32)
}

/// FNV-1a, 64 bits: small, stable across platforms and releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Assigns unique OTM ids to qualified ids.
#[derive(Default)]
struct Ids {
    by_qid: HashMap<String, String>,
    used: HashSet<String>,
}

impl Ids {
    fn get(&mut self, qid: &str) -> String {
        if let Some(id) = self.by_qid.get(qid) {
            return id.clone();
        }
        let mut id = otm_id(qid);
        let mut salt = 0u32;
        while self.used.contains(&id) {
            salt += 1;
            let prefix: String = qid.chars().take(MAX_ID_LEN - 9).collect();
            id = format!(
                "{prefix}~{:08x}",
                fnv1a(format!("{qid}#{salt}").as_bytes()) as u32
            );
        }
        self.used.insert(id.clone());
        self.by_qid.insert(qid.to_string(), id.clone());
        id
    }
}

/// A model's own fields, kept in the project's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
struct ModelMeta {
    qid: String,
    id: String,
    kind: String,
    parent: Option<String>,
    path: String,
    title: String,
    version: Option<String>,
    owner: Option<String>,
    authors: Vec<String>,
    description: Option<String>,
    confidential: bool,
    level: Option<String>,
    taxonomy: Value,
    notes: Option<String>,
    imports: Vec<String>,
    requirements: Vec<RequirementMeta>,
    attackers: Vec<AttackerMeta>,
    assumptions: Vec<AssumptionMeta>,
    analysis: Vec<VerdictMeta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
struct RequirementMeta {
    id: String,
    title: String,
    description: Option<String>,
    kind: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
struct AttackerMeta {
    id: String,
    title: String,
    description: Option<String>,
    zone: Option<String>,
    in_scope: bool,
    reason: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
struct AssumptionMeta {
    id: String,
    title: String,
    description: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
struct VerdictMeta {
    target: String,
    attacker: Option<String>,
    category: Option<String>,
    verdict: String,
    rationale: String,
    confidential: bool,
}

fn kind_name(k: ModelKind) -> &'static str {
    match k {
        ModelKind::Root => "root",
        ModelKind::Component => "component",
        ModelKind::Catalogue => "catalogue",
        _ => "component",
    }
}

fn taxonomy_value(t: &Taxonomy) -> Value {
    match t {
        Taxonomy::Custom(c) => json!(c),
        other => json!(other.name()),
    }
}

fn is_component_kind(k: AssetKind) -> bool {
    !matches!(
        k,
        AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate
    )
}

fn state_of(s: Status) -> &'static str {
    match s {
        Status::Mitigated => "Mitigated",
        Status::Accepted => "Accepted",
        Status::Partial => "Partly mitigated",
        _ => "Exposed",
    }
}

fn attrs(pairs: Vec<(&str, Value)>) -> Attributes {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Exports the whole project (root, components, catalogues) as one OTM document.
pub fn export(model: &Model, analysis: &Analysis) -> Otm {
    let mut ids = Ids::default();
    let root = model.root();
    let zones: Vec<&tmkit_model::Zone> = model.models.iter().flat_map(|m| m.zones.iter()).collect();
    let (min, max) = zones
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), z| {
            (lo.min(z.trust), hi.max(z.trust))
        });
    let rating = |t: f64| {
        if max > min {
            ((t - min) / (max - min) * 100.0).round()
        } else {
            50.0
        }
    };

    let mut otm = Otm {
        otm_version: OTM_VERSION.into(),
        ..Otm::default()
    };
    let mut metas = Vec::new();
    for tm in &model.models {
        metas.push(ModelMeta {
            qid: tm.qid.clone(),
            id: tm.id.clone(),
            kind: kind_name(tm.kind).into(),
            parent: tm.parent.map(|p| model.models[p].qid.clone()),
            path: tm.path.clone(),
            title: tm.title.clone(),
            version: tm.version.clone(),
            owner: tm.owner.clone(),
            authors: tm.authors.clone(),
            description: tm.description.clone(),
            confidential: tm.confidential,
            level: tm.abstraction.level.clone(),
            taxonomy: taxonomy_value(&tm.abstraction.taxonomy),
            notes: tm.abstraction.notes.clone(),
            imports: tm
                .imports
                .iter()
                .map(|&i| model.models[i].qid.clone())
                .collect(),
            requirements: tm
                .requirements
                .iter()
                .map(|r| RequirementMeta {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    description: r.description.clone(),
                    kind: r.kind.clone(),
                    reference: r.reference.clone(),
                    confidential: r.confidential,
                })
                .collect(),
            attackers: tm
                .attackers
                .iter()
                .map(|a| AttackerMeta {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    description: a.description.clone(),
                    zone: a.zone.clone(),
                    in_scope: a.in_scope,
                    reason: a.reason.clone(),
                    confidential: a.confidential,
                })
                .collect(),
            assumptions: tm
                .assumptions
                .iter()
                .map(|a| AssumptionMeta {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    description: a.description.clone(),
                    confidential: a.confidential,
                })
                .collect(),
            analysis: tm
                .analysis
                .iter()
                .map(|v| VerdictMeta {
                    target: v.target.clone(),
                    attacker: v.attacker.clone(),
                    category: v.category.clone(),
                    verdict: v.verdict.as_str().into(),
                    rationale: v.rationale.clone(),
                    confidential: v.confidential,
                })
                .collect(),
        });
    }
    otm.project = Project {
        name: root.title.clone(),
        id: otm_id(&root.qid),
        description: root.description.clone(),
        owner: root.owner.clone(),
        owner_contact: None,
        tags: vec!["tmkit".into()],
        attributes: attrs(vec![(
            A_MODELS,
            serde_json::to_value(&metas).unwrap_or(Value::Null),
        )]),
    };

    // Threat instances per target, and mitigation instances per threat.
    let index = model.index();
    let mit_of = |q: &str| match index.get(q) {
        Some(tmkit_model::ElementRef::Mitigation(m, i)) => Some(&model.models[m].mitigations[i]),
        _ => None,
    };
    let mut instances: BTreeMap<String, Vec<ThreatInstance>> = BTreeMap::new();
    for tm in &model.models {
        for t in &tm.threats {
            let status = analysis
                .threat(&t.qid)
                .map_or(Status::Unmitigated, |i| i.status);
            let inst = ThreatInstance {
                threat: ids.get(&t.qid),
                state: state_of(status).into(),
                mitigations: t
                    .mitigations
                    .iter()
                    .filter_map(|q| mit_of(q))
                    .map(|m| MitigationInstance {
                        mitigation: Some(ids.get(&m.qid)),
                        state: Some(
                            if m.in_place {
                                "Implemented"
                            } else {
                                "Required"
                            }
                            .into(),
                        ),
                    })
                    .collect(),
            };
            for target in &t.targets {
                instances
                    .entry(target.clone())
                    .or_default()
                    .push(inst.clone());
            }
        }
    }

    let mut need_no_zone = false;
    for tm in &model.models {
        for z in &tm.zones {
            otm.trust_zones.push(TrustZone {
                id: ids.get(&z.qid),
                name: z.title.clone(),
                kind: None,
                description: z.description.clone(),
                risk: TrustRisk {
                    trust_rating: rating(z.trust),
                },
                parent: z.within.as_ref().map(|w| Parent {
                    trust_zone: Some(ids.get(w)),
                    component: None,
                }),
                representations: vec![],
                attributes: attrs(vec![
                    (A_QID, json!(z.qid)),
                    (A_MODEL, json!(tm.qid)),
                    (A_ID, json!(z.id)),
                    ("tmkit.trust", json!(z.trust)),
                    ("tmkit.confidential", json!(z.confidential)),
                ]),
            });
        }
    }
    for tm in &model.models {
        for (i, a) in tm.assets.iter().enumerate() {
            let attributes = attrs(vec![
                (A_QID, json!(a.qid)),
                (A_MODEL, json!(tm.qid)),
                (A_ID, json!(a.id)),
                ("tmkit.index", json!(i)),
                ("tmkit.kind", json!(a.kind.as_str())),
                ("tmkit.zone", json!(a.zone)),
                ("tmkit.in_scope", json!(a.in_scope)),
                ("tmkit.reason", json!(a.reason)),
                ("tmkit.confidential", json!(a.confidential)),
                (
                    "tmkit.threats",
                    json!(instances.get(&a.qid).map(|v| v.len()).unwrap_or(0)),
                ),
            ]);
            if is_component_kind(a.kind) {
                let parent = match &a.zone {
                    Some(z) => ids.get(z),
                    None => {
                        need_no_zone = true;
                        NO_ZONE.to_string()
                    }
                };
                otm.components.push(Component {
                    id: ids.get(&a.qid),
                    name: a.title.clone(),
                    kind: a.kind.as_str().into(),
                    description: a.description.clone(),
                    parent: Parent {
                        trust_zone: Some(parent),
                        component: None,
                    },
                    representations: vec![],
                    assets: None,
                    threats: instances.get(&a.qid).cloned().unwrap_or_default(),
                    tags: vec![a.kind.as_str().into()],
                    attributes,
                });
            } else {
                otm.assets.push(Asset {
                    id: ids.get(&a.qid),
                    name: a.title.clone(),
                    description: a.description.clone(),
                    risk: AssetRisk {
                        confidentiality: 0.0,
                        integrity: 0.0,
                        availability: 0.0,
                        comment: Some("tmkit does not rate asset sensitivity".into()),
                    },
                    attributes,
                });
            }
        }
    }
    if need_no_zone {
        otm.trust_zones.push(TrustZone {
            id: NO_ZONE.into(),
            name: "No trust zone".into(),
            kind: None,
            description: Some(
                "Holds the components that the threat model places in no zone.".into(),
            ),
            risk: TrustRisk { trust_rating: 0.0 },
            parent: None,
            representations: vec![],
            attributes: attrs(vec![(A_SYNTHETIC, json!(true))]),
        });
    }
    for tm in &model.models {
        for f in &tm.dataflows {
            otm.dataflows.push(Dataflow {
                id: ids.get(&f.qid),
                name: f.title.clone(),
                description: f.description.clone(),
                bidirectional: Some(f.bidirectional),
                source: ids.get(&f.from),
                destination: ids.get(&f.to),
                assets: f.carries.iter().map(|c| ids.get(c)).collect(),
                threats: instances.get(&f.qid).cloned().unwrap_or_default(),
                tags: vec![],
                attributes: attrs(vec![
                    (A_QID, json!(f.qid)),
                    (A_MODEL, json!(tm.qid)),
                    (A_ID, json!(f.id)),
                    ("tmkit.protocol", json!(f.protocol)),
                    ("tmkit.in_scope", json!(f.in_scope)),
                    ("tmkit.reason", json!(f.reason)),
                    ("tmkit.confidential", json!(f.confidential)),
                ]),
            });
        }
    }
    for tm in &model.models {
        for t in &tm.threats {
            let info = analysis.threat(&t.qid);
            let cvss = info.and_then(|i| i.cvss.as_ref());
            otm.threats.push(Threat {
                id: ids.get(&t.qid),
                name: t.title.clone(),
                description: t.description.clone(),
                categories: t.categories.clone(),
                cwes: vec![],
                risk: ThreatRisk {
                    likelihood: None,
                    likelihood_comment: None,
                    impact: cvss.map_or(0.0, |c| (c.score * 100.0).round() / 10.0),
                    impact_comment: Some(match cvss {
                        Some(c) => {
                            format!("CVSS {:.1} ({}) {}", c.score, c.rating.as_str(), c.vector)
                        }
                        None => "Not scored".into(),
                    }),
                },
                tags: vec![],
                attributes: attrs(vec![
                    (A_QID, json!(t.qid)),
                    (A_MODEL, json!(tm.qid)),
                    (A_ID, json!(t.id)),
                    ("tmkit.targets", json!(t.targets)),
                    ("tmkit.attackers", json!(t.attackers)),
                    ("tmkit.assumptions", json!(t.assumptions)),
                    ("tmkit.cvss", json!(t.cvss)),
                    ("tmkit.ticket", json!(t.ticket)),
                    ("tmkit.mitigations", json!(t.mitigations)),
                    ("tmkit.confidential", json!(t.confidential)),
                    ("tmkit.status", json!(info.map(|i| i.status.as_str()))),
                    (
                        "tmkit.severity",
                        json!(info.and_then(|i| i.severity).map(|s| s.as_str())),
                    ),
                ]),
            });
        }
    }
    for tm in &model.models {
        for m in &tm.mitigations {
            otm.mitigations.push(Mitigation {
                id: ids.get(&m.qid),
                name: m.title.clone(),
                description: m.description.clone(),
                risk_reduction: if m.kind.is_control() { 100.0 } else { 0.0 },
                attributes: attrs(vec![
                    (A_QID, json!(m.qid)),
                    (A_MODEL, json!(tm.qid)),
                    (A_ID, json!(if m.shared { Some(&m.id) } else { None })),
                    ("tmkit.kind", json!(m.kind.as_str())),
                    ("tmkit.in_place", json!(m.in_place)),
                    ("tmkit.operator", json!(m.operator)),
                    ("tmkit.ticket", json!(m.ticket)),
                    ("tmkit.shared", json!(m.shared)),
                    ("tmkit.confidential", json!(m.confidential)),
                ]),
            });
        }
    }
    otm
}

/// [`export`] as pretty JSON with a final newline.
pub fn to_json(model: &Model, analysis: &Analysis) -> String {
    let mut s = serde_json::to_string_pretty(&export(model, analysis)).unwrap_or_default();
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------
// Import

/// Parses an OTM document (JSON, or YAML) named `file` in errors, with
/// tmkit-syntax's reader and limits.
pub fn parse(text: &str, file: &str) -> Result<Otm, ImportError> {
    let tree = crate::yaml_in::parse(text, file)?;
    serde_path_to_error::deserialize(tree.to_json()).map_err(|e| {
        let line = tree.at_path(e.path()).line;
        ImportError::at(
            file,
            line,
            format!("not a valid OTM document: {}: {}", e.path(), e.inner()),
        )
    })
}

/// Reads the OTM document at `path` through `fs` (a regular file within the
/// loader's size limit), then imports it.
pub fn import_file(
    fs: &dyn tmkit_syntax::fs::FileSystem,
    path: &std::path::Path,
) -> Result<ImportOutput, ImportError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let mut budget = tmkit_syntax::node::Limits::default().max_total_bytes;
    let text = crate::yaml_in::read(fs, path, &shown, &mut budget)?;
    import(&text, &shown)
}

/// Imports an OTM document into tmkit model files.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let otm = parse(text, file)?;
    let mut cx = Importer {
        file: file.to_string(),
        warnings: Vec::new(),
    };
    let project = if otm.project.attributes.contains_key(A_MODELS) {
        cx.read_tmkit(&otm)?
    } else {
        cx.read_foreign(&otm)
    };
    Ok(cx.emit(project))
}

/// Everything needed to write the model files.
#[derive(Debug, Default)]
struct Project2 {
    models: Vec<ModelMeta>,
    zones: Vec<ZoneRec>,
    assets: Vec<AssetRec>,
    flows: Vec<FlowRec>,
    threats: Vec<ThreatRec>,
    mitigations: Vec<MitRec>,
    /// Qualified id -> (model qid, local id) of every element.
    owners: HashMap<String, (String, String)>,
    /// Source statuses, for the import summary.
    states: HashMap<String, bool>,
}

#[derive(Debug, Clone)]
struct ZoneRec {
    qid: String,
    model: String,
    id: String,
    title: String,
    description: Option<String>,
    trust: f64,
    within: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone)]
struct AssetRec {
    qid: String,
    model: String,
    id: String,
    index: f64,
    title: String,
    description: Option<String>,
    kind: String,
    zone: Option<String>,
    in_scope: bool,
    reason: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone)]
struct FlowRec {
    qid: String,
    model: String,
    id: String,
    title: String,
    description: Option<String>,
    from: String,
    to: String,
    protocol: Option<String>,
    carries: Vec<String>,
    bidirectional: bool,
    in_scope: bool,
    reason: Option<String>,
    confidential: bool,
}

#[derive(Debug, Clone)]
struct ThreatRec {
    qid: String,
    model: String,
    id: String,
    title: String,
    description: Option<String>,
    categories: Vec<String>,
    targets: Vec<String>,
    attackers: Option<Vec<String>>,
    assumptions: Vec<String>,
    cvss: Option<String>,
    ticket: Option<String>,
    mitigations: Vec<String>,
    confidential: bool,
}

#[derive(Debug, Clone)]
struct MitRec {
    qid: String,
    model: String,
    /// None for a mitigation written inline in its threat.
    id: Option<String>,
    title: String,
    description: Option<String>,
    kind: String,
    in_place: bool,
    operator: Option<String>,
    ticket: Option<String>,
    confidential: bool,
}

/// Gives OTM ids of a foreign document unique, valid tmkit ids.
#[derive(Default)]
struct Namer {
    root: String,
    used: HashSet<String>,
    /// OTM id -> qualified id (the first element defined with it).
    local: HashMap<String, String>,
    defined: HashSet<String>,
}

impl Namer {
    fn fresh(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
        let base = sanitise_id(otm_id);
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        if id != otm_id {
            notes.push(format!("OTM id `{otm_id}` is written `{id}`"));
        }
        self.used.insert(id.clone());
        format!("{}.{id}", self.root)
    }

    /// The qualified id an OTM id refers to.
    fn refer(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
        if let Some(q) = self.local.get(otm_id) {
            return q.clone();
        }
        let q = self.fresh(otm_id, notes);
        self.local.insert(otm_id.to_string(), q.clone());
        q
    }

    /// The qualified id of an element defined with that OTM id; a second
    /// element with the same OTM id gets an id of its own.
    fn define(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
        if self.defined.insert(otm_id.to_string()) {
            self.refer(otm_id, notes)
        } else {
            notes.push(format!(
                "OTM id `{otm_id}` is used by two elements; references go to the first"
            ));
            self.fresh(otm_id, notes)
        }
    }
}

/// Maps a foreign category name to a tmkit category.
type CategoryMap = Box<dyn Fn(&str) -> String>;

struct Importer {
    file: String,
    warnings: Vec<ImportWarning>,
}

fn a_str(a: &Attributes, k: &str) -> Option<String> {
    a.get(k).and_then(Value::as_str).map(str::to_string)
}

fn a_bool(a: &Attributes, k: &str, default: bool) -> bool {
    a.get(k).and_then(Value::as_bool).unwrap_or(default)
}

fn a_strs(a: &Attributes, k: &str) -> Option<Vec<String>> {
    a.get(k).and_then(Value::as_array).map(|v| {
        v.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

fn is_implemented(state: Option<&str>) -> bool {
    let s: String = state
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        s.as_str(),
        "implemented" | "mitigated" | "inplace" | "done" | "complete" | "completed"
    )
}

impl Importer {
    fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            file: self.file.clone(),
            line: None,
            message: message.into(),
        });
    }

    fn err(&self, message: impl Into<String>) -> ImportError {
        ImportError {
            code: None,
            file: self.file.clone(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// Rebuilds a project exported by tmkit, from its `tmkit.` attributes.
    fn read_tmkit(&mut self, otm: &Otm) -> Result<Project2, ImportError> {
        let models: Vec<ModelMeta> =
            serde_json::from_value(otm.project.attributes[A_MODELS].clone()).map_err(|e| {
                self.err(format!("project attribute `{A_MODELS}` is malformed: {e}"))
            })?;
        if models.is_empty() || models[0].kind != "root" {
            return Err(self.err(format!(
                "project attribute `{A_MODELS}` must list the root model first"
            )));
        }
        let mut p = Project2 {
            models,
            ..Project2::default()
        };
        // OTM id -> qualified id.
        let mut qid_of: HashMap<String, String> = HashMap::new();
        let mut note = |id: &str, a: &Attributes| {
            let q = a_str(a, A_QID).unwrap_or_else(|| id.to_string());
            qid_of.insert(id.to_string(), q.clone());
            q
        };
        for z in &otm.trust_zones {
            note(&z.id, &z.attributes);
        }
        for c in &otm.components {
            note(&c.id, &c.attributes);
        }
        for a in &otm.assets {
            note(&a.id, &a.attributes);
        }
        for f in &otm.dataflows {
            note(&f.id, &f.attributes);
        }
        for t in &otm.threats {
            note(&t.id, &t.attributes);
        }
        for m in &otm.mitigations {
            note(&m.id, &m.attributes);
        }
        let q = |id: &str| qid_of.get(id).cloned().unwrap_or_else(|| id.to_string());
        let root_qid = p.models[0].qid.clone();
        let owner = |a: &Attributes, qid: &str| -> (String, String) {
            let model = a_str(a, A_MODEL).unwrap_or_else(|| root_qid.clone());
            let id =
                a_str(a, A_ID).unwrap_or_else(|| qid.rsplit('.').next().unwrap_or(qid).to_string());
            (model, id)
        };

        for z in &otm.trust_zones {
            if a_bool(&z.attributes, A_SYNTHETIC, false) {
                continue;
            }
            let qid = q(&z.id);
            let (model, id) = owner(&z.attributes, &qid);
            p.zones.push(ZoneRec {
                qid: qid.clone(),
                model,
                id,
                title: z.name.clone(),
                description: z.description.clone(),
                trust: z
                    .attributes
                    .get("tmkit.trust")
                    .and_then(Value::as_f64)
                    .unwrap_or(z.risk.trust_rating),
                within: z
                    .parent
                    .as_ref()
                    .and_then(|pa| pa.trust_zone.as_deref())
                    .map(&q),
                confidential: a_bool(&z.attributes, "tmkit.confidential", false),
            });
        }
        let mut mit_states: HashMap<String, bool> = HashMap::new();
        let record_states = |insts: &[ThreatInstance], states: &mut HashMap<String, bool>| {
            for i in insts {
                for m in &i.mitigations {
                    if let Some(id) = &m.mitigation {
                        let e = states.entry(q(id)).or_insert(false);
                        *e |= is_implemented(m.state.as_deref());
                    }
                }
            }
        };
        let mut asset_recs = Vec::new();
        for c in &otm.components {
            record_states(&c.threats, &mut mit_states);
            let qid = q(&c.id);
            let (model, id) = owner(&c.attributes, &qid);
            let zone = match &c.attributes.get("tmkit.zone") {
                Some(Value::String(z)) => Some(z.clone()),
                Some(Value::Null) => None,
                _ => c
                    .parent
                    .trust_zone
                    .as_deref()
                    .filter(|z| *z != NO_ZONE)
                    .map(&q),
            };
            asset_recs.push(AssetRec {
                qid,
                model,
                id,
                index: c
                    .attributes
                    .get("tmkit.index")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::MAX),
                title: c.name.clone(),
                description: c.description.clone(),
                kind: a_str(&c.attributes, "tmkit.kind")
                    .unwrap_or_else(|| asset_kind(&c.kind).unwrap_or("other").into()),
                zone,
                in_scope: a_bool(&c.attributes, "tmkit.in_scope", true),
                reason: a_str(&c.attributes, "tmkit.reason"),
                confidential: a_bool(&c.attributes, "tmkit.confidential", false),
            });
        }
        for a in &otm.assets {
            let qid = q(&a.id);
            let (model, id) = owner(&a.attributes, &qid);
            asset_recs.push(AssetRec {
                qid,
                model,
                id,
                index: a
                    .attributes
                    .get("tmkit.index")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::MAX),
                title: a.name.clone(),
                description: a.description.clone(),
                kind: a_str(&a.attributes, "tmkit.kind").unwrap_or_else(|| "data".into()),
                zone: a_str(&a.attributes, "tmkit.zone"),
                in_scope: a_bool(&a.attributes, "tmkit.in_scope", true),
                reason: a_str(&a.attributes, "tmkit.reason"),
                confidential: a_bool(&a.attributes, "tmkit.confidential", false),
            });
        }
        // Restore the declaration order of assets within each model.
        asset_recs.sort_by(|a, b| a.index.total_cmp(&b.index));
        p.assets = asset_recs;
        for f in &otm.dataflows {
            record_states(&f.threats, &mut mit_states);
            let qid = q(&f.id);
            let (model, id) = owner(&f.attributes, &qid);
            p.flows.push(FlowRec {
                qid,
                model,
                id,
                title: f.name.clone(),
                description: f.description.clone(),
                from: q(&f.source),
                to: q(&f.destination),
                protocol: a_str(&f.attributes, "tmkit.protocol"),
                carries: f.assets.iter().map(|c| q(c)).collect(),
                bidirectional: f.bidirectional.unwrap_or(false),
                in_scope: a_bool(&f.attributes, "tmkit.in_scope", true),
                reason: a_str(&f.attributes, "tmkit.reason"),
                confidential: a_bool(&f.attributes, "tmkit.confidential", false),
            });
        }
        for t in &otm.threats {
            let qid = q(&t.id);
            let (model, id) = owner(&t.attributes, &qid);
            p.states.insert(
                qid.clone(),
                a_str(&t.attributes, "tmkit.status").as_deref() == Some("mitigated"),
            );
            p.threats.push(ThreatRec {
                qid,
                model,
                id,
                title: t.name.clone(),
                description: t.description.clone(),
                categories: if t.categories.is_empty() {
                    vec!["other".into()]
                } else {
                    t.categories.clone()
                },
                targets: a_strs(&t.attributes, "tmkit.targets").unwrap_or_default(),
                attackers: a_strs(&t.attributes, "tmkit.attackers"),
                assumptions: a_strs(&t.attributes, "tmkit.assumptions").unwrap_or_default(),
                cvss: a_str(&t.attributes, "tmkit.cvss"),
                ticket: a_str(&t.attributes, "tmkit.ticket"),
                mitigations: a_strs(&t.attributes, "tmkit.mitigations").unwrap_or_default(),
                confidential: a_bool(&t.attributes, "tmkit.confidential", false),
            });
        }
        for m in &otm.mitigations {
            let qid = q(&m.id);
            let model = a_str(&m.attributes, A_MODEL).unwrap_or_else(|| p.models[0].qid.clone());
            let shared = a_bool(&m.attributes, "tmkit.shared", true);
            // The state of its instances wins over the attribute (it is what
            // an OTM tool edits); an unused mitigation keeps the attribute.
            let in_place = match mit_states.get(&qid) {
                Some(s) => *s,
                None => a_bool(&m.attributes, "tmkit.in_place", false),
            };
            p.mitigations.push(MitRec {
                qid,
                model,
                id: if shared {
                    a_str(&m.attributes, A_ID)
                } else {
                    None
                },
                title: m.name.clone(),
                description: m.description.clone(),
                kind: a_str(&m.attributes, "tmkit.kind").unwrap_or_else(|| "design".into()),
                in_place,
                operator: a_str(&m.attributes, "tmkit.operator"),
                ticket: a_str(&m.attributes, "tmkit.ticket"),
                confidential: a_bool(&m.attributes, "tmkit.confidential", false),
            });
        }
        self.index_owners(&mut p);
        Ok(p)
    }

    fn index_owners(&mut self, p: &mut Project2) {
        let mut add = |qid: &str, model: &str, id: &str| {
            p.owners
                .insert(qid.to_string(), (model.to_string(), id.to_string()));
        };
        for m in &p.models {
            for r in &m.requirements {
                add(&format!("{}.{}", m.qid, r.id), &m.qid, &r.id);
            }
            for a in &m.attackers {
                add(&format!("{}.{}", m.qid, a.id), &m.qid, &a.id);
            }
            for a in &m.assumptions {
                add(&format!("{}.{}", m.qid, a.id), &m.qid, &a.id);
            }
        }
        for z in &p.zones {
            add(&z.qid, &z.model, &z.id);
        }
        for a in &p.assets {
            add(&a.qid, &a.model, &a.id);
        }
        for f in &p.flows {
            add(&f.qid, &f.model, &f.id);
        }
        for t in &p.threats {
            add(&t.qid, &t.model, &t.id);
        }
        for m in &p.mitigations {
            if let Some(id) = &m.id {
                add(&m.qid, &m.model, id);
            }
        }
    }

    /// Maps a document written by another tool onto one model.
    fn read_foreign(&mut self, otm: &Otm) -> Project2 {
        let root_id = sanitise_id(if otm.project.id.trim().is_empty() {
            "OTM"
        } else {
            &otm.project.id
        });
        if root_id != otm.project.id {
            self.warn(format!(
                "project id `{}` is not a valid tmkit id; using `{root_id}`",
                otm.project.id
            ));
        }
        let mut names = Namer {
            root: root_id.clone(),
            ..Namer::default()
        };
        let mut notes: Vec<String> = Vec::new();
        let mut p = Project2::default();
        let local_id = |q: &str| q[root_id.len() + 1..].to_string();

        // Taxonomy from the categories used.
        let cats: Vec<String> = otm
            .threats
            .iter()
            .flat_map(|t| t.categories.iter().cloned())
            .collect();
        let stride: Option<Vec<&str>> = cats
            .iter()
            .map(|c| crate::tmyaml::stride_category(c))
            .collect();
        let cia: Option<Vec<String>> = cats
            .iter()
            .map(|c| Taxonomy::Cia.normalise(&c.replace(' ', "-")))
            .collect();
        let (taxonomy, mapper): (Value, CategoryMap) = if cats.is_empty() {
            (json!("CIA"), Box::new(|_: &str| "other".to_string()))
        } else if stride.is_some() {
            (
                json!("STRIDE"),
                Box::new(|c: &str| {
                    crate::tmyaml::stride_category(c)
                        .unwrap_or("other")
                        .to_string()
                }),
            )
        } else if cia.is_some() {
            (
                json!("CIA"),
                Box::new(|c: &str| {
                    Taxonomy::Cia
                        .normalise(&c.replace(' ', "-"))
                        .unwrap_or_else(|| "other".into())
                }),
            )
        } else {
            let norm = |c: &str| -> String {
                let s: String = c
                    .trim()
                    .to_ascii_lowercase()
                    .chars()
                    .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
                    .collect();
                let s = s
                    .split('-')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("-");
                if s.is_empty() { "other".into() } else { s }
            };
            let mut list: Vec<String> = Vec::new();
            for c in &cats {
                let n = norm(c);
                if n != "other" && !list.contains(&n) {
                    list.push(n);
                }
            }
            self.warn("threat categories are neither STRIDE nor CIA: a custom taxonomy of the categories found is used");
            (json!(list), Box::new(norm))
        };

        p.models.push(ModelMeta {
            qid: root_id.clone(),
            id: root_id.clone(),
            kind: "root".into(),
            path: "threatmodel.yaml".into(),
            title: if otm.project.name.trim().is_empty() {
                root_id.clone()
            } else {
                one_line(&otm.project.name)
            },
            owner: otm.project.owner.clone(),
            description: otm.project.description.clone(),
            taxonomy,
            ..ModelMeta::default()
        });

        let zone_ids: HashSet<&str> = otm.trust_zones.iter().map(|z| z.id.as_str()).collect();
        for z in &otm.trust_zones {
            let qid = names.define(&z.id, &mut notes);
            let within = z
                .parent
                .as_ref()
                .and_then(|pa| pa.trust_zone.as_deref())
                .filter(|w| zone_ids.contains(w));
            p.zones.push(ZoneRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: local_id(&qid),
                title: one_line(&z.name),
                description: z.description.clone(),
                trust: z.risk.trust_rating,
                within: within.map(|w| names.refer(w, &mut notes)),
                confidential: false,
            });
        }
        // A component's zone: its own parent zone, or its parent component's.
        let comp_parent: HashMap<&str, &Parent> = otm
            .components
            .iter()
            .map(|c| (c.id.as_str(), &c.parent))
            .collect();
        let zone_of = |c: &Component| -> Option<String> {
            let mut parent = &c.parent;
            for _ in 0..64 {
                if let Some(z) = parent
                    .trust_zone
                    .as_deref()
                    .filter(|z| zone_ids.contains(z))
                {
                    return Some(z.to_string());
                }
                match parent
                    .component
                    .as_deref()
                    .and_then(|pc| comp_parent.get(pc))
                {
                    Some(pp) => parent = pp,
                    None => return None,
                }
            }
            None
        };
        // Instances per catalogue threat.
        let mut targets: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut inst_states: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut inst_mits: BTreeMap<&str, Vec<(String, bool)>> = BTreeMap::new();
        let mut element_ids: HashSet<&str> = HashSet::new();
        let mut holders: Vec<(String, Vec<ThreatInstance>)> = Vec::new();
        for (i, c) in otm.components.iter().enumerate() {
            element_ids.insert(&c.id);
            if let Some(z) = c.parent.trust_zone.as_deref() {
                if !zone_ids.contains(z) {
                    self.warn(format!(
                        "component `{}` is in unknown trust zone `{z}`; imported without a zone",
                        c.id
                    ));
                }
            }
            let qid = names.define(&c.id, &mut notes);
            let kind = match asset_kind(&c.kind) {
                Some(k) => k,
                None => {
                    self.warn(format!("component `{}` has type `{}`, which matches no tmkit asset kind; imported as `other`", c.id, c.kind));
                    "other"
                }
            };
            let zone = zone_of(c).map(|z| names.refer(&z, &mut notes));
            p.assets.push(AssetRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: local_id(&qid),
                index: i as f64,
                title: one_line(&c.name),
                description: c.description.clone(),
                kind: kind.into(),
                zone,
                in_scope: true,
                reason: None,
                confidential: false,
            });
            holders.push((qid, c.threats.clone()));
        }
        for (i, a) in otm.assets.iter().enumerate() {
            element_ids.insert(&a.id);
            let qid = names.define(&a.id, &mut notes);
            p.assets.push(AssetRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: local_id(&qid),
                index: (otm.components.len() + i) as f64,
                title: one_line(&a.name),
                description: a.description.clone(),
                kind: "data".into(),
                zone: None,
                in_scope: true,
                reason: None,
                confidential: false,
            });
        }
        for f in &otm.dataflows {
            if !element_ids.contains(f.source.as_str())
                || !element_ids.contains(f.destination.as_str())
            {
                self.warn(format!(
                    "data flow `{}` goes from `{}` to `{}`, which are not both components or assets; not imported",
                    f.id, f.source, f.destination
                ));
                continue;
            }
            let qid = names.define(&f.id, &mut notes);
            let carries: Vec<String> = f
                .assets
                .iter()
                .filter(|a| element_ids.contains(a.as_str()))
                .map(|a| names.refer(a, &mut notes))
                .collect();
            p.flows.push(FlowRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: local_id(&qid),
                title: one_line(&f.name),
                description: f.description.clone(),
                from: names.refer(&f.source, &mut notes),
                to: names.refer(&f.destination, &mut notes),
                protocol: None,
                carries,
                bidirectional: f.bidirectional.unwrap_or(false),
                in_scope: true,
                reason: None,
                confidential: false,
            });
            holders.push((qid, f.threats.clone()));
        }
        for (holder, insts) in &holders {
            for i in insts {
                let Some(t) = otm.threats.iter().find(|t| t.id == i.threat) else {
                    self.warn(format!("a threat instance names `{}`, which is not in the threat catalogue; not imported", i.threat));
                    continue;
                };
                let key = t.id.as_str();
                targets.entry(key).or_default().push(holder.clone());
                inst_states.entry(key).or_default().push(i.state.clone());
                for m in &i.mitigations {
                    if let Some(mid) = &m.mitigation {
                        inst_mits
                            .entry(key)
                            .or_default()
                            .push((mid.clone(), is_implemented(m.state.as_deref())));
                    }
                }
            }
        }
        let mut mit_in_place: BTreeMap<String, bool> = BTreeMap::new();
        for list in inst_mits.values() {
            for (m, s) in list {
                *mit_in_place.entry(m.clone()).or_insert(false) |= *s;
            }
        }
        for t in &otm.threats {
            let qid = names.define(&t.id, &mut notes);
            let mut cats: Vec<String> = Vec::new();
            for c in &t.categories {
                let n = mapper(c);
                if !cats.contains(&n) {
                    cats.push(n);
                }
            }
            if cats.is_empty() {
                cats.push("other".into());
            }
            let mut mits: Vec<String> = Vec::new();
            for (m, _) in inst_mits
                .get(t.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if otm.mitigations.iter().any(|x| &x.id == m) {
                    let q = names.refer(m, &mut notes);
                    if !mits.contains(&q) {
                        mits.push(q);
                    }
                } else {
                    self.warn(format!("threat `{}` names mitigation `{m}`, which is not in the catalogue; dropped", t.id));
                }
            }
            let states = inst_states.get(t.id.as_str()).cloned().unwrap_or_default();
            let mitigated_states =
                states.iter().all(|s| is_implemented(Some(s))) && !states.is_empty();
            let mut seen = HashSet::new();
            let tgts: Vec<String> = targets
                .get(t.id.as_str())
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|x| seen.insert(x.clone()))
                .collect();
            if tgts.is_empty() {
                self.warn(format!("threat `{}` has no instance on a component or data flow; imported without targets", t.id));
            }
            let accepted = states
                .iter()
                .any(|s| s.to_ascii_lowercase().contains("accept"));
            if accepted {
                let mq = format!("{qid}/accepted");
                p.mitigations.push(MitRec {
                    qid: mq.clone(),
                    model: root_id.clone(),
                    id: None,
                    title: "Risk accepted in the source threat model".into(),
                    description: None,
                    kind: "risk-acceptance".into(),
                    in_place: true,
                    operator: None,
                    ticket: None,
                    confidential: false,
                });
                mits.push(mq);
            }
            let mut description = t.description.clone();
            let mut extra = Vec::new();
            if !t.cwes.is_empty() {
                extra.push(format!("CWE: {}", t.cwes.join(", ")));
            }
            extra.push(format!(
                "Risk in the source: impact {}, likelihood {}",
                t.risk.impact,
                t.risk
                    .likelihood
                    .map_or("not rated".to_string(), |l| l.to_string())
            ));
            if !extra.is_empty() {
                description = Some(
                    [description.unwrap_or_default(), extra.join("\n\n")]
                        .into_iter()
                        .filter(|s| !s.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                );
            }
            p.states.insert(qid.clone(), mitigated_states);
            p.threats.push(ThreatRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: local_id(&qid),
                title: one_line(&t.name),
                description,
                categories: cats,
                targets: tgts,
                attackers: None,
                assumptions: vec![],
                cvss: None,
                ticket: None,
                mitigations: mits,
                confidential: false,
            });
        }
        for m in &otm.mitigations {
            let qid = names.define(&m.id, &mut notes);
            p.mitigations.push(MitRec {
                qid: qid.clone(),
                model: root_id.clone(),
                id: Some(local_id(&qid)),
                title: one_line(&m.name),
                description: m.description.clone(),
                kind: "design".into(),
                in_place: mit_in_place.get(&m.id).copied().unwrap_or(false),
                operator: None,
                ticket: None,
                confidential: false,
            });
        }
        // Threats whose derived status will differ from the source's state.
        let in_place: HashMap<String, (bool, bool)> = p
            .mitigations
            .iter()
            .map(|m| (m.qid.clone(), (m.in_place, m.kind != "risk-acceptance")))
            .collect();
        for t in &p.threats {
            let controls: Vec<bool> = t
                .mitigations
                .iter()
                .filter_map(|m| in_place.get(m))
                .filter(|(_, c)| *c)
                .map(|(i, _)| *i)
                .collect();
            let ours = !controls.is_empty() && controls.iter().all(|x| *x);
            let theirs = p.states.get(&t.qid).copied().unwrap_or(false);
            if ours != theirs {
                notes.push(format!(
                    "threat `{}` is {} in the source but its mitigations make it {} here",
                    t.id,
                    if theirs { "mitigated" } else { "not mitigated" },
                    if ours { "mitigated" } else { "not mitigated" }
                ));
            }
        }
        for n in notes {
            self.warn(n);
        }
        self.warn_missing_fields(otm);
        self.index_owners(&mut p);
        p
    }

    fn warn_missing_fields(&mut self, otm: &Otm) {
        if !otm.representations.is_empty() {
            self.warn(format!(
                "{} representation(s) (diagrams, code) have no tmkit equivalent; not imported",
                otm.representations.len()
            ));
        }
        let with_attrs = otm
            .components
            .iter()
            .filter(|c| !c.attributes.is_empty())
            .count()
            + otm
                .dataflows
                .iter()
                .filter(|f| !f.attributes.is_empty())
                .count()
            + otm
                .threats
                .iter()
                .filter(|t| !t.attributes.is_empty())
                .count();
        if with_attrs > 0 {
            self.warn(format!(
                "attributes of {with_attrs} element(s) have no tmkit equivalent; not imported"
            ));
        }
    }

    /// Writes the model files.
    fn emit(self, p: Project2) -> ImportOutput {
        let mut files = Vec::new();
        let paths: HashMap<String, String> = p
            .models
            .iter()
            .map(|m| (m.qid.clone(), safe_path(m)))
            .collect();
        let reference = |from: &str, qid: &str| -> String {
            match p.owners.get(qid) {
                Some((model, id)) if model == from => id.clone(),
                _ => qid.to_string(),
            }
        };
        let mit_by_qid: HashMap<&str, &MitRec> =
            p.mitigations.iter().map(|m| (m.qid.as_str(), m)).collect();
        let refs = |from: &str, list: &[String]| -> Vec<String> {
            list.iter().map(|q| reference(from, q)).collect()
        };
        for m in &p.models {
            let here = &m.qid;
            let path = &paths[here];
            let abstraction = {
                let mut b = MapBuilder::new().opt_str("level", m.level.clone());
                b = match &m.taxonomy {
                    Value::String(s) => b.str("taxonomy", s.clone()),
                    Value::Array(items) => b.strs(
                        "taxonomy",
                        &items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect::<Vec<_>>(),
                    ),
                    _ => b,
                };
                b.opt_str("notes", m.notes.clone()).build()
            };
            let requirements: Vec<Yaml> = m
                .requirements
                .iter()
                .map(|r| {
                    conf(
                        MapBuilder::new()
                            .str("id", r.id.clone())
                            .str("title", r.title.clone())
                            .opt_str("description", r.description.clone())
                            .opt_str("kind", r.kind.clone())
                            .opt_str("ref", r.reference.clone()),
                        r.confidential,
                    )
                })
                .collect();
            let zones: Vec<Yaml> = p
                .zones
                .iter()
                .filter(|z| &z.model == here)
                .map(|z| {
                    conf(
                        MapBuilder::new()
                            .str("id", z.id.clone())
                            .str("title", z.title.clone())
                            .opt_str("description", z.description.clone())
                            .put("trust", Yaml::Num(z.trust))
                            .opt_str("within", z.within.as_ref().map(|w| reference(here, w))),
                        z.confidential,
                    )
                })
                .collect();
            let assets: Vec<Yaml> = p
                .assets
                .iter()
                .filter(|a| &a.model == here)
                .map(|a| {
                    conf(
                        scope_fields(
                            MapBuilder::new()
                                .str("id", a.id.clone())
                                .str("title", a.title.clone())
                                .opt_str("description", a.description.clone())
                                .str("kind", a.kind.clone())
                                .opt_str("zone", a.zone.as_ref().map(|z| reference(here, z))),
                            a.in_scope,
                            &a.reason,
                        ),
                        a.confidential,
                    )
                })
                .collect();
            let flows: Vec<Yaml> = p
                .flows
                .iter()
                .filter(|f| &f.model == here)
                .map(|f| {
                    let mut b = MapBuilder::new()
                        .str("id", f.id.clone())
                        .str("title", f.title.clone())
                        .opt_str("description", f.description.clone())
                        .str("from", reference(here, &f.from))
                        .str("to", reference(here, &f.to))
                        .opt_str("protocol", f.protocol.clone())
                        .strs("carries", &refs(here, &f.carries));
                    if f.bidirectional {
                        b = b.put("bidirectional", Yaml::Bool(true));
                    }
                    conf(scope_fields(b, f.in_scope, &f.reason), f.confidential)
                })
                .collect();
            let attackers: Vec<Yaml> = m
                .attackers
                .iter()
                .map(|a| {
                    conf(
                        scope_fields(
                            MapBuilder::new()
                                .str("id", a.id.clone())
                                .str("title", a.title.clone())
                                .opt_str("description", a.description.clone())
                                .opt_str("zone", a.zone.as_ref().map(|z| reference(here, z))),
                            a.in_scope,
                            &a.reason,
                        ),
                        a.confidential,
                    )
                })
                .collect();
            let assumptions: Vec<Yaml> = m
                .assumptions
                .iter()
                .map(|a| {
                    conf(
                        MapBuilder::new()
                            .str("id", a.id.clone())
                            .str("title", a.title.clone())
                            .opt_str("description", a.description.clone()),
                        a.confidential,
                    )
                })
                .collect();
            let analysis: Vec<Yaml> = m
                .analysis
                .iter()
                .map(|v| {
                    conf(
                        MapBuilder::new()
                            .str("target", reference(here, &v.target))
                            .opt_str("attacker", v.attacker.as_ref().map(|a| reference(here, a)))
                            .opt_str("category", v.category.clone())
                            .str("verdict", v.verdict.clone())
                            .str("rationale", v.rationale.clone()),
                        v.confidential,
                    )
                })
                .collect();
            let mit_yaml = |mr: &MitRec| -> Yaml {
                let b = MapBuilder::new()
                    .opt_str("id", mr.id.clone())
                    .str("title", mr.title.clone())
                    .opt_str("description", mr.description.clone())
                    .str("kind", mr.kind.clone())
                    .opt_str("operator", mr.operator.clone())
                    .put("in_place", Yaml::Bool(mr.in_place))
                    .opt_str("ticket", mr.ticket.clone());
                conf(b, mr.confidential)
            };
            let shared: Vec<Yaml> = p
                .mitigations
                .iter()
                .filter(|x| &x.model == here && x.id.is_some())
                .map(mit_yaml)
                .collect();
            let threats: Vec<Yaml> = p
                .threats
                .iter()
                .filter(|t| &t.model == here)
                .map(|t| {
                    let items: Vec<Yaml> = t
                        .mitigations
                        .iter()
                        .filter_map(|q| match mit_by_qid.get(q.as_str()) {
                            Some(x) if x.id.is_none() => Some(mit_yaml(x)),
                            Some(_) => Some(Yaml::Str(reference(here, q))),
                            None => None,
                        })
                        .collect();
                    let mut b = MapBuilder::new()
                        .str("id", t.id.clone())
                        .str("title", t.title.clone())
                        .opt_str("description", t.description.clone())
                        .strs("categories", &t.categories)
                        .strs("targets", &refs(here, &t.targets));
                    if let Some(a) = &t.attackers {
                        b = b.put(
                            "attackers",
                            Yaml::Seq(refs(here, a).into_iter().map(Yaml::Str).collect()),
                        );
                    }
                    b = b
                        .strs("assumptions", &refs(here, &t.assumptions))
                        .opt_str("cvss", t.cvss.clone())
                        .opt_str("ticket", t.ticket.clone());
                    conf(b.seq("mitigations", items), t.confidential)
                })
                .collect();
            let children: Vec<Yaml> = p
                .models
                .iter()
                .filter(|c| c.parent.as_deref() == Some(here.as_str()) && c.kind == "component")
                .map(|c| {
                    MapBuilder::new()
                        .str("path", relative(path, &paths[&c.qid]))
                        .build()
                })
                .collect();
            let imports: Vec<Yaml> = m
                .imports
                .iter()
                .filter_map(|i| paths.get(i))
                .map(|ip| MapBuilder::new().str("path", relative(path, ip)).build())
                .collect();
            let scope = MapBuilder::new()
                .put("abstraction", abstraction)
                .seq("requirements", requirements)
                .seq("zones", zones)
                .seq("assets", assets)
                .seq("dataflows", flows)
                .seq("attackers", attackers)
                .seq("assumptions", assumptions)
                .build();
            let mut doc = MapBuilder::new()
                .put("tmkit", Yaml::Num(1.0))
                .str("id", m.id.clone())
                .str("title", m.title.clone())
                .opt_str("version", m.version.clone())
                .opt_str("owner", m.owner.clone())
                .strs("authors", &m.authors)
                .opt_str("description", m.description.clone());
            if m.confidential {
                doc = doc.put("confidential", Yaml::Bool(true));
            }
            let doc = doc
                .put("scope", scope)
                .seq("analysis", analysis)
                .seq("mitigations", shared)
                .seq("threats", threats)
                .seq("components", children)
                .seq("imports", imports)
                .build();
            files.push(OutputFile {
                path: path.clone(),
                contents: to_string(&doc),
            });
        }
        let threats = p
            .threats
            .iter()
            .map(|t| ImportedThreat {
                qid: t.qid.clone(),
                mitigated_in_source: p.states.get(&t.qid).copied().unwrap_or(false),
            })
            .collect();
        ImportOutput {
            files,
            warnings: self.warnings,
            threats,
        }
    }
}

fn conf(b: MapBuilder, confidential: bool) -> Yaml {
    if confidential {
        b.put("confidential", Yaml::Bool(true)).build()
    } else {
        b.build()
    }
}

fn scope_fields(b: MapBuilder, in_scope: bool, reason: &Option<String>) -> MapBuilder {
    let b = if in_scope {
        b
    } else {
        b.put("in_scope", Yaml::Bool(false))
    };
    b.opt_str("reason", reason.clone())
}

/// The model's path if it is a safe relative path, else one made from its id.
fn safe_path(m: &ModelMeta) -> String {
    let p = m.path.replace('\\', "/");
    let ok = !p.is_empty()
        && !p.starts_with('/')
        && p.split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(':'))
        && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"));
    if ok {
        p
    } else if m.kind == "root" {
        "threatmodel.yaml".into()
    } else {
        format!("{}/threatmodel.yaml", m.qid.replace('.', "/"))
    }
}

/// `to` relative to the directory of `from` (both relative to the same root).
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fit_otm() {
        assert_eq!(otm_id("SHOP.T.inject"), "SHOP.T.inject");
        let long = "SHOP.PAY.a-very-long-threat-identifier-that-is-longer-than-thirty-six";
        let id = otm_id(long);
        assert_eq!(id.chars().count(), MAX_ID_LEN);
        assert!(id.starts_with("SHOP.PAY.a-very-long-threat"));
        assert_eq!(id, otm_id(long), "deterministic");
        assert_ne!(id, otm_id(&format!("{long}x")));
        let mut ids = Ids::default();
        let a = ids.get(long);
        assert_eq!(ids.get(long), a);
        assert!(ids.get("x").len() <= MAX_ID_LEN);
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative("threatmodel.yaml", "pay/threatmodel.yaml"),
            "pay/threatmodel.yaml"
        );
        assert_eq!(
            relative("a/threatmodel.yaml", "a/b/threatmodel.yaml"),
            "b/threatmodel.yaml"
        );
        assert_eq!(
            relative("a/threatmodel.yaml", "catalog/x.yaml"),
            "../catalog/x.yaml"
        );
    }

    #[test]
    fn states() {
        assert!(is_implemented(Some("Implemented")));
        assert!(is_implemented(Some("IMPLEMENTED")));
        assert!(!is_implemented(Some("Required")));
        assert!(!is_implemented(None));
    }
}
