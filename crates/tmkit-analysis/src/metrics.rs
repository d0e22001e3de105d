//! Metrics: completeness (coverage) and effort, per model, rolled up over
//! components.
//!
//! [`Metrics`] serialises to the JSON of `tmkit metrics --format json`; the
//! keys required by the issue come first, in its order, then extras.

use crate::analysis::{Analysis, ThreatInfo};
use crate::crossing::Crossing;
use crate::severity::severity_rank;
use crate::status::Status;
use hashbrown::HashSet;
use schemars::JsonSchema;
use serde::Serialize;
use tmkit_model::{Model, ModelIndex, ThreatModel};

/// Summable counts of one model (its own elements only).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Counts {
    pub questions_total: usize,
    pub questions_answered: usize,
    pub threats_total: usize,
    pub by_status: [usize; 4],
    pub not_secure_by_default: usize,
    /// critical, high, medium, low, none, unscored
    pub by_severity: [usize; 6],
    pub untracked: usize,
    pub threats_without_mitigations: usize,
    pub other_threats: usize,
    pub mitigations_total: usize,
    pub mitigations_in_place: usize,
    pub mitigations_evidenced: usize,
    pub crossings_total: usize,
    pub crossings_unanswered: usize,
    pub assumptions_total: usize,
    pub assumptions_unused: usize,
    pub targets_in_scope: usize,
    pub attackers_in_scope: usize,
    pub out_of_scope_assets: usize,
    pub out_of_scope_dataflows: usize,
    pub out_of_scope_attackers: usize,
}

impl Counts {
    /// Counts one threat of the model.
    pub(crate) fn add_threat(&mut self, t: &ThreatInfo, no_mitigation: bool, other: bool) {
        self.threats_total += 1;
        self.by_status[t.status as usize] += 1;
        self.not_secure_by_default += usize::from(t.not_secure_by_default);
        self.by_severity[usize::from(severity_rank(t.severity))] += 1;
        self.untracked += usize::from(t.untracked);
        self.threats_without_mitigations += usize::from(no_mitigation);
        self.other_threats += usize::from(other);
    }

    /// Counts the scope of an analysed model with `targets` in-scope targets.
    pub(crate) fn add_scope(&mut self, tm: &ThreatModel, targets: usize, used: &HashSet<&str>) {
        self.targets_in_scope = targets;
        self.attackers_in_scope = tm.attackers.iter().filter(|a| a.in_scope).count();
        self.out_of_scope_assets = tm.assets.iter().filter(|a| !a.in_scope).count();
        self.out_of_scope_dataflows = tm.dataflows.iter().filter(|f| !f.in_scope).count();
        self.out_of_scope_attackers = tm.attackers.iter().filter(|a| !a.in_scope).count();
        self.mitigations_total = tm.mitigations.len();
        self.mitigations_in_place = tm.mitigations.iter().filter(|x| x.in_place).count();
        self.mitigations_evidenced = tm
            .mitigations
            .iter()
            .filter(|x| x.in_place && crate::treatment::is_evidenced(x))
            .count();
        self.assumptions_total = tm.assumptions.len();
        self.assumptions_unused = tm
            .assumptions
            .iter()
            .filter(|a| !used.contains(a.qid.as_str()))
            .count();
    }

    /// Counts one data flow's boundary analysis.
    pub(crate) fn add_crossing(&mut self, c: &Crossing) {
        if c.direction.crosses() {
            self.crossings_total += 1;
            self.crossings_unanswered += usize::from(!c.unanswered.is_empty());
        }
    }

    fn add(&mut self, o: &Counts) {
        self.questions_total += o.questions_total;
        self.questions_answered += o.questions_answered;
        self.threats_total += o.threats_total;
        for (a, b) in self.by_status.iter_mut().zip(o.by_status) {
            *a += b;
        }
        self.not_secure_by_default += o.not_secure_by_default;
        for (a, b) in self.by_severity.iter_mut().zip(o.by_severity) {
            *a += b;
        }
        self.untracked += o.untracked;
        self.threats_without_mitigations += o.threats_without_mitigations;
        self.other_threats += o.other_threats;
        self.mitigations_total += o.mitigations_total;
        self.mitigations_in_place += o.mitigations_in_place;
        self.mitigations_evidenced += o.mitigations_evidenced;
        self.crossings_total += o.crossings_total;
        self.crossings_unanswered += o.crossings_unanswered;
        self.assumptions_total += o.assumptions_total;
        self.assumptions_unused += o.assumptions_unused;
        self.targets_in_scope += o.targets_in_scope;
        self.attackers_in_scope += o.attackers_in_scope;
        self.out_of_scope_assets += o.out_of_scope_assets;
        self.out_of_scope_dataflows += o.out_of_scope_dataflows;
        self.out_of_scope_attackers += o.out_of_scope_attackers;
    }
}

/// Metrics of a model, rolled up over its components (each also reported in
/// [`Metrics::components`]).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Metrics {
    /// Qualified id of the model.
    pub model: String,
    /// Questions and coverage (null in a view without the analysis, such as
    /// the public one: on a filtered model they would point at where
    /// withheld threats were).
    pub questions: Option<QuestionMetrics>,
    /// Threats by status and severity.
    pub threats: ThreatMetrics,
    /// Mitigations (shared and inline) in place or planned.
    pub mitigations: MitigationMetrics,
    /// Data flows crossing a trust boundary.
    pub boundary_crossings: CrossingMetrics,
    /// Open threats (unmitigated or partial) with no ticket.
    pub untracked_unmitigated: usize,
    /// The same object for each direct component, each rolled up over its own components.
    pub components: Vec<Metrics>,
    /// Threats with no mitigation at all.
    pub threats_without_mitigations: usize,
    /// Threats of category `other` (listed per target, not counted in coverage).
    pub other_threats: usize,
    /// Assumptions, and those no threat relies on.
    pub assumptions: AssumptionMetrics,
    /// What is in and out of scope.
    pub scope: ScopeMetrics,
    /// The work left.
    pub effort: EffortMetrics,
    /// Acceptances expired or expiring, mitigations overdue, on the date
    /// given (null when the metrics were computed without a date).
    pub deadlines: Option<crate::treatment::DeadlineMetrics>,
}

/// Questions and coverage.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct QuestionMetrics {
    /// Number of questions (targets x attackers x categories).
    pub total: usize,
    /// Answered by a threat or a verdict.
    pub answered: usize,
    /// Not answered yet.
    pub open: usize,
    /// answered / total, rounded to 4 decimals; null when there is no
    /// question (no in-scope attacker or target: undefined, not 100%).
    pub coverage: Option<f64>,
    /// Open questions with at least one suggestion of the threat library
    /// (`tmkit metrics`, docs/library.md); absent where the library was not
    /// consulted (the JSON report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_suggestions: Option<usize>,
}

/// Threats by status and severity.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ThreatMetrics {
    /// All threats.
    pub total: usize,
    /// Status mitigated.
    pub mitigated: usize,
    /// Status partial.
    pub partial: usize,
    /// Status accepted.
    pub accepted: usize,
    /// Status unmitigated.
    pub unmitigated: usize,
    /// Mitigated only by operational controls.
    pub not_secure_by_default: usize,
    /// Threats per CVSS rating.
    pub by_severity: SeverityCounts,
}

/// Threats per CVSS rating.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// None (score 0).
    pub none: usize,
    /// No CVSS vector.
    pub unscored: usize,
}

/// Mitigations.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct MitigationMetrics {
    /// All mitigations declared (shared and inline).
    pub total: usize,
    /// In place.
    pub in_place: usize,
    /// Not in place yet.
    pub planned: usize,
    /// In place, with evidence.
    pub evidenced: usize,
    /// In place, without evidence (only claimed).
    pub claimed: usize,
}

/// Trust-boundary crossings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct CrossingMetrics {
    /// In-scope data flows crossing a boundary.
    pub total: usize,
    /// Those with an exposed category no threat or verdict answers (null
    /// without the analysis).
    pub unanswered: Option<usize>,
}

/// Assumptions.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AssumptionMetrics {
    /// Declared.
    pub total: usize,
    /// No threat relies on them.
    pub unused: usize,
}

/// Scope.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ScopeMetrics {
    /// In-scope targets (assets and data flows).
    pub targets: usize,
    /// In-scope attackers declared (each model's own; components also see their ancestors').
    pub attackers: usize,
    /// Out-of-scope elements.
    pub out_of_scope: OutOfScope,
}

/// Out-of-scope elements.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct OutOfScope {
    /// Assets.
    pub assets: usize,
    /// Data flows.
    pub dataflows: usize,
    /// Attackers.
    pub attackers: usize,
}

/// The work left.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct EffortMetrics {
    /// Questions still to answer (null without the analysis).
    pub open_questions: Option<usize>,
    /// Threats still unmitigated or partial.
    pub open_threats: usize,
    /// Mitigations not yet in place.
    pub planned_mitigations: usize,
    /// Data flows crossing a trust boundary with an exposed category no
    /// threat or verdict answers (null without the analysis).
    pub unanswered_crossings: Option<usize>,
    /// The rate of the estimate (`--minutes-per-question`, default 15).
    pub minutes_per_question: u32,
    /// Estimated minutes of analysis left: (open questions + unanswered
    /// crossings) x minutes per question (null without the analysis).
    pub estimated_minutes: Option<u64>,
}

/// The default of `--minutes-per-question`: the time to discuss one
/// question in a session and write its threat or verdict (docs/format.md#effort).
pub const DEFAULT_MINUTES_PER_QUESTION: u32 = 15;

impl EffortMetrics {
    /// (open questions + unanswered crossings) x the rate, when both are known.
    fn estimate(&self) -> Option<u64> {
        let items = self.open_questions? + self.unanswered_crossings?;
        Some(items as u64 * u64::from(self.minutes_per_question))
    }

    /// With its estimate computed.
    fn estimated(mut self) -> Self {
        self.estimated_minutes = self.estimate();
        self
    }
}

impl SeverityCounts {
    /// From counts in [`crate::severity::severity_rank`] order (critical first, unscored last).
    pub fn from_ranks(c: [usize; 6]) -> SeverityCounts {
        SeverityCounts {
            critical: c[0],
            high: c[1],
            medium: c[2],
            low: c[3],
            none: c[4],
            unscored: c[5],
        }
    }
}

impl Metrics {
    /// Sets [`QuestionMetrics::with_suggestions`] of this model and of its
    /// components from the counts of each model's own targets (by model
    /// qualified id), rolled up: a model counts its own and its
    /// components' (whose qualified ids extend its own).
    pub fn set_suggested(&mut self, own: &std::collections::BTreeMap<String, usize>) {
        let prefix = format!("{}.", self.model);
        let total = own
            .iter()
            .filter(|(m, _)| **m == self.model || m.starts_with(&prefix))
            .map(|(_, n)| n)
            .sum();
        if let Some(q) = &mut self.questions {
            q.with_suggestions = Some(total);
        }
        for c in &mut self.components {
            c.set_suggested(own);
        }
    }

    fn from_counts(model: String, c: &Counts, components: Vec<Metrics>) -> Metrics {
        let open = c.questions_total - c.questions_answered;
        let coverage = coverage(c.questions_answered, c.questions_total).map(round4);
        let s = |st: Status| c.by_status[st as usize];
        let planned = c.mitigations_total - c.mitigations_in_place;
        Metrics {
            model,
            questions: Some(QuestionMetrics {
                total: c.questions_total,
                answered: c.questions_answered,
                open,
                coverage,
                with_suggestions: None,
            }),
            threats: ThreatMetrics {
                total: c.threats_total,
                mitigated: s(Status::Mitigated),
                partial: s(Status::Partial),
                accepted: s(Status::Accepted),
                unmitigated: s(Status::Unmitigated),
                not_secure_by_default: c.not_secure_by_default,
                by_severity: SeverityCounts::from_ranks(c.by_severity),
            },
            mitigations: MitigationMetrics {
                total: c.mitigations_total,
                in_place: c.mitigations_in_place,
                planned,
                evidenced: c.mitigations_evidenced,
                claimed: c.mitigations_in_place - c.mitigations_evidenced,
            },
            boundary_crossings: CrossingMetrics {
                total: c.crossings_total,
                unanswered: Some(c.crossings_unanswered),
            },
            untracked_unmitigated: c.untracked,
            components,
            threats_without_mitigations: c.threats_without_mitigations,
            other_threats: c.other_threats,
            assumptions: AssumptionMetrics {
                total: c.assumptions_total,
                unused: c.assumptions_unused,
            },
            scope: ScopeMetrics {
                targets: c.targets_in_scope,
                attackers: c.attackers_in_scope,
                out_of_scope: OutOfScope {
                    assets: c.out_of_scope_assets,
                    dataflows: c.out_of_scope_dataflows,
                    attackers: c.out_of_scope_attackers,
                },
            },
            effort: EffortMetrics {
                open_questions: Some(open),
                open_threats: s(Status::Unmitigated) + s(Status::Partial),
                planned_mitigations: planned,
                unanswered_crossings: Some(c.crossings_unanswered),
                minutes_per_question: DEFAULT_MINUTES_PER_QUESTION,
                estimated_minutes: None,
            }
            .estimated(),
            deadlines: None,
        }
    }
}

impl Metrics {
    /// Leaves out, here and in every component, what shows analysis
    /// progress (questions, coverage, unanswered crossings): views without
    /// the analysis section call it.
    pub fn withhold_progress(&mut self) {
        self.questions = None;
        self.boundary_crossings.unanswered = None;
        self.effort.open_questions = None;
        self.effort.unanswered_crossings = None;
        self.effort.estimated_minutes = None;
        self.components
            .iter_mut()
            .for_each(Metrics::withhold_progress);
    }

    /// Sets the rate of the effort estimate (`--minutes-per-question`), here
    /// and in every component, and recomputes the estimates.
    pub fn set_minutes_per_question(&mut self, minutes: u32) {
        self.effort.minutes_per_question = minutes;
        self.effort.estimated_minutes = self.effort.estimate();
        for c in &mut self.components {
            c.set_minutes_per_question(minutes);
        }
    }
}

/// The one coverage: `answered / asked`; `None` when nothing is asked (a
/// model with no in-scope attacker or target has no analysis: its coverage
/// is undefined, shown as "n/a", and fails every coverage gate; W0901).
/// Metrics round it to 4 decimals; gates compare the exact value.
pub fn coverage(answered: usize, asked: usize) -> Option<f64> {
    (asked > 0).then(|| answered as f64 / asked as f64)
}

/// Rounds to 4 decimals (coverage is a progress bar, not a measurement).
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Analysis {
    /// Metrics of model `m` (normally the root, 0), rolled up over all its
    /// components, with each component's own metrics in `components`.
    pub fn metrics(&self, model: &Model, m: ModelIndex) -> Metrics {
        self.rolled_up(model, m).1
    }

    /// (answered, asked) questions of model `m` itself (not rolled up).
    pub fn question_counts(&self, m: ModelIndex) -> (usize, usize) {
        let c = self.counts.get(m).cloned().unwrap_or_default();
        (c.questions_answered, c.questions_total)
    }

    fn rolled_up(&self, model: &Model, m: ModelIndex) -> (Counts, Metrics) {
        let mut total = self.counts.get(m).cloned().unwrap_or_default();
        let mut components = Vec::new();
        for &child in &model.models[m].children {
            let (c, metrics) = self.rolled_up(model, child);
            total.add(&c);
            components.push(metrics);
        }
        let metrics = Metrics::from_counts(model.models[m].qid.to_string(), &total, components);
        (total, metrics)
    }
}
