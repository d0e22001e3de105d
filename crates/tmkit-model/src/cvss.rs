//! CVSS vectors (3.0, 3.1, 4.0): parsing, scoring and qualitative severity.
//!
//! [`score`] takes a vector string as written in a threat model, checks it
//! strictly (with messages that name the offending metric or value), then
//! parses and scores it with the RustSec [`cvss`] crate.
//!
//! # Which score
//!
//! A CVSS 3.x vector has up to three scores. tmkit reports the most specific
//! one the vector asks for, as the FIRST.org calculator would show it:
//!
//! - the **environmental** score when the vector sets an environmental metric
//!   (`CR`, `IR`, `AR`, `MAV`, `MAC`, `MPR`, `MUI`, `MS`, `MC`, `MI`, `MA`) to
//!   anything but `X`;
//! - else the **temporal** score when it sets a temporal metric (`E`, `RL`,
//!   `RC`) to anything but `X`;
//! - else the **base** score (the usual case, and what NVD publishes).
//!
//! A CVSS 4.0 vector has a single score, computed from all the metrics present
//! (CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE in the specification's nomenclature).
//! Supplemental metrics never change a score.
//!
//! The [`Rating`] is the FIRST.org qualitative severity band of that score.
//!
//! # What is accepted
//!
//! A vector starts with `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/`, followed by
//! `METRIC:VALUE` pairs separated by `/`, in any order, each metric at most
//! once, with every base metric present. Names and values are case-sensitive,
//! as in the specifications and the official calculators (`AV:N`, `U:Amber`).
//! Leading and trailing whitespace is ignored. CVSS 2 vectors are rejected.
//!
//! # Correctness
//!
//! `tests/cvss_vectors.rs` checks every vector of
//! `tests/fixtures/cvss/vectors.tsv` (all 3.0 and 3.1 base vectors, plus
//! random 3.x temporal/environmental and 4.0 vectors) against scores computed
//! by an independent implementation of the FIRST.org formulas (see
//! `tests/fixtures/cvss/generate.py`).

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A supported CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CvssVersion {
    /// CVSS 3.0 (`CVSS:3.0/`).
    V3_0,
    /// CVSS 3.1 (`CVSS:3.1/`).
    V3_1,
    /// CVSS 4.0 (`CVSS:4.0/`).
    V4_0,
}

impl CvssVersion {
    /// The version number as written in a vector prefix: `"3.0"`, `"3.1"` or `"4.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }

    fn metrics(self) -> &'static [MetricDef] {
        match self {
            CvssVersion::V3_0 | CvssVersion::V3_1 => V3_METRICS,
            CvssVersion::V4_0 => V4_METRICS,
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CvssVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Qualitative severity rating of a CVSS score (FIRST.org scale).
///
/// Ordered from least to most severe: `None < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// Score 0.0.
    None,
    /// Score 0.1 to 3.9.
    Low,
    /// Score 4.0 to 6.9.
    Medium,
    /// Score 7.0 to 8.9.
    High,
    /// Score 9.0 to 10.0.
    Critical,
}

impl Rating {
    /// Lower-case name: `"none"`, `"low"`, `"medium"`, `"high"` or `"critical"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }

    /// The FIRST.org band of a score: 0.0 none, 0.1-3.9 low, 4.0-6.9 medium,
    /// 7.0-8.9 high, 9.0-10.0 critical.
    ///
    /// The score is first rounded to one decimal (half away from zero), so
    /// 3.94 is low and 3.95 medium. Negative and NaN scores are `None`,
    /// scores above 10 `Critical`.
    pub fn from_score(score: f64) -> Rating {
        if score.is_nan() {
            return Rating::None;
        }
        let tenths = (score * 10.0).round();
        if tenths <= 0.0 {
            Rating::None
        } else if tenths < 40.0 {
            Rating::Low
        } else if tenths < 70.0 {
            Rating::Medium
        } else if tenths < 90.0 {
            Rating::High
        } else {
            Rating::Critical
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A scored CVSS vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CvssScore {
    /// CVSS version, from the vector prefix.
    pub version: CvssVersion,
    /// The vector as written (surrounding whitespace trimmed).
    pub vector: String,
    /// The score, 0.0 to 10.0 with one decimal (see the module docs for which
    /// score of a CVSS 3.x vector this is).
    pub score: f64,
    /// Qualitative rating of [`CvssScore::score`].
    pub rating: Rating,
}

/// Why a CVSS vector was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CvssError {
    /// Human-readable explanation, naming the offending part of the vector.
    pub message: String,
}

impl CvssError {
    fn new(message: impl Into<String>) -> Self {
        CvssError {
            message: message.into(),
        }
    }
}

impl fmt::Display for CvssError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CvssError {}

/// Whether a hand-written score agrees with a computed one at one decimal,
/// i.e. `|written - computed| < 0.05` (so 6.54 agrees with 6.5, 6.55 does not).
///
/// Non-finite scores never agree.
pub fn scores_agree(written: f64, computed: f64) -> bool {
    if !written.is_finite() || !computed.is_finite() {
        return false;
    }
    // Compare in tenths, with a small tolerance against binary noise, so the
    // boundary (exactly 0.05 apart) is excluded consistently.
    (written * 10.0 - computed * 10.0).abs() < 0.5 - 1e-9
}

/// Parse and score a CVSS 3.0, 3.1 or 4.0 vector.
///
/// # Errors
///
/// A [`CvssError`] when the vector is malformed: no or an unsupported
/// `CVSS:x.y/` prefix, an unknown or repeated metric, a value a metric does
/// not take, or a missing base metric. Never panics.
///
/// ```
/// use tmkit_model::cvss::{score, Rating};
/// let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
/// assert_eq!((s.score, s.rating), (9.8, Rating::Critical));
/// ```
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    let (version, metrics) = split_prefix(vector)?;
    let defined = check_metrics(version, metrics)?;

    // Belt and braces: the vector is valid by now, but a panic inside the
    // scoring library must not take tmkit down.
    let computed =
        std::panic::catch_unwind(|| compute(version, vector, &defined)).map_err(|_| {
            CvssError::new(format!(
                "internal error while scoring CVSS {} vector `{vector}`",
                version.as_str()
            ))
        })??;
    let score = (computed * 10.0).round() / 10.0;
    if !(0.0..=10.0).contains(&score) {
        return Err(CvssError::new(format!(
            "internal error: CVSS vector `{vector}` scored {score}, outside 0.0 to 10.0"
        )));
    }
    Ok(CvssScore {
        version,
        vector: vector.to_owned(),
        score,
        rating: Rating::from_score(score),
    })
}

/// The score tmkit reports for a checked vector (see the module docs).
fn compute(version: CvssVersion, vector: &str, defined: &[&MetricDef]) -> Result<f64, CvssError> {
    let from_crate = |e: cvss::Error| {
        CvssError::new(format!(
            "invalid CVSS {} vector `{vector}`: {e}",
            version.as_str()
        ))
    };
    match version {
        CvssVersion::V3_0 | CvssVersion::V3_1 => {
            let parsed = cvss::v3::Vector::from_str(vector).map_err(from_crate)?;
            let has = |group: Group| defined.iter().any(|m| m.group == group);
            let score = if has(Group::Environmental) {
                parsed.environmental_score()
            } else if has(Group::Temporal) {
                parsed.temporal_score()
            } else {
                parsed.base_score()
            };
            Ok(score.value())
        }
        CvssVersion::V4_0 => {
            let parsed = cvss::v4::Vector::from_str(vector).map_err(from_crate)?;
            Ok(parsed.score().value())
        }
    }
}

const EXPECTED_PREFIXES: &str = "`CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/`";

/// Split `CVSS:x.y/rest` into the version and `rest`.
fn split_prefix(vector: &str) -> Result<(CvssVersion, &str), CvssError> {
    if vector.is_empty() {
        return Err(CvssError::new(format!(
            "empty CVSS vector: expected a vector starting with {EXPECTED_PREFIXES}"
        )));
    }
    let (head, rest) = match vector.split_once('/') {
        Some((head, rest)) => (head, Some(rest)),
        None => (vector, None),
    };
    let version = match head {
        "CVSS:3.0" => Some(CvssVersion::V3_0),
        "CVSS:3.1" => Some(CvssVersion::V3_1),
        "CVSS:4.0" => Some(CvssVersion::V4_0),
        _ => None,
    };
    let Some(version) = version else {
        return Err(CvssError::new(bad_prefix(head)));
    };
    match rest {
        Some(rest) if !rest.is_empty() => Ok((version, rest)),
        _ => Err(CvssError::new(format!(
            "CVSS {} vector `{vector}` has no metrics: expected `{head}/` followed by \
             METRIC:VALUE pairs separated by `/`, such as `{}`",
            version.as_str(),
            example(version)
        ))),
    }
}

/// Message for a first component that is not a supported prefix.
fn bad_prefix(head: &str) -> String {
    let shown = shorten(head);
    if let Some((name, version)) = head.split_once(':') {
        if name.eq_ignore_ascii_case("CVSS") {
            let upper = format!("CVSS:{version}");
            if matches!(version, "3.0" | "3.1" | "4.0") {
                return format!("the vector prefix must be written `{upper}/`, not `{shown}/`");
            }
            let version = shorten(version);
            if version.starts_with('2') {
                return format!(
                    "CVSS version {version} is not supported: expected a vector starting with \
                     {EXPECTED_PREFIXES}"
                );
            }
            return format!(
                "unsupported CVSS version `{version}`: expected a vector starting with \
                 {EXPECTED_PREFIXES}"
            );
        }
        if is_metric_name(name) {
            return format!(
                "missing version prefix: a CVSS vector starts with {EXPECTED_PREFIXES} \
                 (found `{shown}` first; CVSS 2 vectors without a prefix are not supported)"
            );
        }
    }
    format!("expected a CVSS vector starting with {EXPECTED_PREFIXES}, found `{shown}`")
}

fn is_metric_name(name: &str) -> bool {
    [V3_METRICS, V4_METRICS, V2_ONLY_METRICS]
        .iter()
        .any(|table| table.iter().any(|m| m.name.eq_ignore_ascii_case(name)))
}

/// Check the `METRIC:VALUE` list strictly; returns the metrics set to
/// something other than `X`.
fn check_metrics(
    version: CvssVersion,
    metrics: &str,
) -> Result<Vec<&'static MetricDef>, CvssError> {
    let table = version.metrics();
    let v = version.as_str();
    let mut seen: Vec<&'static MetricDef> = Vec::new();
    let mut defined = Vec::new();
    for component in metrics.split('/') {
        if component.is_empty() {
            return Err(CvssError::new(format!(
                "empty metric in CVSS {v} vector (a doubled or trailing `/`)"
            )));
        }
        let Some((name, value)) = component.split_once(':') else {
            return Err(CvssError::new(format!(
                "`{}` in CVSS {v} vector is not of the form METRIC:VALUE (such as `AV:N`)",
                shorten(component)
            )));
        };
        let metric = lookup_metric(version, table, name)?;
        if seen.iter().any(|m| m.name == metric.name) {
            return Err(CvssError::new(format!(
                "metric {} ({}) appears more than once in CVSS {v} vector",
                metric.name, metric.description
            )));
        }
        seen.push(metric);
        if !metric.values.contains(&value) {
            let expected = metric.values.join(", ");
            let hint = match metric
                .values
                .iter()
                .find(|allowed| allowed.eq_ignore_ascii_case(value))
            {
                Some(allowed) => format!(" (values are case-sensitive: write `{allowed}`)"),
                None => String::new(),
            };
            return Err(CvssError::new(format!(
                "invalid value `{}` for metric {} ({}) in CVSS {v} vector: expected one of \
                 {expected}{hint}",
                shorten(value),
                metric.name,
                metric.description
            )));
        }
        if value != "X" && metric.group != Group::Supplemental {
            defined.push(metric);
        }
    }
    let missing: Vec<String> = table
        .iter()
        .filter(|m| m.group == Group::Base && !seen.iter().any(|s| s.name == m.name))
        .map(|m| format!("{} ({})", m.name, m.description))
        .collect();
    if !missing.is_empty() {
        let s = if missing.len() == 1 { "" } else { "s" };
        return Err(CvssError::new(format!(
            "CVSS {v} vector is missing base metric{s} {}",
            missing.join(", ")
        )));
    }
    Ok(defined)
}

fn lookup_metric(
    version: CvssVersion,
    table: &'static [MetricDef],
    name: &str,
) -> Result<&'static MetricDef, CvssError> {
    if let Some(metric) = table.iter().find(|m| m.name == name) {
        return Ok(metric);
    }
    let v = version.as_str();
    let shown = shorten(name);
    if let Some(metric) = table.iter().find(|m| m.name.eq_ignore_ascii_case(name)) {
        return Err(CvssError::new(format!(
            "unknown metric `{shown}` in CVSS {v} vector (metric names are case-sensitive: \
             write `{}`)",
            metric.name
        )));
    }
    let (other_table, other) = match version {
        CvssVersion::V4_0 => (V3_METRICS, "3.x"),
        _ => (V4_METRICS, "4.0"),
    };
    let names = table.iter().map(|m| m.name).collect::<Vec<_>>().join(", ");
    if other_table.iter().any(|m| m.name == name) {
        return Err(CvssError::new(format!(
            "`{shown}` is a CVSS {other} metric, not a CVSS {v} one: check the `CVSS:{v}/` \
             prefix (CVSS {v} metrics are {names})"
        )));
    }
    Err(CvssError::new(format!(
        "unknown metric `{shown}` in CVSS {v} vector: CVSS {v} metrics are {names}"
    )))
}

fn example(version: CvssVersion) -> &'static str {
    match version {
        CvssVersion::V3_0 => "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssVersion::V3_1 => "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssVersion::V4_0 => "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    }
}

/// Quote at most 40 characters of user input in a message.
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Base,
    /// CVSS 3.x temporal metrics and the CVSS 4.0 threat metric.
    Temporal,
    Environmental,
    /// CVSS 4.0 supplemental metrics (never change the score).
    Supplemental,
}

#[derive(Debug)]
struct MetricDef {
    name: &'static str,
    description: &'static str,
    group: Group,
    values: &'static [&'static str],
}

const fn m(
    name: &'static str,
    description: &'static str,
    group: Group,
    values: &'static [&'static str],
) -> MetricDef {
    MetricDef {
        name,
        description,
        group,
        values,
    }
}

// Metrics defined alike in CVSS 3.x and 4.0.
const AV: MetricDef = m("AV", "Attack Vector", Group::Base, &["N", "A", "L", "P"]);
const AC: MetricDef = m("AC", "Attack Complexity", Group::Base, &["L", "H"]);
const PR: MetricDef = m("PR", "Privileges Required", Group::Base, &["N", "L", "H"]);
const CR: MetricDef = m(
    "CR",
    "Confidentiality Requirement",
    Group::Environmental,
    &["X", "H", "M", "L"],
);
const IR: MetricDef = m(
    "IR",
    "Integrity Requirement",
    Group::Environmental,
    &["X", "H", "M", "L"],
);
const AR: MetricDef = m(
    "AR",
    "Availability Requirement",
    Group::Environmental,
    &["X", "H", "M", "L"],
);
const MAV: MetricDef = m(
    "MAV",
    "Modified Attack Vector",
    Group::Environmental,
    &["X", "N", "A", "L", "P"],
);
const MAC: MetricDef = m(
    "MAC",
    "Modified Attack Complexity",
    Group::Environmental,
    &["X", "L", "H"],
);
const MPR: MetricDef = m(
    "MPR",
    "Modified Privileges Required",
    Group::Environmental,
    &["X", "N", "L", "H"],
);

/// CVSS 3.0 and 3.1 metrics (the two versions share metrics and values).
static V3_METRICS: &[MetricDef] = &[
    AV,
    AC,
    PR,
    m("UI", "User Interaction", Group::Base, &["N", "R"]),
    m("S", "Scope", Group::Base, &["U", "C"]),
    m("C", "Confidentiality", Group::Base, &["H", "L", "N"]),
    m("I", "Integrity", Group::Base, &["H", "L", "N"]),
    m("A", "Availability", Group::Base, &["H", "L", "N"]),
    m(
        "E",
        "Exploit Code Maturity",
        Group::Temporal,
        &["X", "H", "F", "P", "U"],
    ),
    m(
        "RL",
        "Remediation Level",
        Group::Temporal,
        &["X", "U", "W", "T", "O"],
    ),
    m(
        "RC",
        "Report Confidence",
        Group::Temporal,
        &["X", "C", "R", "U"],
    ),
    CR,
    IR,
    AR,
    MAV,
    MAC,
    MPR,
    m(
        "MUI",
        "Modified User Interaction",
        Group::Environmental,
        &["X", "N", "R"],
    ),
    m(
        "MS",
        "Modified Scope",
        Group::Environmental,
        &["X", "U", "C"],
    ),
    m(
        "MC",
        "Modified Confidentiality",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MI",
        "Modified Integrity",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MA",
        "Modified Availability",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
];

/// CVSS 4.0 metrics.
static V4_METRICS: &[MetricDef] = &[
    AV,
    AC,
    m("AT", "Attack Requirements", Group::Base, &["N", "P"]),
    PR,
    m("UI", "User Interaction", Group::Base, &["N", "P", "A"]),
    m(
        "VC",
        "Vulnerable System Confidentiality",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "VI",
        "Vulnerable System Integrity",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "VA",
        "Vulnerable System Availability",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "SC",
        "Subsequent System Confidentiality",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "SI",
        "Subsequent System Integrity",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "SA",
        "Subsequent System Availability",
        Group::Base,
        &["H", "L", "N"],
    ),
    m(
        "E",
        "Exploit Maturity",
        Group::Temporal,
        &["X", "A", "P", "U"],
    ),
    CR,
    IR,
    AR,
    MAV,
    MAC,
    m(
        "MAT",
        "Modified Attack Requirements",
        Group::Environmental,
        &["X", "N", "P"],
    ),
    MPR,
    m(
        "MUI",
        "Modified User Interaction",
        Group::Environmental,
        &["X", "N", "P", "A"],
    ),
    m(
        "MVC",
        "Modified Vulnerable System Confidentiality",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MVI",
        "Modified Vulnerable System Integrity",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MVA",
        "Modified Vulnerable System Availability",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MSC",
        "Modified Subsequent System Confidentiality",
        Group::Environmental,
        &["X", "H", "L", "N"],
    ),
    m(
        "MSI",
        "Modified Subsequent System Integrity",
        Group::Environmental,
        &["X", "S", "H", "L", "N"],
    ),
    m(
        "MSA",
        "Modified Subsequent System Availability",
        Group::Environmental,
        &["X", "S", "H", "L", "N"],
    ),
    m("S", "Safety", Group::Supplemental, &["X", "N", "P"]),
    m("AU", "Automatable", Group::Supplemental, &["X", "N", "Y"]),
    m("R", "Recovery", Group::Supplemental, &["X", "A", "U", "I"]),
    m("V", "Value Density", Group::Supplemental, &["X", "D", "C"]),
    m(
        "RE",
        "Vulnerability Response Effort",
        Group::Supplemental,
        &["X", "L", "M", "H"],
    ),
    m(
        "U",
        "Provider Urgency",
        Group::Supplemental,
        &["X", "Clear", "Green", "Amber", "Red"],
    ),
];

/// CVSS 2 metric names that CVSS 3/4 lack, only to recognise a CVSS 2
/// vector (which has no prefix) in error messages.
static V2_ONLY_METRICS: &[MetricDef] = &[
    m("Au", "Authentication", Group::Base, &[]),
    m(
        "CDP",
        "Collateral Damage Potential",
        Group::Environmental,
        &[],
    ),
    m("TD", "Target Distribution", Group::Environmental, &[]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric value of the tables parses with the `cvss` crate, so the
    /// strict pre-check never rejects what the crate would score.
    #[test]
    fn tables_agree_with_the_crate() {
        for (prefix, table) in [("CVSS:3.1", V3_METRICS), ("CVSS:4.0", V4_METRICS)] {
            for metric in table {
                for value in metric.values {
                    let mut parts = vec![prefix.to_owned()];
                    for base in table.iter().filter(|b| b.group == Group::Base) {
                        let v = if base.name == metric.name {
                            value
                        } else {
                            base.values[0]
                        };
                        parts.push(format!("{}:{v}", base.name));
                    }
                    if metric.group != Group::Base {
                        parts.push(format!("{}:{value}", metric.name));
                    }
                    let vector = parts.join("/");
                    assert!(
                        vector.parse::<cvss::Cvss>().is_ok(),
                        "crate rejects {vector}"
                    );
                    assert!(score(&vector).is_ok(), "tmkit rejects {vector}");
                }
            }
        }
    }

    #[test]
    fn rating_bands() {
        assert_eq!(Rating::from_score(0.0), Rating::None);
        assert_eq!(Rating::from_score(0.1), Rating::Low);
        assert_eq!(Rating::from_score(3.9), Rating::Low);
        assert_eq!(Rating::from_score(3.95), Rating::Medium);
        assert_eq!(Rating::from_score(4.0), Rating::Medium);
        assert_eq!(Rating::from_score(6.9), Rating::Medium);
        assert_eq!(Rating::from_score(7.0), Rating::High);
        assert_eq!(Rating::from_score(8.9), Rating::High);
        assert_eq!(Rating::from_score(9.0), Rating::Critical);
        assert_eq!(Rating::from_score(10.0), Rating::Critical);
        assert_eq!(Rating::from_score(-1.0), Rating::None);
        assert_eq!(Rating::from_score(f64::NAN), Rating::None);
    }
}
