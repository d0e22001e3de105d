//! The `--fail-on` gates of `tmkit diff` (docs/history.md#gates).
//!
//! | policy | fails when |
//! |---|---|
//! | `new-unmitigated:SEVERITY` | a threat open (unmitigated or partial) at head, rated SEVERITY or worse, was not so at base (added, reopened, or its rating rose into the band) |
//! | `coverage-drop:X` (a fraction `0.05` or a percentage `5%`) | the root's coverage fell by more than X |
//! | `new-unanswered-crossing` | a crossing has an exposed category unanswered that was not at base |

use super::PostureDiff;
use crate::gate::{PolicyError, parse_fraction, parse_rating, split_policy};
use crate::status::Status;
use std::fmt;
use std::str::FromStr;
use tmkit_model::cvss::Rating;

/// One `--fail-on` policy of `tmkit diff`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum DiffPolicy {
    /// A threat newly open at or above a rating.
    NewUnmitigated(Rating),
    /// The root's coverage fell by more than this fraction.
    CoverageDrop(f64),
    /// A crossing newly unanswered.
    NewUnansweredCrossing,
}

const EXPECTED: &str = "expected `new-unmitigated:<none|low|medium|high|critical>`, `coverage-drop:0.05` or `new-unanswered-crossing`";

impl FromStr for DiffPolicy {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (name, arg) = split_policy(s);
        let bad = |what: &str| PolicyError(format!("invalid --fail-on `{s}`: {what}"));
        match (name.as_str(), arg) {
            ("new-unmitigated", Some(r)) => parse_rating(r)
                .map(DiffPolicy::NewUnmitigated)
                .ok_or_else(|| {
                    bad(&format!(
                        "unknown severity `{r}` (none, low, medium, high, critical)"
                    ))
                }),
            ("coverage-drop", Some(a)) => parse_fraction(a)
                .map(DiffPolicy::CoverageDrop)
                .ok_or_else(|| {
                    bad("expected a drop such as `coverage-drop:0.05` or `coverage-drop:5%`")
                }),
            ("new-unanswered-crossing", None) => Ok(DiffPolicy::NewUnansweredCrossing),
            _ => Err(bad(EXPECTED)),
        }
    }
}

impl fmt::Display for DiffPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiffPolicy::NewUnmitigated(r) => write!(f, "new-unmitigated:{}", r.as_str()),
            DiffPolicy::CoverageDrop(v) => write!(f, "coverage-drop:{v}"),
            DiffPolicy::NewUnansweredCrossing => f.write_str("new-unanswered-crossing"),
        }
    }
}

/// At or above `min`, and open.
fn open_at_least(state: (Status, Option<Rating>), min: Rating) -> bool {
    state.0.is_open() && state.1.is_some_and(|r| r >= min)
}

impl DiffPolicy {
    /// The violations of this policy in a diff, as (qualified id of the
    /// offending element, message); empty when it holds.
    pub fn evaluate(&self, diff: &PostureDiff) -> Vec<(String, String)> {
        match *self {
            DiffPolicy::NewUnmitigated(min) => {
                let added = diff
                    .threats
                    .added
                    .iter()
                    .filter(|t| open_at_least(t.state, min));
                let added = added.map(|t| {
                    let msg = format!(
                        "{} is new and {} ({}): {}",
                        t.id,
                        t.status,
                        sev_text(t.severity.as_deref()),
                        t.title
                    );
                    (t.id.clone(), msg)
                });
                let changed = diff
                    .threats
                    .changed
                    .iter()
                    .filter(|c| open_at_least(c.states[1], min) && !open_at_least(c.states[0], min))
                    .map(|c| {
                        let (st, sev) = c.states[1];
                        let msg = format!(
                            "{} is now {st} ({}): {}",
                            c.id,
                            sev_text(sev.map(|r| r.as_str())),
                            c.title
                        );
                        (c.id.clone(), msg)
                    });
                added.chain(changed).collect()
            }
            DiffPolicy::CoverageDrop(max) => {
                let (Some(base), head) = diff.coverage.exact else {
                    return Vec::new();
                };
                let Some(head) = head else {
                    let model = diff.metrics.head.model.clone();
                    let msg = format!(
                        "coverage of {model} fell from {:.1}% to undefined: it asks no question any more",
                        base * 100.0
                    );
                    return vec![(model, msg)];
                };
                if base - head > max {
                    let model = diff.metrics.head.model.clone();
                    let msg = format!(
                        "coverage of {model} fell from {:.1}% to {:.1}%, more than {:.1} points",
                        base * 100.0,
                        head * 100.0,
                        max * 100.0
                    );
                    vec![(model, msg)]
                } else {
                    Vec::new()
                }
            }
            DiffPolicy::NewUnansweredCrossing => diff
                .crossings
                .newly_unanswered
                .iter()
                .map(|c| {
                    let msg = format!(
                        "{} crosses a trust boundary and leaves {} unanswered",
                        c.flow,
                        c.categories.join(", ")
                    );
                    (c.flow.clone(), msg)
                })
                .collect(),
        }
    }
}

fn sev_text(s: Option<&str>) -> &str {
    s.unwrap_or("unscored")
}
