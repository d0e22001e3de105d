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
//!
//! With `open_only`, every format lists the open questions grouped per
//! target x attacker (one entry naming its open categories), so the output
//! grows with the pairs, not with every question.

use crate::escape::{escape_md, neutralise};
use crate::report::percent;
use crate::table::{self, count};
use serde::Serialize;
use std::fmt::Write as _;
use tmkit_analysis::question::{Cell, Question, Target};
use tmkit_analysis::{Analysis, Status, ThreatInfo, score_text};
use tmkit_model::Qid;
use tmkit_model::taxonomy::short_label;
use tmkit_model::{Model, ModelIndex, VerdictKind};
use tmkit_syntax::text::escape_controls;

/// Output format of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MatrixFormat {
    /// A plain-text table for a terminal.
    #[default]
    Text,
    /// A Markdown table (nothing truncated).
    Markdown,
    /// One CSV row per question (per target x attacker with `open_only`).
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

/// Width of text tables when the terminal's is unknown (output piped to a
/// file or another program), so piped output stays stable.
pub const DEFAULT_WIDTH: usize = 100;

/// How to render the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MatrixOptions {
    /// Output format.
    pub format: MatrixFormat,
    /// Only the unanswered questions, grouped per target x attacker: as
    /// sentences (text and Markdown) or as rows (CSV, JSON).
    pub open_only: bool,
    /// Width of the text table, in columns (the terminal's width, or
    /// [`DEFAULT_WIDTH`]).
    pub width: usize,
}

impl Default for MatrixOptions {
    fn default() -> Self {
        MatrixOptions {
            format: MatrixFormat::Text,
            open_only: false,
            width: DEFAULT_WIDTH,
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

/// Renders the matrix of every analysed model. Text shows control characters
/// of the model's text escaped ([`escape_controls`]); Markdown escapes user
/// text with [`escape_md`] after that, JSON as JSON does, CSV with
/// [`neutralise`].
pub fn render(analysis: &Analysis, model: &Model, options: &MatrixOptions) -> String {
    let m = Matrix { analysis, model };
    match (options.format, options.open_only) {
        (MatrixFormat::Json, open_only) => m.json(open_only),
        (MatrixFormat::Csv, false) => m.csv(),
        (MatrixFormat::Csv, true) => m.open_csv(),
        (MatrixFormat::Markdown, false) => m.table(&Style::MARKDOWN, options.width),
        (MatrixFormat::Markdown, true) => m.open_markdown(),
        (MatrixFormat::Text, false) => {
            escape_controls(&m.table(&Style::TEXT, options.width)).into_owned()
        }
        (MatrixFormat::Text, true) => escape_controls(&m.open_text()).into_owned(),
    }
}

/// How user text is written in a table: as is (text, escaped as a whole at
/// the end) or escaped for Markdown.
struct Style {
    markdown: bool,
    esc: fn(&str) -> String,
}

impl Style {
    const TEXT: Style = Style {
        markdown: false,
        esc: str::to_string,
    };
    const MARKDOWN: Style = Style {
        markdown: true,
        esc: md,
    };
}

/// User text in the Markdown matrix, which is also printed on a terminal:
/// control characters and bidi overrides shown as `\u{HEX}`
/// ([`escape_controls`]), then escaped for Markdown ([`escape_md`]), so
/// the escape stays visible once rendered too.
fn md(s: &str) -> String {
    escape_md(&escape_controls(s))
}

/// The matrix of a model and its threat numbering.
struct Matrix<'a> {
    analysis: &'a Analysis,
    model: &'a Model,
}

fn verdict_label(v: VerdictKind) -> &'static str {
    match v {
        VerdictKind::NoThreat => "no-threat",
        VerdictKind::NotApplicable => "n/a",
        _ => v.as_str(),
    }
}

/// A table: header, rows of multi-line cells, and whether the categories
/// are shown by their short labels.
struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<Vec<String>>>,
    short: bool,
}

impl<'a> Matrix<'a> {
    /// Threat numbers: contiguous, in model order, for threats shown in a cell.
    fn numbering(&self) -> (Vec<usize>, Vec<usize>) {
        let analysis = self.analysis;
        let mut shown = vec![false; analysis.threats.len()];
        for t in &analysis.targets {
            let cells = t.cells.iter().flat_map(|c| &c.threats);
            for &ti in cells.chain(&t.other) {
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

    /// The local id of attacker `qid` in model `m` (the qid when not visible).
    fn attacker_id(&self, m: ModelIndex, qid: &'a str) -> &'a str {
        let attackers = self.analysis.attackers_of(m);
        attackers
            .iter()
            .find(|a| a.qid == qid)
            .map_or(qid, |a| a.id.as_str())
    }

    /// `#3 U editor`: a threat of a cell, with the attackers it names.
    fn threat_item(&self, numbers: &[usize], ti: usize, t: &Target, style: &Style) -> String {
        let info = &self.analysis.threats[ti];
        let who = match &info.attackers {
            None => "all".to_string(),
            Some(list) => {
                let ids: Vec<&str> = list.iter().map(|q| self.attacker_id(t.model, q)).collect();
                (style.esc)(&ids.join(","))
            }
        };
        format!("#{} {} {who}", numbers[ti], info.status.letter())
    }

    fn cell_lines(&self, numbers: &[usize], t: &Target, c: &Cell, style: &Style) -> Vec<String> {
        let mut lines: Vec<String> = c
            .threats
            .iter()
            .map(|&ti| self.threat_item(numbers, ti, t, style))
            .collect();
        for v in &c.verdicts {
            let who = match &v.attacker {
                None => "all".to_string(),
                Some(q) => (style.esc)(self.attacker_id(t.model, q)),
            };
            lines.push(format!("{} {who}", verdict_label(v.verdict)));
        }
        if c.answered < self.analysis.attackers_of(t.model).len() {
            if c.answered == 0 {
                lines.push("open".to_string());
            } else {
                let open = self.analysis.open_attackers(t, c).map(|a| a.id.as_str());
                let open: Vec<&str> = open.collect();
                lines.push(format!("open {}", (style.esc)(&open.join(","))));
            }
        }
        lines
    }

    fn heading(&self, m: ModelIndex, style: &Style) -> String {
        let tm = &self.model.models[m];
        let (answered, total) = self.analysis.question_counts(m);
        format!(
            "{} {} ({}): {} x {}, {answered} of {} answered ({})",
            (style.esc)(&tm.qid),
            (style.esc)(&tm.title),
            tm.abstraction.taxonomy.name(),
            count(self.analysis.targets_of(m).len(), "target"),
            count(self.analysis.attackers_of(m).len(), "attacker"),
            count(total, "question"),
            percent(tmkit_analysis::coverage(answered, total)),
        )
    }

    fn grid(&self, m: ModelIndex, numbers: &[usize], style: &Style, width: usize) -> Grid {
        let cats = self.analysis.categories_of(m);
        // Full category names when they fit, else the short labels (S, T...).
        let full: usize = cats.iter().map(|c| c.len() + 3).sum::<usize>() + 20;
        let short = !style.markdown && full > width;
        let mut header = vec!["target".to_string()];
        header.extend(cats.iter().map(|c| match short {
            true => short_label(c),
            false => (style.esc)(c),
        }));
        header.push("other".to_string());
        let rows = self
            .analysis
            .targets_of(m)
            .iter()
            .map(|t| {
                let mut row = vec![vec![(style.esc)(&t.id), (style.esc)(&t.title)]];
                row.extend(cats.iter().map(
                    |cat| match t.cells.iter().find(|c| c.category == *cat) {
                        Some(c) => self.cell_lines(numbers, t, c, style),
                        None => vec!["-".to_string()],
                    },
                ));
                let other = t.other.iter();
                row.push(
                    other
                        .map(|&ti| self.threat_item(numbers, ti, t, style))
                        .collect(),
                );
                row
            })
            .collect();
        Grid {
            header,
            rows,
            short,
        }
    }

    /// The matrix tables of every analysed model, then the threat legend.
    fn table(&self, style: &Style, width: usize) -> String {
        let (numbers, order) = self.numbering();
        let mut out = String::new();
        for &m in self.analysis.analysed() {
            let grid = self.grid(m, &numbers, style, width);
            let heading = self.heading(m, style);
            if style.markdown {
                markdown_grid(&mut out, &heading, &grid);
            } else {
                let cats = self.analysis.categories_of(m);
                text_grid(&mut out, &heading, &grid, cats, width);
            }
        }
        if !order.is_empty() {
            out.push_str(if style.markdown {
                "## Threats\n\n"
            } else {
                "Threats (M mitigated, A accepted, P partial, U unmitigated):\n"
            });
            for (n, &ti) in order.iter().enumerate() {
                let line = self.legend_line(n + 1, &self.analysis.threats[ti]);
                if style.markdown {
                    let _ = writeln!(out, "{}. {}", n + 1, md(&line));
                } else {
                    out.push_str(&table::wrapped(&format!("#{line}"), width));
                }
            }
        }
        out
    }

    fn legend_line(&self, n: usize, t: &ThreatInfo) -> String {
        let threat = &self.model.models[t.model].threats[t.index];
        let score = score_text(t.cvss.as_ref().map(|c| c.score), t.severity);
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

    /// The open questions of model `m`, one entry per target x attacker
    /// naming its open categories: the number of open questions, and the
    /// groups.
    fn open_groups(&self, m: ModelIndex) -> (usize, Vec<OpenPair<'a>>) {
        let mut count = 0;
        let mut groups = Vec::new();
        for pair in self.analysis.question_pairs_of(m) {
            if let Some(group) = OpenPair::of(&self.model.models[m].qid, &pair) {
                count += group.open.len();
                groups.push(group);
            }
        }
        (count, groups)
    }

    fn open_text(&self) -> String {
        let mut out = String::new();
        for &m in self.analysis.analysed() {
            let (count, open) = self.open_groups(m);
            let _ = writeln!(out, "{}: {}", self.model.models[m].qid, open_heading(count));
            for (i, g) in open.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{:>5}. {}\n       ({})",
                    i + 1,
                    g.sentence(),
                    g.titles()
                );
            }
            out.push('\n');
        }
        out
    }

    fn open_markdown(&self) -> String {
        let mut out = String::new();
        for &m in self.analysis.analysed() {
            let (count, open) = self.open_groups(m);
            let qid = md(&self.model.models[m].qid);
            let _ = writeln!(out, "## {qid}: {}\n", open_heading(count));
            for g in &open {
                let (sentence, titles) = (md(&g.sentence()), md(&g.titles()));
                let _ = writeln!(out, "- [ ] {sentence} ({titles})");
            }
            out.push('\n');
        }
        out
    }

    fn csv(&self) -> String {
        let header = ["category", "answered", "threats", "verdict"];
        let rows = self.analysis.questions().map(|q| {
            let qid = &self.model.models[q.model].qid;
            let mut row = pair_cells(qid, q.target, q.target_title, q.attacker, q.attacker_title);
            row.extend([
                q.category.to_string(),
                q.answered.to_string(),
                q.threats.join(" "),
                q.verdict
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ]);
            row
        });
        csv_text(&header, rows)
    }

    fn open_csv(&self) -> String {
        let rows = self.analysis.analysed().iter().flat_map(|&m| {
            self.open_groups(m).1.into_iter().map(|g| {
                let mut row = pair_cells(
                    g.model,
                    g.target,
                    g.target_title,
                    g.attacker,
                    g.attacker_title,
                );
                row.push(g.open.join(" "));
                row
            })
        });
        csv_text(&["open"], rows)
    }

    fn json(&self, open_only: bool) -> String {
        let analysis = self.analysis;
        let doc = JsonMatrix {
            model: &self.model.root().qid,
            questions: JsonQuestions {
                matrix: self,
                open_only,
            },
            threats: analysis.threats.iter().map(JsonThreat::of).collect(),
            other: &analysis.other,
        };
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A text table under its heading (and the legend of short labels).
fn text_grid(
    out: &mut String,
    heading: &str,
    grid: &Grid,
    cats: &[std::sync::Arc<str>],
    width: usize,
) {
    out.push_str(&table::wrapped(heading, width));
    if grid.rows.is_empty() {
        out.push_str("  no in-scope target\n\n");
        return;
    }
    if grid.short {
        let legend: Vec<String> = cats
            .iter()
            .filter(|c| short_label(c) != ***c)
            .map(|c| format!("{} {c}", short_label(c)))
            .collect();
        if !legend.is_empty() {
            out.push_str(&table::wrapped(&legend.join(", "), width));
        }
    }
    out.push_str(&table::render(&grid.header, &grid.rows, width));
    out.push('\n');
}

/// A Markdown table under its heading; cells hold escaped text.
fn markdown_grid(out: &mut String, heading: &str, grid: &Grid) {
    let _ = writeln!(out, "## {heading}\n");
    if grid.rows.is_empty() {
        out.push_str("No in-scope target.\n\n");
        return;
    }
    let _ = writeln!(out, "| {} |", grid.header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(grid.header.len()));
    for row in &grid.rows {
        let cells: Vec<String> = row.iter().map(|lines| lines.join("<br>")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn open_heading(count: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} open question{s}")
}

/// The open questions of one target x attacker.
#[derive(Serialize)]
struct OpenPair<'a> {
    model: &'a str,
    target: &'a str,
    #[serde(skip)]
    target_title: &'a str,
    attacker: &'a str,
    #[serde(skip)]
    attacker_title: &'a str,
    /// The categories nobody answered, in taxonomy order.
    open: Vec<&'a str>,
}

impl<'a> OpenPair<'a> {
    /// The group of `pair` (questions of one target x attacker), if any is open.
    fn of(model: &'a str, pair: &[Question<'a>]) -> Option<OpenPair<'a>> {
        let open: Vec<&str> = pair
            .iter()
            .filter(|q| !q.answered)
            .map(|q| q.category)
            .collect();
        let q = pair.first()?;
        (!open.is_empty()).then_some(OpenPair {
            model,
            target: q.target,
            target_title: q.target_title,
            attacker: q.attacker,
            attacker_title: q.attacker_title,
            open,
        })
    }

    /// The open questions as one sentence, with qualified ids.
    fn sentence(&self) -> String {
        let aspect = if self.open.len() == 1 {
            "aspect"
        } else {
            "aspects"
        };
        format!(
            "What can go wrong for {} given an attack by {} for the {aspect} of {}?",
            self.target,
            self.attacker,
            self.open.join(", ")
        )
    }

    /// The titles of the target and the attacker, for a reader.
    fn titles(&self) -> String {
        format!("{} / {}", self.target_title, self.attacker_title)
    }
}

/// The first CSV columns of every row: the model and the target x attacker.
const PAIR_HEADER: [&str; 5] = [
    "model",
    "target",
    "target_title",
    "attacker",
    "attacker_title",
];

fn pair_cells(model: &str, target: &str, tt: &str, attacker: &str, at: &str) -> Vec<String> {
    [model, target, tt, attacker, at]
        .map(str::to_string)
        .to_vec()
}

/// CSV text (`\n` line ends): [`PAIR_HEADER`] then `header`, and rows,
/// every cell neutralised.
fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let header = PAIR_HEADER.iter().chain(header);
    let _ = w.write_record(header.map(|s| neutralise(s)));
    for row in rows {
        let _ = w.write_record(row.iter().map(|s| neutralise(s)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[derive(Serialize)]
struct JsonThreat<'a> {
    id: &'a str,
    status: Status,
    not_secure_by_default: bool,
    score: Option<f64>,
    severity: Option<&'static str>,
    vector: Option<&'a str>,
}

impl<'a> JsonThreat<'a> {
    fn of(t: &'a ThreatInfo) -> Self {
        JsonThreat {
            id: &t.qid,
            status: t.status,
            not_secure_by_default: t.not_secure_by_default,
            score: t.cvss.as_ref().map(|c| c.score),
            severity: t.severity.map(|r| r.as_str()),
            vector: t.cvss.as_ref().map(|c| c.vector.as_str()),
        }
    }
}

/// Streams the questions (or the open groups) without collecting them first.
struct JsonQuestions<'m, 'a> {
    matrix: &'m Matrix<'a>,
    open_only: bool,
}

impl Serialize for JsonQuestions<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let analysis = self.matrix.analysis;
        if !self.open_only {
            return s.collect_seq(analysis.questions());
        }
        let model = self.matrix.model;
        s.collect_seq(analysis.analysed().iter().flat_map(|&m| {
            let qid = model.models[m].qid.as_str();
            analysis
                .question_pairs_of(m)
                .filter_map(move |pair| OpenPair::of(qid, &pair))
        }))
    }
}

#[derive(Serialize)]
struct JsonMatrix<'m, 'a> {
    model: &'a str,
    questions: JsonQuestions<'m, 'a>,
    threats: Vec<JsonThreat<'a>>,
    other: &'a std::collections::BTreeMap<Qid, Vec<Qid>>,
}
