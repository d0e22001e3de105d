//! `tmkit diff` as text and as Markdown (a pull-request comment).
//!
//! Both print one outline: a headline, the numbers, then sections of items.
//! Every item is made of [`Part`]s, and each part reaches the output only
//! through its language's escaping function (`escape_controls` for the
//! terminal, `code_span` / `escape_md` for Markdown).

use crate::escape::{code_span, escape_md};
use std::fmt::Write as _;
use tmkit_analysis::diff::{FieldChange, PostureDiff, ThreatEntry};
use tmkit_syntax::text::escape_controls;

/// A piece of an item.
enum Part {
    /// A qualified id (or a field name, a category): code in Markdown.
    Id(String),
    /// User text (a title, a value).
    Text(String),
    /// tmkit's own words.
    Plain(&'static str),
}

use Part::{Id, Plain, Text};

/// A section: a title and its items.
struct Section {
    title: &'static str,
    items: Vec<Vec<Part>>,
}

/// Items shown per Markdown section (a pull-request comment has a size limit).
const MD_ITEMS: usize = 50;

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// `40.0% -> 35.0% (-5.0 points)`, or the head coverage alone without a base.
fn coverage_change(base: Option<f64>, head: Option<f64>, arrow: &str) -> String {
    match (base, head) {
        (Some(b), Some(h)) => format!(
            "{} {arrow} {} ({:+.1} points)",
            percent(b),
            percent(h),
            (h - b) * 100.0
        ),
        (None, Some(h)) => format!("new, {}", percent(h)),
        (Some(b), None) => format!("{}, removed", percent(b)),
        (None, None) => String::new(),
    }
}

fn threat(mark: &'static str, t: &ThreatEntry) -> Vec<Part> {
    let severity = match (t.score, &t.severity) {
        (Some(s), Some(r)) => format!("{s:.1} {r}"),
        _ => "unscored".to_string(),
    };
    vec![
        Plain(mark),
        Id(t.id.clone()),
        Text(format!(" {} ({severity}): ", t.status)),
        Text(t.title.clone()),
    ]
}

fn field_changes(changes: &[FieldChange]) -> Vec<Part> {
    let mut out = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        out.push(Plain(if i == 0 { ": " } else { "; " }));
        out.push(Id(c.field.clone()));
        out.push(Text(format!(
            " {} -> {}",
            c.from.as_deref().unwrap_or("(none)"),
            c.to.as_deref().unwrap_or("(none)")
        )));
    }
    out
}

fn sections(d: &PostureDiff) -> Vec<Section> {
    let t = &d.threats;
    let mut threats: Vec<Vec<Part>> = t.added.iter().map(|x| threat("added ", x)).collect();
    threats.extend(t.removed.iter().map(|x| threat("removed ", x)));
    threats.extend(t.changed.iter().map(|c| {
        let mut item = vec![Plain("changed "), Id(c.id.clone())];
        item.extend(field_changes(&c.changes));
        item
    }));
    let question = |mark: &'static str, q: &tmkit_analysis::diff::QuestionKey| {
        vec![
            Plain(mark),
            Id(q.target.clone()),
            Plain(" x "),
            Id(q.attacker.clone()),
            Plain(" x "),
            Id(q.category.clone()),
        ]
    };
    let mut questions: Vec<Vec<Part>> = (d.questions.newly_open.iter())
        .map(|q| question("newly open ", q))
        .collect();
    questions.extend(
        d.questions
            .newly_answered
            .iter()
            .map(|q| question("newly answered ", q)),
    );
    let crossing = |mark: &'static str, c: &tmkit_analysis::diff::CrossingEntry| {
        let zone = |z: &Option<String>| z.clone().unwrap_or_else(|| "(no zone)".into());
        vec![
            Plain(mark),
            Id(c.flow.clone()),
            Text(format!(
                " ({} -> {}): {}",
                zone(&c.from_zone),
                zone(&c.to_zone),
                c.categories.join(", ")
            )),
        ]
    };
    let mut crossings: Vec<Vec<Part>> = (d.crossings.newly_unanswered.iter())
        .map(|c| crossing("newly unanswered ", c))
        .collect();
    crossings.extend(
        d.crossings
            .newly_answered
            .iter()
            .map(|c| crossing("newly answered ", c)),
    );
    let scope_item = |mark: &'static str, e: &tmkit_analysis::diff::ScopeEntry| {
        vec![
            Plain(mark),
            Text(format!("{} ", e.kind)),
            Id(e.id.clone()),
            Plain(": "),
            Text(e.title.clone()),
        ]
    };
    let mut scope: Vec<Vec<Part>> = (d.scope.entered.iter())
        .map(|e| scope_item("entered ", e))
        .collect();
    scope.extend(d.scope.left.iter().map(|e| scope_item("left ", e)));
    scope.extend(d.scope.trust.iter().map(|z| {
        vec![
            Plain("trust of "),
            Id(z.zone.clone()),
            Text(format!(" {} -> {}", z.from, z.to)),
        ]
    }));
    let a = &d.assumptions;
    let named = |mark: &'static str, id: &str, title: &str| {
        vec![
            Plain(mark),
            Id(id.to_string()),
            Plain(": "),
            Text(title.to_string()),
        ]
    };
    let mut assumptions: Vec<Vec<Part>> = (a.added.iter())
        .map(|x| named("added ", &x.id, &x.title))
        .collect();
    assumptions.extend(a.removed.iter().map(|x| named("removed ", &x.id, &x.title)));
    assumptions.extend(a.changed.iter().map(|c| {
        let mut item = vec![Plain("changed "), Id(c.id.clone())];
        item.extend(field_changes(&c.changes));
        item
    }));
    let coverage = d
        .coverage
        .models
        .iter()
        .filter(|m| m.delta != Some(0.0))
        .map(|m| {
            vec![
                Id(m.model.clone()),
                Text(format!(": {}", coverage_change(m.base, m.head, "->"))),
            ]
        })
        .collect();
    vec![
        Section {
            title: "Coverage per model",
            items: coverage,
        },
        Section {
            title: "Threats",
            items: threats,
        },
        Section {
            title: "Questions",
            items: questions,
        },
        Section {
            title: "Boundary crossings",
            items: crossings,
        },
        Section {
            title: "Scope",
            items: scope,
        },
        Section {
            title: "Assumptions",
            items: assumptions,
        },
    ]
}

/// The numbers of the headline.
fn numbers(d: &PostureDiff) -> String {
    format!(
        "coverage {}; threats {} added, {} removed, {} changed; questions {} newly open, {} newly answered; crossings {} newly unanswered",
        coverage_change(d.coverage.base, Some(d.coverage.head), "->"),
        d.threats.added.len(),
        d.threats.removed.len(),
        d.threats.changed.len(),
        d.questions.newly_open.len(),
        d.questions.newly_answered.len(),
        d.crossings.newly_unanswered.len(),
    )
}

/// `tmkit diff` for a terminal.
pub fn text(d: &PostureDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "posture: {} (improvements: {}, regressions: {})",
        d.posture.as_str(),
        d.signals.improvements,
        d.signals.regressions
    );
    let base = if d.base_exists {
        escape_controls(&d.base).into_owned()
    } else {
        format!("{} (no model there)", escape_controls(&d.base))
    };
    let _ = writeln!(out, "base: {base}\nhead: {}", escape_controls(&d.head));
    let _ = writeln!(out, "{}", numbers(d));
    for s in sections(d).into_iter().filter(|s| !s.items.is_empty()) {
        let _ = writeln!(out, "\n{} ({}):", s.title, s.items.len());
        for item in s.items {
            out.push_str("  ");
            for p in item {
                match p {
                    Id(t) | Text(t) => out.push_str(&escape_controls(&t).replace('\n', " ")),
                    Plain(t) => out.push_str(t),
                }
            }
            out.push('\n');
        }
    }
    out
}

/// `tmkit diff --format md`: a pull-request comment, the headline then one
/// collapsed `<details>` block per section (at most 50 items each).
pub fn markdown(d: &PostureDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Threat model posture: **{}**\n",
        d.posture.as_str()
    );
    let _ = writeln!(
        out,
        "Improvements: {}, regressions: {}; {} ({} {} {}).\n",
        d.signals.improvements,
        d.signals.regressions,
        escape_md(&numbers(d)),
        code_span(&d.base),
        if d.base_exists { "->" } else { "(no model) ->" },
        code_span(&d.head)
    );
    for s in sections(d).into_iter().filter(|s| !s.items.is_empty()) {
        let total = s.items.len();
        let _ = writeln!(out, "<details><summary>{} ({total})</summary>\n", s.title);
        for item in s.items.into_iter().take(MD_ITEMS) {
            out.push_str("- ");
            for p in item {
                match p {
                    Id(t) => out.push_str(&code_span(&t)),
                    Text(t) => out.push_str(&escape_md(&t)),
                    Plain(t) => out.push_str(t),
                }
            }
            out.push('\n');
        }
        if total > MD_ITEMS {
            let _ = writeln!(out, "- and {} more", total - MD_ITEMS);
        }
        out.push_str("\n</details>\n\n");
    }
    out
}
