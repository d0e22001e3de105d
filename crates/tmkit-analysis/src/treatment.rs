//! Risk treatment on a date: acceptances expired or expiring, mitigations
//! overdue, the acceptance register, and evidence
//! (docs/format.md#risk-treatment). "Today" is always given: from `--date`
//! or, by the CLI only, the clock.

use crate::gate::{Policy, Violation};
use crate::metrics::Metrics;
use crate::views::ThreatEntry;
use schemars::JsonSchema;
use serde::Serialize;
use tmkit_model::{
    Code, Date, Diagnostic, Mitigation, MitigationKind, Model, ModelIndex, Qid, SpanTable,
};

/// "Today" and the window of `--expiring-within`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Calendar {
    /// The date the run counts from (`--date`).
    pub today: Date,
    /// An acceptance expiring within this many days is warned about.
    pub window_days: u32,
}

impl Calendar {
    /// The default window of `--expiring-within`.
    pub const DEFAULT_WINDOW: u32 = 30;

    /// `today`, with the default window of 30 days.
    pub fn new(today: Date) -> Calendar {
        Calendar {
            today,
            window_days: Calendar::DEFAULT_WINDOW,
        }
    }

    /// With another window.
    pub fn with_window(mut self, days: u32) -> Calendar {
        self.window_days = days;
        self
    }

    /// Days from today to `date` (negative when it is past).
    pub fn days_left(&self, date: Date) -> i64 {
        self.today.days_until(date)
    }
}

/// Where a dated mitigation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeadlineKind {
    /// An acceptance in place whose `expires` is before today.
    Expired,
    /// An acceptance in place expiring today or within the window.
    Expiring,
    /// A mitigation not in place whose `due` is before today.
    Overdue,
}

impl DeadlineKind {
    /// `expired`, `expiring`, `overdue`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Expired => "expired",
            DeadlineKind::Expiring => "expiring",
            DeadlineKind::Overdue => "overdue",
        }
    }
}

/// One mitigation past (or near) its date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deadline {
    /// What is due.
    pub kind: DeadlineKind,
    /// The mitigation's qualified id.
    pub mitigation: Qid,
    /// The model declaring it.
    pub model: ModelIndex,
    /// `expires` or `due`.
    pub date: Date,
    /// Days from today to the date (negative when past).
    pub days_left: i64,
}

/// Where one mitigation stands on the calendar, if anywhere.
pub fn deadline_of(x: &Mitigation, cal: &Calendar) -> Option<(DeadlineKind, Date)> {
    let t = &x.treatment;
    if x.in_place && x.kind == MitigationKind::RiskAcceptance {
        let e = t.expires?;
        let left = cal.days_left(e);
        if left < 0 {
            return Some((DeadlineKind::Expired, e));
        }
        return (left <= i64::from(cal.window_days)).then_some((DeadlineKind::Expiring, e));
    }
    let due = t.due.filter(|_| !x.in_place)?;
    (cal.days_left(due) < 0).then_some((DeadlineKind::Overdue, due))
}

/// Every mitigation of the model past (or near) its date, in model order.
pub fn deadlines(model: &Model, cal: &Calendar) -> Vec<Deadline> {
    let mut out = Vec::new();
    for (m, tm) in model.models.iter().enumerate() {
        for x in &tm.mitigations {
            if let Some((kind, date)) = deadline_of(x, cal) {
                out.push(Deadline {
                    kind,
                    mitigation: x.qid.clone(),
                    model: m,
                    date,
                    days_left: cal.days_left(date),
                });
            }
        }
    }
    out
}

/// The counts of `tmkit metrics` on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct DeadlineMetrics {
    /// The date counted from (`--date`).
    pub date: Date,
    /// The window of `expiring`, in days.
    pub window_days: u32,
    /// Acceptances in place that have expired.
    pub expired: usize,
    /// Acceptances in place expiring within the window.
    pub expiring: usize,
    /// Mitigations not in place past their `due` date.
    pub overdue: usize,
}

/// Fills [`Metrics::deadlines`] of `metrics` (model `m`, rolled up) and of
/// each of its components.
pub fn fill_deadlines(metrics: &mut Metrics, model: &Model, m: ModelIndex, cal: &Calendar) {
    let mut counts = DeadlineMetrics {
        date: cal.today,
        window_days: cal.window_days,
        expired: 0,
        expiring: 0,
        overdue: 0,
    };
    let mut stack = vec![m];
    while let Some(i) = stack.pop() {
        stack.extend(model.models[i].children.iter().copied());
        for x in &model.models[i].mitigations {
            match deadline_of(x, cal) {
                Some((DeadlineKind::Expired, _)) => counts.expired += 1,
                Some((DeadlineKind::Expiring, _)) => counts.expiring += 1,
                Some((DeadlineKind::Overdue, _)) => counts.overdue += 1,
                None => {}
            }
        }
    }
    metrics.deadlines = Some(counts);
    let children = &model.models[m].children;
    for (c, &child) in metrics.components.iter_mut().zip(children) {
        fill_deadlines(c, model, child, cal);
    }
}

/// True when a mitigation has evidence (in this view or withheld from it).
pub fn is_evidenced(x: &Mitigation) -> bool {
    !x.evidence.is_empty() || x.evidence_withheld > 0
}

/// The public view of a mitigation: no treatment field, and only the
/// evidence marked public (the others counted in `evidence_withheld`).
pub fn withhold(x: &mut Mitigation) {
    x.treatment = Default::default();
    let before = x.evidence.len();
    x.evidence.retain(|e| e.public);
    x.evidence_withheld += before - x.evidence.len();
}

/// One row of the acceptance register: a threat and a `risk-acceptance`
/// or `transfer` in place on it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct RegisterEntry {
    /// The threat's qualified id.
    pub threat: Qid,
    /// The threat's title.
    pub threat_title: String,
    /// The acceptance's (or transfer's) qualified id.
    pub mitigation: Qid,
    /// `risk-acceptance` or `transfer`.
    pub kind: MitigationKind,
    /// Who accepted the risk.
    pub owner: Option<String>,
    /// Who carries a transferred risk.
    pub party: Option<String>,
    /// When it was accepted.
    pub accepted: Option<Date>,
    /// When it expires (None: permanent, or not given).
    pub expires: Option<Date>,
    /// Accepted without end.
    pub permanent: bool,
    /// Days from the report's date to `expires` (negative: expired; null
    /// without an expiry or without a date).
    pub days_left: Option<i64>,
    /// Why.
    pub rationale: Option<String>,
}

/// The acceptance register of the threats listed: for each, its
/// acceptances and transfers in place, soonest expiry first (undated last),
/// then by threat.
pub fn register(threats: &[ThreatEntry], cal: Option<&Calendar>) -> Vec<RegisterEntry> {
    let mut out: Vec<RegisterEntry> = threats
        .iter()
        .flat_map(|t| {
            t.mitigations
                .iter()
                .filter(|x| x.in_place && !x.kind.is_control())
                .map(move |x| RegisterEntry {
                    threat: t.qid.clone(),
                    threat_title: t.title.clone(),
                    mitigation: x.qid.clone(),
                    kind: x.kind,
                    owner: x.owner.clone(),
                    party: x.treatment.party.clone(),
                    accepted: x.treatment.accepted,
                    expires: x.treatment.expires,
                    permanent: x.treatment.permanent,
                    days_left: x
                        .treatment
                        .expires
                        .and_then(|e| cal.map(|c| c.days_left(e))),
                    rationale: x.treatment.rationale.clone(),
                })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.expires.is_none(), a.expires, &a.threat, &a.mitigation).cmp(&(
            b.expires.is_none(),
            b.expires,
            &b.threat,
            &b.mitigation,
        ))
    });
    out
}

/// The violations of a dated or evidence policy (None for the others).
pub(crate) fn violations(p: Policy, model: &Model, cal: &Calendar) -> Option<Vec<Violation>> {
    if !matches!(
        p,
        Policy::Expired | Policy::Expiring(_) | Policy::Overdue | Policy::Unevidenced
    ) {
        return None;
    }
    let window = match p {
        Policy::Expiring(days) => Some(i64::from(days.unwrap_or(cal.window_days))),
        _ => None,
    };
    let fails = |x: &Mitigation| -> Option<String> {
        let t = &x.treatment;
        let acceptance = x.in_place && x.kind == MitigationKind::RiskAcceptance;
        match p {
            Policy::Expired => t
                .expires
                .filter(|&e| acceptance && cal.days_left(e) < 0)
                .map(|e| format!("expired on {e}")),
            Policy::Expiring(_) => t
                .expires
                .filter(|&e| acceptance && window.is_some_and(|w| cal.days_left(e) <= w))
                .map(|e| format!("expires on {e} ({})", days_text(cal.days_left(e)))),
            Policy::Overdue => t
                .due
                .filter(|&d| !x.in_place && cal.days_left(d) < 0)
                .map(|d| format!("was due on {d} ({})", days_text(cal.days_left(d)))),
            Policy::Unevidenced => {
                (x.in_place && !is_evidenced(x)).then(|| "is in place without evidence".into())
            }
            _ => None,
        }
    };
    let found = model
        .models
        .iter()
        .flat_map(|tm| &tm.mitigations)
        .filter_map(|x| {
            fails(x).map(|why| Violation {
                policy: p,
                element: x.qid.to_string(),
                message: format!("{} {why}: {}", x.qid, x.title),
            })
        })
        .collect();
    Some(found)
}

/// `12 days left`, `1 day left`, `today`, `3 days ago`.
pub fn days_text(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "1 day left".to_string(),
        -1 => "1 day ago".to_string(),
        d if d > 0 => format!("{d} days left"),
        d => format!("{} days ago", -d),
    }
}

/// W0503 / W0504 / W0505: acceptances expired or expiring within the
/// window, mitigations overdue, each at its date's place.
pub fn deadline_diagnostics(model: &Model, spans: &SpanTable, cal: &Calendar) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for tm in &model.models {
        for x in &tm.mitigations {
            let Some((kind, date)) = deadline_of(x, cal) else {
                continue;
            };
            let left = days_text(cal.days_left(date));
            let (code, field, message, label) = match kind {
                DeadlineKind::Expired => (
                    Code::AcceptanceExpired,
                    "expires",
                    format!("risk acceptance {} expired on {date} ({left})", x.qid),
                    "expired",
                ),
                DeadlineKind::Expiring => (
                    Code::AcceptanceExpiring,
                    "expires",
                    format!(
                        "risk acceptance {} expires on {date} ({left}, within {} days)",
                        x.qid, cal.window_days
                    ),
                    "expiring",
                ),
                DeadlineKind::Overdue => (
                    Code::MitigationOverdue,
                    "due",
                    format!(
                        "mitigation {} was due on {date} ({left}) and is not in place",
                        x.qid
                    ),
                    "overdue",
                ),
            };
            let mut d = Diagnostic::new(code, message).general_help();
            if let Some(span) = spans.field(&x.qid, field) {
                d = d.at(span, label);
            }
            out.push(d);
        }
    }
    out
}
