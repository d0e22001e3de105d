//! The posture diff: what a change did to a model (docs/history.md).
//!
//! [`PostureDiff::new`] compares two analysed models (base and head; a
//! missing base means everything is added), matching every element by its
//! qualified id. It is pure: reading revisions from git is the facade's job.
//! The verdict rule, [`Posture`], counts improvements and regressions
//! ([`Signals`]); the `--fail-on` gates of `tmkit diff` are [`DiffPolicy`].

mod facts;
mod gate;

pub use gate::DiffPolicy;

use crate::Analysis;
use crate::metrics::{Metrics, coverage};
use crate::status::Status;
use facts::{FieldList, ScopeFacts, ThreatFacts, diff_fields};
use hashbrown::HashSet;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tmkit_model::cvss::Rating;
use tmkit_model::{Model, Qid};

/// One side of a comparison: a checked model and its analysis.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its analysis.
    pub analysis: &'a Analysis,
}

/// The one-word verdict of a diff (docs/history.md#the-posture-verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Posture {
    /// Improvements and no regression.
    Better,
    /// Regressions and no improvement.
    Worse,
    /// Both.
    Mixed,
    /// Neither.
    Unchanged,
}

impl Posture {
    /// `better`, `worse`, `mixed` or `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Posture::Better => "better",
            Posture::Worse => "worse",
            Posture::Mixed => "mixed",
            Posture::Unchanged => "unchanged",
        }
    }
}

/// What a change did to the posture of a model.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct PostureDiff {
    /// The verdict: `better`, `worse`, `mixed` or `unchanged`.
    pub posture: Posture,
    /// The improvements and regressions the verdict counts.
    pub signals: Signals,
    /// The base side as given (a revision, or a folder).
    pub base: String,
    /// The head side as given (a revision, `working tree`, or a folder).
    pub head: String,
    /// False when the model does not exist at base (everything is added).
    pub base_exists: bool,
    /// Coverage of the root (rolled up) and of each model.
    pub coverage: CoverageDiff,
    /// Threats matched by qualified id.
    pub threats: ThreatDiff,
    /// Questions newly open or newly answered.
    pub questions: QuestionDiff,
    /// Trust-boundary crossings whose answers changed.
    pub crossings: CrossingDiff,
    /// Elements entering or leaving scope, trust levels changed.
    pub scope: ScopeDiff,
    /// Assumptions added, removed or changed.
    pub assumptions: AssumptionDiff,
    /// The metrics of both sides (the object of `tmkit metrics --format json`).
    pub metrics: SideMetrics,
}

/// What the verdict counts (docs/history.md#the-posture-verdict).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Signals {
    /// Questions newly answered + crossings newly answered + threats whose
    /// status improved + open threats whose severity fell + open threats removed.
    pub improvements: usize,
    /// Questions newly open + crossings newly unanswered + threats whose
    /// status worsened + open threats whose severity rose + open threats added.
    pub regressions: usize,
}

/// Coverage (answered / asked questions, rounded to 4 decimals as by `tmkit metrics`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct CoverageDiff {
    /// The root's rolled-up coverage at base (null when the model does not exist there).
    pub base: Option<f64>,
    /// At head (null when it asks no question).
    pub head: Option<f64>,
    /// head - base (null without a base).
    pub delta: Option<f64>,
    /// Each model (root and components, rolled up over their components) present on either side.
    pub models: Vec<ModelCoverage>,
    /// Exact root coverage at base and head, for the gates.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) exact: (Option<f64>, Option<f64>),
}

/// The coverage of one model on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ModelCoverage {
    /// Qualified id of the model.
    pub model: String,
    /// Coverage at base (null when the model is not there).
    pub base: Option<f64>,
    /// Coverage at head (null when the model is not there).
    pub head: Option<f64>,
    /// head - base (null unless on both sides).
    pub delta: Option<f64>,
}

/// A threat as it is on one side.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ThreatEntry {
    /// Qualified id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status: `mitigated`, `accepted`, `partial` or `unmitigated`.
    pub status: String,
    /// CVSS rating (null: unscored).
    pub severity: Option<String>,
    /// CVSS score (null: unscored).
    pub score: Option<f64>,
    /// Its ticket, if any.
    pub ticket: Option<String>,
    /// (status, severity), for the verdict and the gates.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) state: (Status, Option<Rating>),
}

/// One field of an element that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field (`status`, `severity`, `mitigations.ID`...; docs/history.md#json).
    pub field: String,
    /// Its value at base (null: none).
    pub from: Option<String>,
    /// Its value at head (null: none).
    pub to: Option<String>,
}

/// A threat present on both sides that differs.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ThreatChange {
    /// Qualified id.
    pub id: String,
    /// Title at head.
    pub title: String,
    /// What differs, in a fixed order.
    pub changes: Vec<FieldChange>,
    /// (status, severity) at base and at head, for the verdict and the gates.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) states: [(Status, Option<Rating>); 2],
}

/// Threats added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ThreatDiff {
    /// At head only.
    pub added: Vec<ThreatEntry>,
    /// At base only.
    pub removed: Vec<ThreatEntry>,
    /// On both sides, with differences.
    pub changed: Vec<ThreatChange>,
}

/// One question: target x attacker x category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct QuestionKey {
    /// Qualified id of the target.
    pub target: String,
    /// Qualified id of the attacker.
    pub attacker: String,
    /// Category.
    pub category: String,
}

/// Questions newly open or answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct QuestionDiff {
    /// Open questions at base (null without a base).
    pub base_open: Option<usize>,
    /// Open questions at head.
    pub head_open: usize,
    /// Open at head, and answered or absent at base.
    pub newly_open: Vec<QuestionKey>,
    /// Open at base, answered at head.
    pub newly_answered: Vec<QuestionKey>,
}

/// A data flow crossing a trust boundary, with the categories concerned.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct CrossingEntry {
    /// Qualified id of the flow.
    pub flow: String,
    /// Zone of its source at head (null: none).
    pub from_zone: Option<String>,
    /// Zone of its destination at head (null: none).
    pub to_zone: Option<String>,
    /// The categories concerned (newly unanswered, or answered).
    pub categories: Vec<String>,
}

/// Crossings whose answers changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct CrossingDiff {
    /// Crossings at head with an exposed category unanswered that was not
    /// unanswered at base (the flow was absent, did not cross, or was answered).
    pub newly_unanswered: Vec<CrossingEntry>,
    /// Crossings unanswered at base, on both sides, with no unanswered category at head.
    pub newly_answered: Vec<CrossingEntry>,
}

/// An element entering or leaving scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ScopeEntry {
    /// `asset`, `dataflow`, `attacker` or `zone`.
    pub kind: String,
    /// Qualified id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// A zone whose trust level changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct TrustChange {
    /// Qualified id of the zone.
    pub zone: String,
    /// Trust at base.
    pub from: f64,
    /// Trust at head.
    pub to: f64,
}

/// Scope changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ScopeDiff {
    /// In scope at head, absent or out of scope at base (zones: added).
    pub entered: Vec<ScopeEntry>,
    /// In scope at base, absent or out of scope at head (zones: removed).
    pub left: Vec<ScopeEntry>,
    /// Zones on both sides whose trust level changed.
    pub trust: Vec<TrustChange>,
}

/// An assumption on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AssumptionEntry {
    /// Qualified id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// An assumption on both sides that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AssumptionChange {
    /// Qualified id.
    pub id: String,
    /// `title` and `description` changes.
    pub changes: Vec<FieldChange>,
}

/// Assumptions added, removed, changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AssumptionDiff {
    /// At head only.
    pub added: Vec<AssumptionEntry>,
    /// At base only.
    pub removed: Vec<AssumptionEntry>,
    /// On both sides, with differences.
    pub changed: Vec<AssumptionChange>,
}

/// The metrics of both sides.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct SideMetrics {
    /// At base (null without a base).
    pub base: Option<Metrics>,
    /// At head.
    pub head: Metrics,
}

impl PostureDiff {
    /// Compares `base` (None: the model does not exist there) with `head`;
    /// `labels` name the two sides (revisions or folders).
    pub fn new(base: Option<Side<'_>>, head: Side<'_>, labels: (String, String)) -> PostureDiff {
        let base_metrics = base.map(|s| s.analysis.metrics(s.model, 0));
        let head_metrics = head.analysis.metrics(head.model, 0);
        let threats = threat_diff(base, head);
        let questions = question_diff(base, head);
        let crossings = crossing_diff(base, head);
        let scope = ScopeFacts::diff(base, head);
        let assumptions = assumption_diff(base, head);
        let coverage = coverage_diff(base_metrics.as_ref(), &head_metrics);
        let mut diff = PostureDiff {
            posture: Posture::Unchanged,
            signals: Signals::default(),
            base: labels.0,
            head: labels.1,
            base_exists: base.is_some(),
            coverage,
            threats,
            questions,
            crossings,
            scope,
            assumptions,
            metrics: SideMetrics {
                base: base_metrics,
                head: head_metrics,
            },
        };
        diff.signals = diff.count_signals();
        diff.posture = match (diff.signals.improvements > 0, diff.signals.regressions > 0) {
            (true, true) => Posture::Mixed,
            (true, false) => Posture::Better,
            (false, true) => Posture::Worse,
            (false, false) => Posture::Unchanged,
        };
        diff
    }

    /// Nothing listed changed at all (not even a title).
    pub fn is_empty(&self) -> bool {
        let t = &self.threats;
        let a = &self.assumptions;
        let s = &self.scope;
        self.signals == Signals::default()
            && t.added.is_empty()
            && t.removed.is_empty()
            && t.changed.is_empty()
            && a.added.is_empty()
            && a.removed.is_empty()
            && a.changed.is_empty()
            && s.entered.is_empty()
            && s.left.is_empty()
            && s.trust.is_empty()
            && (self.coverage.models.iter())
                .all(|m| m.delta == Some(0.0) || (m.base.is_none() && m.head.is_none()))
    }

    fn count_signals(&self) -> Signals {
        let mut s = Signals {
            improvements: self.questions.newly_answered.len() + self.crossings.newly_answered.len(),
            regressions: self.questions.newly_open.len() + self.crossings.newly_unanswered.len(),
        };
        let open = |t: &&ThreatEntry| t.state.0.is_open();
        s.regressions += self.threats.added.iter().filter(open).count();
        s.improvements += self.threats.removed.iter().filter(open).count();
        for c in &self.threats.changed {
            let [(bs, bsev), (hs, hsev)] = c.states;
            s.improvements += usize::from(hs < bs);
            s.regressions += usize::from(hs > bs);
            if let (true, true, Some(b), Some(h)) = (bs.is_open(), hs.is_open(), bsev, hsev) {
                s.improvements += usize::from(h < b);
                s.regressions += usize::from(h > b);
            }
        }
        s
    }
}

/// Rounds to 4 decimals, like the metrics.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn exact_coverage(m: &Metrics) -> Option<f64> {
    m.questions
        .as_ref()
        .and_then(|q| coverage(q.answered, q.total))
}

fn rounded_coverage(m: &Metrics) -> Option<f64> {
    m.questions.as_ref().and_then(|q| q.coverage)
}

fn coverage_diff(base: Option<&Metrics>, head: &Metrics) -> CoverageDiff {
    fn flatten<'m>(
        m: &'m Metrics,
        out: &mut BTreeMap<&'m str, Option<f64>>,
        order: &mut Vec<&'m str>,
    ) {
        out.insert(&m.model, rounded_coverage(m));
        order.push(&m.model);
        for c in &m.components {
            flatten(c, out, order);
        }
    }
    let (mut b, mut h, mut order) = (BTreeMap::new(), BTreeMap::new(), Vec::new());
    flatten(head, &mut h, &mut order);
    if let Some(base) = base {
        let mut base_order = Vec::new();
        flatten(base, &mut b, &mut base_order);
        order.extend(base_order.into_iter().filter(|m| !h.contains_key(m)));
    }
    let delta = |b: Option<f64>, h: Option<f64>| Some(round4(h? - b?));
    let models = order
        .into_iter()
        .map(|m| {
            let (base, head) = (b.get(m).copied().flatten(), h.get(m).copied().flatten());
            ModelCoverage {
                model: m.to_string(),
                base,
                head,
                delta: delta(base, head),
            }
        })
        .collect();
    let base_cov = base.and_then(rounded_coverage);
    let head_cov = rounded_coverage(head);
    CoverageDiff {
        base: base_cov,
        head: head_cov,
        delta: delta(base_cov, head_cov),
        models,
        exact: (base.and_then(exact_coverage), exact_coverage(head)),
    }
}

fn threat_diff(base: Option<Side<'_>>, head: Side<'_>) -> ThreatDiff {
    let b = base.map(ThreatFacts::of).unwrap_or_default();
    let h = ThreatFacts::of(head);
    let mut out = ThreatDiff::default();
    for (id, ht) in &h {
        match b.get(id) {
            None => out.added.push(ht.entry()),
            Some(bt) => {
                let changes = diff_fields(&bt.fields(), &ht.fields());
                if !changes.is_empty() {
                    out.changed.push(ThreatChange {
                        id: id.to_string(),
                        title: ht.threat.title.clone(),
                        changes,
                        states: [bt.state(), ht.state()],
                    });
                }
            }
        }
    }
    out.removed = b
        .iter()
        .filter(|(id, _)| !h.contains_key(*id))
        .map(|(_, t)| t.entry())
        .collect();
    out
}

fn question_key(q: &crate::Question<'_>) -> QuestionKey {
    QuestionKey {
        target: q.target.to_string(),
        attacker: q.attacker.to_string(),
        category: q.category.to_string(),
    }
}

fn question_diff(base: Option<Side<'_>>, head: Side<'_>) -> QuestionDiff {
    let base_open: HashSet<(&str, &str, &str)> = base
        .iter()
        .flat_map(|s| s.analysis.open_questions())
        .map(|q| (q.target, q.attacker, q.category))
        .collect();
    let mut out = QuestionDiff {
        base_open: base.map(|_| base_open.len()),
        ..QuestionDiff::default()
    };
    for q in head.analysis.questions() {
        let was_open = base_open.contains(&(q.target, q.attacker, q.category));
        if !q.answered {
            out.head_open += 1;
            if !was_open {
                out.newly_open.push(question_key(&q));
            }
        } else if was_open {
            out.newly_answered.push(question_key(&q));
        }
    }
    out
}

fn crossing_diff(base: Option<Side<'_>>, head: Side<'_>) -> CrossingDiff {
    let base_unanswered: BTreeMap<&str, &[Arc<str>]> = base
        .iter()
        .flat_map(|s| s.analysis.crossings.iter())
        .filter(|c| c.direction.crosses())
        .map(|c| (c.flow.as_str(), c.unanswered.as_slice()))
        .collect();
    let mut out = CrossingDiff::default();
    for c in head.analysis.crossings.iter() {
        let entry = |categories: Vec<String>| CrossingEntry {
            flow: c.flow.to_string(),
            from_zone: c.from_zone.as_ref().map(Qid::to_string),
            to_zone: c.to_zone.as_ref().map(Qid::to_string),
            categories,
        };
        let before = base_unanswered.get(c.flow.as_str()).copied();
        let now: &[Arc<str>] = if c.direction.crosses() {
            &c.unanswered
        } else {
            &[]
        };
        let new: Vec<String> = now
            .iter()
            .filter(|cat| !before.is_some_and(|b| b.contains(cat)))
            .map(|cat| cat.to_string())
            .collect();
        if !new.is_empty() {
            out.newly_unanswered.push(entry(new));
        }
        if let Some(before) = before.filter(|b| !b.is_empty() && now.is_empty()) {
            out.newly_answered
                .push(entry(before.iter().map(|c| c.to_string()).collect()));
        }
    }
    out
}

fn assumption_diff(base: Option<Side<'_>>, head: Side<'_>) -> AssumptionDiff {
    let facts = |s: Side<'_>| -> BTreeMap<String, (String, FieldList)> {
        s.model
            .analysed()
            .flat_map(|m| s.model.models[m].assumptions.iter())
            .map(|a| {
                let fields = vec![
                    ("title".to_string(), Some(a.title.clone())),
                    ("description".to_string(), a.description.clone()),
                ];
                (a.qid.to_string(), (a.title.clone(), fields))
            })
            .collect()
    };
    let b = base.map(facts).unwrap_or_default();
    let h = facts(head);
    let entry = |id: &String, title: &String| AssumptionEntry {
        id: id.clone(),
        title: title.clone(),
    };
    let mut out = AssumptionDiff::default();
    for (id, (title, fields)) in &h {
        match b.get(id) {
            None => out.added.push(entry(id, title)),
            Some((_, before)) => {
                let changes = diff_fields(before, fields);
                if !changes.is_empty() {
                    out.changed.push(AssumptionChange {
                        id: id.clone(),
                        changes,
                    });
                }
            }
        }
    }
    out.removed = b
        .iter()
        .filter(|(id, _)| !h.contains_key(*id))
        .map(|(id, (title, _))| entry(id, title))
        .collect();
    out
}
