//! The one-pass analysis of a model.

use crate::crossing::{Crossing, Direction};
use crate::index::QidIndex;
use crate::metrics::Counts;
use crate::question::{Cell, Question, Target, VerdictRef};
use crate::status::{Status, status_from};
use hashbrown::{HashMap, HashSet};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use tmkit_model::cvss::{self, CvssScore, Rating};
use tmkit_model::taxonomy::{OTHER, TargetKind};
use tmkit_model::{Asset, Mitigation, Model, ModelIndex, ModelKind, Qid, Zone};

/// Derived values of one threat.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ThreatInfo {
    /// Qualified id of the threat.
    pub qid: Qid,
    /// The model declaring it.
    pub model: ModelIndex,
    /// Its index in that model's `threats`.
    pub index: usize,
    /// Status computed from its mitigations.
    pub status: Status,
    /// Mitigated only by operational controls (someone must keep running them).
    pub not_secure_by_default: bool,
    /// Score of its CVSS vector, if it has one that scores.
    pub cvss: Option<CvssScore>,
    /// Qualitative severity of the score; None = unscored.
    pub severity: Option<Rating>,
    /// Attackers it lists; None = every in-scope attacker visible to its model.
    pub attackers: Option<Vec<Qid>>,
    /// An open threat (unmitigated or partial) with no ticket on the threat
    /// nor on any of its mitigations not yet in place: work nobody tracks.
    pub untracked: bool,
}

/// An in-scope attacker visible to an analysed model: one column of questions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AttackerRef {
    /// Local id (as written in its model).
    pub id: String,
    /// Qualified id.
    pub qid: Qid,
    /// Title.
    pub title: String,
}

/// Every derived value of a model, computed once by [`Analysis::new`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Analysis {
    /// Every threat, in model order (models in [`Model::models`] order, then
    /// declaration order).
    pub threats: Vec<ThreatInfo>,
    /// Every in-scope target of every analysed model, grouped by model (model
    /// order), assets then data flows in declaration order.
    pub targets: Vec<Target>,
    /// Threats of category `other`, per target qid (only targets that have some).
    pub other: BTreeMap<Qid, Vec<Qid>>,
    /// The boundary analysis of every in-scope data flow of the analysed models.
    pub crossings: Vec<Crossing>,
    analysed: Vec<ModelIndex>,
    attackers: Vec<Vec<AttackerRef>>,
    attacker_pos: Vec<HashMap<Qid, usize>>,
    categories: Vec<Vec<Arc<str>>>,
    target_ranges: Vec<Range<usize>>,
    threat_index: QidIndex,
    target_index: QidIndex,
    pub(crate) counts: Vec<Counts>,
}

impl Analysis {
    /// Analyses a checked model. Never fails: dangling references (which the
    /// checker reports) are ignored.
    pub fn new(model: &Model) -> Analysis {
        let nm = model.models.len();
        let mut counts = vec![Counts::default(); nm];
        let (threats, threat_index, used_assumptions) = analyse_threats(model, &mut counts);
        let analysed: Vec<ModelIndex> = model.analysed().collect();
        let capacity = analysed
            .iter()
            .map(|&m| model.models[m].assets.len() + model.models[m].dataflows.len())
            .sum();
        let mut a = Analysis {
            threats,
            targets: Vec::with_capacity(capacity),
            other: BTreeMap::new(),
            crossings: Vec::new(),
            analysed,
            attackers: vec![Vec::new(); nm],
            attacker_pos: vec![HashMap::new(); nm],
            categories: vec![Vec::new(); nm],
            target_ranges: vec![0..0; nm],
            threat_index,
            target_index: QidIndex::default(),
            counts,
        };
        for i in 0..a.analysed.len() {
            let m = a.analysed[i];
            a.add_model_targets(model, m);
            let targets = a.target_ranges[m].len();
            a.counts[m].add_scope(&model.models[m], targets, &used_assumptions);
        }
        a.place_threats(model);
        a.place_verdicts(model);
        a.count_answered();
        a.crossings = a.boundary_crossings(model);
        for c in &a.crossings {
            a.counts[c.model].add_crossing(c);
        }
        a.other = a
            .targets
            .iter()
            .filter(|t| !t.other.is_empty())
            .map(|t| {
                let threats = t.other.iter().map(|&ti| a.threats[ti].qid.clone());
                (t.qid.clone(), threats.collect())
            })
            .collect();
        a
    }

    /// The attackers, categories and (empty) cells of the targets of model `m`.
    fn add_model_targets(&mut self, model: &Model, m: ModelIndex) {
        let tm = &model.models[m];
        let taxonomy = &tm.abstraction.taxonomy;
        self.attackers[m] = model
            .visible_attackers(m)
            .into_iter()
            .map(|a| AttackerRef {
                id: a.id.clone(),
                qid: a.qid.clone(),
                title: a.title.clone(),
            })
            .collect();
        self.attacker_pos[m] = self.attackers[m]
            .iter()
            .enumerate()
            .map(|(i, a)| (a.qid.clone(), i))
            .collect();
        self.categories[m] = taxonomy.categories().into_iter().map(Arc::from).collect();
        let cats = &self.categories[m];
        let cells_for = |kind: TargetKind| -> Vec<Cell> {
            taxonomy
                .categories_for(kind)
                .into_iter()
                .map(|name| {
                    let shared = cats.iter().find(|c| &***c == name).cloned();
                    Cell::new(shared.unwrap_or_else(|| Arc::from(name)))
                })
                .collect()
        };
        let start = self.targets.len();
        let assets = tm.assets.iter().filter(|a| a.in_scope);
        let assets = assets.map(|a| (&a.id, &a.qid, &a.title, TargetKind::Asset(a.kind)));
        let flows = tm.dataflows.iter().filter(|f| f.in_scope);
        let flows = flows.map(|f| (&f.id, &f.qid, &f.title, TargetKind::DataFlow));
        for (id, qid, title, kind) in assets.chain(flows) {
            self.targets.push(Target {
                id: id.clone(),
                qid: qid.clone(),
                title: title.clone(),
                model: m,
                kind,
                cells: cells_for(kind),
                other: Vec::new(),
            });
            let targets = &self.targets;
            self.target_index
                .insert(qid, targets.len() - 1, |i| targets[i].qid.as_str());
        }
        self.target_ranges[m] = start..self.targets.len();
    }

    /// Position of a target in [`Analysis::targets`], by qualified id.
    fn target_pos(&self, qid: &str) -> Option<usize> {
        self.target_index.get(qid, |i| self.targets[i].qid.as_str())
    }

    /// Threats into the cells (and `other` lists) of the targets they name.
    fn place_threats(&mut self, model: &Model) {
        for ti in 0..self.threats.len() {
            let info = &self.threats[ti];
            let t = &model.models[info.model].threats[info.index];
            for target in &t.targets {
                let Some(x) = self.target_pos(target) else {
                    continue;
                };
                let target = &mut self.targets[x];
                for cat in &t.categories {
                    if cat == OTHER {
                        push_once(&mut target.other, ti);
                    } else if let Some(cell) =
                        target.cells.iter_mut().find(|c| *c.category == **cat)
                    {
                        push_once(&mut cell.threats, ti);
                    }
                }
            }
        }
    }

    /// Verdicts into the cells they name (every category when none is named).
    fn place_verdicts(&mut self, model: &Model) {
        for i in 0..self.analysed.len() {
            let m = self.analysed[i];
            for (index, v) in model.models[m].analysis.iter().enumerate() {
                if v.pattern.is_some() {
                    // A suppression of a library pattern answers no question.
                    continue;
                }
                let Some(x) = self.target_pos(&v.target) else {
                    continue;
                };
                for cell in self.targets[x].cells.iter_mut() {
                    if v.category.as_deref().is_none_or(|c| c == &*cell.category) {
                        cell.verdicts.push(VerdictRef {
                            model: m,
                            index,
                            attacker: v.attacker.clone(),
                            verdict: v.verdict,
                        });
                    }
                }
            }
        }
    }

    /// [`Cell::answered`] of every cell, and the question counts.
    fn count_answered(&mut self) {
        let this: &Analysis = self;
        let answered: Vec<usize> = this
            .targets
            .iter()
            .flat_map(|t| {
                let attackers = this.attackers_of(t.model);
                t.cells.iter().map(move |c| {
                    attackers
                        .iter()
                        .filter(|a| this.answers(t, c, &a.qid))
                        .count()
                })
            })
            .collect();
        let mut answered = answered.into_iter();
        for target in self.targets.iter_mut() {
            let m = target.model;
            let n = self.attackers[m].len();
            for cell in target.cells.iter_mut() {
                cell.answered = answered.next().unwrap_or(0);
                self.counts[m].questions_total += n;
                self.counts[m].questions_answered += cell.answered;
            }
        }
    }

    /// The boundary analysis of every in-scope data flow of the analysed models.
    fn boundary_crossings(&self, model: &Model) -> Vec<Crossing> {
        let mut assets: HashMap<&str, &Asset> = HashMap::new();
        let mut zones: HashMap<&str, &Zone> = HashMap::new();
        for tm in &model.models {
            assets.extend(tm.assets.iter().map(|x| (x.qid.as_str(), x)));
            zones.extend(tm.zones.iter().map(|x| (x.qid.as_str(), x)));
        }
        let zone_of = |asset: &str| -> (Option<Qid>, Option<f64>) {
            let z = assets.get(asset).and_then(|a| a.zone.as_ref());
            let trust = z.and_then(|z| zones.get(z.as_str())).map(|z| z.trust);
            (z.cloned(), trust)
        };
        let mut crossings = Vec::new();
        for &m in &self.analysed {
            let tm = &model.models[m];
            let taxonomy = &tm.abstraction.taxonomy;
            let inbound = taxonomy.exposed_inbound();
            let outbound = taxonomy.exposed_outbound();
            // The categories asked of a flow, each text shared by every crossing.
            let flow_categories: Vec<Arc<str>> = taxonomy
                .categories_for(TargetKind::DataFlow)
                .into_iter()
                .map(Arc::from)
                .collect();
            for f in tm.dataflows.iter().filter(|f| f.in_scope) {
                let (from_zone, from_trust) = zone_of(&f.from);
                let (to_zone, to_trust) = zone_of(&f.to);
                let direction = match (from_trust, to_trust) {
                    (Some(a), Some(b)) => Direction::between(a, b, f.bidirectional),
                    _ => Direction::None,
                };
                let exposed: Vec<Arc<str>> = flow_categories
                    .iter()
                    .filter(|c| {
                        let c: &str = c;
                        match direction {
                            Direction::None => false,
                            Direction::Inbound => inbound.contains(&c),
                            Direction::Outbound => outbound.contains(&c),
                            Direction::Both => inbound.contains(&c) || outbound.contains(&c),
                        }
                    })
                    .cloned()
                    .collect();
                let cells = self.target(&f.qid).map(|t| t.cells.as_slice());
                let cells = cells.unwrap_or_default();
                let unanswered: Vec<Arc<str>> = exposed
                    .iter()
                    .filter(|c| {
                        !cells
                            .iter()
                            .any(|cell| cell.category == **c && cell.names_anything())
                    })
                    .cloned()
                    .collect();
                crossings.push(Crossing {
                    flow: f.qid.clone(),
                    model: m,
                    from_zone,
                    to_zone,
                    from_trust,
                    to_trust,
                    direction,
                    exposed,
                    unanswered,
                });
            }
        }
        crossings
    }

    /// The derived values of a threat, by qualified id.
    pub fn threat(&self, qid: &str) -> Option<&ThreatInfo> {
        self.threat_index
            .get(qid, |i| self.threats[i].qid.as_str())
            .map(|i| &self.threats[i])
    }

    /// A target (in-scope asset or data flow of an analysed model), by qualified id.
    pub fn target(&self, qid: &str) -> Option<&Target> {
        self.target_index
            .get(qid, |i| self.targets[i].qid.as_str())
            .map(|i| &self.targets[i])
    }

    /// The crossing of an in-scope data flow, by qualified id.
    pub fn crossing(&self, flow: &str) -> Option<&Crossing> {
        // Crossings are in target order of the data flows; a linear scan is
        // fine for a single lookup, iterate `crossings` for bulk work.
        self.crossings.iter().find(|c| c.flow == flow)
    }

    /// The threats of the analysed models (catalogues answer no question),
    /// in model order.
    pub fn analysed_threats<'a>(
        &'a self,
        model: &'a Model,
    ) -> impl Iterator<Item = &'a ThreatInfo> + 'a {
        self.threats
            .iter()
            .filter(|t| model.models[t.model].kind != ModelKind::Catalogue)
    }

    /// The analysed models (root and components), in model order.
    pub fn analysed(&self) -> &[ModelIndex] {
        &self.analysed
    }

    /// The targets declared by model `m` (empty for a catalogue).
    pub fn targets_of(&self, m: ModelIndex) -> &[Target] {
        self.target_ranges
            .get(m)
            .map(|r| &self.targets[r.clone()])
            .unwrap_or_default()
    }

    /// The in-scope attackers visible to model `m`, in question order.
    pub fn attackers_of(&self, m: ModelIndex) -> &[AttackerRef] {
        self.attackers.get(m).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every category of model `m`'s taxonomy (without `other`), in order.
    /// Under STRIDE-per-element a target is asked only some of them (see
    /// [`Target::cells`]).
    pub fn categories_of(&self, m: ModelIndex) -> &[Arc<str>] {
        self.categories
            .get(m)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// True when threat `ti` (index into [`Analysis::threats`]) answers for
    /// `attacker` the questions of a target of model `m` it names.
    pub fn threat_covers(&self, ti: usize, m: ModelIndex, attacker: &str) -> bool {
        let t = &self.threats[ti];
        match &t.attackers {
            Some(list) => list.iter().any(|a| a == attacker),
            None => t.model == m || self.attacker_pos[t.model].contains_key(attacker),
        }
    }

    /// The threats of `cell` (of `target`) that answer `attacker`'s
    /// question, as indices into [`Analysis::threats`], in model order.
    pub fn answering_threats<'a>(
        &'a self,
        target: &'a Target,
        cell: &'a Cell,
        attacker: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        let m = target.model;
        cell.threats
            .iter()
            .copied()
            .filter(move |&ti| self.threat_covers(ti, m, attacker))
    }

    /// The one rule of coverage: the question of `attacker` about `target`
    /// and the category of `cell` is answered when a verdict of the cell
    /// covers the attacker ([`VerdictRef::covers`]) or a threat of the cell
    /// does ([`Analysis::threat_covers`]).
    pub fn answers(&self, target: &Target, cell: &Cell, attacker: &str) -> bool {
        cell.answering_verdict(attacker).is_some()
            || self
                .answering_threats(target, cell, attacker)
                .next()
                .is_some()
    }

    /// The attackers of `target`'s model whose question about `cell`
    /// nobody answered (see [`Analysis::answers`]), in question order.
    pub fn open_attackers<'a>(
        &'a self,
        target: &'a Target,
        cell: &'a Cell,
    ) -> impl Iterator<Item = &'a AttackerRef> + 'a {
        self.attackers_of(target.model)
            .iter()
            .filter(move |a| !self.answers(target, cell, &a.qid))
    }

    /// The questions of model `m`: for each of its targets, each attacker,
    /// each category asked of the target (in that order).
    pub fn questions_of(&self, m: ModelIndex) -> impl Iterator<Item = Question<'_>> + '_ {
        let attackers = self.attackers_of(m);
        self.targets_of(m).iter().flat_map(move |t| {
            attackers
                .iter()
                .flat_map(move |a| t.cells.iter().map(move |c| self.question(t, a, c)))
        })
    }

    /// The questions of model `m` grouped per target x attacker, in the
    /// order of [`Analysis::questions_of`]: each group holds every category
    /// asked of the target for that attacker (pairs asking nothing are
    /// left out). Listings of open questions show one entry per group, so
    /// they grow with the pairs rather than with every category.
    pub fn question_pairs_of(&self, m: ModelIndex) -> impl Iterator<Item = Vec<Question<'_>>> + '_ {
        let attackers = self.attackers_of(m);
        self.targets_of(m)
            .iter()
            .filter(|t| !t.cells.is_empty())
            .flat_map(move |t| {
                attackers
                    .iter()
                    .map(move |a| t.cells.iter().map(|c| self.question(t, a, c)).collect())
            })
    }

    /// The questions of every analysed model, in model order.
    pub fn questions(&self) -> impl Iterator<Item = Question<'_>> + '_ {
        self.analysed.iter().flat_map(|&m| self.questions_of(m))
    }

    /// The unanswered questions of every analysed model, in model order.
    pub fn open_questions(&self) -> impl Iterator<Item = Question<'_>> + '_ {
        self.questions().filter(|q| !q.answered)
    }

    fn question<'a>(&'a self, t: &'a Target, a: &'a AttackerRef, c: &'a Cell) -> Question<'a> {
        let threats: Vec<&str> = self
            .answering_threats(t, c, &a.qid)
            .map(|ti| self.threats[ti].qid.as_str())
            .collect();
        let verdict = c.answering_verdict(&a.qid).map(|v| v.verdict);
        Question {
            model: t.model,
            target: &t.qid,
            attacker: &a.qid,
            category: &c.category,
            // `answers()`, from what answers it.
            answered: verdict.is_some() || !threats.is_empty(),
            threats,
            verdict,
            target_title: &t.title,
            attacker_title: &a.title,
        }
    }
}

/// Status, severity and tracking of every threat, in model order: the
/// threats, their index, and the assumptions some threat relies on.
fn analyse_threats<'m>(
    model: &'m Model,
    counts: &mut [Counts],
) -> (Vec<ThreatInfo>, QidIndex, HashSet<&'m str>) {
    let mut mitigations: HashMap<&str, &Mitigation> = HashMap::new();
    for tm in &model.models {
        mitigations.extend(tm.mitigations.iter().map(|x| (x.qid.as_str(), x)));
    }
    let mut threats = Vec::with_capacity(model.models.iter().map(|tm| tm.threats.len()).sum());
    let mut threat_index = QidIndex::default();
    let mut used_assumptions: HashSet<&str> = HashSet::new();
    // Models reuse a few vectors many times: score each distinct one once.
    let mut scores: HashMap<&str, Option<CvssScore>> = HashMap::new();
    for (m, tm) in model.models.iter().enumerate() {
        for (index, t) in tm.threats.iter().enumerate() {
            let mits: Vec<&Mitigation> = t
                .mitigations
                .iter()
                .filter_map(|q| mitigations.get(q.as_str()).copied())
                .collect();
            let (status, not_secure_by_default) = status_from(mits.iter().copied());
            let cvss = t.cvss.as_deref().and_then(|v| {
                let score = scores.entry(v).or_insert_with(|| cvss::score(v).ok());
                score.clone()
            });
            let tracked =
                t.ticket.is_some() || mits.iter().any(|x| !x.in_place && x.ticket.is_some());
            used_assumptions.extend(t.assumptions.iter().map(Qid::as_str));
            let info = ThreatInfo {
                qid: t.qid.clone(),
                model: m,
                index,
                status,
                not_secure_by_default,
                severity: cvss.as_ref().map(|c| c.rating),
                cvss,
                attackers: t.attackers.clone(),
                untracked: status.is_open() && !tracked,
            };
            let other = t.categories.iter().any(|c| c == OTHER);
            counts[m].add_threat(&info, mits.is_empty(), other);
            threats.push(info);
            threat_index.insert(&t.qid, threats.len() - 1, |i| {
                let x: &ThreatInfo = &threats[i];
                x.qid.as_str()
            });
        }
    }
    (threats, threat_index, used_assumptions)
}

fn push_once(v: &mut Vec<usize>, x: usize) {
    if v.last() != Some(&x) {
        v.push(x);
    }
}
