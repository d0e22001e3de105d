//! The public (non-confidential, distributable) filter: docs/format.md#confidentiality
//! (rules in docs/reports.md#the-public-extraction), applied once to the model before any renderer runs.

use crate::analysis::Analysis;
use crate::status::Status;
use std::collections::{HashMap, HashSet};
use tmkit_model::{Model, ModelIndex, ModelKind, Qid, ThreatModel};

/// Returns the public extraction of `model`: a smaller model that contains
/// only what docs/format.md#confidentiality allows to hand to a customer.
///
/// Withheld (removed from the returned model):
/// - confidential models with all their elements, and their components
///   (their qualified ids name the confidential model); a catalogue that is
///   confidential or imported only by withheld models;
/// - every element with `confidential: true`;
/// - zones nested `within` a withheld zone, and assets and attackers placed in
///   a withheld zone (a zone is withheld with everything in it);
/// - data flows with a withheld endpoint;
/// - every threat whose status **in the full model** is not `mitigated`
///   (statuses are decided before anything is filtered, so a partial threat
///   never looks mitigated once its planned controls are dropped);
/// - threats naming a withheld target or a withheld listed attacker;
/// - mitigated threats whose controls are all withheld (a threat whose only
///   control is confidential would otherwise look unmitigated and would hint
///   at the secret control);
/// - mitigations that are not in place, `risk-acceptance` mitigations (a
///   residual risk, not a security feature), inline mitigations of withheld
///   threats, and shared mitigations used only by withheld threats;
/// - verdicts that are confidential or name a withheld target or attacker.
///
/// Dropped from shown elements: tickets, operators, owners and authors
/// (internal names); a shown threat's references to withheld mitigations,
/// assumptions and requirements; a shown mitigation's references to
/// withheld requirements; a flow's `carries` entries that are withheld. A threat whose
/// attacker list is omitted simply loses the withheld attackers, since the
/// analysis of the returned model only sees the attackers it contains.
/// Inline mitigations numbered `<threat>/m<n>` are renumbered over the shown
/// ones only, so a number never reveals a withheld sibling.
///
/// A confidential root yields a stub root (id `withheld`, no element).
pub fn public(model: &Model) -> Model {
    let model_out = withheld_models(model);
    if model_out[0] {
        return stub_root(model.root());
    }
    let mut w = Withheld {
        model,
        model_out,
        out: HashSet::new(),
    };
    w.zones();
    w.scope();
    w.mitigations();
    w.threats();
    w.unused_mitigations();
    w.extract()
}

/// Which models are withheld: confidential ones with their components, and
/// catalogues that are confidential or imported only by withheld models.
fn withheld_models(model: &Model) -> Vec<bool> {
    let mut model_out = vec![false; model.models.len()];
    for (m, tm) in model.models.iter().enumerate() {
        if tm.kind != ModelKind::Catalogue {
            model_out[m] = model.in_confidential_model(m);
        }
    }
    for (m, tm) in model.models.iter().enumerate() {
        if tm.kind == ModelKind::Catalogue {
            let imported_by_shown = model
                .models
                .iter()
                .enumerate()
                .any(|(i, x)| !model_out[i] && x.imports.contains(&m));
            model_out[m] = tm.confidential || !imported_by_shown;
        }
    }
    model_out
}

/// The withheld models and the qualified ids of the withheld elements,
/// decided family by family (each step reads what the previous withheld).
struct Withheld<'a> {
    model: &'a Model,
    model_out: Vec<bool>,
    out: HashSet<&'a str>,
}

impl<'a> Withheld<'a> {
    /// An element of model `m` is kept when its model is and it is not
    /// confidential.
    fn keep(&self, m: ModelIndex, confidential: bool) -> bool {
        !self.model_out[m] && !confidential
    }

    fn in_withheld_zone(&self, zone: &Option<Qid>) -> bool {
        zone.as_deref().is_some_and(|z| self.out.contains(z))
    }

    /// Zones, nested: iterate until nothing changes (chains of `within`).
    fn zones(&mut self) {
        let model = self.model;
        for (m, tm) in model.models.iter().enumerate() {
            for z in &tm.zones {
                if !self.keep(m, z.confidential) {
                    self.out.insert(&z.qid);
                }
            }
        }
        loop {
            let mut changed = false;
            for z in model.models.iter().flat_map(|tm| &tm.zones) {
                if !self.out.contains(z.qid.as_str()) && self.in_withheld_zone(&z.within) {
                    self.out.insert(&z.qid);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Requirements, assumptions, assets, attackers, then data flows (whose
    /// endpoints may be withheld).
    fn scope(&mut self) {
        let model = self.model;
        for (m, tm) in model.models.iter().enumerate() {
            let confidential = tm.requirements.iter().map(|r| (&r.qid, r.confidential));
            let confidential =
                confidential.chain(tm.assumptions.iter().map(|a| (&a.qid, a.confidential)));
            for (qid, c) in confidential.collect::<Vec<_>>() {
                if !self.keep(m, c) {
                    self.out.insert(qid);
                }
            }
            let placed = tm.assets.iter().map(|a| (&a.qid, a.confidential, &a.zone));
            let placed = placed.chain(
                tm.attackers
                    .iter()
                    .map(|a| (&a.qid, a.confidential, &a.zone)),
            );
            for (qid, c, zone) in placed.collect::<Vec<_>>() {
                if !self.keep(m, c) || self.in_withheld_zone(zone) {
                    self.out.insert(qid);
                }
            }
        }
        for (m, tm) in model.models.iter().enumerate() {
            for f in &tm.dataflows {
                if !self.keep(m, f.confidential)
                    || self.out.contains(f.from.as_str())
                    || self.out.contains(f.to.as_str())
                {
                    self.out.insert(&f.qid);
                }
            }
        }
    }

    /// Mitigations that are withheld whoever uses them.
    fn mitigations(&mut self) {
        let model = self.model;
        for (m, tm) in model.models.iter().enumerate() {
            for x in &tm.mitigations {
                if !self.keep(m, x.confidential) || !x.in_place || !x.kind.is_control() {
                    self.out.insert(&x.qid);
                }
            }
        }
    }

    /// Threats: not mitigated in the full model, naming something withheld,
    /// or left without a shown control.
    fn threats(&mut self) {
        let model = self.model;
        let analysis = Analysis::new(model);
        let status: HashMap<&str, Status> = analysis
            .threats
            .iter()
            .map(|t| (t.qid.as_str(), t.status))
            .collect();
        let mut mitigation_kind = HashMap::new();
        for x in model.models.iter().flat_map(|tm| &tm.mitigations) {
            mitigation_kind.insert(x.qid.as_str(), x.kind);
        }
        for (m, tm) in model.models.iter().enumerate() {
            for t in &tm.threats {
                let out = &self.out;
                let withheld = !self.keep(m, t.confidential)
                    || status.get(t.qid.as_str()) != Some(&Status::Mitigated)
                    || t.targets.iter().any(|q| out.contains(q.as_str()))
                    || t.attackers
                        .as_ref()
                        .is_some_and(|l| l.iter().any(|q| out.contains(q.as_str())))
                    || !t.mitigations.iter().any(|q| {
                        !out.contains(q.as_str())
                            && mitigation_kind
                                .get(q.as_str())
                                .is_some_and(|k| k.is_control())
                    });
                if withheld {
                    self.out.insert(&t.qid);
                }
            }
        }
    }

    /// Mitigations by use: inline ones go with their threat; a shared one
    /// used only by withheld threats would hint at them.
    fn unused_mitigations(&mut self) {
        let model = self.model;
        let mut used_by_shown: HashSet<&str> = HashSet::new();
        let mut used: HashSet<&str> = HashSet::new();
        for t in model.models.iter().flat_map(|tm| &tm.threats) {
            for q in &t.mitigations {
                used.insert(q);
                if !self.out.contains(t.qid.as_str()) {
                    used_by_shown.insert(q);
                }
            }
        }
        for x in model.models.iter().flat_map(|tm| &tm.mitigations) {
            if used.contains(x.qid.as_str()) && !used_by_shown.contains(x.qid.as_str()) {
                self.out.insert(&x.qid);
            }
        }
    }

    /// The smaller model, model indices renumbered.
    fn extract(&self) -> Model {
        let mut next = 0;
        let new_index: Vec<Option<ModelIndex>> = self
            .model_out
            .iter()
            .map(|&out| {
                (!out).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        let remap = |v: &[ModelIndex]| -> Vec<ModelIndex> {
            v.iter().filter_map(|&i| new_index[i]).collect()
        };
        let mut models = Vec::with_capacity(next);
        for (m, tm) in self.model.models.iter().enumerate() {
            if self.model_out[m] {
                continue;
            }
            let mut p = self.shown_part(tm);
            p.parent = tm.parent.and_then(|i| new_index[i]);
            p.children = remap(&tm.children);
            p.imports = remap(&tm.imports);
            models.push(p);
        }
        Model::new(models)
    }

    /// A shown model with its withheld elements and internal names dropped.
    fn shown_part(&self, tm: &ThreatModel) -> ThreatModel {
        let shown = |q: &str| !self.out.contains(q);
        let mut p = tm.clone();
        p.owner = None;
        p.sync = Default::default();
        p.authors.clear();
        p.requirements.retain(|x| shown(&x.qid));
        p.zones.retain(|x| shown(&x.qid));
        p.assets.retain(|x| shown(&x.qid));
        p.attackers.retain(|x| shown(&x.qid));
        p.assumptions.retain(|x| shown(&x.qid));
        p.dataflows.retain(|x| shown(&x.qid));
        for f in &mut p.dataflows {
            f.carries.retain(|q| shown(q));
        }
        p.libraries.clear();
        p.analysis.retain(|v| {
            v.pattern.is_none()
                && !v.confidential
                && shown(&v.target)
                && v.attacker.as_deref().is_none_or(shown)
        });
        p.mitigations.retain(|x| shown(&x.qid));
        for x in &mut p.mitigations {
            x.operator = None;
            x.owner = None;
            x.ticket = None;
            crate::treatment::withhold(x);
            x.requirements.retain(|q| shown(q));
        }
        p.threats.retain(|x| shown(&x.qid));
        for t in &mut p.threats {
            t.ticket = None;
            t.mitigations.retain(|q| shown(q));
            t.assumptions.retain(|q| shown(q));
            t.requirements.retain(|q| shown(q));
        }
        renumber_inline_mitigations(&mut p);
        p
    }
}

/// Inline mitigations written without an id are numbered `<threat>/m<n>`
/// in the order written; once some are withheld, `T1/m3` would reveal that
/// `m1` and `m2` exist. Renumbers them so the extraction counts only the
/// inline mitigations it shows (explicit ids are kept).
fn renumber_inline_mitigations(p: &mut ThreatModel) {
    let mut renames: HashMap<Qid, (Qid, String)> = HashMap::new();
    for t in &mut p.threats {
        let mut n = 0;
        for q in &mut t.mitigations {
            let Some(x) = p.mitigations.iter().find(|x| x.qid == *q) else {
                continue;
            };
            if x.shared {
                continue;
            }
            n += 1;
            let numbered = q
                .strip_prefix(t.qid.as_str())
                .and_then(|r| r.strip_prefix("/m"))
                .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()));
            if numbered {
                let new = (
                    Qid::from(format!("{}/m{n}", t.qid)),
                    format!("{}/m{n}", t.id),
                );
                *q = new.0.clone();
                renames.insert(x.qid.clone(), new);
            }
        }
    }
    for x in &mut p.mitigations {
        if let Some((qid, id)) = renames.remove(&x.qid) {
            x.qid = qid;
            x.id = id;
        }
    }
}

/// The public extraction of a confidential root: nothing but a placeholder.
fn stub_root(root: &ThreatModel) -> Model {
    let mut p = root.clone();
    p.id = "withheld".to_string();
    p.qid = "withheld".into();
    p.title = "Confidential threat model (withheld)".to_string();
    p.path = String::new();
    p.version = None;
    p.owner = None;
    p.sync = Default::default();
    p.authors.clear();
    p.description = None;
    p.abstraction.notes = None;
    p.abstraction.level = None;
    p.abstraction.taxonomy = Default::default();
    p.confidential = false;
    p.requirements.clear();
    p.zones.clear();
    p.assets.clear();
    p.dataflows.clear();
    p.attackers.clear();
    p.assumptions.clear();
    p.analysis.clear();
    p.mitigations.clear();
    p.threats.clear();
    p.children.clear();
    p.imports.clear();
    p.parent = None;
    Model::new(vec![p])
}
