//! The numbers of one revision of a model, a row of `tmkit history`
//! (docs/history.md#tmkit-history).

use crate::Analysis;
use crate::metrics::SeverityCounts;
use crate::severity::severity_rank;
use schemars::JsonSchema;
use serde::Serialize;
use tmkit_model::Model;

/// The numbers of a model at one revision: the same as `tmkit metrics`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Snapshot {
    /// The root's rolled-up coverage (4 decimals).
    pub coverage: Option<f64>,
    /// Questions not answered yet.
    pub open_questions: usize,
    /// Threats by status.
    pub threats: StatusCounts,
    /// All threats per CVSS rating.
    pub by_severity: SeverityCounts,
    /// Open threats (unmitigated or partial) per CVSS rating.
    pub open_by_severity: SeverityCounts,
    /// Open threats with no ticket.
    pub untracked_unmitigated: usize,
    /// In-scope flows crossing a trust boundary with an exposed category unanswered.
    pub crossings_unanswered: usize,
}

/// Threats by status.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct StatusCounts {
    /// All threats.
    pub total: usize,
    /// Mitigated.
    pub mitigated: usize,
    /// Accepted.
    pub accepted: usize,
    /// Partial.
    pub partial: usize,
    /// Unmitigated.
    pub unmitigated: usize,
}

impl Snapshot {
    /// The numbers of an analysed model.
    pub fn new(model: &Model, analysis: &Analysis) -> Snapshot {
        let m = analysis.metrics(model, 0);
        let mut open = [0usize; 6];
        for t in analysis
            .analysed_threats(model)
            .filter(|t| t.status.is_open())
        {
            open[usize::from(severity_rank(t.severity))] += 1;
        }
        let q = m.questions.as_ref();
        Snapshot {
            coverage: q.and_then(|q| q.coverage),
            open_questions: q.map_or(0, |q| q.open),
            threats: StatusCounts {
                total: m.threats.total,
                mitigated: m.threats.mitigated,
                accepted: m.threats.accepted,
                partial: m.threats.partial,
                unmitigated: m.threats.unmitigated,
            },
            by_severity: m.threats.by_severity.clone(),
            open_by_severity: SeverityCounts::from_ranks(open),
            untracked_unmitigated: m.untracked_unmitigated,
            crossings_unanswered: m.boundary_crossings.unanswered.unwrap_or(0),
        }
    }
}

/// One commit that changed the model.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HistoryRow {
    /// The commit id (full hexadecimal).
    pub commit: String,
    /// Author date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Author name.
    pub author: String,
    /// The numbers; null when the model does not check at this commit.
    pub metrics: Option<Snapshot>,
}

/// The rows of `tmkit history`, oldest first: the object of `tmkit history
/// --format json` (its schema: `tmkit schema history`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "tmkit history")]
pub struct History {
    /// The model's path relative to the repository root.
    pub path: String,
    /// One row per commit that changed a file of the model.
    pub rows: Vec<HistoryRow>,
    /// Files taken from the parse cache instead of being parsed again.
    #[serde(skip)]
    #[schemars(skip)]
    pub cache_hits: usize,
}
