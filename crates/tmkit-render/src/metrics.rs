//! The `tmkit metrics` output: a human summary (coverage as a bar, counts,
//! the worst open items) or the [`Metrics`] JSON (the same object as the
//! `metrics` of the JSON report).

use crate::matrix::DEFAULT_WIDTH;
use crate::report::percent;
use crate::table::{count, truncate, wrapped};
use std::fmt::Write as _;
use tmkit_analysis::metrics::DEFAULT_MINUTES_PER_QUESTION;
use tmkit_analysis::treatment::{Calendar, fill_deadlines};
use tmkit_analysis::{Analysis, Crossing, Metrics, ThreatInfo, score_text, worst_first};
use tmkit_model::Model;
use tmkit_syntax::text::escape_controls;

/// Output format of `tmkit metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MetricsFormat {
    /// A human summary.
    #[default]
    Text,
    /// The [`Metrics`] object as pretty JSON.
    Json,
}

impl MetricsFormat {
    /// Parses `text` or `json`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(MetricsFormat::Text),
            "json" => Some(MetricsFormat::Json),
            _ => None,
        }
    }
}

/// How to render the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsOptions {
    /// Output format.
    pub format: MetricsFormat,
    /// Width of the text summary, in columns (the terminal's width, or
    /// [`DEFAULT_WIDTH`]).
    pub width: usize,
    /// The date (and window) to count expired and expiring acceptances
    /// and overdue mitigations from; None leaves them out.
    pub calendar: Option<Calendar>,
    /// The rate of the effort estimate (`--minutes-per-question`).
    pub minutes_per_question: u32,
    /// Open questions with a suggestion of the threat library, per model's
    /// own targets (by qualified id); None leaves the count out.
    pub suggested: Option<std::collections::BTreeMap<String, usize>>,
}

impl MetricsOptions {
    /// Options for a format, with the default width and rate.
    pub fn new(format: MetricsFormat) -> Self {
        MetricsOptions {
            format,
            width: DEFAULT_WIDTH,
            calendar: None,
            minutes_per_question: DEFAULT_MINUTES_PER_QUESTION,
            suggested: None,
        }
    }
}

/// How many worst open items the text summary lists.
const WORST: usize = 10;

/// Renders the metrics of the root model (rolled up over its components).
/// The text summary shows control characters of the model's text escaped
/// ([`escape_controls`]).
pub fn render(analysis: &Analysis, model: &Model, options: &MetricsOptions) -> String {
    let mut metrics = analysis.metrics(model, 0);
    if let Some(cal) = &options.calendar {
        fill_deadlines(&mut metrics, model, 0, cal);
    }
    metrics.set_minutes_per_question(options.minutes_per_question);
    if let Some(s) = &options.suggested {
        metrics.set_suggested(s);
    }
    match options.format {
        MetricsFormat::Json => {
            let mut s = serde_json::to_string_pretty(&metrics).unwrap_or_default();
            s.push('\n');
            s
        }
        MetricsFormat::Text => {
            let text = Summary {
                analysis,
                model,
                width: options.width,
            }
            .text(&metrics);
            escape_controls(&text).into_owned()
        }
    }
}

/// A progress bar of `width` cells for a fraction in 0..=1.
pub fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

struct Summary<'a> {
    analysis: &'a Analysis,
    model: &'a Model,
    width: usize,
}

impl Summary<'_> {
    fn text(&self, m: &Metrics) -> String {
        let mut out = String::new();
        let root = self.model.root();
        let title = format!("{}  {}", root.qid, root.title);
        let _ = writeln!(out, "{}", truncate(&title, self.width));
        let mut lines = String::new();
        counts(&mut lines, m);
        for line in lines.lines() {
            out.push_str(&wrapped(line, self.width));
        }
        self.worst_items(&mut out);
        if !m.components.is_empty() {
            out.push_str("\nComponents:\n");
            self.components(&mut out, &m.components, 1);
        }
        out
    }

    /// The open threats worst first (unscored last), then the unanswered
    /// boundary crossings, at most [`WORST`] of each.
    fn worst_items(&self, out: &mut String) {
        let mut open: Vec<&ThreatInfo> = self
            .analysis
            .analysed_threats(self.model)
            .filter(|t| t.status.is_open())
            .collect();
        open.sort_by_key(|t| worst_first(t.severity, t.cvss.as_ref().map(|c| c.score), t.status));
        // One compact line per unanswered crossing (the full sentences are
        // `tmkit check` warnings).
        let warnings: Vec<String> = self
            .analysis
            .crossings
            .iter()
            .filter(|c| !c.unanswered.is_empty())
            .map(crossing_line)
            .collect();
        if open.is_empty() && warnings.is_empty() {
            return;
        }
        out.push_str("\nWorst open items:\n");
        for t in open.iter().take(WORST) {
            let _ = writeln!(out, "{}", truncate(&self.threat_line(t), self.width));
        }
        if open.len() > WORST {
            let more = count(open.len() - WORST, "more open threat");
            let _ = writeln!(out, "  ... and {more}");
        }
        for w in warnings.iter().take(WORST) {
            out.push_str(&wrapped(w, self.width));
        }
        if warnings.len() > WORST {
            let more = warnings.len() - WORST;
            let more = count(more, "more unanswered boundary crossing");
            let _ = writeln!(out, "  ... and {more}");
        }
    }

    fn threat_line(&self, t: &ThreatInfo) -> String {
        let threat = &self.model.models[t.model].threats[t.index];
        let score = score_text(t.cvss.as_ref().map(|c| c.score), t.severity);
        let ticket = match &threat.ticket {
            Some(k) => format!("ticket {k}"),
            None => "no ticket".to_string(),
        };
        format!(
            "  {}  {}  {score}  {ticket}  {}",
            t.qid, t.status, threat.title
        )
    }

    fn components(&self, out: &mut String, list: &[Metrics], depth: usize) {
        for c in list {
            let coverage = c.questions.as_ref().map(|q| {
                format!(
                    "{} {:>6}  {} of {} questions, ",
                    bar(q.coverage.unwrap_or(0.0), 20),
                    percent(q.coverage),
                    q.answered,
                    q.total
                )
            });
            let open = c.threats.unmitigated + c.threats.partial;
            let effort = c
                .effort
                .estimated_minutes
                .map(|m| format!(", {} left", duration(m)));
            let line = format!(
                "{}{}  {}{} ({open} open){}",
                "  ".repeat(depth),
                c.model,
                coverage.unwrap_or_default(),
                count(c.threats.total, "threat"),
                effort.unwrap_or_default(),
            );
            let _ = writeln!(out, "{}", truncate(&line, self.width));
            self.components(out, &c.components, depth + 1);
        }
    }
}

/// The count lines of the summary.
fn counts(out: &mut String, m: &Metrics) {
    if let Some(q) = &m.questions {
        let _ = writeln!(
            out,
            "  coverage     {} {:>6}  {} of {} answered, {} open",
            bar(q.coverage.unwrap_or(0.0), 30),
            percent(q.coverage),
            q.answered,
            count(q.total, "question"),
            q.open
        );
        if let Some(n) = q.with_suggestions {
            let _ = writeln!(
                out,
                "  suggestions  {n} of the {} open have a library suggestion (`tmkit suggest`)",
                q.open
            );
        }
    }
    let t = &m.threats;
    let _ = writeln!(
        out,
        "  threats      {}: {} mitigated ({} not secure by default), {} accepted, {} partial, {} unmitigated",
        t.total, t.mitigated, t.not_secure_by_default, t.accepted, t.partial, t.unmitigated
    );
    let s = &t.by_severity;
    let _ = writeln!(
        out,
        "  severity     {} critical, {} high, {} medium, {} low, {} none, {} unscored",
        s.critical, s.high, s.medium, s.low, s.none, s.unscored
    );
    let _ = writeln!(
        out,
        "  mitigations  {}: {} in place ({} evidenced, {} claimed), {} planned; {} without any mitigation",
        m.mitigations.total,
        m.mitigations.in_place,
        m.mitigations.evidenced,
        m.mitigations.claimed,
        m.mitigations.planned,
        count(m.threats_without_mitigations, "threat")
    );
    if let Some(d) = &m.deadlines {
        let _ = writeln!(
            out,
            "  deadlines    on {}: {} expired, {} expiring within {}, {} overdue",
            d.date,
            count(d.expired, "acceptance"),
            d.expiring,
            count(d.window_days as usize, "day"),
            count(d.overdue, "mitigation")
        );
    }
    let _ = writeln!(
        out,
        "  boundaries   {} crossing a trust boundary, {} with an unanswered exposed category",
        count(m.boundary_crossings.total, "data flow"),
        m.boundary_crossings.unanswered.unwrap_or(0)
    );
    let _ = writeln!(
        out,
        "  untracked    {} without a ticket",
        count(m.untracked_unmitigated, "open threat")
    );
    let sc = &m.scope;
    let _ = writeln!(
        out,
        "  scope        {}, {} in scope; out of scope: {}, {}, {}",
        count(sc.targets, "target"),
        count(sc.attackers, "attacker"),
        count(sc.out_of_scope.assets, "asset"),
        count(sc.out_of_scope.dataflows, "data flow"),
        count(sc.out_of_scope.attackers, "attacker")
    );
    let _ = writeln!(
        out,
        "  assumptions  {}, {} relied on by no threat",
        m.assumptions.total, m.assumptions.unused
    );
    let e = &m.effort;
    if let (Some(q), Some(c), Some(minutes)) = (
        e.open_questions,
        e.unanswered_crossings,
        e.estimated_minutes,
    ) {
        let _ = writeln!(
            out,
            "  effort       {} left: ({} + {}) x {} min",
            duration(minutes),
            count(q, "open question"),
            count(c, "unanswered crossing"),
            e.minutes_per_question
        );
    }
}

/// Minutes as `45 min`, `2 h` or `3 h 15 min`.
pub fn duration(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// `  unanswered crossing: FLOW DIRECTION FROM -> TO: CATEGORIES`.
fn crossing_line(c: &Crossing) -> String {
    let (from, to) = c.ends("");
    format!(
        "  unanswered crossing: {} {} {from} -> {to}: {}",
        c.flow,
        c.direction,
        c.unanswered.join(", ")
    )
}
