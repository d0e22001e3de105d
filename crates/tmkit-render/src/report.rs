//! `tmkit report`: the registry of report formats and what they share.
//!
//! A report is a pure function of a [`View`] (computed once by
//! `tmkit_analysis::views`) and [`ReportOptions`]: the same input gives
//! byte-identical output. Renderers never decide what is visible.

use crate::{html, json, markdown};
use tmkit_analysis::views::View;
use tmkit_analysis::{Rating, Status};

/// A text format of `tmkit report` (the PDF report, being binary, has its
/// own entry points: [`crate::pdf::render`] and [`crate::pdf::write`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportFormat {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML file.
    Html,
    /// The resolved model and every derived value (see [`json::schema`]).
    Json,
}

impl ReportFormat {
    /// Every format.
    pub const ALL: [ReportFormat; 3] = [
        ReportFormat::Markdown,
        ReportFormat::Html,
        ReportFormat::Json,
    ];

    /// The command-line name (`md`, `html`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }

    /// Parses `md`/`markdown`, `html`, `json` (case-insensitive).
    pub fn parse(s: &str) -> Option<ReportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "html" | "htm" => Some(ReportFormat::Html),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
}

/// Options shared by every report format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// The date printed on the report (`YYYY-MM-DD`); None prints no date, so
    /// that reruns are byte-identical.
    pub date: Option<String>,
}

impl ReportOptions {
    /// Options with no date.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`ReportOptions::date`].
    pub fn with_date(mut self, date: Option<String>) -> Self {
        self.date = date;
        self
    }
}

/// Renders a view in a format.
pub fn render(view: &View, format: ReportFormat, options: &ReportOptions) -> String {
    match format {
        ReportFormat::Markdown => markdown::render(view, options),
        ReportFormat::Html => html::render(view, options),
        ReportFormat::Json => json::render(view, options),
    }
}

/// Writes a view in a format to `out` (which should be buffered): the same
/// bytes as [`render`], written as they are produced.
pub fn write(
    view: &View,
    format: ReportFormat,
    options: &ReportOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Markdown => markdown::write(view, options, out),
        ReportFormat::Html => html::write(view, options, out),
        ReportFormat::Json => json::write_report(view, options, out),
    }
}

/// The calendar date (`YYYY-MM-DD`, UTC) of a Unix timestamp, as given in
/// `SOURCE_DATE_EPOCH`. None when it is not a plausible number of seconds.
pub fn date_from_epoch(epoch: &str) -> Option<String> {
    let secs: i64 = epoch.trim().parse().ok()?;
    if !(0..=253_402_300_799).contains(&secs) {
        return None;
    }
    tmkit_syntax::date::Date::from_unix_seconds(secs).map(|d| d.to_string())
}

/// Checks that `s` is a real calendar date written `YYYY-MM-DD` (what
/// `--date` accepts): month 01-12, day within the month, 29 February only in
/// leap years. The error says what is wrong.
pub fn check_date(s: &str) -> Result<(), String> {
    tmkit_syntax::date::Date::parse(s).map(|_| ())
}

/// The threats (of the view, in report order) using each mitigation.
pub(crate) fn mitigation_users(view: &View) -> std::collections::HashMap<&str, Vec<&str>> {
    let mut users: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for t in &view.threats {
        for m in &t.mitigations {
            users
                .entry(m.qid.as_str())
                .or_default()
                .push(t.qid.as_str());
        }
    }
    users
}

pub(crate) fn severity_label(s: Option<Rating>) -> &'static str {
    match s {
        Some(Rating::Critical) => "Critical",
        Some(Rating::High) => "High",
        Some(Rating::Medium) => "Medium",
        Some(Rating::Low) => "Low",
        Some(Rating::None) => "None",
        None => "Unscored",
    }
}

pub(crate) fn severity_key(s: Option<Rating>) -> &'static str {
    match s {
        Some(r) => r.as_str(),
        None => "unscored",
    }
}

/// Severity groups, worst first.
pub(crate) const SEVERITIES: [Option<Rating>; 6] = [
    Some(Rating::Critical),
    Some(Rating::High),
    Some(Rating::Medium),
    Some(Rating::Low),
    Some(Rating::None),
    None,
];

pub(crate) fn status_label(s: Status) -> &'static str {
    match s {
        Status::Mitigated => "Mitigated",
        Status::Accepted => "Accepted",
        Status::Partial => "Partial",
        Status::Unmitigated => "Unmitigated",
        _ => "Unknown",
    }
}

/// A coverage as `13.3%`, or `n/a` when it is undefined (no question).
pub(crate) fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |x| format!("{:.1}%", x * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_to_date() {
        assert_eq!(date_from_epoch("0").as_deref(), Some("1970-01-01"));
        assert_eq!(date_from_epoch("1700000000").as_deref(), Some("2023-11-14"));
        assert_eq!(date_from_epoch("951782400").as_deref(), Some("2000-02-29"));
        assert_eq!(date_from_epoch("-5"), None);
        assert_eq!(date_from_epoch("soon"), None);
    }

    #[test]
    fn dates() {
        assert!(check_date("2026-11-29").is_ok());
        assert!(check_date("2026-1-29").is_err());
        assert!(check_date("<script>x").is_err());
        // Real calendar dates only.
        assert!(check_date("2024-02-29").is_ok());
        assert!(check_date("2000-02-29").is_ok());
        for bad in [
            "2024-13-45",
            "2024-00-10",
            "2024-04-31",
            "2023-02-29",
            "1900-02-29",
            "2024-01-00",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_date("2024-13-45").unwrap_err(),
            "there is no month 13 (months are 01 to 12)"
        );
        assert_eq!(
            check_date("2023-02-29").unwrap_err(),
            "2023-02 has no day 29 (it has 28 days)"
        );
    }

    #[test]
    fn formats_parse() {
        for f in ReportFormat::ALL {
            assert_eq!(ReportFormat::parse(f.name()), Some(f));
        }
        assert_eq!(ReportFormat::parse("pdf"), None);
    }
}
