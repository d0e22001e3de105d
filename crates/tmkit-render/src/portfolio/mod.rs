//! The portfolio: many models on one static site (`tmkit portfolio`).
//!
//! Every model enters as the JSON report of one of its views (see
//! [`crate::json`]): a report file written by another repository's CI is
//! read by [`read_report`], and a model folder is rendered to its JSON report
//! in memory and read back the same way, so that both kinds of input give
//! exactly the same row. Only the keys the site shows are read; the layout
//! version (`tmkit_report`, `tmkit_report_minor`) is checked first
//! ([`check_version`]).
//!
//! The site itself (`site.rs`) is an index page and one page per model,
//! every user string through [`escape_html`](crate::escape::escape_html).

mod site;

pub use site::{PageKind, SiteEntry, index_html, summary_html};

use serde::Deserialize;
use std::fmt;

/// The oldest major layout version of the JSON report this reader
/// understands: the keys read below have had their meaning since then.
const OLDEST_MAJOR: u64 = 3;

/// What one model contributes to the portfolio: a row of the index, and
/// the threats of its summary page.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Qualified id of the root model.
    pub id: String,
    /// Title of the root model.
    pub title: String,
    /// Version of the root model.
    pub version: Option<String>,
    /// The report's view (`full`, `unmitigated`, `public`, `checklist`).
    pub view: String,
    /// The report's date (`--date` or `SOURCE_DATE_EPOCH` where it was made).
    pub date: Option<String>,
    /// Coverage (answered / total questions); None in views without the analysis.
    pub coverage: Option<f64>,
    /// Open threats (unmitigated or partial) listed by the view, per
    /// severity: critical, high, medium, low, none, unscored.
    pub open: [usize; 6],
    /// Open threats tracked by no ticket.
    pub untracked: usize,
    /// Expired and expiring risk acceptances and overdue mitigations, when
    /// the report counts them (`metrics.deadlines`, on the report's date).
    pub deadlines: Option<Deadlines>,
    /// The report's metrics, for the summary page.
    pub metrics: MetricsIn,
    /// The threats the view lists, in report order.
    pub threats: Vec<ThreatRow>,
}

/// `metrics.deadlines`: risk acceptances past or near their expiry date,
/// mitigations past their due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Deadlines {
    /// Acceptances expired.
    pub expired: usize,
    /// Acceptances expiring within `window_days`.
    pub expiring: usize,
    /// Mitigations not in place past their due date.
    pub overdue: usize,
    /// The window of `expiring`, in days.
    pub window_days: u32,
}

/// A threat as the summary page lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ThreatRow {
    /// Qualified id.
    pub qid: String,
    /// Title.
    pub title: String,
    /// Derived status.
    pub status: String,
    /// Derived severity; None = unscored.
    pub severity: Option<String>,
    /// CVSS score.
    pub score: Option<f64>,
    /// Open and tracked by no ticket.
    #[serde(default)]
    pub untracked: bool,
}

/// The part of the report's `metrics` the portfolio shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct MetricsIn {
    /// Questions and coverage (null without the analysis).
    pub questions: Option<QuestionsIn>,
    /// Threats by status and severity.
    pub threats: ThreatsIn,
    /// Mitigations.
    pub mitigations: MitigationsIn,
    /// Boundary crossings.
    pub boundary_crossings: CrossingsIn,
    /// Open threats without a ticket.
    pub untracked_unmitigated: usize,
    /// Deadlines (layout 3.1; null when the report was made without a date).
    #[serde(default)]
    pub deadlines: Option<Deadlines>,
}

/// `metrics.questions`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct QuestionsIn {
    pub total: usize,
    pub answered: usize,
    pub open: usize,
    pub coverage: Option<f64>,
}

/// `metrics.threats`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct ThreatsIn {
    pub total: usize,
    pub mitigated: usize,
    pub partial: usize,
    pub accepted: usize,
    pub unmitigated: usize,
}

/// `metrics.mitigations`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct MitigationsIn {
    pub total: usize,
    pub in_place: usize,
}

/// `metrics.boundary_crossings`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[allow(missing_docs)]
pub struct CrossingsIn {
    pub total: usize,
    pub unanswered: Option<usize>,
}

/// Why a report cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Not JSON, or not the report's layout (serde's message, with line and column).
    Invalid(String),
    /// No `tmkit_report` key: not a JSON report.
    NotAReport,
    /// A layout version this reader does not understand.
    Version {
        /// The version the file declares, as written.
        found: String,
        /// The newest version this reader understands.
        supported: String,
        /// True when the file's version is newer than the reader's.
        newer: bool,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Invalid(m) => write!(f, "not a valid tmkit JSON report: {m}"),
            ReadError::NotAReport => {
                f.write_str("not a tmkit JSON report (it has no `tmkit_report` key)")
            }
            ReadError::Version {
                found,
                supported,
                newer: true,
            } => write!(
                f,
                "report layout version {found} is newer than this tmkit reads ({}): upgrade tmkit",
                readable(supported)
            ),
            ReadError::Version {
                found, supported, ..
            } => write!(
                f,
                "report layout version {found} is not one this tmkit reads ({}): \
                 regenerate the report with `tmkit report --format json`",
                readable(supported)
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// The versions read, in words: `version 3`, `versions 3 to 3.1`.
fn readable(supported: &str) -> String {
    if supported == OLDEST_MAJOR.to_string() {
        format!("version {supported}")
    } else {
        format!("versions {OLDEST_MAJOR} to {supported}")
    }
}

/// A layout version `MAJOR[.MINOR]` (`3`, `3.1`, `"3.1"`), None if it is
/// anything else.
fn parse_version(s: &str) -> Option<(u64, u64)> {
    let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The version the report layout has today: [`crate::json::REPORT_VERSION`]
/// and [`crate::json::REPORT_MINOR`].
fn current_version() -> String {
    format!(
        "{}.{}",
        crate::json::REPORT_VERSION,
        crate::json::REPORT_MINOR
    )
}

/// A version key's value as written (`3`, `"3.1"`, `3.1`).
fn version_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks a report's version: its `tmkit_report` key (the major, or
/// `MAJOR.MINOR`) and its `tmkit_report_minor` key (absent: minor 0).
/// Accepted when it is a version from [`OLDEST_MAJOR`] up to the current
/// one: the same major and at most its minor, or an older major this
/// reader understands.
pub fn check_version(
    major: &serde_json::Value,
    minor: Option<&serde_json::Value>,
) -> Result<(), ReadError> {
    let mut found = version_text(major);
    if let Some(minor) = minor.filter(|_| !found.contains('.')) {
        found = format!("{found}.{}", version_text(minor));
    }
    let supported = current_version();
    let current = parse_version(&supported).unwrap_or((u64::MAX, u64::MAX));
    match parse_version(&found) {
        Some(v) if v.0 >= OLDEST_MAJOR && v <= current => Ok(()),
        v => Err(ReadError::Version {
            newer: v.is_some_and(|v| v > current),
            found,
            supported,
        }),
    }
}

#[derive(Deserialize)]
struct Probe {
    tmkit_report: Option<serde_json::Value>,
    tmkit_report_minor: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ReportIn {
    view: String,
    date: Option<String>,
    root: String,
    models: Vec<ModelIn>,
    threats: Vec<String>,
    metrics: MetricsIn,
}

#[derive(Deserialize)]
struct ModelIn {
    qid: String,
    title: String,
    version: Option<String>,
    #[serde(default)]
    threats: Vec<ThreatRow>,
}

/// Reads a JSON report (the output of `tmkit report --format json`): its
/// version first, then the keys the portfolio shows.
pub fn read_report(bytes: &[u8]) -> Result<Summary, ReadError> {
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| ReadError::Invalid(e.to_string()))?;
    let major = probe.tmkit_report.as_ref().ok_or(ReadError::NotAReport)?;
    check_version(major, probe.tmkit_report_minor.as_ref())?;
    let report: ReportIn =
        serde_json::from_slice(bytes).map_err(|e| ReadError::Invalid(e.to_string()))?;
    Ok(summarise(report))
}

/// The row of a report: the open threats the view lists, by severity.
fn summarise(report: ReportIn) -> Summary {
    let ReportIn {
        view,
        date,
        root,
        models,
        threats: listed,
        metrics,
    } = report;
    let (mut title, mut version) = (String::new(), None);
    let mut by_qid = std::collections::HashMap::new();
    for m in models {
        if m.qid == root {
            title = m.title;
            version = m.version;
        }
        by_qid.extend(m.threats.into_iter().map(|t| (t.qid.clone(), t)));
    }
    let threats: Vec<ThreatRow> = listed.iter().filter_map(|q| by_qid.remove(q)).collect();
    let mut open = [0; 6];
    for t in threats.iter().filter(|t| is_open(&t.status)) {
        open[severity_index(t.severity.as_deref())] += 1;
    }
    Summary {
        id: root,
        title,
        version,
        view,
        date,
        coverage: metrics.questions.as_ref().and_then(|q| q.coverage),
        open,
        untracked: metrics.untracked_unmitigated,
        deadlines: metrics.deadlines,
        metrics,
        threats,
    }
}

/// Open work, as the `--fail-on unmitigated` gate counts it.
fn is_open(status: &str) -> bool {
    matches!(status, "unmitigated" | "partial")
}

/// The severity names, worst first, as [`Summary::open`] is indexed.
pub const SEVERITY_KEYS: [&str; 6] = ["critical", "high", "medium", "low", "none", "unscored"];

fn severity_index(s: Option<&str>) -> usize {
    let key = s.unwrap_or("unscored");
    SEVERITY_KEYS
        .iter()
        .position(|k| *k == key)
        .unwrap_or(SEVERITY_KEYS.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_up_to_the_current_one_are_read() {
        let current = current_version();
        let (major, minor) = parse_version(&current).expect("the constants are a version");
        assert!(OLDEST_MAJOR <= major);
        let ok = |major: serde_json::Value, minor: Option<serde_json::Value>| {
            check_version(&major, minor.as_ref())
        };
        for (m, n) in [
            (json!(major), None),
            (json!(major), Some(json!(minor))),
            (json!(major), Some(json!(0))),
            (json!(major.to_string()), None),
            (json!(format!("{major}.{minor}")), None),
            (json!(format!("{major}.0")), Some(json!(minor))),
            (json!(OLDEST_MAJOR), None),
        ] {
            assert_eq!(ok(m.clone(), n.clone()), Ok(()), "{m} {n:?}");
        }
        for (m, n, newer) in [
            (json!(major + 1), None, true),
            (json!(major), Some(json!(minor + 1)), true),
            (json!(format!("{major}.{}", minor + 1)), None, true),
            (json!(format!("{}.0", major + 1)), None, true),
            (json!(OLDEST_MAJOR - 1), None, false),
            (json!("three"), None, false),
            (json!(major), Some(json!("x")), false),
            (json!(null), None, false),
            (json!("3."), None, false),
            (json!(-3), None, false),
        ] {
            match ok(m.clone(), n.clone()) {
                Err(ReadError::Version { newer: x, .. }) => assert_eq!(x, newer, "{m} {n:?}"),
                other => panic!("{m} {n:?}: {other:?}"),
            }
        }
        assert_eq!(parse_version("3.1"), Some((3, 1)));
        assert_eq!(parse_version("3"), Some((3, 0)));
        assert_eq!(parse_version("3.1.2"), None);
        assert_eq!(parse_version("3.1e2"), None);
    }

    #[test]
    fn a_json_number_with_a_minor_version_is_read_as_written() {
        // `3.1` as a JSON number prints as written, so it compares as (3, 1).
        let v: serde_json::Value = serde_json::from_str("3.1").expect("json");
        assert_eq!(parse_version(&v.to_string()), Some((3, 1)));
    }
}
