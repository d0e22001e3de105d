//! The OTM import: records of what will be written, and the rebuilding of
//! a document that tmkit exported (see [`super::foreign`] for the others).

use super::meta::ModelMeta;
use super::types::*;
use super::{A_ID, A_MODEL, A_MODELS, A_QID, A_SYNTHETIC, NO_ZONE};
use crate::files::{ImportError, ImportWarning, SourcePlace};
use crate::ids::{asset_kind, sanitise_id};
use crate::yaml_in::Node;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Default)]
pub(super) struct Project2 {
    pub(super) models: Vec<ModelMeta>,
    pub(super) zones: Vec<ZoneRec>,
    pub(super) assets: Vec<AssetRec>,
    pub(super) flows: Vec<FlowRec>,
    pub(super) threats: Vec<ThreatRec>,
    pub(super) mitigations: Vec<MitRec>,
    /// Qualified id -> (model qid, local id) of every element.
    pub(super) owners: HashMap<String, (String, String)>,
    /// Source statuses, for the import summary.
    pub(super) states: HashMap<String, bool>,
}

/// What every imported zone, asset, flow and threat has.
#[derive(Debug, Clone, Default)]
pub(super) struct Element {
    pub(super) qid: String,
    /// The qualified id of the model that declares it.
    pub(super) model: String,
    /// Its id in that model.
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) confidential: bool,
}

#[derive(Debug, Clone)]
pub(super) struct ZoneRec {
    pub(super) e: Element,
    pub(super) trust: f64,
    pub(super) within: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct AssetRec {
    pub(super) e: Element,
    /// Declaration order within its model.
    pub(super) index: f64,
    pub(super) kind: String,
    pub(super) zone: Option<String>,
    pub(super) in_scope: bool,
    pub(super) reason: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct FlowRec {
    pub(super) e: Element,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) protocol: Option<String>,
    pub(super) carries: Vec<String>,
    pub(super) bidirectional: bool,
    pub(super) in_scope: bool,
    pub(super) reason: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct ThreatRec {
    pub(super) e: Element,
    pub(super) categories: Vec<String>,
    pub(super) targets: Vec<String>,
    pub(super) attackers: Option<Vec<String>>,
    pub(super) assumptions: Vec<String>,
    pub(super) cvss: Option<String>,
    pub(super) ticket: Option<String>,
    pub(super) mitigations: Vec<String>,
    /// Requirements it concerns (qualified ids).
    pub(super) requirements: Vec<String>,
    /// Weakness references as written (`CWE-79`).
    pub(super) refs: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct MitRec {
    pub(super) qid: String,
    pub(super) model: String,
    /// None for a mitigation written inline in its threat.
    pub(super) id: Option<String>,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) kind: String,
    pub(super) in_place: bool,
    pub(super) operator: Option<String>,
    pub(super) ticket: Option<String>,
    /// Requirements it implements (qualified ids, written as such).
    pub(super) requirements: Vec<String>,
    pub(super) confidential: bool,
    pub(super) treatment: super::treatment::TreatmentRec,
}

/// Gives OTM ids of a foreign document unique, valid tmkit ids.
#[derive(Default)]
pub(super) struct Namer {
    pub(super) root: String,
    pub(super) used: HashSet<String>,
    /// OTM id -> qualified id (the first element defined with it).
    pub(super) local: HashMap<String, String>,
    pub(super) defined: HashSet<String>,
}

impl Namer {
    pub(super) fn fresh(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
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
    pub(super) fn refer(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
        if let Some(q) = self.local.get(otm_id) {
            return q.clone();
        }
        let q = self.fresh(otm_id, notes);
        self.local.insert(otm_id.to_string(), q.clone());
        q
    }

    /// The qualified id of an element defined with that OTM id; a second
    /// element with the same OTM id gets an id of its own.
    pub(super) fn define(&mut self, otm_id: &str, notes: &mut Vec<String>) -> String {
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

pub(super) fn a_str(a: &Attributes, k: &str) -> Option<String> {
    a.get(k).and_then(Value::as_str).map(str::to_string)
}

pub(super) fn a_bool(a: &Attributes, k: &str, default: bool) -> bool {
    a.get(k).and_then(Value::as_bool).unwrap_or(default)
}

pub(super) fn a_strs(a: &Attributes, k: &str) -> Option<Vec<String>> {
    a.get(k).and_then(Value::as_array).map(|v| {
        v.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

pub(super) fn is_implemented(state: Option<&str>) -> bool {
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

/// An import under way: the source (for warnings and places) and what was
/// found so far.
pub(super) struct Importer<'a> {
    pub(super) file: String,
    pub(super) warnings: Vec<ImportWarning>,
    /// The source document, for the places of its elements.
    pub(super) tree: &'a Node,
    /// Where each imported element (by qualified id) was written.
    pub(super) sources: BTreeMap<String, SourcePlace>,
}

impl Importer<'_> {
    pub(super) fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            file: self.file.clone(),
            line: None,
            message: message.into(),
        });
    }

    pub(super) fn err(&self, message: impl Into<String>) -> ImportError {
        ImportError {
            code: None,
            file: self.file.clone(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// Records that `qid` comes from item `index` of the document's list
    /// `section` (`components`, `threats`...).
    pub(super) fn mark(&mut self, qid: &str, section: &str, index: usize) {
        if let Some(n) = self.tree.get(section).and_then(|s| s.items().get(index)) {
            self.sources.insert(
                qid.to_string(),
                SourcePlace {
                    file: self.file.clone(),
                    line: n.line,
                    column: n.column,
                },
            );
        }
    }

    /// Rebuilds a project exported by tmkit, from its `tmkit.` attributes.
    pub(super) fn read_tmkit(&mut self, otm: &Otm) -> Result<Project2, ImportError> {
        let models: Vec<ModelMeta> =
            serde_json::from_value(otm.project.attributes[A_MODELS].clone()).map_err(|e| {
                self.err(format!("project attribute `{A_MODELS}` is malformed: {e}"))
            })?;
        if models.is_empty() || models[0].kind != "root" {
            return Err(self.err(format!(
                "project attribute `{A_MODELS}` must list the root model first"
            )));
        }
        let names = Exported::new(otm, &models[0].qid);
        let mut p = Project2 {
            models,
            ..Project2::default()
        };
        self.tmkit_zones(otm, &names, &mut p);
        self.tmkit_assets(otm, &names, &mut p);
        self.tmkit_flows(otm, &names, &mut p);
        self.tmkit_threats(otm, &names, &mut p);
        self.tmkit_mitigations(otm, &names, &mut p);
        p.index_owners();
        Ok(p)
    }

    fn tmkit_zones(&mut self, otm: &Otm, names: &Exported, p: &mut Project2) {
        for (i, z) in otm.trust_zones.iter().enumerate() {
            if a_bool(&z.attributes, A_SYNTHETIC, false) {
                continue;
            }
            let e = names.element(&z.id, &z.attributes, &z.name, &z.description);
            self.mark(&e.qid, "trustZones", i);
            p.zones.push(ZoneRec {
                e,
                trust: z
                    .attributes
                    .get("tmkit.trust")
                    .and_then(Value::as_f64)
                    .unwrap_or(z.risk.trust_rating),
                within: z
                    .parent
                    .as_ref()
                    .and_then(|pa| pa.trust_zone.as_deref())
                    .map(|w| names.q(w)),
            });
        }
    }

    /// Components and data assets, back in their declaration order.
    fn tmkit_assets(&mut self, otm: &Otm, names: &Exported, p: &mut Project2) {
        let mut recs = Vec::new();
        for (i, c) in otm.components.iter().enumerate() {
            let zone = match &c.attributes.get("tmkit.zone") {
                Some(Value::String(z)) => Some(z.clone()),
                Some(Value::Null) => None,
                _ => c
                    .parent
                    .trust_zone
                    .as_deref()
                    .filter(|z| *z != NO_ZONE)
                    .map(|z| names.q(z)),
            };
            let kind = asset_kind(&c.kind).unwrap_or("other");
            let rec = asset_rec(names, &c.id, &c.name, &c.description, &c.attributes, kind);
            self.mark(&rec.e.qid, "components", i);
            recs.push(AssetRec { zone, ..rec });
        }
        for (i, a) in otm.assets.iter().enumerate() {
            let rec = asset_rec(names, &a.id, &a.name, &a.description, &a.attributes, "data");
            self.mark(&rec.e.qid, "assets", i);
            recs.push(AssetRec {
                zone: a_str(&a.attributes, "tmkit.zone"),
                ..rec
            });
        }
        // Restore the declaration order of assets within each model.
        recs.sort_by(|a, b| a.index.total_cmp(&b.index));
        p.assets = recs;
    }

    fn tmkit_flows(&mut self, otm: &Otm, names: &Exported, p: &mut Project2) {
        for (i, f) in otm.dataflows.iter().enumerate() {
            let e = names.element(&f.id, &f.attributes, &f.name, &f.description);
            self.mark(&e.qid, "dataflows", i);
            p.flows.push(FlowRec {
                e,
                from: names.q(&f.source),
                to: names.q(&f.destination),
                protocol: a_str(&f.attributes, "tmkit.protocol"),
                carries: f.assets.iter().map(|c| names.q(c)).collect(),
                bidirectional: f.bidirectional.unwrap_or(false),
                in_scope: a_bool(&f.attributes, "tmkit.in_scope", true),
                reason: a_str(&f.attributes, "tmkit.reason"),
            });
        }
    }

    fn tmkit_threats(&mut self, otm: &Otm, names: &Exported, p: &mut Project2) {
        for (i, t) in otm.threats.iter().enumerate() {
            let a = &t.attributes;
            let e = names.element(&t.id, a, &t.name, &t.description);
            self.mark(&e.qid, "threats", i);
            p.states.insert(
                e.qid.clone(),
                a_str(a, "tmkit.status").as_deref() == Some("mitigated"),
            );
            p.threats.push(ThreatRec {
                e,
                categories: if t.categories.is_empty() {
                    vec!["other".into()]
                } else {
                    t.categories.clone()
                },
                targets: a_strs(a, "tmkit.targets").unwrap_or_default(),
                attackers: a_strs(a, "tmkit.attackers"),
                assumptions: a_strs(a, "tmkit.assumptions").unwrap_or_default(),
                cvss: a_str(a, "tmkit.cvss"),
                ticket: a_str(a, "tmkit.ticket"),
                mitigations: a_strs(a, "tmkit.mitigations").unwrap_or_default(),
                requirements: a_strs(a, "tmkit.requirements").unwrap_or_default(),
                refs: a_strs(a, "tmkit.refs").unwrap_or_else(|| t.cwes.clone()),
            });
        }
    }

    fn tmkit_mitigations(&mut self, otm: &Otm, names: &Exported, p: &mut Project2) {
        // Whether any instance says a mitigation is implemented.
        let mut states: HashMap<String, bool> = HashMap::new();
        let holders = otm.components.iter().map(|c| &c.threats);
        for i in holders
            .chain(otm.dataflows.iter().map(|f| &f.threats))
            .flatten()
        {
            for m in &i.mitigations {
                if let Some(id) = &m.mitigation {
                    *states.entry(names.q(id)).or_insert(false) |=
                        is_implemented(m.state.as_deref());
                }
            }
        }
        for (i, m) in otm.mitigations.iter().enumerate() {
            let qid = names.q(&m.id);
            self.mark(&qid, "mitigations", i);
            let a = &m.attributes;
            let model = a_str(a, A_MODEL).unwrap_or_else(|| p.models[0].qid.clone());
            // The state of its instances wins over the attribute (it is what
            // an OTM tool edits); an unused mitigation keeps the attribute.
            let in_place = match states.get(&qid) {
                Some(s) => *s,
                None => a_bool(a, "tmkit.in_place", false),
            };
            p.mitigations.push(MitRec {
                qid,
                model,
                id: a_bool(a, "tmkit.shared", true)
                    .then(|| a_str(a, A_ID))
                    .flatten(),
                title: m.name.clone(),
                description: m.description.clone(),
                kind: a_str(a, "tmkit.kind").unwrap_or_else(|| "design".into()),
                in_place,
                operator: a_str(a, "tmkit.operator"),
                ticket: a_str(a, "tmkit.ticket"),
                requirements: a_strs(a, "tmkit.requirements").unwrap_or_default(),
                confidential: a_bool(a, "tmkit.confidential", false),
                treatment: super::treatment::import(a),
            });
        }
    }
}

/// An asset of a tmkit export (its zone is set by the caller).
fn asset_rec(
    names: &Exported,
    otm_id: &str,
    name: &str,
    description: &Option<String>,
    a: &Attributes,
    default_kind: &str,
) -> AssetRec {
    AssetRec {
        e: names.element(otm_id, a, name, description),
        index: a
            .get("tmkit.index")
            .and_then(Value::as_f64)
            .unwrap_or(f64::MAX),
        kind: a_str(a, "tmkit.kind").unwrap_or_else(|| default_kind.into()),
        zone: None,
        in_scope: a_bool(a, "tmkit.in_scope", true),
        reason: a_str(a, "tmkit.reason"),
    }
}

/// How a tmkit export names its elements: OTM id -> qualified id (from
/// `tmkit.qid`), and the owning model and local id of each.
pub(super) struct Exported {
    qid_of: HashMap<String, String>,
    root: String,
}

impl Exported {
    fn new(otm: &Otm, root: &str) -> Self {
        let mut qid_of = HashMap::new();
        let elements = (otm.trust_zones.iter().map(|z| (&z.id, &z.attributes)))
            .chain(otm.components.iter().map(|c| (&c.id, &c.attributes)))
            .chain(otm.assets.iter().map(|a| (&a.id, &a.attributes)))
            .chain(otm.dataflows.iter().map(|f| (&f.id, &f.attributes)))
            .chain(otm.threats.iter().map(|t| (&t.id, &t.attributes)))
            .chain(otm.mitigations.iter().map(|m| (&m.id, &m.attributes)));
        for (id, a) in elements {
            let q = a_str(a, A_QID).unwrap_or_else(|| id.to_string());
            qid_of.insert(id.to_string(), q);
        }
        Exported {
            qid_of,
            root: root.to_string(),
        }
    }

    /// The qualified id of an OTM id.
    fn q(&self, id: &str) -> String {
        self.qid_of
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// An element: its qualified id, model and local id from its
    /// attributes, its name and description as they are.
    fn element(
        &self,
        otm_id: &str,
        a: &Attributes,
        name: &str,
        description: &Option<String>,
    ) -> Element {
        let qid = self.q(otm_id);
        Element {
            model: a_str(a, A_MODEL).unwrap_or_else(|| self.root.clone()),
            id: a_str(a, A_ID)
                .unwrap_or_else(|| qid.rsplit('.').next().unwrap_or(&qid).to_string()),
            qid,
            title: name.to_string(),
            description: description.clone(),
            confidential: a_bool(a, "tmkit.confidential", false),
        }
    }
}

impl Project2 {
    /// Fills [`Project2::owners`] from the records.
    pub(super) fn index_owners(&mut self) {
        let mut owners = HashMap::new();
        let mut add = |qid: &str, model: &str, id: &str| {
            owners.insert(qid.to_string(), (model.to_string(), id.to_string()));
        };
        for m in &self.models {
            let local = m.requirements.iter().map(|r| &r.id);
            let local = local.chain(m.attackers.iter().map(|a| &a.id));
            for id in local.chain(m.assumptions.iter().map(|a| &a.id)) {
                add(&format!("{}.{}", m.qid, id), &m.qid, id);
            }
        }
        let zones = self.zones.iter().map(|z| &z.e);
        let assets = self.assets.iter().map(|a| &a.e);
        let flows = self.flows.iter().map(|f| &f.e);
        let threats = self.threats.iter().map(|t| &t.e);
        for e in zones.chain(assets).chain(flows).chain(threats) {
            add(&e.qid, &e.model, &e.id);
        }
        for m in &self.mitigations {
            if let Some(id) = &m.id {
                add(&m.qid, &m.model, id);
            }
        }
        self.owners = owners;
    }
}
