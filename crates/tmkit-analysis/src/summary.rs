//! The `tmkit metrics` output: a human summary (coverage as a bar, counts,
//! the worst open items) or the [`Metrics`] JSON.

use crate::analysis::Analysis;
use crate::metrics::Metrics;
use crate::table::truncate;
use std::fmt::Write as _;
use tmkit_model::Model;

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

/// How many worst open items the text summary lists.
const WORST: usize = 10;
/// Width of the text summary.
const WIDTH: usize = 100;

/// Renders the metrics of the root model (rolled up over its components).
/// The text summary shows control characters of the model's text escaped
/// ([`escape_controls`](tmkit_syntax::text::escape_controls)).
pub fn render(analysis: &Analysis, model: &Model, format: MetricsFormat) -> String {
    let metrics = analysis.metrics(model, 0);
    match format {
        MetricsFormat::Json => {
            let mut s = serde_json::to_string_pretty(&metrics).unwrap_or_default();
            s.push('\n');
            s
        }
        MetricsFormat::Text => {
            tmkit_syntax::text::escape_controls(&render_text(analysis, model, &metrics))
                .into_owned()
        }
    }
}

/// A progress bar of `width` cells for a fraction in 0..=1.
pub fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render_text(analysis: &Analysis, model: &Model, m: &Metrics) -> String {
    let mut out = String::new();
    let root = model.root();
    let _ = writeln!(
        out,
        "{}",
        truncate(&format!("{}  {}", root.qid, root.title), WIDTH)
    );
    let q = &m.questions;
    let _ = writeln!(
        out,
        "  coverage     {} {:5.1}%  {} of {} answered, {} open",
        bar(q.coverage, 30),
        q.coverage * 100.0,
        q.answered,
        plural(q.total, "question", "questions"),
        q.open
    );
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
        "  mitigations  {}: {} in place, {} planned; {} without any mitigation",
        m.mitigations.total,
        m.mitigations.in_place,
        m.mitigations.planned,
        plural(m.threats_without_mitigations, "threat", "threats")
    );
    let _ = writeln!(
        out,
        "  boundaries   {} crossing a trust boundary, {} with an unanswered exposed category",
        plural(m.boundary_crossings.total, "data flow", "data flows"),
        m.boundary_crossings.unanswered
    );
    let _ = writeln!(
        out,
        "  untracked    {} without a ticket",
        plural(m.untracked_unmitigated, "open threat", "open threats")
    );
    let sc = &m.scope;
    let _ = writeln!(
        out,
        "  scope        {}, {} in scope; out of scope: {}, {}, {}",
        plural(sc.targets, "target", "targets"),
        plural(sc.attackers, "attacker", "attackers"),
        plural(sc.out_of_scope.assets, "asset", "assets"),
        plural(sc.out_of_scope.dataflows, "data flow", "data flows"),
        plural(sc.out_of_scope.attackers, "attacker", "attackers")
    );
    let _ = writeln!(
        out,
        "  assumptions  {}, {} relied on by no threat",
        m.assumptions.total, m.assumptions.unused
    );

    // Worst open items: open threats by severity (unscored last), then status.
    let mut open: Vec<&crate::ThreatInfo> = crate::gate::analysed_threats(analysis, model)
        .filter(|t| t.status.is_open())
        .collect();
    open.sort_by(|a, b| {
        let key = |t: &crate::ThreatInfo| {
            (
                std::cmp::Reverse(t.severity.map(|r| r as u8 + 1).unwrap_or(0)),
                std::cmp::Reverse(
                    t.cvss
                        .as_ref()
                        .map(|c| (c.score * 10.0).round() as i64)
                        .unwrap_or(-1),
                ),
                std::cmp::Reverse(t.status),
            )
        };
        key(a).cmp(&key(b))
    });
    // One compact line per unanswered crossing (the full sentences are
    // `tmkit check` warnings).
    let zone = |z: &Option<String>, t: Option<f64>| match (z, t) {
        (Some(z), Some(t)) => format!("{z} ({t})"),
        (Some(z), None) => z.clone(),
        _ => "?".to_string(),
    };
    let warnings: Vec<String> = analysis
        .crossings
        .iter()
        .filter(|c| !c.unanswered.is_empty())
        .map(|c| {
            format!(
                "  unanswered crossing: {} {} {} -> {}: {}",
                c.flow,
                c.direction,
                zone(&c.from_zone, c.from_trust),
                zone(&c.to_zone, c.to_trust),
                c.unanswered.join(", ")
            )
        })
        .collect();
    if !open.is_empty() || !warnings.is_empty() {
        out.push_str("\nWorst open items:\n");
        for t in open.iter().take(WORST) {
            let threat = &model.models[t.model].threats[t.index];
            let score = match &t.cvss {
                Some(c) => format!("{} {}", c.rating.as_str(), c.score),
                None => "unscored".to_string(),
            };
            let ticket = match &threat.ticket {
                Some(k) => format!("ticket {k}"),
                None => "no ticket".to_string(),
            };
            let line = format!(
                "  {}  {}  {score}  {ticket}  {}",
                t.qid, t.status, threat.title
            );
            let _ = writeln!(out, "{}", truncate(&line, WIDTH));
        }
        if open.len() > WORST {
            let _ = writeln!(out, "  ... and {} more open threats", open.len() - WORST);
        }
        for w in warnings.iter().take(WORST) {
            out.push_str(&crate::table::wrapped(w, WIDTH));
        }
        if warnings.len() > WORST {
            let _ = writeln!(
                out,
                "  ... and {} more unanswered boundary crossings",
                warnings.len() - WORST
            );
        }
    }
    if !m.components.is_empty() {
        out.push_str("\nComponents:\n");
        components(&mut out, &m.components, 1);
    }
    out
}

fn components(out: &mut String, list: &[Metrics], depth: usize) {
    for c in list {
        let line = format!(
            "{}{}  {} {:5.1}%  {} of {} questions, {} threats ({} open)",
            "  ".repeat(depth),
            c.model,
            bar(c.questions.coverage, 20),
            c.questions.coverage * 100.0,
            c.questions.answered,
            c.questions.total,
            c.threats.total,
            c.threats.unmitigated + c.threats.partial
        );
        let _ = writeln!(out, "{}", truncate(&line, WIDTH));
        components(out, &c.components, depth + 1);
    }
}
