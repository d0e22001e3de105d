//! The Markdown report (GitHub-flavoured; renders on GitHub and GitLab).
//!
//! The sections and what they hold come from the report outline
//! (`outline.rs`); this file only prints its blocks in Markdown. Every
//! element gets an explicit `<a id="...">` anchor built from its qualified
//! id by [`anchor`], so links never depend on how a host slugs headings.
//! Every user string goes through [`escape_md`] (or, for descriptions,
//! [`description_md`]).

use crate::diagram::{self, DiagramFormat, DiagramOptions};
use crate::escape::{anchor, code_span, description_md, escape_md, link_dest_md};
use crate::outline::{Block, Inline, Line, Row, SECTIONS, section_anchor};
use crate::report::{ReportOptions, SEVERITIES, percent, severity_label, status_label};
use crate::sink::Sink;
use std::fmt::Write as _;
use std::io;
use tmkit_analysis::treatment::Calendar;
use tmkit_analysis::views::{
    CellState, ChecklistItem, MatrixTable, ThreatEntry, Tickets, View, ViewKind,
};
use tmkit_model::Qid;
use tmkit_model::{Abstraction, Mitigation};

/// Renders the view as a Markdown document.
pub fn render(view: &View, options: &ReportOptions) -> String {
    crate::sink::to_string(|out| write(view, options, out))
}

/// Writes the view as a Markdown document to `out` (which should be
/// buffered), as it is produced.
pub fn write(view: &View, options: &ReportOptions, out: &mut dyn io::Write) -> io::Result<()> {
    let mut w = Md(Sink::new(out, true));
    header(&mut w, view, options);
    toc(&mut w, view);
    for section in &SECTIONS {
        if !(section.listed)(view) || !(section.printed)(view) {
            continue;
        }
        w.heading(
            2,
            &section_anchor(section.id),
            &inlines(&[section.heading(view)]),
        );
        (section.build)(view, &mut |block| {
            w.block(view, &block);
            w.0.spill();
        });
    }
    while w.0.ends_with("\n\n") {
        w.0.pop();
    }
    w.0.finish()
}

/// The Markdown being printed.
struct Md<'w>(Sink<'w>);

impl Md<'_> {
    fn line(&mut self, s: &str) {
        self.0.push_str(s);
        self.0.push('\n');
    }
    fn blank(&mut self) {
        if !self.0.ends_with("\n\n") && !self.0.is_fresh() {
            self.0.push('\n');
        }
    }
    fn heading(&mut self, level: usize, id: &str, text: &str) {
        self.blank();
        let _ = writeln!(
            self.0,
            "{} <a id=\"{}\"></a>{}",
            "#".repeat(level),
            id,
            text
        );
        self.0.push('\n');
    }
    fn para(&mut self, s: &str) {
        self.blank();
        self.line(s);
        self.0.push('\n');
    }
    fn description(&mut self, d: Option<&str>) {
        if let Some(d) = d {
            let d = description_md(d);
            if !d.trim().is_empty() {
                self.para(&d);
            }
        }
    }
    fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            return;
        }
        self.blank();
        self.line(&format!("| {} |", head.join(" | ")));
        self.line(&format!("|{}|", vec!["---"; head.len()].join("|")));
        for r in rows {
            self.line(&format!("| {} |", r.join(" | ")));
            self.0.spill();
        }
        self.0.push('\n');
    }
    fn facts(&mut self, facts: &[(&str, Line)]) {
        let rows: Vec<Vec<String>> = facts
            .iter()
            .map(|(k, v)| vec![k.to_string(), inlines(v)])
            .collect();
        self.table(&["", ""], &rows);
    }

    /// Prints one block of the outline.
    fn block(&mut self, view: &View, block: &Block) {
        match block {
            Block::Heading { level, id, title } => self.heading(*level, id, &inlines(title)),
            Block::Para(line) | Block::Legend(line) => self.para(&inlines(line)),
            Block::Table { head, rows } => self.rows(head, rows),
            Block::Facts(facts) => self.facts(facts),
            Block::Description(d) => self.description(*d),
            Block::Warnings(warnings) => {
                self.blank();
                for warning in warnings {
                    self.line(&format!("- &#x26A0;&#xFE0F; {}", escape_md(warning)));
                    self.0.spill();
                }
                self.0.push('\n');
            }
            Block::Summary => summary(self, view),
            Block::Diagram => diagram_block(self, view),
            Block::Abstraction(ab) => abstraction(self, ab),
            Block::MatrixLegend => self.para(MATRIX_LEGEND),
            Block::Matrix(table) => matrix_table(self, table),
            Block::ThreatIndex => threat_index(self, view),
            Block::Threat { entry, facts } => threat(self, view, entry, facts),
            Block::Checklist(items) => checklist(self, items),
        }
    }

    fn rows(&mut self, head: &Line, rows: &[Row]) {
        let head: Vec<String> = head.iter().map(inline).collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut cells: Vec<String> = r.cells.iter().map(|c| inlines(c)).collect();
                if let (Some(a), Some(first)) = (r.anchor, cells.first_mut()) {
                    first.insert_str(0, &format!("<a id=\"{}\"></a>", anchor(a)));
                }
                cells
            })
            .collect();
        self.table(&head, &rows);
    }
}

/// One inline in Markdown.
fn inline(x: &Inline) -> String {
    match x {
        Inline::Text(s) => escape_md(s),
        Inline::Raw(s) => s.to_string(),
        Inline::Fixed { md, .. } => md.to_string(),
        Inline::Qid(q) | Inline::Code(q) => code(q),
        Inline::QidLink(q) => qid_link(q),
        Inline::QidNote(q) => format!("({})", code(q)),
        Inline::Named(n, true) => format!("{} {}", qid_link(&n.qid), escape_md(&n.title)),
        Inline::Named(n, false) => format!("{} {}", code(&n.qid), escape_md(&n.title)),
        Inline::Ticket(t) => ticket(t),
        Inline::Warn(line) => format!("**{}**", inlines(line)),
        Inline::Weakness(w) => escape_md(&w.to_string()),
        Inline::Crossing(c) => {
            let mut s = escape_md(&format!("{} ({})", c.direction, c.exposed.join(", ")));
            if !c.unanswered.is_empty() {
                let u = escape_md(&c.unanswered.join(", "));
                s.push_str(&format!(" **unanswered: {u}**"));
            }
            s
        }
    }
}

/// A line of inlines in Markdown.
fn inlines(line: &[Inline]) -> String {
    line.iter().map(inline).collect()
}

/// Inline code for an id or a value.
fn code(s: &str) -> String {
    code_span(s)
}

/// A link to an element's anchor, showing its qid.
fn qid_link(qid: &str) -> String {
    format!("[{}](#{})", code(qid), anchor(qid))
}

fn ticket(t: &str) -> String {
    match link_dest_md(t) {
        Some(dest) => format!("[{}]({dest})", escape_md(t)),
        None => code(t),
    }
}

fn header(w: &mut Md, view: &View, options: &ReportOptions) {
    let root = view.model.root();
    w.line("<!-- Generated by tmkit from the threat model; do not edit by hand. -->");
    w.blank();
    let _ = writeln!(
        w.0,
        "# <a id=\"{}\"></a>{}: {}",
        anchor(&root.qid),
        view.kind.title(),
        escape_md(&root.title)
    );
    w.0.push('\n');
    w.para(&format!("> **{}**", escape_md(view.kind.classification())));
    let mut rows = vec![vec!["Model".to_string(), code(&root.qid)]];
    if let Some(v) = &root.version {
        rows.push(vec!["Version".into(), escape_md(v)]);
    }
    if let Some(o) = &root.owner {
        rows.push(vec!["Owner".into(), escape_md(o)]);
    }
    if !root.authors.is_empty() {
        let a: Vec<String> = root.authors.iter().map(|a| escape_md(a)).collect();
        rows.push(vec!["Authors".into(), a.join(", ")]);
    }
    rows.push(vec!["Report".into(), format!("{} view", view.kind)]);
    if let Some(d) = &options.date {
        rows.push(vec!["Date".into(), escape_md(d)]);
    }
    w.table(&["", ""], &rows);
    if view.kind != ViewKind::Checklist {
        w.description(root.description.as_deref());
    }
}

/// The contents: every section of the view, and the components below
/// theirs (detail entries, such as severity groups, are left out).
fn toc(w: &mut Md, view: &View) {
    let mut items: Vec<(usize, String, String)> = Vec::new();
    for section in SECTIONS.iter().filter(|s| (s.listed)(view)) {
        let title = inline(&section.title);
        items.push((0, format!("#{}", section_anchor(section.id)), title));
        for item in (section.toc)(view).into_iter().filter(|i| !i.detail) {
            items.push((1, item.href, inlines(&item.title)));
        }
    }
    if items.len() < 2 {
        return;
    }
    w.heading(2, &section_anchor("contents"), "Contents");
    for (depth, href, text) in items {
        let _ = writeln!(w.0, "{}- [{}]({})", "  ".repeat(depth), text, href);
    }
    w.0.push('\n');
}

fn summary(w: &mut Md, view: &View) {
    let m = &view.metrics;
    if let (true, Some(q)) = (view.sections.analysis, &m.questions) {
        w.para(&format!(
            "**Coverage: {}** of the analysis ({} of {} questions answered; {} open). Coverage counts the questions *target x attacker x category* that a threat or a verdict answers.",
            percent(q.coverage),
            q.answered,
            q.total,
            q.open
        ));
    }
    w.blank();
    for l in summary_lines(view) {
        w.line(&format!("- {l}"));
    }
    w.0.push('\n');
    // Severity counts of the threats the view lists.
    let counts: Vec<String> = SEVERITIES
        .iter()
        .map(|s| {
            view.threats
                .iter()
                .filter(|t| t.severity == *s)
                .count()
                .to_string()
        })
        .collect();
    let heads: Vec<&str> = SEVERITIES.iter().map(|s| severity_label(*s)).collect();
    w.table(&heads, &[counts]);
    let worst = view.worst_open();
    if !worst.is_empty() {
        w.para("Worst open threats:");
        for t in worst {
            w.line(&format!(
                "1. {} {} ({}, {})",
                qid_link(&t.qid),
                escape_md(&t.title),
                tmkit_analysis::score_text(t.score, t.severity),
                status_label(t.status).to_lowercase()
            ));
        }
        w.0.push('\n');
    }
}

/// The counts of the summary, one line each, as the view words them.
pub(crate) fn summary_lines(view: &View) -> Vec<String> {
    let m = &view.metrics;
    let t = &m.threats;
    match view.kind {
        ViewKind::Public => vec![format!(
            "**{}** threats identified and mitigated, by **{}** security controls in place.",
            t.total, m.mitigations.in_place
        )],
        ViewKind::Unmitigated => {
            let open = view.threats.iter().filter(|x| x.status.is_open()).count();
            vec![
                format!(
                    "**{}** threats are not mitigated: {} unmitigated, {} partial, {} accepted; open threats tracked by no ticket: {}.",
                    view.threats.len(),
                    t.unmitigated,
                    t.partial,
                    t.accepted,
                    view.threats.iter().filter(|x| x.untracked).count()
                ),
                format!(
                    "**{}** mitigations are planned (not in place yet); **{}** threats are open (unmitigated or partial).",
                    view.threats
                        .iter()
                        .map(|x| x.planned().count())
                        .sum::<usize>(),
                    open
                ),
            ]
        }
        _ => vec![
            format!(
                "**{}** threats: {} mitigated, {} partial, {} accepted, {} unmitigated; {} mitigated only by operational controls (not secure by default).",
                t.total, t.mitigated, t.partial, t.accepted, t.unmitigated, t.not_secure_by_default
            ),
            format!(
                "**{}** mitigations, {} in place, {} planned; {} open threats tracked by no ticket.",
                m.mitigations.total,
                m.mitigations.in_place,
                m.mitigations.planned,
                m.untracked_unmitigated
            ),
            format!(
                "**{}** data flows cross a trust boundary; {} with an exposed category nobody answered.",
                m.boundary_crossings.total,
                m.boundary_crossings.unanswered.unwrap_or(0)
            ),
        ],
    }
}

fn diagram_block(w: &mut Md, view: &View) {
    let mermaid = diagram::render(
        &view.model,
        &view.analysis,
        DiagramFormat::Mermaid,
        &DiagramOptions::new(),
    );
    w.blank();
    w.line("```mermaid");
    w.line(mermaid.trim_end().replace("```", "'''").as_str());
    w.line("```");
    w.0.push('\n');
}

fn abstraction(w: &mut Md, ab: &Abstraction) {
    let mut rows = Vec::new();
    if let Some(l) = &ab.level {
        rows.push(vec!["Level".to_string(), escape_md(l)]);
    }
    rows.push(vec!["Taxonomy".to_string(), escape_md(ab.taxonomy.name())]);
    let cats: Vec<String> = ab
        .taxonomy
        .categories()
        .iter()
        .map(|c| escape_md(c))
        .collect();
    rows.push(vec!["Categories".to_string(), cats.join(", ")]);
    if let Some(n) = &ab.notes {
        rows.push(vec!["Notes".to_string(), escape_md(n)]);
    }
    w.table(&["", ""], &rows);
}

const MATRIX_LEGEND: &str = "Each cell answers *\"What can go wrong for TARGET given an attack by ATTACKER for the aspect of CATEGORY?\"* for every attacker. Legend: &#x2705; answered, &#x1F7E1; partly open, &#x2B1C; open, &#x1F534; answered by a threat that is not mitigated, `-` not asked by the taxonomy. Threats are marked **M**itigated, **A**ccepted, **P**artial, **U**nmitigated.";

fn state_icon(s: CellState) -> &'static str {
    match s {
        CellState::NotAsked => "",
        CellState::Answered => "&#x2705;",
        CellState::PartlyOpen => "&#x1F7E1;",
        CellState::Open => "&#x2B1C;",
        CellState::Unmitigated => "&#x1F534;",
        _ => "",
    }
}

fn matrix_table(w: &mut Md, table: &MatrixTable) {
    w.heading(
        3,
        &format!("{}-{}", section_anchor("matrix"), anchor(&table.model.qid)),
        &format!(
            "Matrix of {} ({})",
            escape_md(&table.model.title),
            code(&table.model.qid)
        ),
    );
    let attackers: Vec<String> = table.attackers.iter().map(|a| qid_link(&a.qid)).collect();
    w.para(&format!(
        "Coverage {} ({} of {} questions). Attackers: {}.",
        percent(table.coverage()),
        table.questions().0,
        table.questions().1,
        if attackers.is_empty() {
            "none".to_string()
        } else {
            attackers.join(", ")
        }
    ));
    let mut head: Vec<String> = vec!["Target".to_string()];
    head.extend(table.categories.iter().map(|c| escape_md(c)));
    head.push("other".to_string());
    let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![format!(
                "{} {}",
                qid_link(&r.target.qid),
                escape_md(&r.target.title)
            )];
            row.extend(r.cells.iter().map(matrix_cell));
            row.push(cell_threats(&r.other).join(" "));
            row
        })
        .collect();
    w.table(&head_ref, &rows);
}

/// The threats answering a matrix cell, each with its status letter.
fn cell_threats(threats: &[(Qid, tmkit_analysis::Status)]) -> Vec<String> {
    (threats.iter())
        .map(|(q, s)| format!("{} {}", qid_link(q), s.letter()))
        .collect()
}

fn matrix_cell(c: &tmkit_analysis::views::MatrixCell) -> String {
    if c.state == CellState::NotAsked {
        return "-".to_string();
    }
    let mut parts = vec![state_icon(c.state).to_string()];
    parts.extend(cell_threats(&c.threats));
    for (v, a) in &c.verdicts {
        parts.push(format!(
            "{} ({})",
            v.as_str(),
            a.as_deref().map_or_else(|| "all".to_string(), code)
        ));
    }
    if !c.open.is_empty() && c.answered > 0 {
        let open: Vec<String> = c.open.iter().map(|a| code(a)).collect();
        parts.push(format!("open: {}", open.join(", ")));
    }
    parts.join(" ")
}

/// The overview table of the threats.
fn threat_index(w: &mut Md, view: &View) {
    let rows: Vec<Vec<String>> = view
        .threats
        .iter()
        .map(|t| {
            vec![
                qid_link(&t.qid),
                escape_md(&t.title),
                tmkit_analysis::score_text(t.score, t.severity),
                status_label(t.status).to_string(),
                t.categories
                    .iter()
                    .map(|c| escape_md(c))
                    .collect::<Vec<_>>()
                    .join(", "),
                code(&t.component.qid),
            ]
        })
        .collect();
    w.table(
        &["ID", "Threat", "Severity", "Status", "Categories", "Model"],
        &rows,
    );
}

fn threat(w: &mut Md, view: &View, t: &ThreatEntry, shared: &[(&'static str, Line)]) {
    w.heading(
        4,
        &anchor(&t.qid),
        &format!("{} {}", code(&t.qid), escape_md(&t.title)),
    );
    let status = format!(
        "**{}**{}",
        status_label(t.status),
        if t.not_secure_by_default {
            " (not secure by default: only operational controls)"
        } else {
            ""
        }
    );
    let severity = match (&t.cvss, t.score) {
        (Some(v), Some(_)) => format!(
            "{} {}",
            tmkit_analysis::score_text(t.score, t.severity),
            code(v)
        ),
        (Some(v), None) => code(v),
        _ => "unscored".into(),
    };
    let mut rows = vec![
        vec!["Status".to_string(), status],
        vec!["Severity".to_string(), severity],
    ];
    rows.extend(shared.iter().map(|(k, v)| vec![k.to_string(), inlines(v)]));
    w.table(&["", ""], &rows);
    w.description(t.description.as_deref());
    if t.mitigations.is_empty() {
        w.para("*No mitigation.*");
    } else {
        w.para("Mitigations:");
        for m in &t.mitigations {
            w.line(&mitigation_item(m, view.calendar.as_ref(), &view.tickets));
        }
        w.0.push('\n');
    }
}

fn mitigation_item(m: &Mitigation, cal: Option<&Calendar>, tickets: &Tickets) -> String {
    let mut s = format!(
        "- [{}] {}{} ({}, {})",
        if m.in_place { "x" } else { " " },
        if m.shared {
            format!("{} ", qid_link(&m.qid))
        } else {
            format!("<a id=\"{}\"></a>", anchor(&m.qid))
        },
        escape_md(&m.title),
        m.kind.as_str(),
        if m.in_place { "in place" } else { "planned" }
    );
    if let Some(o) = &m.operator {
        s.push_str(&format!("; operated by {}", escape_md(o)));
    }
    if let Some(t) = &m.ticket {
        s.push_str(&format!("; ticket {}", ticket(t)));
    }
    s.push_str(&inlines(&crate::outline::mitigation_notes(m, cal, tickets)));
    s
}

fn checklist(w: &mut Md, items: &[&ChecklistItem]) {
    for i in items {
        let mut s = format!(
            "- [ ] <a id=\"{}\"></a>{} {}",
            anchor(&i.qid),
            code(&i.qid),
            escape_md(&i.title)
        );
        if let Some(d) = &i.detail {
            s.push_str(&format!(" ({})", escape_md(d)));
        }
        if !i.relied_on_by.is_empty() {
            let t: Vec<String> = i.relied_on_by.iter().map(|q| code(q)).collect();
            s.push_str(&format!(". Relied on by {}", t.join(", ")));
        }
        w.line(&s);
        w.0.spill();
    }
    w.0.push('\n');
}
