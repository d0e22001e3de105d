//! The PDF report, written by tmkit itself (krilla; no browser, no external
//! program, no network).
//!
//! The sections and what they hold come from the report outline
//! (`outline.rs`), as for Markdown and HTML; this module only prints its
//! blocks on pages: a cover (title, version, date, confidentiality
//! marking), the contents with page numbers, then each section from a new
//! page, with the marking and "Page N of M" on every page and a bookmark
//! per heading. `layout.rs` is the typesetter, `emit.rs` writes the PDF,
//! `fonts.rs` holds the embedded fonts. Every string reaches the page
//! through the typesetter's span, that is through [`crate::escape::pdf_text`].
//!
//! The document is laid out in memory (linear in the size of the report)
//! and then written: page numbers and the contents need the whole layout.

mod emit;
mod fonts;
mod layout;

use crate::diagram::{self, DiagramFormat, DiagramOptions};
use crate::escape::anchor;
use crate::outline::{Block, Inline, Line, Row, SECTIONS, section_anchor};
use crate::report::{ReportOptions, SEVERITIES, percent, severity_label, status_label};
use fonts::{Face, Metrics};
use layout::{GREY, Span, Style, Typesetter, WARN};
#[cfg(test)]
use layout::{LEFT, Op};
use std::io;
use tmkit_analysis::views::{
    CellState, ChecklistItem, MatrixCell, MatrixTable, ThreatEntry, View, ViewKind,
};
use tmkit_model::Qid;
use tmkit_model::{Abstraction, Mitigation};

const BODY: Style = Style::new(Face::Regular, 9.5);
const TABLE: Style = Style::new(Face::Regular, 8.5);
const MATRIX: Style = Style::new(Face::Regular, 7.5);
const H1: Style = Style::new(Face::Bold, 17.0);
const H2: Style = Style::new(Face::Bold, 12.5);
const H3: Style = Style::new(Face::Bold, 10.5);

/// Renders the view as a PDF document.
pub fn render(view: &View, options: &ReportOptions) -> io::Result<Vec<u8>> {
    let m = Metrics::new().ok_or_else(|| io::Error::other("an embedded font cannot be read"))?;
    let mut svgs = Vec::new();
    let ts = layout_report(view, options, &m, &mut svgs);
    let root = view.model.root();
    // The document's properties too hold only what the text may hold.
    let clean = |s: &str| crate::escape::pdf_text(s, |c| m.covers(Face::Regular, c));
    let title = clean(&format!("{}: {}", view.kind.title(), root.title));
    let footer = format!("{}  \u{b7}  {} view", root.qid, view.kind);
    let frame = emit::Frame {
        marking: view.kind.classification(),
        footer: &footer,
        title: &title,
        authors: root.authors.iter().map(|a| clean(a)).collect(),
        date: options.date.as_deref(),
    };
    emit::write(&ts, &svgs, &frame).map_err(io::Error::other)
}

/// Writes the view as a PDF document to `out`.
pub fn write(view: &View, options: &ReportOptions, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(&render(view, options)?)
}

/// Lays out the cover, the contents and the sections.
fn layout_report<'m>(
    view: &View,
    options: &ReportOptions,
    m: &'m Metrics,
    svgs: &mut Vec<usvg::Tree>,
) -> Typesetter<'m> {
    let mut ts = Typesetter::new(m);
    cover(&mut ts, view, options);
    ts.new_page();
    let body_start = ts.page();
    for section in &SECTIONS {
        if !(section.listed)(view) || !(section.printed)(view) {
            continue;
        }
        let title = spans(&ts, &[section.heading(view)], H1);
        ts.heading(1, &title, Some(&section_anchor(section.id)));
        (section.build)(view, &mut |block| print(&mut ts, view, &block, svgs));
    }
    // The contents go between the cover and the body; their length does not
    // depend on the page numbers they show, so a first pass counts them.
    let count = contents(&ts, view, body_start, 0).pages.len();
    let toc = contents(&ts, view, body_start, count);
    let shift = |page: &mut usize| {
        if *page >= body_start {
            *page += count;
        }
    };
    for mark in &mut ts.marks {
        shift(&mut mark.page);
    }
    for at in ts.anchors.values_mut() {
        shift(&mut at.0);
    }
    let mut marks = Vec::with_capacity(ts.marks.len() + 1);
    for mark in toc.marks {
        marks.push(layout::Mark {
            page: mark.page + body_start,
            ..mark
        });
    }
    marks.append(&mut ts.marks);
    marks.sort_by_key(|mk| mk.page);
    ts.marks = marks;
    let body = ts.pages.split_off(body_start);
    ts.pages.extend(toc.pages);
    ts.pages.extend(body);
    ts
}

/// The contents: every section printed and the components below theirs,
/// with the page each starts on (`offset`: the pages of the contents).
fn contents<'m>(
    ts: &Typesetter<'m>,
    view: &View,
    body_start: usize,
    offset: usize,
) -> Typesetter<'m> {
    let mut toc = Typesetter::new(ts.m);
    let title = [toc.span("Contents", H1)];
    toc.heading(1, &title, None);
    let number = |a: &str| {
        ts.anchors.get(a).map(|&(page, _)| {
            let page = if page >= body_start {
                page + offset
            } else {
                page
            };
            (page + 1).to_string()
        })
    };
    for section in SECTIONS.iter().filter(|s| (s.listed)(view)) {
        let a = section_anchor(section.id);
        if let Some(n) = number(&a) {
            let title = link_line(&toc, &[section.heading(view)], BODY.sized(10.5), &a);
            toc.entry(0.0, &title, toc.span(&n, BODY.sized(10.5)));
        }
        for item in (section.toc)(view).into_iter().filter(|i| !i.detail) {
            let a = item.href.trim_start_matches('#');
            if let Some(n) = number(a) {
                let title = link_line(&toc, &item.title, BODY, a);
                toc.entry(16.0, &title, toc.span(&n, BODY));
            }
        }
    }
    toc
}

/// A line whose every span links to `anchor`.
fn link_line(ts: &Typesetter, line: &[Inline], style: Style, anchor: &str) -> Vec<Span> {
    spans(ts, line, style)
        .into_iter()
        .map(|s| ts.link(s.text(), s.style, anchor.to_string()))
        .collect()
}

/// The cover: marking, title, the model's facts, its description.
fn cover(ts: &mut Typesetter, view: &View, options: &ReportOptions) {
    let root = view.model.root();
    ts.y += 90.0;
    let marking = [ts.span(
        view.kind.classification(),
        Style::new(Face::Bold, 10.0).color(WARN),
    )];
    ts.para(&marking, 0.0, None);
    ts.y += 24.0;
    let kind = [ts.span(
        view.kind.title(),
        Style::new(Face::Regular, 14.0).color(GREY),
    )];
    ts.para(&kind, 0.0, None);
    let title = [ts.span(&root.title, Style::new(Face::Bold, 24.0))];
    ts.bookmark(1, &title);
    ts.anchor(&anchor(&root.qid));
    ts.para(&title, 0.0, None);
    ts.y += 12.0;
    let mut facts = vec![("Model", vec![Inline::Qid(&root.qid)])];
    let text = |s: &str| vec![Inline::Text(s.to_string().into())];
    if let Some(v) = &root.version {
        facts.push(("Version", text(v)));
    }
    if let Some(d) = &options.date {
        facts.push(("Date", text(d)));
    }
    if let Some(o) = &root.owner {
        facts.push(("Owner", text(o)));
    }
    if !root.authors.is_empty() {
        facts.push(("Authors", text(&root.authors.join(", "))));
    }
    let report = format!("{} view", view.kind);
    facts.push(("Report", text(&report)));
    facts_table(ts, &facts, BODY.sized(10.5));
    if view.kind != ViewKind::Checklist {
        description(ts, root.description.as_deref());
    }
}

/// Prints one block of the outline.
fn print(ts: &mut Typesetter, view: &View, block: &Block, svgs: &mut Vec<usvg::Tree>) {
    match block {
        Block::Heading { level, id, title } => {
            let (lvl, style) = if *level <= 3 { (2, H2) } else { (3, H3) };
            let title = spans(ts, title, style);
            ts.heading(lvl, &title, Some(id));
        }
        Block::Para(line) => {
            let s = spans(ts, line, BODY);
            ts.para(&s, 0.0, None);
        }
        Block::Legend(line) => {
            let s = spans(ts, line, BODY.color(GREY));
            ts.para(&s, 0.0, None);
        }
        Block::Table { head, rows } => table(ts, head, rows),
        Block::Facts(facts) => facts_table(ts, facts, TABLE),
        Block::Description(d) => description(ts, *d),
        Block::Warnings(warnings) => {
            for w in warnings {
                let s = [ts.span(w, BODY)];
                let mark = ts.span("\u{26A0}", BODY.color(WARN));
                ts.para(&s, 14.0, Some(mark));
            }
        }
        Block::Summary => summary(ts, view),
        Block::Diagram => diagram_block(ts, view, svgs),
        Block::Abstraction(ab) => abstraction(ts, ab),
        Block::MatrixLegend => {
            let s = [ts.span(MATRIX_LEGEND, BODY.color(GREY))];
            ts.para(&s, 0.0, None);
        }
        Block::Matrix(t) => matrix(ts, t),
        Block::ThreatIndex => threat_index(ts, view),
        Block::Threat { entry, facts } => threat(ts, view, entry, facts),
        Block::Checklist(items) => checklist(ts, items),
    }
}

/// Decodes the entities fixed text is written with (`&rarr;`, `&#x2705;`).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "rarr" => Some('\u{2192}'),
                "larr" => Some('\u{2190}'),
                "harr" => Some('\u{2194}'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn mono(base: Style) -> Style {
    Style::new(Face::Mono, base.size * 0.92).color(base.color)
}

fn bold(base: Style) -> Style {
    Style {
        face: Face::Bold,
        ..base
    }
}

/// The spans of a line of inlines.
fn spans(ts: &Typesetter, line: &[Inline], base: Style) -> Vec<Span> {
    let mut out = Vec::new();
    for x in line {
        inline(ts, x, base, &mut out);
    }
    out
}

fn qid_link(ts: &Typesetter, q: &str, base: Style) -> Span {
    ts.link(q, mono(base), anchor(q))
}

fn inline(ts: &Typesetter, x: &Inline, base: Style, out: &mut Vec<Span>) {
    match x {
        Inline::Text(s) => out.push(ts.span(s, base)),
        Inline::Raw(s) => out.push(ts.span(&decode_entities(s), base)),
        Inline::Fixed { html, .. } => out.push(ts.span(&decode_entities(html), base)),
        Inline::Qid(q) | Inline::Code(q) => out.push(ts.span(q, mono(base))),
        Inline::QidLink(q) => out.push(qid_link(ts, q, base)),
        Inline::QidNote(q) => {
            out.push(ts.span("(", base));
            out.push(ts.span(q, mono(base)));
            out.push(ts.span(")", base));
        }
        Inline::Named(n, link) => {
            out.push(if *link {
                qid_link(ts, &n.qid, base)
            } else {
                ts.span(&n.qid, mono(base))
            });
            out.push(ts.span(" ", base));
            out.push(ts.span(&n.title, base));
        }
        Inline::Ticket(t) => out.push(ts.span(t, base)),
        Inline::Warn(line) => {
            for x in line {
                inline(ts, x, bold(base).color(WARN), out);
            }
        }
        Inline::Weakness(w) => out.push(ts.span(&w.to_string(), base)),
        Inline::Crossing(c) => {
            out.push(ts.span(&format!("{} ({})", c.direction, c.exposed.join(", ")), base));
            if !c.unanswered.is_empty() {
                let u = format!(" unanswered: {}", c.unanswered.join(", "));
                out.push(ts.span(&u, bold(base).color(WARN)));
            }
        }
    }
}

fn table(ts: &mut Typesetter, head: &Line, rows: &[Row]) {
    let head: Vec<Vec<Span>> = head
        .iter()
        .map(|h| spans(ts, std::slice::from_ref(h), bold(TABLE)))
        .collect();
    let rows: Vec<(Option<String>, Vec<Vec<Span>>)> = rows
        .iter()
        .map(|r| {
            (
                r.anchor.map(anchor),
                r.cells.iter().map(|c| spans(ts, c, TABLE)).collect(),
            )
        })
        .collect();
    ts.table(Some(&head), &rows);
}

fn facts_table(ts: &mut Typesetter, facts: &[(&str, Line)], base: Style) {
    let rows: Vec<(Option<String>, Vec<Vec<Span>>)> = facts
        .iter()
        .map(|(k, v)| (None, vec![vec![ts.span(k, bold(base))], spans(ts, v, base)]))
        .collect();
    ts.table(None, &rows);
}

fn description(ts: &mut Typesetter, d: Option<&str>) {
    use crate::description::PlainBlock;
    let Some(d) = d else { return };
    for block in crate::description::description_plain(d) {
        match block {
            PlainBlock::Text {
                depth,
                marker,
                text,
            } => {
                let indent = 14.0 * depth.min(8) as f32;
                let s = [ts.span(&text, BODY)];
                let marker = marker.map(|mk| ts.span(&mk, BODY));
                ts.para(&s, indent, marker);
            }
            PlainBlock::Code(code) => {
                for line in code.lines() {
                    let s = [ts.span(line, mono(TABLE))];
                    ts.para(&s, 10.0, None);
                    ts.y -= 4.0;
                }
                ts.y += 4.0;
            }
        }
    }
}

/// A paragraph whose `**` toggles bold (the summary's counts).
fn strong_para(ts: &mut Typesetter, s: &str, marker: Option<&str>) {
    let line: Vec<Span> = (s.split("**").enumerate())
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| ts.span(part, if i % 2 == 1 { bold(BODY) } else { BODY }))
        .collect();
    let marker = marker.map(|m| ts.span(m, BODY));
    ts.para(&line, if marker.is_some() { 14.0 } else { 0.0 }, marker);
}

fn summary(ts: &mut Typesetter, view: &View) {
    let m = &view.metrics;
    if let (true, Some(q)) = (view.sections.analysis, &m.questions) {
        let s = format!(
            "**Coverage: {}** of the analysis ({} of {} questions answered; {} open). Coverage counts the questions target x attacker x category that a threat or a verdict answers.",
            percent(q.coverage),
            q.answered,
            q.total,
            q.open
        );
        strong_para(ts, &s, None);
    }
    for l in crate::markdown::summary_lines(view) {
        strong_para(ts, &l, Some("\u{2022}"));
    }
    ts.gap(4.0);
    let head: Vec<Vec<Span>> = SEVERITIES
        .iter()
        .map(|s| vec![ts.span(severity_label(*s), bold(TABLE))])
        .collect();
    let counts = SEVERITIES
        .iter()
        .map(|s| {
            let n = view.threats.iter().filter(|t| t.severity == *s).count();
            vec![ts.span(&n.to_string(), TABLE)]
        })
        .collect();
    ts.table(Some(&head), &[(None, counts)]);
    let worst = view.worst_open();
    if !worst.is_empty() {
        let s = [ts.span("Worst open threats:", BODY)];
        ts.para(&s, 0.0, None);
        for (i, t) in worst.into_iter().enumerate() {
            let line = vec![
                qid_link(ts, &t.qid, BODY),
                ts.span(
                    &format!(
                        " {} ({}, {})",
                        t.title,
                        tmkit_analysis::score_text(t.score, t.severity),
                        status_label(t.status).to_lowercase()
                    ),
                    BODY,
                ),
            ];
            let marker = ts.span(&format!("{}.", i + 1), BODY);
            ts.para(&line, 18.0, Some(marker));
        }
    }
}

fn diagram_block(ts: &mut Typesetter, view: &View, svgs: &mut Vec<usvg::Tree>) {
    let svg = diagram::render(
        &view.model,
        &view.analysis,
        DiagramFormat::Svg,
        &DiagramOptions::new(),
    );
    let Some(tree) = emit::parse_svg(&svg, ts.m) else {
        let s = [ts.span("The diagram could not be drawn.", BODY.color(WARN))];
        ts.para(&s, 0.0, None);
        return;
    };
    let (w, h) = (tree.size().width(), tree.size().height());
    // At most its natural size (1 px = 0.75 pt), at most the text width,
    // at most the room left on the page. A diagram wider than the page's
    // body is wide gets a landscape page, when it starts its section.
    let mut room_w = layout::WIDTH;
    let mut room_h = (layout::BOTTOM - ts.y - 10.0).max((layout::BOTTOM - layout::TOP) / 2.0);
    let fresh = ts.y < layout::TOP + 60.0;
    if fresh && w / h > room_w / room_h && w * 0.75 > room_w {
        let (lw, lh) = ts.turn_page();
        room_w = lw;
        room_h = lh - 10.0;
    }
    let scale = f32::min(0.75, f32::min(room_w / w, room_h / h));
    if !(scale.is_finite() && scale > 0.0) {
        return;
    }
    svgs.push(tree);
    ts.image(svgs.len() - 1, w * scale, h * scale);
}

fn abstraction(ts: &mut Typesetter, ab: &Abstraction) {
    let mut facts: Vec<(&str, Line)> = Vec::new();
    let text = |s: &str| vec![Inline::Text(s.to_string().into())];
    if let Some(l) = &ab.level {
        facts.push(("Level", text(l)));
    }
    facts.push(("Taxonomy", text(ab.taxonomy.name())));
    facts.push(("Categories", text(&ab.taxonomy.categories().join(", "))));
    if let Some(n) = &ab.notes {
        facts.push(("Notes", text(n)));
    }
    facts_table(ts, &facts, TABLE);
}

const MATRIX_LEGEND: &str = "Each cell answers \u{201c}What can go wrong for TARGET given an attack by ATTACKER for the aspect of CATEGORY?\u{201d} for every attacker. Legend: \u{2713} answered, \u{b1} partly open, \u{25a1} open, \u{25cf} answered by a threat that is not mitigated, - not asked by the taxonomy. Threats are marked M (mitigated), A (accepted), P (partial), U (unmitigated).";

fn state_mark(s: CellState) -> (&'static str, bool) {
    match s {
        CellState::Answered => ("\u{2713}", false),
        CellState::PartlyOpen => ("\u{b1}", false),
        CellState::Open => ("\u{25a1}", false),
        CellState::Unmitigated => ("\u{25cf}", true),
        _ => ("", false),
    }
}

fn cell_threats(ts: &Typesetter, threats: &[(Qid, tmkit_analysis::Status)], out: &mut Vec<Span>) {
    for (q, s) in threats {
        out.push(ts.span(" ", MATRIX));
        out.push(qid_link(ts, q, MATRIX));
        out.push(ts.span(&format!(" {}", s.letter()), bold(MATRIX)));
    }
}

fn matrix_cell(ts: &Typesetter, c: &MatrixCell) -> Vec<Span> {
    if c.state == CellState::NotAsked {
        return vec![ts.span("-", MATRIX)];
    }
    let (mark, warn) = state_mark(c.state);
    let mut out = vec![ts.span(mark, if warn { MATRIX.color(WARN) } else { MATRIX })];
    cell_threats(ts, &c.threats, &mut out);
    for (v, a) in &c.verdicts {
        out.push(ts.span(&format!(" {} (", v.as_str()), MATRIX));
        out.push(match a {
            Some(a) => ts.span(a, mono(MATRIX)),
            None => ts.span("all", MATRIX),
        });
        out.push(ts.span(")", MATRIX));
    }
    if !c.open.is_empty() && c.answered > 0 {
        out.push(ts.span(" open:", MATRIX));
        for a in &c.open {
            out.push(ts.span(" ", MATRIX));
            out.push(ts.span(a, mono(MATRIX)));
        }
    }
    out
}

fn matrix(ts: &mut Typesetter, table: &MatrixTable) {
    let title = [
        ts.span(&format!("Matrix of {} ", table.model.title), H2),
        ts.span(&format!("({})", table.model.qid), H2),
    ];
    let id = format!("{}-{}", section_anchor("matrix"), anchor(&table.model.qid));
    ts.heading(2, &title, Some(&id));
    let (answered, total) = table.questions();
    let mut line = vec![ts.span(
        &format!(
            "Coverage {} ({answered} of {total} questions). Attackers: ",
            percent(table.coverage())
        ),
        BODY,
    )];
    if table.attackers.is_empty() {
        line.push(ts.span("none", BODY));
    }
    for (i, a) in table.attackers.iter().enumerate() {
        if i > 0 {
            line.push(ts.span(", ", BODY));
        }
        line.push(qid_link(ts, &a.qid, BODY));
    }
    line.push(ts.span(".", BODY));
    ts.para(&line, 0.0, None);
    let mut head = vec![vec![ts.span("Target", bold(MATRIX))]];
    head.extend(
        table
            .categories
            .iter()
            .map(|c| vec![ts.span(c, bold(MATRIX))]),
    );
    head.push(vec![ts.span("other", bold(MATRIX))]);
    let rows: Vec<(Option<String>, Vec<Vec<Span>>)> = table
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![vec![
                qid_link(ts, &r.target.qid, MATRIX),
                ts.span(&format!(" {}", r.target.title), MATRIX),
            ]];
            cells.extend(r.cells.iter().map(|c| matrix_cell(ts, c)));
            let mut other = Vec::new();
            cell_threats(ts, &r.other, &mut other);
            cells.push(other);
            (None, cells)
        })
        .collect();
    ts.table(Some(&head), &rows);
}

fn threat_index(ts: &mut Typesetter, view: &View) {
    let head: Vec<Vec<Span>> = ["ID", "Threat", "Severity", "Status", "Categories", "Model"]
        .iter()
        .map(|h| vec![ts.span(h, bold(TABLE))])
        .collect();
    let rows: Vec<(Option<String>, Vec<Vec<Span>>)> = view
        .threats
        .iter()
        .map(|t| {
            (
                None,
                vec![
                    vec![qid_link(ts, &t.qid, TABLE)],
                    vec![ts.span(&t.title, TABLE)],
                    vec![ts.span(&tmkit_analysis::score_text(t.score, t.severity), TABLE)],
                    vec![ts.span(status_label(t.status), TABLE)],
                    vec![ts.span(&t.categories.join(", "), TABLE)],
                    vec![ts.span(&t.component.qid, mono(TABLE))],
                ],
            )
        })
        .collect();
    ts.table(Some(&head), &rows);
}

fn threat(ts: &mut Typesetter, view: &View, t: &ThreatEntry, shared: &[(&'static str, Line)]) {
    let title = [
        ts.span(&t.qid, mono(H3)),
        ts.span(" ", H3),
        ts.span(&t.title, H3),
    ];
    ts.heading(3, &title, Some(&anchor(&t.qid)));
    let mut status = vec![ts.span(status_label(t.status), bold(TABLE))];
    if t.not_secure_by_default {
        status.push(ts.span(" (not secure by default: only operational controls)", TABLE));
    }
    let severity = match (&t.cvss, t.score) {
        (Some(v), Some(_)) => vec![
            ts.span(&tmkit_analysis::score_text(t.score, t.severity), TABLE),
            ts.span(" ", TABLE),
            ts.span(v, mono(TABLE)),
        ],
        (Some(v), None) => vec![ts.span(v, mono(TABLE))],
        _ => vec![ts.span("unscored", TABLE)],
    };
    let mut rows = vec![
        (None, vec![vec![ts.span("Status", bold(TABLE))], status]),
        (None, vec![vec![ts.span("Severity", bold(TABLE))], severity]),
    ];
    for (k, v) in shared {
        rows.push((
            None,
            vec![vec![ts.span(k, bold(TABLE))], spans(ts, v, TABLE)],
        ));
    }
    ts.table(None, &rows);
    description(ts, t.description.as_deref());
    if t.mitigations.is_empty() {
        let s = [ts.span("No mitigation.", BODY.color(GREY))];
        ts.para(&s, 0.0, None);
    } else {
        let s = [ts.span("Mitigations:", bold(BODY))];
        ts.para(&s, 0.0, None);
        for m in &t.mitigations {
            mitigation_item(ts, m, view);
        }
    }
}

fn mitigation_item(ts: &mut Typesetter, m: &Mitigation, view: &View) {
    let mut line = Vec::new();
    if m.shared {
        line.push(qid_link(ts, &m.qid, BODY));
        line.push(ts.span(" ", BODY));
    } else {
        ts.anchor(&anchor(&m.qid));
    }
    line.push(ts.span(&m.title, BODY));
    line.push(ts.span(
        &format!(
            " ({}, {})",
            m.kind.as_str(),
            if m.in_place { "in place" } else { "planned" }
        ),
        BODY,
    ));
    if let Some(o) = &m.operator {
        line.push(ts.span("; operated by ", BODY));
        line.push(ts.span(o, BODY));
    }
    if let Some(t) = &m.ticket {
        line.push(ts.span("; ticket ", BODY));
        line.push(ts.span(t, BODY));
    }
    let notes = crate::outline::mitigation_notes(m, view.calendar.as_ref(), &view.tickets);
    line.extend(spans(ts, &notes, BODY));
    let marker = if m.in_place {
        ts.span("\u{2713}", BODY)
    } else {
        ts.span("\u{25a1}", BODY.color(WARN))
    };
    ts.para(&line, 14.0, Some(marker));
}

fn checklist(ts: &mut Typesetter, items: &[&ChecklistItem]) {
    for i in items {
        ts.anchor(&anchor(&i.qid));
        let mut line = vec![
            ts.span(&i.qid, mono(BODY)),
            ts.span(" ", BODY),
            ts.span(&i.title, BODY),
        ];
        if let Some(d) = &i.detail {
            line.push(ts.span(&format!(" ({d})"), BODY));
        }
        if !i.relied_on_by.is_empty() {
            line.push(ts.span(". Relied on by", BODY));
            for (k, q) in i.relied_on_by.iter().enumerate() {
                line.push(ts.span(if k == 0 { " " } else { ", " }, BODY));
                line.push(qid_link(ts, q, BODY));
            }
        }
        let marker = ts.span("\u{25a1}", BODY);
        ts.para(&line, 14.0, Some(marker));
    }
}

/// The drawn text of each page, in drawing order (for tests).
#[cfg(test)]
fn page_texts(ts: &Typesetter) -> Vec<String> {
    ts.pages
        .iter()
        .map(|p| {
            p.ops
                .iter()
                .filter_map(|op| match op {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_of_fixed_text_decode_and_stray_ampersands_stay() {
        assert_eq!(
            decode_entities("a &rarr; b &#x2705; &#65; &x; & c"),
            "a \u{2192} b \u{2705} A &x; & c"
        );
        assert_eq!(decode_entities("&"), "&");
        assert_eq!(decode_entities("&#x110000;"), "&#x110000;");
    }

    #[test]
    fn the_left_margin_is_where_text_starts() {
        let m = Metrics::new().unwrap();
        let mut ts = Typesetter::new(&m);
        let s = [ts.span("hello", BODY)];
        ts.para(&s, 0.0, None);
        assert_eq!(page_texts(&ts), ["hello"]);
        assert!(matches!(ts.pages[0].ops[0], Op::Text { x, .. } if x == LEFT));
    }
}
