//! The analysis matrix (`tmkit matrix`): one row per target, one column per
//! category (plus Other), each cell listing the threats that answer it, the
//! verdicts, and the attackers still open.
//!
//! Cell notation (text and Markdown): `#3 U editor` is threat number 3 of the
//! legend, status **U**nmitigated / **P**artial / **A**ccepted / **M**itigated,
//! naming attacker `editor` (`all` = it lists no attacker);
//! `n/a installer` / `no-threat all` are verdicts; `open anon` lists the
//! attackers whose question nobody answered; `-` means the taxonomy does not
//! ask that category of this target (STRIDE-per-element).

use crate::analysis::{Analysis, ThreatInfo};
use crate::question::{Cell, Target};
use crate::status::Status;
use crate::table;
use serde::Serialize;
use std::fmt::Write as _;
use tmkit_model::taxonomy::short_label;
use tmkit_model::{Model, ModelIndex, VerdictKind};

/// Output format of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MatrixFormat {
    /// A plain-text table for a terminal.
    #[default]
    Text,
    /// A Markdown table (nothing truncated).
    Markdown,
    /// One CSV row per question.
    Csv,
    /// `{"model", "questions": [...], "threats": [...], "other": {...}}`.
    Json,
}

impl MatrixFormat {
    /// Parses `text`, `markdown` (or `md`), `csv`, `json`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(MatrixFormat::Text),
            "markdown" | "md" => Some(MatrixFormat::Markdown),
            "csv" => Some(MatrixFormat::Csv),
            "json" => Some(MatrixFormat::Json),
            _ => None,
        }
    }
}

/// How to render the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MatrixOptions {
    /// Output format.
    pub format: MatrixFormat,
    /// Only the unanswered questions, each as a full sentence (text and
    /// Markdown), or only their rows (CSV, JSON).
    pub open_only: bool,
    /// Width of the text table, in columns.
    pub width: usize,
}

impl Default for MatrixOptions {
    fn default() -> Self {
        MatrixOptions {
            format: MatrixFormat::Text,
            open_only: false,
            width: 100,
        }
    }
}

impl MatrixOptions {
    /// Options for a format, with the defaults otherwise.
    pub fn new(format: MatrixFormat) -> Self {
        MatrixOptions {
            format,
            ..Self::default()
        }
    }
}

/// Renders the matrix of every analysed model. Text and Markdown show
/// control characters of the model's text escaped
/// ([`escape_controls`](tmkit_syntax::text::escape_controls)); JSON escapes
/// them as JSON does, CSV as [`neutralise`] does.
pub fn render(analysis: &Analysis, model: &Model, options: &MatrixOptions) -> String {
    let text = match (options.format, options.open_only) {
        (MatrixFormat::Json, _) => return render_json(analysis, model, options.open_only),
        (MatrixFormat::Csv, _) => return render_csv(analysis, model, options.open_only),
        (MatrixFormat::Text, true) => render_open_text(analysis, model),
        (MatrixFormat::Markdown, true) => render_open_markdown(analysis, model),
        (MatrixFormat::Text, false) => render_table(analysis, model, options.width, false),
        (MatrixFormat::Markdown, false) => render_table(analysis, model, options.width, true),
    };
    tmkit_syntax::text::escape_controls(&text).into_owned()
}

fn verdict_label(v: VerdictKind) -> &'static str {
    match v {
        VerdictKind::NoThreat => "no-threat",
        VerdictKind::NotApplicable => "n/a",
        _ => v.as_str(),
    }
}

/// Threat numbers: contiguous, in model order, for threats shown in a cell.
fn numbering(analysis: &Analysis) -> (Vec<usize>, Vec<usize>) {
    let mut shown = vec![false; analysis.threats.len()];
    for t in &analysis.targets {
        for c in &t.cells {
            for &ti in &c.threats {
                shown[ti] = true;
            }
        }
        for &ti in &t.other {
            shown[ti] = true;
        }
    }
    let order: Vec<usize> = (0..shown.len()).filter(|&i| shown[i]).collect();
    let mut numbers = vec![0; shown.len()];
    for (n, &ti) in order.iter().enumerate() {
        numbers[ti] = n + 1;
    }
    (numbers, order)
}

/// Local ids of the attackers of model `m` that `ti` names (or `all`).
fn threat_attackers(analysis: &Analysis, ti: usize, target: &Target) -> String {
    let attackers = analysis.attackers_of(target.model);
    match &analysis.threats[ti].attackers {
        None => "all".to_string(),
        Some(list) => {
            let names: Vec<&str> = list
                .iter()
                .map(|q| {
                    attackers
                        .iter()
                        .find(|a| &a.qid == q)
                        .map_or(q.as_str(), |a| a.id.as_str())
                })
                .collect();
            names.join(",")
        }
    }
}

fn cell_lines(analysis: &Analysis, numbers: &[usize], t: &Target, c: &Cell) -> Vec<String> {
    let attackers = analysis.attackers_of(t.model);
    let mut lines = Vec::new();
    for &ti in &c.threats {
        lines.push(format!(
            "#{} {} {}",
            numbers[ti],
            Status::letter(analysis.threats[ti].status),
            threat_attackers(analysis, ti, t)
        ));
    }
    for v in &c.verdicts {
        let who = match &v.attacker {
            None => "all".to_string(),
            Some(q) => attackers
                .iter()
                .find(|a| &a.qid == q)
                .map_or(q.clone(), |a| a.id.clone()),
        };
        lines.push(format!("{} {}", verdict_label(v.verdict), who));
    }
    if c.answered < attackers.len() {
        let open: Vec<&str> = attackers
            .iter()
            .filter(|a| {
                !c.threats
                    .iter()
                    .any(|&ti| analysis.threat_covers(ti, t.model, &a.qid))
                    && !c.verdicts.iter().any(|v| v.covers(&a.qid))
            })
            .map(|a| a.id.as_str())
            .collect();
        if c.answered == 0 {
            lines.push("open".to_string());
        } else {
            lines.push(format!("open {}", open.join(",")));
        }
    }
    lines
}

fn model_heading(analysis: &Analysis, model: &Model, m: ModelIndex) -> String {
    let tm = &model.models[m];
    let n = analysis.attackers_of(m).len();
    let total = analysis.counts[m].questions_total;
    let answered = analysis.counts[m].questions_answered;
    let pct = if total == 0 {
        100.0
    } else {
        answered as f64 * 100.0 / total as f64
    };
    format!(
        "{} {} ({}): {} targets x {} attackers, {answered} of {total} questions answered ({pct:.1}%)",
        tm.qid,
        tm.title,
        tm.abstraction.taxonomy.name(),
        analysis.targets_of(m).len(),
        n
    )
}

fn render_table(analysis: &Analysis, model: &Model, width: usize, markdown: bool) -> String {
    let (numbers, order) = numbering(analysis);
    let mut out = String::new();
    for &m in analysis.analysed() {
        let cats = analysis.categories_of(m);
        let mut header = vec!["target".to_string()];
        // Full category names when they fit, else the short labels (S, T...).
        let full: usize = cats.iter().map(|c| c.len() + 3).sum::<usize>() + 20;
        let short = !markdown && full > width;
        if short {
            header.extend(cats.iter().map(|c| short_label(c)));
        } else {
            header.extend(cats.iter().map(|c| c.to_string()));
        }
        header.push("other".to_string());
        let rows: Vec<Vec<Vec<String>>> = analysis
            .targets_of(m)
            .iter()
            .map(|t| {
                let mut row = vec![vec![t.id.clone(), t.title.clone()]];
                for cat in cats {
                    row.push(match t.cells.iter().find(|c| c.category == *cat) {
                        Some(c) => cell_lines(analysis, &numbers, t, c),
                        None => vec!["-".to_string()],
                    });
                }
                row.push(
                    t.other
                        .iter()
                        .map(|&ti| {
                            format!(
                                "#{} {} {}",
                                numbers[ti],
                                Status::letter(analysis.threats[ti].status),
                                threat_attackers(analysis, ti, t)
                            )
                        })
                        .collect(),
                );
                row
            })
            .collect();
        if markdown {
            let _ = writeln!(
                out,
                "## {}\n",
                md_escape(&model_heading(analysis, model, m))
            );
            if rows.is_empty() {
                out.push_str("No in-scope target.\n\n");
                continue;
            }
            let _ = writeln!(
                out,
                "| {} |",
                header
                    .iter()
                    .map(|h| md_escape(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
            for row in &rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|lines| {
                        lines
                            .iter()
                            .map(|l| md_escape(l))
                            .collect::<Vec<_>>()
                            .join("<br>")
                    })
                    .collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out.push('\n');
        } else {
            out.push_str(&table::wrapped(&model_heading(analysis, model, m), width));
            if rows.is_empty() {
                out.push_str("  no in-scope target\n\n");
                continue;
            }
            if short {
                let legend: Vec<String> = cats
                    .iter()
                    .filter(|c| short_label(c) != ***c)
                    .map(|c| format!("{} {c}", short_label(c)))
                    .collect();
                if !legend.is_empty() {
                    out.push_str(&table::wrapped(&legend.join(", "), width));
                }
            }
            out.push_str(&table::render(&header, &rows, width));
            out.push('\n');
        }
    }
    if !order.is_empty() {
        out.push_str(if markdown {
            "## Threats\n\n"
        } else {
            "Threats (M mitigated, A accepted, P partial, U unmitigated):\n"
        });
        for (n, &ti) in order.iter().enumerate() {
            let line = legend_line(model, n + 1, &analysis.threats[ti]);
            if markdown {
                let _ = writeln!(out, "{}. {}", n + 1, md_escape(&line));
            } else {
                out.push_str(&table::wrapped(&format!("#{line}"), width));
            }
        }
    }
    out
}

fn legend_line(model: &Model, n: usize, t: &ThreatInfo) -> String {
    let threat = &model.models[t.model].threats[t.index];
    let score = match &t.cvss {
        Some(c) => format!("{} {}", c.rating.as_str(), c.score),
        None => "unscored".to_string(),
    };
    let nsbd = if t.not_secure_by_default {
        ", not secure by default"
    } else {
        ""
    };
    format!(
        "{n} {} [{}{nsbd}, {score}] {}",
        t.qid, t.status, threat.title
    )
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The open questions of model `m`, one entry per target x attacker naming
/// its open categories (so the listing grows with the pairs, not with every
/// category of every pair): the number of open questions, and per pair the
/// sentence and the titles.
fn open_groups(analysis: &Analysis, m: tmkit_model::ModelIndex) -> (usize, Vec<(String, String)>) {
    let mut count = 0;
    let mut lines = Vec::new();
    for pair in analysis.question_pairs_of(m) {
        let open: Vec<&str> = pair
            .iter()
            .filter(|q| !q.answered)
            .map(|q| q.category)
            .collect();
        if open.is_empty() {
            continue;
        }
        count += open.len();
        let q = &pair[0];
        let aspect = if open.len() == 1 { "aspect" } else { "aspects" };
        let sentence = format!(
            "What can go wrong for {} given an attack by {} for the {aspect} of {}?",
            q.target,
            q.attacker,
            open.join(", ")
        );
        lines.push((sentence, q.titles()));
    }
    (count, lines)
}

fn open_heading(count: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} open question{s}")
}

fn render_open_text(analysis: &Analysis, model: &Model) -> String {
    let mut out = String::new();
    for &m in analysis.analysed() {
        let (count, open) = open_groups(analysis, m);
        let _ = writeln!(out, "{}: {}", model.models[m].qid, open_heading(count));
        for (i, (s, titles)) in open.iter().enumerate() {
            let _ = writeln!(out, "{:>5}. {s}\n       ({titles})", i + 1);
        }
        out.push('\n');
    }
    out
}

fn render_open_markdown(analysis: &Analysis, model: &Model) -> String {
    let mut out = String::new();
    for &m in analysis.analysed() {
        let (count, open) = open_groups(analysis, m);
        let _ = writeln!(
            out,
            "## {}: {}\n",
            md_escape(&model.models[m].qid),
            open_heading(count)
        );
        for (s, titles) in &open {
            let _ = writeln!(out, "- [ ] {} ({})", md_escape(s), md_escape(titles));
        }
        out.push('\n');
    }
    out
}

/// Makes a cell safe for a spreadsheet and a terminal: every CSV writer of
/// tmkit goes through this one function. Control characters but `\n` (NUL,
/// ESC, tab, CR...) and bidi overrides are written as `\u{HEX}`
/// ([`escape_controls`](tmkit_syntax::text::escape_controls)), so a cell can
/// no longer start with a tab or CR; a cell that a spreadsheet would then
/// evaluate as a formula (`=`, `+`, `-`, `@` at the start) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    let cell = tmkit_syntax::text::escape_controls(cell);
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.into_owned()
    }
}

fn render_csv(analysis: &Analysis, model: &Model, open_only: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "model",
        "target",
        "target_title",
        "attacker",
        "attacker_title",
        "category",
        "answered",
        "threats",
        "verdict",
    ];
    let mut rows = Vec::new();
    rows.push(header.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    for q in analysis.questions().filter(|q| !open_only || !q.answered) {
        rows.push(vec![
            model.models[q.model].qid.clone(),
            q.target.to_string(),
            q.target_title.to_string(),
            q.attacker.to_string(),
            q.attacker_title.to_string(),
            q.category.to_string(),
            q.answered.to_string(),
            q.threats.join(" "),
            q.verdict
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
        ]);
    }
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row.iter().map(|s| neutralise(s)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The qualified id of the model of a target: its qid minus the local id.
#[derive(Serialize)]
struct JsonThreat<'a> {
    id: &'a str,
    status: Status,
    not_secure_by_default: bool,
    score: Option<f64>,
    severity: Option<&'static str>,
    vector: Option<&'a str>,
}

/// Streams the questions without collecting millions of them first.
struct JsonQuestions<'a> {
    analysis: &'a Analysis,
    open_only: bool,
}

impl Serialize for JsonQuestions<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let open_only = self.open_only;
        s.collect_seq(
            self.analysis
                .questions()
                .filter(|q| !open_only || !q.answered),
        )
    }
}

#[derive(Serialize)]
struct JsonMatrix<'a> {
    model: &'a str,
    questions: JsonQuestions<'a>,
    threats: Vec<JsonThreat<'a>>,
    other: &'a std::collections::BTreeMap<String, Vec<String>>,
}

fn render_json(analysis: &Analysis, model: &Model, open_only: bool) -> String {
    let doc = JsonMatrix {
        model: &model.root().qid,
        questions: JsonQuestions {
            analysis,
            open_only,
        },
        threats: analysis
            .threats
            .iter()
            .map(|t| JsonThreat {
                id: &t.qid,
                status: t.status,
                not_secure_by_default: t.not_secure_by_default,
                score: t.cvss.as_ref().map(|c| c.score),
                severity: t.severity.map(|r| r.as_str()),
                vector: t.cvss.as_ref().map(|c| c.vector.as_str()),
            })
            .collect(),
        other: &analysis.other,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
