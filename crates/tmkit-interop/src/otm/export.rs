//! The OTM export: a checked model and its analysis as one OTM document.

use super::meta::{AssumptionMeta, AttackerMeta, ModelMeta, RequirementMeta, VerdictMeta};
use super::types::*;
use super::{A_ID, A_MODEL, A_MODELS, A_QID, A_SYNTHETIC, MAX_ID_LEN, NO_ZONE, OTM_VERSION};
use super::{fnv1a, otm_id};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use tmkit_analysis::{Analysis, Status};
use tmkit_model::Qid;
use tmkit_model::{AssetKind, Model, ModelKind, Taxonomy, ThreatModel, WeaknessRef};

/// Assigns unique OTM ids to qualified ids.
#[derive(Default)]
pub(super) struct Ids {
    by_qid: HashMap<String, String>,
    used: HashSet<String>,
}

impl Ids {
    pub(super) fn get(&mut self, qid: &str) -> String {
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

/// Attributes from pairs, leaving out the null ones.
fn attrs(pairs: Vec<(&str, Value)>) -> Attributes {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// A list as JSON, or null (left out) when it is empty.
fn non_empty<T: serde::Serialize>(list: &[T]) -> Value {
    if list.is_empty() {
        Value::Null
    } else {
        json!(list)
    }
}

/// Weakness references as written (`CWE-79`, `T1190`).
fn weakness_texts(refs: &[WeaknessRef]) -> Vec<String> {
    refs.iter().map(WeaknessRef::to_string).collect()
}

/// The attributes every exported element starts with: where it comes from.
fn origin(qid: &str, tm: &ThreatModel, id: Value) -> Vec<(&'static str, Value)> {
    vec![(A_QID, json!(qid)), (A_MODEL, json!(tm.qid)), (A_ID, id)]
}

/// The export under way: ids are handed out in a fixed order (instances,
/// zones, assets, flows, threats, mitigations), which makes them stable.
pub(super) struct Exporter<'a> {
    model: &'a Model,
    analysis: &'a Analysis,
    ids: Ids,
    otm: Otm,
    /// Threat instances per target.
    instances: BTreeMap<Qid, Vec<ThreatInstance>>,
}

impl<'a> Exporter<'a> {
    pub(super) fn run(model: &'a Model, analysis: &'a Analysis) -> Otm {
        let mut x = Exporter {
            model,
            analysis,
            ids: Ids::default(),
            otm: Otm {
                otm_version: OTM_VERSION.into(),
                ..Otm::default()
            },
            instances: BTreeMap::new(),
        };
        x.project();
        x.instances();
        x.zones();
        let need_no_zone = x.assets();
        if need_no_zone {
            x.no_zone();
        }
        x.dataflows();
        x.threats();
        x.mitigations();
        x.otm
    }

    /// Each model's own fields, kept in the project's attributes.
    fn meta(&self, tm: &ThreatModel) -> ModelMeta {
        let model = self.model;
        ModelMeta {
            qid: tm.qid.to_string(),
            id: tm.id.clone(),
            kind: kind_name(tm.kind).into(),
            parent: tm.parent.map(|p| model.models[p].qid.to_string()),
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
                .map(|&i| model.models[i].qid.to_string())
                .collect(),
            requirements: tm.requirements.iter().map(RequirementMeta::from).collect(),
            attackers: tm.attackers.iter().map(AttackerMeta::from).collect(),
            assumptions: tm.assumptions.iter().map(AssumptionMeta::from).collect(),
            analysis: tm.analysis.iter().map(VerdictMeta::from).collect(),
        }
    }

    fn project(&mut self) {
        let metas: Vec<ModelMeta> = self.model.models.iter().map(|tm| self.meta(tm)).collect();
        let root = self.model.root();
        self.otm.project = Project {
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
    }

    /// Threat instances per target, and mitigation instances per threat.
    fn instances(&mut self) {
        let model = self.model;
        let index = model.index();
        let mit_of = |q: &str| match index.get(q) {
            Some(tmkit_model::ElementRef::Mitigation(m, i)) => {
                Some(&model.models[m].mitigations[i])
            }
            _ => None,
        };
        for t in model.models.iter().flat_map(|tm| &tm.threats) {
            let status = self
                .analysis
                .threat(&t.qid)
                .map_or(Status::Unmitigated, |i| i.status);
            let inst = ThreatInstance {
                threat: self.ids.get(&t.qid),
                state: state_of(status).into(),
                mitigations: t
                    .mitigations
                    .iter()
                    .filter_map(|q| mit_of(q))
                    .map(|m| MitigationInstance {
                        mitigation: Some(self.ids.get(&m.qid)),
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
                self.instances
                    .entry(target.clone())
                    .or_default()
                    .push(inst.clone());
            }
        }
    }

    fn zones(&mut self) {
        let zones = || self.model.models.iter().flat_map(|m| m.zones.iter());
        let (min, max) = zones().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), z| {
            (lo.min(z.trust), hi.max(z.trust))
        });
        let rating = |t: f64| {
            if max > min {
                ((t - min) / (max - min) * 100.0).round()
            } else {
                50.0
            }
        };
        for tm in &self.model.models {
            for z in &tm.zones {
                let mut attributes = origin(&z.qid, tm, json!(z.id));
                attributes.extend([
                    ("tmkit.trust", json!(z.trust)),
                    ("tmkit.confidential", json!(z.confidential)),
                ]);
                self.otm.trust_zones.push(TrustZone {
                    id: self.ids.get(&z.qid),
                    name: z.title.clone(),
                    kind: None,
                    description: z.description.clone(),
                    risk: TrustRisk {
                        trust_rating: rating(z.trust),
                    },
                    parent: z.within.as_ref().map(|w| Parent {
                        trust_zone: Some(self.ids.get(w)),
                        component: None,
                    }),
                    representations: vec![],
                    attributes: attrs(attributes),
                });
            }
        }
    }

    /// Components and data assets; true when an asset has no zone.
    fn assets(&mut self) -> bool {
        let mut need_no_zone = false;
        for tm in &self.model.models {
            for (i, a) in tm.assets.iter().enumerate() {
                let mut attributes = origin(&a.qid, tm, json!(a.id));
                attributes.extend([
                    ("tmkit.index", json!(i)),
                    ("tmkit.kind", json!(a.kind.as_str())),
                    ("tmkit.zone", json!(a.zone)),
                    ("tmkit.in_scope", json!(a.in_scope)),
                    ("tmkit.reason", json!(a.reason)),
                    ("tmkit.confidential", json!(a.confidential)),
                    (
                        "tmkit.threats",
                        json!(self.instances.get(&a.qid).map(|v| v.len()).unwrap_or(0)),
                    ),
                ]);
                let attributes = attrs(attributes);
                if !is_component_kind(a.kind) {
                    self.otm.assets.push(Asset {
                        id: self.ids.get(&a.qid),
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
                    continue;
                }
                let parent = match &a.zone {
                    Some(z) => self.ids.get(z),
                    None => {
                        need_no_zone = true;
                        NO_ZONE.to_string()
                    }
                };
                self.otm.components.push(Component {
                    id: self.ids.get(&a.qid),
                    name: a.title.clone(),
                    kind: a.kind.as_str().into(),
                    description: a.description.clone(),
                    parent: Parent {
                        trust_zone: Some(parent),
                        component: None,
                    },
                    representations: vec![],
                    assets: None,
                    threats: self.instances.get(&a.qid).cloned().unwrap_or_default(),
                    tags: vec![a.kind.as_str().into()],
                    attributes,
                });
            }
        }
        need_no_zone
    }

    /// The synthetic zone of the components that have none.
    fn no_zone(&mut self) {
        self.otm.trust_zones.push(TrustZone {
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

    fn dataflows(&mut self) {
        for tm in &self.model.models {
            for f in &tm.dataflows {
                let mut attributes = origin(&f.qid, tm, json!(f.id));
                attributes.extend([
                    ("tmkit.protocol", json!(f.protocol)),
                    ("tmkit.in_scope", json!(f.in_scope)),
                    ("tmkit.reason", json!(f.reason)),
                    ("tmkit.confidential", json!(f.confidential)),
                ]);
                self.otm.dataflows.push(Dataflow {
                    id: self.ids.get(&f.qid),
                    name: f.title.clone(),
                    description: f.description.clone(),
                    bidirectional: Some(f.bidirectional),
                    source: self.ids.get(&f.from),
                    destination: self.ids.get(&f.to),
                    assets: f.carries.iter().map(|c| self.ids.get(c)).collect(),
                    threats: self.instances.get(&f.qid).cloned().unwrap_or_default(),
                    tags: vec![],
                    attributes: attrs(attributes),
                });
            }
        }
    }

    fn threats(&mut self) {
        for tm in &self.model.models {
            for t in &tm.threats {
                let info = self.analysis.threat(&t.qid);
                let cvss = info.and_then(|i| i.cvss.as_ref());
                let mut attributes = origin(&t.qid, tm, json!(t.id));
                attributes.extend([
                    ("tmkit.targets", json!(t.targets)),
                    ("tmkit.attackers", json!(t.attackers)),
                    ("tmkit.assumptions", json!(t.assumptions)),
                    ("tmkit.cvss", json!(t.cvss)),
                    ("tmkit.ticket", json!(t.ticket)),
                    ("tmkit.mitigations", json!(t.mitigations)),
                    ("tmkit.requirements", non_empty(&t.requirements)),
                    ("tmkit.refs", non_empty(&weakness_texts(&t.refs))),
                    ("tmkit.confidential", json!(t.confidential)),
                    ("tmkit.status", json!(info.map(|i| i.status.as_str()))),
                    (
                        "tmkit.severity",
                        json!(info.and_then(|i| i.severity).map(|s| s.as_str())),
                    ),
                ]);
                self.otm.threats.push(Threat {
                    id: self.ids.get(&t.qid),
                    name: t.title.clone(),
                    description: t.description.clone(),
                    categories: t.categories.clone(),
                    cwes: (t.refs.iter())
                        .filter(|r| matches!(r, WeaknessRef::Cwe { .. }))
                        .map(WeaknessRef::to_string)
                        .collect(),
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
                    attributes: attrs(attributes),
                });
            }
        }
    }

    fn mitigations(&mut self) {
        for tm in &self.model.models {
            for m in &tm.mitigations {
                let id = json!(if m.shared { Some(&m.id) } else { None });
                let mut attributes = origin(&m.qid, tm, id);
                attributes.extend([
                    ("tmkit.kind", json!(m.kind.as_str())),
                    ("tmkit.in_place", json!(m.in_place)),
                    ("tmkit.operator", json!(m.operator)),
                    ("tmkit.ticket", json!(m.ticket)),
                    ("tmkit.shared", json!(m.shared)),
                    ("tmkit.requirements", non_empty(&m.requirements)),
                    ("tmkit.confidential", json!(m.confidential)),
                ]);
                attributes.extend(super::treatment::export(m));
                self.otm.mitigations.push(Mitigation {
                    id: self.ids.get(&m.qid),
                    name: m.title.clone(),
                    description: m.description.clone(),
                    risk_reduction: if m.kind.is_control() { 100.0 } else { 0.0 },
                    attributes: attrs(attributes),
                });
            }
        }
    }
}
