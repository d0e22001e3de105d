//! `tmkit diff` as text and as Markdown (a pull-request comment).
//!
//! Both print one outline: a headline, the numbers, then sections of items.
//! Every item is made of [`Part`]s, and each part reaches the output only
//! through its language's escaping function (`escape_controls` for the
//! terminal, `code_span` / `escape_md` for Markdown).

use crate::escape::{code_span, escape_md};
use std::fmt::Write as _;
use tmkit_analysis::diff::{
    AssumptionEntry, CrossingEntry, FieldChange, PostureDiff, QuestionKey, ScopeEntry, ThreatEntry,
};
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

use crate::report::percent;

/// `40.0% -> 35.0% (-5.0 points)`, or the head coverage alone without a base.
fn coverage_change(base: Option<f64>, head: Option<f64>, arrow: &str) -> String {
    match (base, head) {
        (Some(b), Some(h)) => format!(
            "{} {arrow} {} ({:+.1} points)",
            percent(Some(b)),
            percent(Some(h)),
            (h - b) * 100.0
        ),
        (None, Some(h)) => format!("n/a {arrow} {}", percent(Some(h))),
        (Some(b), None) => format!("{} {arrow} n/a", percent(Some(b))),
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

type Items = Vec<Vec<Part>>;

fn changed(id: &str, changes: &[FieldChange]) -> Vec<Part> {
    let mut item = vec![Plain("changed "), Id(id.to_string())];
    item.extend(field_changes(changes));
    item
}

fn threat_items(d: &PostureDiff) -> Items {
    let t = &d.threats;
    let mut items: Items = t.added.iter().map(|x| threat("added ", x)).collect();
    items.extend(t.removed.iter().map(|x| threat("removed ", x)));
    items.extend(t.changed.iter().map(|c| changed(&c.id, &c.changes)));
    items
}

fn question_items(d: &PostureDiff) -> Items {
    let question = |mark: &'static str, q: &QuestionKey| {
        vec![
            Plain(mark),
            Id(q.target.clone()),
            Plain(" x "),
            Id(q.attacker.clone()),
            Plain(" x "),
            Id(q.category.clone()),
        ]
    };
    let q = &d.questions;
    let mut items: Items = q
        .newly_open
        .iter()
        .map(|x| question("newly open ", x))
        .collect();
    items.extend(
        q.newly_answered
            .iter()
            .map(|x| question("newly answered ", x)),
    );
    items
}

fn crossing_items(d: &PostureDiff) -> Items {
    let crossing = |mark: &'static str, c: &CrossingEntry| {
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
    let c = &d.crossings;
    let mut items: Items = (c.newly_unanswered.iter())
        .map(|x| crossing("newly unanswered ", x))
        .collect();
    items.extend(
        c.newly_answered
            .iter()
            .map(|x| crossing("newly answered ", x)),
    );
    items
}

fn scope_items(d: &PostureDiff) -> Items {
    let entry = |mark: &'static str, e: &ScopeEntry| {
        vec![
            Plain(mark),
            Text(format!("{} ", e.kind)),
            Id(e.id.clone()),
            Plain(": "),
            Text(e.title.clone()),
        ]
    };
    let mut items: Items = d
        .scope
        .entered
        .iter()
        .map(|e| entry("entered ", e))
        .collect();
    items.extend(d.scope.left.iter().map(|e| entry("left ", e)));
    items.extend(d.scope.trust.iter().map(|z| {
        vec![
            Plain("trust of "),
            Id(z.zone.clone()),
            Text(format!(" {} -> {}", z.from, z.to)),
        ]
    }));
    items
}

fn assumption_items(d: &PostureDiff) -> Items {
    let named = |mark: &'static str, x: &AssumptionEntry| {
        vec![
            Plain(mark),
            Id(x.id.clone()),
            Plain(": "),
            Text(x.title.clone()),
        ]
    };
    let a = &d.assumptions;
    let mut items: Items = a.added.iter().map(|x| named("added ", x)).collect();
    items.extend(a.removed.iter().map(|x| named("removed ", x)));
    items.extend(a.changed.iter().map(|c| changed(&c.id, &c.changes)));
    items
}

fn coverage_items(d: &PostureDiff) -> Items {
    (d.coverage.models.iter())
        .filter(|m| m.delta != Some(0.0))
        .map(|m| {
            vec![
                Id(m.model.clone()),
                Text(format!(": {}", coverage_change(m.base, m.head, "->"))),
            ]
        })
        .collect()
}

fn sections(d: &PostureDiff) -> Vec<Section> {
    let section = |title, items| Section { title, items };
    vec![
        section("Coverage per model", coverage_items(d)),
        section("Threats", threat_items(d)),
        section("Questions", question_items(d)),
        section("Boundary crossings", crossing_items(d)),
        section("Scope", scope_items(d)),
        section("Assumptions", assumption_items(d)),
    ]
}

/// The numbers of the headline.
fn numbers(d: &PostureDiff) -> String {
    format!(
        "coverage {}; threats {} added, {} removed, {} changed; questions {} newly open, {} newly answered; crossings {} newly unanswered",
        coverage_change(d.coverage.base, d.coverage.head, "->"),
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
