//! The OTM import of a document written by another tool: one model, its
//! taxonomy from the categories used, everything approximated a warning.

use super::import::{
    AssetRec, Element, FlowRec, Importer, MitRec, Namer, Project2, ThreatRec, ZoneRec,
    is_implemented,
};
use super::meta::ModelMeta;
use super::types::*;
use crate::ids::{asset_kind, one_line, sanitise_id};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use tmkit_model::{Taxonomy, WeaknessRef};

/// Maps a foreign category name to a tmkit category.
type CategoryMap = Box<dyn Fn(&str) -> String>;

/// A foreign document being mapped.
struct Foreign<'o> {
    otm: &'o Otm,
    root: String,
    names: Namer,
    /// Warnings given after the mapping, in the order found.
    notes: Vec<String>,
    p: Project2,
    zone_ids: HashSet<&'o str>,
    /// Component id -> its parent (the last component with that id).
    comp_parent: HashMap<&'o str, &'o Parent>,
    /// Components and assets: what a data flow may join.
    element_ids: HashSet<&'o str>,
    /// Every component and flow with the threat instances it holds.
    holders: Vec<(String, &'o [ThreatInstance])>,
}

impl Foreign<'_> {
    fn define(&mut self, otm_id: &str) -> String {
        self.names.define(otm_id, &mut self.notes)
    }

    fn refer(&mut self, otm_id: &str) -> String {
        self.names.refer(otm_id, &mut self.notes)
    }

    fn local_id(&self, qid: &str) -> String {
        qid[self.root.len() + 1..].to_string()
    }
}

/// What the threat instances say, per catalogue threat.
#[derive(Default)]
struct Instances<'o> {
    targets: BTreeMap<&'o str, Vec<String>>,
    states: BTreeMap<&'o str, Vec<String>>,
    mitigations: BTreeMap<&'o str, Vec<(String, bool)>>,
}

/// A category as a tmkit category name: lower case, words joined by `-`.
fn custom_category(c: &str) -> String {
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
}

impl Importer<'_> {
    /// Maps a document written by another tool onto one model.
    pub(super) fn read_foreign(&mut self, otm: &Otm) -> Project2 {
        let root = sanitise_id(if otm.project.id.trim().is_empty() {
            "OTM"
        } else {
            &otm.project.id
        });
        if root != otm.project.id {
            self.warn(format!(
                "project id `{}` is not a valid tmkit id; using `{root}`",
                otm.project.id
            ));
        }
        let mut f = Foreign {
            otm,
            root: root.clone(),
            names: Namer {
                root: root.clone(),
                ..Namer::default()
            },
            notes: Vec::new(),
            p: Project2::default(),
            zone_ids: otm.trust_zones.iter().map(|z| z.id.as_str()).collect(),
            comp_parent: (otm.components.iter())
                .map(|c| (c.id.as_str(), &c.parent))
                .collect(),
            element_ids: HashSet::new(),
            holders: Vec::new(),
        };
        let (taxonomy, mapper) = self.taxonomy(otm);
        f.p.models.push(ModelMeta {
            qid: root.clone(),
            id: root.clone(),
            kind: "root".into(),
            path: "threatmodel.yaml".into(),
            title: if otm.project.name.trim().is_empty() {
                root.clone()
            } else {
                one_line(&otm.project.name)
            },
            owner: otm.project.owner.clone(),
            description: otm.project.description.clone(),
            taxonomy,
            ..ModelMeta::default()
        });
        self.foreign_zones(&mut f);
        self.foreign_components(&mut f);
        self.foreign_assets(&mut f);
        self.foreign_flows(&mut f);
        let instances = self.instances(&f);
        self.foreign_threats(&mut f, &instances, &mapper);
        self.foreign_mitigations(&mut f, &instances);
        disagreements(&mut f);
        for n in std::mem::take(&mut f.notes) {
            self.warn(n);
        }
        self.warn_missing_fields(otm);
        f.p.index_owners();
        f.p
    }

    /// The taxonomy from the categories used, and how to map each.
    fn taxonomy(&mut self, otm: &Otm) -> (Value, CategoryMap) {
        let cats: Vec<&String> = otm.threats.iter().flat_map(|t| &t.categories).collect();
        let stride = cats
            .iter()
            .all(|c| crate::tmyaml::stride_category(c).is_some());
        let cia = cats
            .iter()
            .all(|c| Taxonomy::Cia.normalise(&c.replace(' ', "-")).is_some());
        if cats.is_empty() {
            (json!("CIA"), Box::new(|_: &str| "other".to_string()))
        } else if stride {
            (
                json!("STRIDE"),
                Box::new(|c: &str| {
                    crate::tmyaml::stride_category(c)
                        .unwrap_or("other")
                        .to_string()
                }),
            )
        } else if cia {
            (
                json!("CIA"),
                Box::new(|c: &str| {
                    Taxonomy::Cia
                        .normalise(&c.replace(' ', "-"))
                        .unwrap_or_else(|| "other".into())
                }),
            )
        } else {
            let mut list: Vec<String> = Vec::new();
            for c in cats {
                let n = custom_category(c);
                if n != "other" && !list.contains(&n) {
                    list.push(n);
                }
            }
            self.warn("threat categories are neither STRIDE nor CIA: a custom taxonomy of the categories found is used");
            (json!(list), Box::new(custom_category))
        }
    }

    fn foreign_zones(&mut self, f: &mut Foreign) {
        for (i, z) in f.otm.trust_zones.iter().enumerate() {
            let qid = f.define(&z.id);
            self.mark(&qid, "trustZones", i);
            let within = z
                .parent
                .as_ref()
                .and_then(|pa| pa.trust_zone.as_deref())
                .filter(|w| f.zone_ids.contains(w));
            let within = within.map(|w| f.refer(w));
            f.p.zones.push(ZoneRec {
                e: f.element(&qid, &z.name, z.description.clone()),
                trust: z.risk.trust_rating,
                within,
            });
        }
    }

    /// A component's zone: its own parent zone, or its parent component's.
    fn zone_of(f: &Foreign, c: &Component) -> Option<String> {
        let mut parent = &c.parent;
        for _ in 0..64 {
            if let Some(z) = parent
                .trust_zone
                .as_deref()
                .filter(|z| f.zone_ids.contains(z))
            {
                return Some(z.to_string());
            }
            match parent
                .component
                .as_deref()
                .and_then(|pc| f.comp_parent.get(pc))
            {
                Some(pp) => parent = pp,
                None => return None,
            }
        }
        None
    }

    fn foreign_components(&mut self, f: &mut Foreign) {
        let otm = f.otm;
        for (i, c) in otm.components.iter().enumerate() {
            f.element_ids.insert(&c.id);
            if let Some(z) = c.parent.trust_zone.as_deref() {
                if !f.zone_ids.contains(z) {
                    self.warn(format!(
                        "component `{}` is in unknown trust zone `{z}`; imported without a zone",
                        c.id
                    ));
                }
            }
            let qid = f.define(&c.id);
            self.mark(&qid, "components", i);
            let kind = match asset_kind(&c.kind) {
                Some(k) => k,
                None => {
                    self.warn(format!("component `{}` has type `{}`, which matches no tmkit asset kind; imported as `other`", c.id, c.kind));
                    "other"
                }
            };
            let zone = Self::zone_of(f, c).map(|z| f.refer(&z));
            f.p.assets.push(AssetRec {
                index: i as f64,
                kind: kind.into(),
                zone,
                ..f.asset(&qid, &c.name, &c.description)
            });
            f.holders.push((qid, &c.threats));
        }
    }

    fn foreign_assets(&mut self, f: &mut Foreign) {
        let otm = f.otm;
        for (i, a) in otm.assets.iter().enumerate() {
            f.element_ids.insert(&a.id);
            let qid = f.define(&a.id);
            self.mark(&qid, "assets", i);
            f.p.assets.push(AssetRec {
                index: (otm.components.len() + i) as f64,
                ..f.asset(&qid, &a.name, &a.description)
            });
        }
    }

    fn foreign_flows(&mut self, f: &mut Foreign) {
        let otm = f.otm;
        for (i, d) in otm.dataflows.iter().enumerate() {
            if !f.element_ids.contains(d.source.as_str())
                || !f.element_ids.contains(d.destination.as_str())
            {
                self.warn(format!(
                    "data flow `{}` goes from `{}` to `{}`, which are not both components or assets; not imported",
                    d.id, d.source, d.destination
                ));
                continue;
            }
            let qid = f.define(&d.id);
            self.mark(&qid, "dataflows", i);
            let carries: Vec<&String> = d
                .assets
                .iter()
                .filter(|a| f.element_ids.contains(a.as_str()))
                .collect();
            let carries = carries.into_iter().map(|a| f.refer(a)).collect();
            let (from, to) = (f.refer(&d.source), f.refer(&d.destination));
            f.p.flows.push(FlowRec {
                e: f.element(&qid, &d.name, d.description.clone()),
                from,
                to,
                protocol: None,
                carries,
                bidirectional: d.bidirectional.unwrap_or(false),
                in_scope: true,
                reason: None,
            });
            f.holders.push((qid, &d.threats));
        }
    }

    /// Gathers the threat instances of every component and flow.
    fn instances<'o>(&mut self, f: &Foreign<'o>) -> Instances<'o> {
        let mut out = Instances::default();
        for (holder, insts) in &f.holders {
            for i in insts.iter() {
                let Some(t) = f.otm.threats.iter().find(|t| t.id == i.threat) else {
                    self.warn(format!("a threat instance names `{}`, which is not in the threat catalogue; not imported", i.threat));
                    continue;
                };
                let key = t.id.as_str();
                out.targets.entry(key).or_default().push(holder.clone());
                out.states.entry(key).or_default().push(i.state.clone());
                for m in &i.mitigations {
                    if let Some(mid) = &m.mitigation {
                        out.mitigations
                            .entry(key)
                            .or_default()
                            .push((mid.clone(), is_implemented(m.state.as_deref())));
                    }
                }
            }
        }
        out
    }

    fn foreign_threats(&mut self, f: &mut Foreign, inst: &Instances, mapper: &CategoryMap) {
        let otm = f.otm;
        for (i, t) in otm.threats.iter().enumerate() {
            let qid = f.define(&t.id);
            self.mark(&qid, "threats", i);
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
            let mut mits = self.threat_mitigations(f, t, inst);
            let states = inst.states.get(t.id.as_str()).cloned().unwrap_or_default();
            let mitigated = states.iter().all(|s| is_implemented(Some(s))) && !states.is_empty();
            let mut seen = HashSet::new();
            let targets: Vec<String> = inst
                .targets
                .get(t.id.as_str())
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|x| seen.insert(x.clone()))
                .collect();
            if targets.is_empty() {
                self.warn(format!("threat `{}` has no instance on a component or data flow; imported without targets", t.id));
            }
            if states
                .iter()
                .any(|s| s.to_ascii_lowercase().contains("accept"))
            {
                let mq = format!("{qid}/accepted");
                self.mark(&mq, "threats", i);
                f.p.mitigations.push(MitRec {
                    title: "Risk accepted in the source threat model".into(),
                    kind: "risk-acceptance".into(),
                    in_place: true,
                    ..f.mitigation(&mq, None, None)
                });
                mits.push(mq);
            }
            f.p.states.insert(qid.clone(), mitigated);
            f.p.threats.push(ThreatRec {
                e: f.element(&qid, &t.name, threat_description(t)),
                categories: cats,
                targets,
                attackers: None,
                assumptions: vec![],
                cvss: None,
                ticket: None,
                mitigations: mits,
                requirements: vec![],
                refs: cwes(t),
            });
        }
    }

    /// The catalogue mitigations a threat's instances name, once each.
    fn threat_mitigations(&mut self, f: &mut Foreign, t: &Threat, inst: &Instances) -> Vec<String> {
        let mut mits: Vec<String> = Vec::new();
        let named = inst.mitigations.get(t.id.as_str());
        for (m, _) in named.map(Vec::as_slice).unwrap_or(&[]) {
            if f.otm.mitigations.iter().any(|x| &x.id == m) {
                let q = f.refer(m);
                if !mits.contains(&q) {
                    mits.push(q);
                }
            } else {
                self.warn(format!(
                    "threat `{}` names mitigation `{m}`, which is not in the catalogue; dropped",
                    t.id
                ));
            }
        }
        mits
    }

    fn foreign_mitigations(&mut self, f: &mut Foreign, inst: &Instances) {
        let mut in_place: BTreeMap<&str, bool> = BTreeMap::new();
        for (m, s) in inst.mitigations.values().flatten() {
            *in_place.entry(m.as_str()).or_insert(false) |= *s;
        }
        let otm = f.otm;
        for (i, m) in otm.mitigations.iter().enumerate() {
            let qid = f.define(&m.id);
            self.mark(&qid, "mitigations", i);
            let id = f.local_id(&qid);
            f.p.mitigations.push(MitRec {
                title: one_line(&m.name),
                kind: "design".into(),
                in_place: in_place.get(m.id.as_str()).copied().unwrap_or(false),
                ..f.mitigation(&qid, Some(id), m.description.clone())
            });
        }
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
}

impl Foreign<'_> {
    /// An in-scope asset of the root model, of kind `data` and no zone.
    fn asset(&self, qid: &str, name: &str, description: &Option<String>) -> AssetRec {
        AssetRec {
            e: self.element(qid, name, description.clone()),
            index: 0.0,
            kind: "data".into(),
            zone: None,
            in_scope: true,
            reason: None,
        }
    }

    /// An element of the root model, its name on one line.
    fn element(&self, qid: &str, name: &str, description: Option<String>) -> Element {
        Element {
            qid: qid.to_string(),
            model: self.root.clone(),
            id: self.local_id(qid),
            title: one_line(name),
            description,
            confidential: false,
        }
    }

    /// A planned design mitigation of the root model, without a title.
    fn mitigation(&self, qid: &str, id: Option<String>, description: Option<String>) -> MitRec {
        MitRec {
            qid: qid.to_string(),
            model: self.root.clone(),
            id,
            title: String::new(),
            description,
            kind: "design".into(),
            in_place: false,
            operator: None,
            ticket: None,
            requirements: vec![],
            confidential: false,
            treatment: Default::default(),
        }
    }
}

/// A foreign threat's `cwes` that are valid weakness references (`CWE-79`,
/// or a bare number `79`), in the canonical form.
fn cwes(t: &Threat) -> Vec<String> {
    (t.cwes.iter())
        .filter_map(|c| {
            let c = c.trim();
            let text = if c.bytes().all(|b| b.is_ascii_digit()) {
                format!("CWE-{c}")
            } else {
                c.to_string()
            };
            match WeaknessRef::parse(&text) {
                Some(r @ WeaknessRef::Cwe { .. }) => Some(r.to_string()),
                _ => None,
            }
        })
        .collect()
}

/// A foreign threat's description, with its CWEs and its risk in the source.
fn threat_description(t: &Threat) -> Option<String> {
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
    Some(
        [
            t.description.clone().unwrap_or_default(),
            extra.join("\n\n"),
        ]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n"),
    )
}

/// Notes the threats whose derived status will differ from the source's.
fn disagreements(f: &mut Foreign) {
    let in_place: HashMap<&str, (bool, bool)> =
        f.p.mitigations
            .iter()
            .map(|m| (m.qid.as_str(), (m.in_place, m.kind != "risk-acceptance")))
            .collect();
    for t in &f.p.threats {
        let controls: Vec<bool> = t
            .mitigations
            .iter()
            .filter_map(|m| in_place.get(m.as_str()))
            .filter(|(_, c)| *c)
            .map(|(i, _)| *i)
            .collect();
        let ours = !controls.is_empty() && controls.iter().all(|x| *x);
        let theirs = f.p.states.get(&t.e.qid).copied().unwrap_or(false);
        if ours != theirs {
            f.notes.push(format!(
                "threat `{}` is {} in the source but its mitigations make it {} here",
                t.e.id,
                if theirs { "mitigated" } else { "not mitigated" },
                if ours { "mitigated" } else { "not mitigated" }
            ));
        }
    }
}
