//! CI gates: the `--fail-on` policies of `tmkit check`.
//!
//! | policy | fails when |
//! |---|---|
//! | `unmitigated:SEVERITY` (`none`, `low`, `medium`, `high`, `critical`) | a threat that is unmitigated or partial has a CVSS rating at or above SEVERITY |
//! | `unmitigated` (or `unmitigated:any`) | any threat is unmitigated or partial, scored or not |
//! | `coverage:<X` (X a fraction `0.8` or a percentage `80%`) | the root's rolled-up coverage is below X |
//! | `untracked` | an unmitigated or partial threat has no ticket (on the threat or on a mitigation not yet in place) |
//! | `expired` | a risk acceptance in place has expired (its `expires` is before the date) |
//! | `expiring:30d` (or `expiring`: the `--expiring-within` window) | a risk acceptance in place expires within that many days, or has expired |
//! | `overdue` | a mitigation not in place is past its `due` date |
//! | `unevidenced` | a mitigation in place has no `evidence` |
//!
//! Only `mitigated` counts as mitigated; an `accepted` threat (its residual
//! risk owned by someone) does not fail `unmitigated`. Unscored threats fail
//! only `unmitigated` / `unmitigated:any`, never a severity threshold.

use crate::analysis::Analysis;
use crate::metrics::coverage;
use crate::severity::score_text;
use crate::treatment::Calendar;
use std::fmt;
use std::str::FromStr;
use tmkit_model::Model;
use tmkit_model::cvss::Rating;

/// One `--fail-on` policy.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Policy {
    /// Open (unmitigated or partial) threats at or above a rating; None = any
    /// open threat, scored or not.
    Unmitigated(Option<Rating>),
    /// Root coverage strictly below this fraction (0..=1).
    CoverageBelow(f64),
    /// Open threats without a ticket.
    Untracked,
    /// Acceptances expired on the date.
    Expired,
    /// Acceptances expiring within this many days (None: the calendar's
    /// window), or expired.
    Expiring(Option<u32>),
    /// Mitigations past their due date.
    Overdue,
    /// Mitigations in place without evidence.
    Unevidenced,
}

/// A `--fail-on` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}

/// Parses a rating name (`none`, `low`, `medium`, `high`, `critical`), any case.
pub fn parse_rating(s: &str) -> Option<Rating> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" => Some(Rating::None),
        "low" => Some(Rating::Low),
        "medium" => Some(Rating::Medium),
        "high" => Some(Rating::High),
        "critical" => Some(Rating::Critical),
        _ => None,
    }
}

/// A policy's lower-case name and its argument (after `:`), trimmed.
pub(crate) fn split_policy(s: &str) -> (String, Option<&str>) {
    match s.split_once(':') {
        Some((n, a)) => (n.trim().to_ascii_lowercase(), Some(a.trim())),
        None => (s.trim().to_ascii_lowercase(), None),
    }
}

/// A fraction `0.8` or a percentage `80%`, within 0..=1.
pub(crate) fn parse_fraction(a: &str) -> Option<f64> {
    let (num, percent) = match a.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (a, false),
    };
    let v: f64 = num.parse().ok()?;
    let v = if percent { v / 100.0 } else { v };
    (0.0..=1.0).contains(&v).then_some(v)
}

const EXPECTED: &str = "expected `unmitigated:<none|low|medium|high|critical>`, `unmitigated`, `coverage:<0.8`, `untracked`, `expired`, `expiring:30d`, `overdue` or `unevidenced`";

impl FromStr for Policy {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (name, arg) = split_policy(s);
        match (name.as_str(), arg) {
            ("unmitigated", None | Some("any")) => Ok(Policy::Unmitigated(None)),
            ("unmitigated", Some(r)) => parse_rating(r).map(|r| Policy::Unmitigated(Some(r))).ok_or_else(|| {
                PolicyError(format!(
                    "invalid --fail-on `{s}`: unknown severity `{r}` (none, low, medium, high, critical)"
                ))
            }),
            ("coverage", Some(a)) => {
                let bad = || {
                    PolicyError(format!(
                        "invalid --fail-on `{s}`: expected a threshold such as `coverage:<0.8` or `coverage:<80%`"
                    ))
                };
                let a = a.strip_prefix('<').unwrap_or(a).trim();
                parse_fraction(a).map(Policy::CoverageBelow).ok_or_else(bad)
            }
            ("untracked", None) => Ok(Policy::Untracked),
            ("expired", None) => Ok(Policy::Expired),
            ("expiring", None) => Ok(Policy::Expiring(None)),
            ("expiring", Some(d)) => tmkit_model::date::parse_days(d)
                .map(|d| Policy::Expiring(Some(d)))
                .map_err(|e| PolicyError(format!("invalid --fail-on `{s}`: {e}"))),
            ("overdue", None) => Ok(Policy::Overdue),
            ("unevidenced", None) => Ok(Policy::Unevidenced),
            _ => Err(PolicyError(format!("invalid --fail-on `{s}`: {EXPECTED}"))),
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Unmitigated(None) => f.write_str("unmitigated"),
            Policy::Unmitigated(Some(r)) => write!(f, "unmitigated:{}", r.as_str()),
            Policy::CoverageBelow(v) => write!(f, "coverage:<{v}"),
            Policy::Untracked => f.write_str("untracked"),
            Policy::Expired => f.write_str("expired"),
            Policy::Expiring(None) => f.write_str("expiring"),
            Policy::Expiring(Some(d)) => write!(f, "expiring:{d}d"),
            Policy::Overdue => f.write_str("overdue"),
            Policy::Unevidenced => f.write_str("unevidenced"),
        }
    }
}

/// A policy that does not hold, with a message naming what fails it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Violation {
    /// The policy violated.
    pub policy: Policy,
    /// Qualified id of the offending element (threat or model).
    pub element: String,
    /// Human message.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Policy {
    /// The violations of this policy in a model (empty when it holds), the
    /// dated policies counted from today (UTC): see [`Policy::evaluate_on`].
    pub fn evaluate(&self, analysis: &Analysis, model: &Model) -> Vec<Violation> {
        let cal = Calendar::new(tmkit_model::Date::today_utc());
        self.evaluate_on(analysis, model, &cal)
    }

    /// The violations of this policy in a model, the dated policies
    /// (`expired`, `expiring`, `overdue`) counted from `cal`.
    pub fn evaluate_on(
        &self,
        analysis: &Analysis,
        model: &Model,
        cal: &Calendar,
    ) -> Vec<Violation> {
        if let Some(v) = crate::treatment::violations(*self, model, cal) {
            return v;
        }
        let title = |t: &crate::ThreatInfo| model.models[t.model].threats[t.index].title.as_str();
        let score =
            |t: &crate::ThreatInfo| score_text(t.cvss.as_ref().map(|c| c.score), t.severity);
        match *self {
            Policy::Unmitigated(min) => analysis
                .analysed_threats(model)
                .filter(|t| t.status.is_open())
                .filter(|t| match min {
                    None => true,
                    Some(min) => t.severity.is_some_and(|s| s >= min),
                })
                .map(|t| Violation {
                    policy: *self,
                    element: t.qid.to_string(),
                    message: format!("{} is {} ({}): {}", t.qid, t.status, score(t), title(t)),
                })
                .collect(),
            Policy::CoverageBelow(min) => {
                let m = analysis.metrics(model, 0);
                let Some(q) = &m.questions else {
                    return Vec::new();
                };
                // No question (no in-scope attacker or target): coverage is
                // undefined, which no coverage gate accepts.
                if q.total == 0 {
                    return vec![Violation {
                        policy: *self,
                        element: m.model.clone(),
                        message: format!(
                            "coverage of {} is undefined: it asks no question (no in-scope attacker or no in-scope target)",
                            m.model
                        ),
                    }];
                }
                // Compare the exact ratio, not the rounded coverage.
                let exact = coverage(q.answered, q.total).unwrap_or(0.0);
                if exact < min {
                    vec![Violation {
                        policy: *self,
                        element: m.model.clone(),
                        message: format!(
                            "coverage of {} is {:.1}% ({} of {} questions answered), below {:.1}%",
                            m.model,
                            exact * 100.0,
                            q.answered,
                            q.total,
                            min * 100.0
                        ),
                    }]
                } else {
                    Vec::new()
                }
            }
            Policy::Untracked => analysis
                .analysed_threats(model)
                .filter(|t| t.untracked)
                .map(|t| Violation {
                    policy: *self,
                    element: t.qid.to_string(),
                    message: format!("{} is {} and has no ticket: {}", t.qid, t.status, title(t)),
                })
                .collect(),
            Policy::Expired | Policy::Expiring(_) | Policy::Overdue | Policy::Unevidenced => {
                Vec::new()
            }
        }
    }
}

/// The violations of every policy, in policy order.
pub fn evaluate(policies: &[Policy], analysis: &Analysis, model: &Model) -> Vec<Violation> {
    policies
        .iter()
        .flat_map(|p| p.evaluate(analysis, model))
        .collect()
}
