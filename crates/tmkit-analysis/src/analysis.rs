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
use tmkit_model::{Asset, Mitigation, Model, ModelIndex, Qid, Zone};

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
        let mut mitigations: HashMap<&str, &Mitigation> = HashMap::new();
        let mut assets: HashMap<&str, &Asset> = HashMap::new();
        let mut zones: HashMap<&str, &Zone> = HashMap::new();
        for tm in &model.models {
            mitigations.extend(tm.mitigations.iter().map(|x| (x.qid.as_str(), x)));
            assets.extend(tm.assets.iter().map(|x| (x.qid.as_str(), x)));
            zones.extend(tm.zones.iter().map(|x| (x.qid.as_str(), x)));
        }
        let mut counts = vec![Counts::default(); nm];

        // Threats: status, severity, tracking.
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
                    scores
                        .entry(v)
                        .or_insert_with(|| cvss::score(v).ok())
                        .clone()
                });
                let severity = cvss.as_ref().map(|c| c.rating);
                let tracked =
                    t.ticket.is_some() || mits.iter().any(|x| !x.in_place && x.ticket.is_some());
                let untracked = status.is_open() && !tracked;
                used_assumptions.extend(t.assumptions.iter().map(String::as_str));
                counts[m].add_threat(
                    status,
                    not_secure_by_default,
                    severity,
                    untracked,
                    mits.is_empty(),
                    t.categories.iter().any(|c| c == OTHER),
                );
                threats.push(ThreatInfo {
                    qid: t.qid.clone(),
                    model: m,
                    index,
                    status,
                    not_secure_by_default,
                    cvss,
                    severity,
                    attackers: t.attackers.clone(),
                    untracked,
                });
                threat_index.insert(&t.qid, threats.len() - 1, |i| {
                    let x: &ThreatInfo = &threats[i];
                    x.qid.as_str()
                });
            }
        }

        // Attackers, categories and targets of each analysed model.
        let analysed: Vec<ModelIndex> = model.analysed().collect();
        let mut attackers = vec![Vec::new(); nm];
        let mut attacker_pos = vec![HashMap::new(); nm];
        let mut categories: Vec<Vec<Arc<str>>> = vec![Vec::new(); nm];
        let mut target_ranges = vec![0..0; nm];
        let mut targets: Vec<Target> = Vec::with_capacity(
            analysed
                .iter()
                .map(|&m| model.models[m].assets.len() + model.models[m].dataflows.len())
                .sum(),
        );
        let mut target_index = QidIndex::default();
        for &m in &analysed {
            let tm = &model.models[m];
            let taxonomy = &tm.abstraction.taxonomy;
            attackers[m] = model
                .visible_attackers(m)
                .into_iter()
                .map(|a| AttackerRef {
                    id: a.id.clone(),
                    qid: a.qid.clone(),
                    title: a.title.clone(),
                })
                .collect();
            attacker_pos[m] = attackers[m]
                .iter()
                .enumerate()
                .map(|(i, a)| (a.qid.clone(), i))
                .collect();
            categories[m] = taxonomy.categories().into_iter().map(Arc::from).collect();
            let cats = &categories[m];
            let cells_for = |kind: TargetKind| -> Vec<Cell> {
                taxonomy
                    .categories_for(kind)
                    .into_iter()
                    .map(|name| Cell {
                        category: cats
                            .iter()
                            .find(|c| &***c == name)
                            .cloned()
                            .unwrap_or_else(|| Arc::from(name)),
                        threats: Vec::new(),
                        verdicts: Vec::new(),
                        answered: 0,
                    })
                    .collect()
            };
            let start = targets.len();
            for a in tm.assets.iter().filter(|a| a.in_scope) {
                let kind = TargetKind::Asset(a.kind);
                targets.push(Target {
                    id: a.id.clone(),
                    qid: a.qid.clone(),
                    title: a.title.clone(),
                    model: m,
                    kind,
                    cells: cells_for(kind),
                    other: Vec::new(),
                });
                target_index.insert(&a.qid, targets.len() - 1, |i| targets[i].qid.as_str());
            }
            for f in tm.dataflows.iter().filter(|f| f.in_scope) {
                targets.push(Target {
                    id: f.id.clone(),
                    qid: f.qid.clone(),
                    title: f.title.clone(),
                    model: m,
                    kind: TargetKind::DataFlow,
                    cells: cells_for(TargetKind::DataFlow),
                    other: Vec::new(),
                });
                target_index.insert(&f.qid, targets.len() - 1, |i| targets[i].qid.as_str());
            }
            target_ranges[m] = start..targets.len();
            let c = &mut counts[m];
            c.targets_in_scope = targets.len() - start;
            c.attackers_in_scope = tm.attackers.iter().filter(|a| a.in_scope).count();
            c.out_of_scope_assets = tm.assets.iter().filter(|a| !a.in_scope).count();
            c.out_of_scope_dataflows = tm.dataflows.iter().filter(|f| !f.in_scope).count();
            c.out_of_scope_attackers = tm.attackers.iter().filter(|a| !a.in_scope).count();
            c.mitigations_total = tm.mitigations.len();
            c.mitigations_in_place = tm.mitigations.iter().filter(|x| x.in_place).count();
            c.assumptions_total = tm.assumptions.len();
            c.assumptions_unused = tm
                .assumptions
                .iter()
                .filter(|a| !used_assumptions.contains(a.qid.as_str()))
                .count();
        }

        // Threats and verdicts into cells.
        for (ti, info) in threats.iter().enumerate() {
            let t = &model.models[info.model].threats[info.index];
            for target in &t.targets {
                let Some(x) = target_index.get(target, |i| targets[i].qid.as_str()) else {
                    continue;
                };
                let target = &mut targets[x];
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
        for &m in &analysed {
            for (index, v) in model.models[m].analysis.iter().enumerate() {
                let Some(x) = target_index.get(&v.target, |i| targets[i].qid.as_str()) else {
                    continue;
                };
                for cell in targets[x].cells.iter_mut() {
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

        // Answered questions per cell: attackers whose question is answered.
        let mut marks: Vec<bool> = Vec::new();
        for target in targets.iter_mut() {
            let m = target.model;
            let n = attackers[m].len();
            for cell in target.cells.iter_mut() {
                cell.answered = if n == 0 {
                    0
                } else if cell.verdicts.iter().any(|v| v.attacker.is_none())
                    || cell
                        .threats
                        .iter()
                        .any(|&ti| threats[ti].attackers.is_none() && threats[ti].model == m)
                {
                    n
                } else {
                    marks.clear();
                    marks.resize(n, false);
                    let mut mark = |a: &str| {
                        if let Some(&i) = attacker_pos[m].get(a) {
                            marks[i] = true;
                        }
                    };
                    for v in &cell.verdicts {
                        if let Some(a) = &v.attacker {
                            mark(a);
                        }
                    }
                    for &ti in &cell.threats {
                        match &threats[ti].attackers {
                            Some(list) => list.iter().for_each(|a| mark(a)),
                            None => {
                                // A threat of another model covers the attackers
                                // visible to its own model.
                                let own = &attacker_pos[threats[ti].model];
                                for a in &attackers[m] {
                                    if own.contains_key(&a.qid) {
                                        mark(&a.qid);
                                    }
                                }
                            }
                        }
                    }
                    marks.iter().filter(|b| **b).count()
                };
                counts[m].questions_total += n;
                counts[m].questions_answered += cell.answered;
            }
        }

        // Trust-boundary crossings.
        let mut crossings = Vec::new();
        for &m in &analysed {
            let tm = &model.models[m];
            let taxonomy = &tm.abstraction.taxonomy;
            let inbound = taxonomy.exposed_inbound();
            let outbound = taxonomy.exposed_outbound();
            for f in tm.dataflows.iter().filter(|f| f.in_scope) {
                let zone_of = |asset: &str| -> (Option<Qid>, Option<f64>) {
                    let z = assets.get(asset).and_then(|a| a.zone.as_deref());
                    (
                        z.map(str::to_string),
                        z.and_then(|z| zones.get(z)).map(|z| z.trust),
                    )
                };
                let (from_zone, from_trust) = zone_of(&f.from);
                let (to_zone, to_trust) = zone_of(&f.to);
                let direction = match (from_trust, to_trust) {
                    (Some(a), Some(b)) => Direction::between(a, b, f.bidirectional),
                    _ => Direction::None,
                };
                let exposed: Vec<String> = taxonomy
                    .categories_for(TargetKind::DataFlow)
                    .into_iter()
                    .filter(|c| match direction {
                        Direction::None => false,
                        Direction::Inbound => inbound.contains(c),
                        Direction::Outbound => outbound.contains(c),
                        Direction::Both => inbound.contains(c) || outbound.contains(c),
                    })
                    .map(str::to_string)
                    .collect();
                let cells = target_index
                    .get(&f.qid, |i| targets[i].qid.as_str())
                    .map(|x| targets[x].cells.as_slice())
                    .unwrap_or_default();
                let unanswered: Vec<String> = exposed
                    .iter()
                    .filter(|c| {
                        !cells.iter().any(|cell| {
                            *cell.category == ***c
                                && (!cell.threats.is_empty() || !cell.verdicts.is_empty())
                        })
                    })
                    .cloned()
                    .collect();
                if direction.crosses() {
                    counts[m].crossings_total += 1;
                    if !unanswered.is_empty() {
                        counts[m].crossings_unanswered += 1;
                    }
                }
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

        let other = targets
            .iter()
            .filter(|t| !t.other.is_empty())
            .map(|t| {
                (
                    t.qid.clone(),
                    t.other.iter().map(|&ti| threats[ti].qid.clone()).collect(),
                )
            })
            .collect();

        Analysis {
            threats,
            targets,
            other,
            crossings,
            analysed,
            attackers,
            attacker_pos,
            categories,
            target_ranges,
            threat_index,
            target_index,
            counts,
        }
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
        let threats: Vec<&str> = c
            .threats
            .iter()
            .filter(|&&ti| self.threat_covers(ti, t.model, &a.qid))
            .map(|&ti| self.threats[ti].qid.as_str())
            .collect();
        let verdict = c
            .verdicts
            .iter()
            .find(|v| v.covers(&a.qid))
            .map(|v| v.verdict);
        Question {
            model: t.model,
            target: &t.qid,
            attacker: &a.qid,
            category: &c.category,
            answered: !threats.is_empty() || verdict.is_some(),
            threats,
            verdict,
            target_title: &t.title,
            attacker_title: &a.title,
        }
    }
}

fn push_once(v: &mut Vec<usize>, x: usize) {
    if v.last() != Some(&x) {
        v.push(x);
    }
}
