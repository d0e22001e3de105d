//! The typesetter of the PDF report: styled spans broken into lines by
//! their measured advance widths, paragraphs, headings, tables and images
//! placed on A4 pages, with page breaks. It produces drawing operations per
//! page (`Page`), bookmarks (`Mark`) and anchors; `emit.rs` writes them.
//!
//! Every string enters through [`Typesetter::span`], which applies
//! [`pdf_text`], the PDF's one escaping function. Breaking always places at
//! least one character on a line, so any input ends; every loop is bounded
//! by the length of the text.

use super::fonts::{Face, Metrics};
use crate::escape::pdf_text;
use std::collections::HashMap;

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 56.0;
pub(crate) const RIGHT: f32 = PAGE_W - 56.0;
/// Where the body starts and ends (the running header and footer are
/// outside).
pub(crate) const TOP: f32 = 72.0;
pub(crate) const BOTTOM: f32 = PAGE_H - 64.0;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
/// Padding inside a table cell.
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.5;

/// A colour (red, green, blue).
pub(crate) type Rgb = (u8, u8, u8);
pub(crate) const INK: Rgb = (33, 37, 41);
pub(crate) const GREY: Rgb = (100, 106, 112);
pub(crate) const RULE: Rgb = (206, 212, 218);
pub(crate) const SHADE: Rgb = (236, 239, 242);
pub(crate) const WARN: Rgb = (176, 32, 32);
pub(crate) const LINK: Rgb = (22, 78, 146);

/// How a span is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn new(face: Face, size: f32) -> Style {
        Style {
            face,
            size,
            color: INK,
        }
    }

    pub(crate) const fn color(mut self, color: Rgb) -> Style {
        self.color = color;
        self
    }

    /// The same at another size.
    pub(crate) const fn sized(mut self, size: f32) -> Style {
        self.size = size;
        self
    }

    fn leading(self) -> f32 {
        self.size * 1.32
    }
}

/// Text in one style; `link` is the anchor it links to. Built only by
/// [`Typesetter::span`], so its text is always escaped.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    text: String,
    pub style: Style,
    pub link: Option<String>,
}

impl Span {
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

/// A drawing operation; coordinates from the top left, in points.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// Text on a baseline at `y`.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
    },
    /// Image `index` of the document's SVG trees.
    Svg {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        index: usize,
    },
    /// A link area to an anchor (resolved when written; dropped when the
    /// anchor is not in the document).
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        anchor: String,
    },
}

/// The operations of one page.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub ops: Vec<Op>,
    /// Turned a quarter (A4 landscape): a wide diagram's page.
    pub landscape: bool,
}

impl Page {
    /// The right margin and the bottom of the body on this page.
    pub(crate) fn right_bottom(&self) -> (f32, f32) {
        if self.landscape {
            (PAGE_H - LEFT, PAGE_W - (PAGE_H - BOTTOM))
        } else {
            (RIGHT, BOTTOM)
        }
    }
}

/// A bookmark: level 1 for a section.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    pub level: usize,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// Lays out pages.
pub(crate) struct Typesetter<'m> {
    pub m: &'m Metrics,
    pub pages: Vec<Page>,
    /// The top of the free space on the current page.
    pub y: f32,
    pub marks: Vec<Mark>,
    /// Where each anchor is: page and top.
    pub anchors: HashMap<String, (usize, f32)>,
}

impl<'m> Typesetter<'m> {
    pub(crate) fn new(m: &'m Metrics) -> Typesetter<'m> {
        Typesetter {
            m,
            pages: vec![Page::default()],
            y: TOP,
            marks: Vec::new(),
            anchors: HashMap::new(),
        }
    }

    /// A span of `text`, escaped for the face it is drawn in.
    pub(crate) fn span(&self, text: &str, style: Style) -> Span {
        Span {
            text: pdf_text(text, |c| self.m.covers(style.face, c)),
            style,
            link: None,
        }
    }

    /// A span linking to `anchor`.
    pub(crate) fn link(&self, text: &str, style: Style, anchor: String) -> Span {
        Span {
            link: Some(anchor),
            ..self.span(text, style.color(LINK))
        }
    }

    pub(crate) fn page(&self) -> usize {
        self.pages.len() - 1
    }

    fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.ops.push(op);
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `h` points fit below (or the page is
    /// still empty).
    pub(crate) fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, h: f32) {
        if self.y > TOP {
            self.y += h;
        }
    }

    /// Records `anchor` at the current position.
    pub(crate) fn anchor(&mut self, anchor: &str) {
        let at = (self.page(), self.y);
        self.anchors.entry(anchor.to_string()).or_insert(at);
    }

    pub(crate) fn width(&self, spans: &[Span]) -> f32 {
        spans
            .iter()
            .map(|s| self.m.width(s.style.face, &s.text, s.style.size))
            .sum()
    }

    /// Breaks `spans` into lines at most `width` wide: at spaces; a word
    /// wider than a line also after `.`, `/`, `-`, `_`, `:`, `;` or `,`
    /// (ids, paths, URLs), and between characters only when a part between
    /// those is still wider than a line.
    pub(crate) fn wrap(&self, spans: &[Span], width: f32) -> Vec<Vec<Span>> {
        // Words: pieces of spans between spaces (a word may change style).
        let mut words: Vec<Vec<Span>> = Vec::new();
        let mut glue = false;
        for sp in spans {
            let mut cur = String::new();
            let flush = |cur: &mut String, glue: &mut bool, words: &mut Vec<Vec<Span>>| {
                if cur.is_empty() {
                    return;
                }
                let piece = Span {
                    text: std::mem::take(cur),
                    style: sp.style,
                    link: sp.link.clone(),
                };
                match words.last_mut() {
                    Some(w) if *glue => w.push(piece),
                    _ => words.push(vec![piece]),
                }
                *glue = true;
            };
            for c in sp.text.chars() {
                if c == ' ' {
                    flush(&mut cur, &mut glue, &mut words);
                    glue = false;
                } else {
                    cur.push(c);
                }
            }
            flush(&mut cur, &mut glue, &mut words);
        }
        // Parts of words: (follows a space, pieces).
        let mut parts: Vec<(bool, Vec<Span>)> = Vec::with_capacity(words.len());
        for word in words {
            if self.width(&word) <= width {
                parts.push((true, word));
                continue;
            }
            let mut part: Vec<Span> = Vec::new();
            let mut spaced = true;
            for piece in &word {
                let mut buf = [0u8; 4];
                for c in piece.text.chars() {
                    append(&mut part, c.encode_utf8(&mut buf), piece.style, &piece.link);
                    if matches!(c, '.' | '/' | '-' | '_' | ':' | ';' | ',') {
                        parts.push((spaced, std::mem::take(&mut part)));
                        spaced = false;
                    }
                }
            }
            if !part.is_empty() {
                parts.push((spaced, part));
            }
        }
        let mut lines = Vec::new();
        let mut line: Vec<Span> = Vec::new();
        let mut lw = 0.0;
        for (spaced, word) in parts {
            let ww = self.width(&word);
            let style = word[0].style;
            let sw = if line.is_empty() || !spaced {
                0.0
            } else {
                self.m.char_width(style.face, ' ', style.size)
            };
            if !line.is_empty() && lw + sw + ww > width {
                lines.push(std::mem::take(&mut line));
                lw = 0.0;
            }
            if !line.is_empty() && sw > 0.0 {
                append(&mut line, " ", style, &word[0].link);
                lw += sw;
            }
            if line.is_empty() && ww > width {
                // A part wider than the line: broken between characters.
                for piece in &word {
                    let mut buf = [0u8; 4];
                    for c in piece.text.chars() {
                        let cw = self.m.char_width(piece.style.face, c, piece.style.size);
                        if lw > 0.0 && lw + cw > width {
                            lines.push(std::mem::take(&mut line));
                            lw = 0.0;
                        }
                        append(&mut line, c.encode_utf8(&mut buf), piece.style, &piece.link);
                        lw += cw;
                    }
                }
                continue;
            }
            for piece in &word {
                append(&mut line, &piece.text, piece.style, &piece.link);
            }
            lw += ww;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Draws one line with its top at `top`.
    fn draw_line(&mut self, x: f32, top: f32, line: &[Span]) {
        let lead = line_leading(line);
        let mut x = x;
        for sp in line {
            let w = self.m.width(sp.style.face, &sp.text, sp.style.size);
            let base = top + (lead - sp.style.size) / 2.0 + sp.style.size * 0.8;
            self.push(Op::Text {
                x,
                y: base,
                style: sp.style,
                text: sp.text.clone(),
            });
            if let Some(anchor) = &sp.link {
                self.push(Op::Link {
                    x,
                    y: top,
                    w,
                    h: lead,
                    anchor: anchor.clone(),
                });
            }
            x += w;
        }
    }

    /// A paragraph indented by `indent`, with `first` (a list marker)
    /// hanging in the indent of its first line.
    pub(crate) fn para(&mut self, spans: &[Span], indent: f32, first: Option<Span>) {
        let lines = self.wrap(spans, WIDTH - indent);
        if lines.is_empty() && first.is_none() {
            return;
        }
        let lines = if lines.is_empty() {
            vec![Vec::new()]
        } else {
            lines
        };
        let mut first = first;
        for line in &lines {
            let lead = line_leading(line).max(first.as_ref().map_or(0.0, |f| f.style.leading()));
            self.ensure(lead);
            if let Some(f) = first.take() {
                let fw = self.width(std::slice::from_ref(&f));
                self.draw_line(LEFT + indent - fw - 3.0, self.y, &[f]);
            }
            self.draw_line(LEFT + indent, self.y, line);
            self.y += lead;
        }
        self.y += 4.0;
    }

    /// A heading; `level` 1 is a section (it starts a page). Bookmarked at
    /// `level`, anchored at `anchor`.
    pub(crate) fn heading(&mut self, level: usize, spans: &[Span], anchor: Option<&str>) {
        if level == 1 {
            if self.y > TOP {
                self.new_page();
            }
        } else {
            // Keep the heading with a few lines of what follows.
            let lead = line_leading(spans);
            self.gap(lead * 0.5);
            self.ensure(lead * 2.0 + 40.0);
        }
        self.bookmark(level, spans);
        if let Some(a) = anchor {
            self.anchor(a);
        }
        let lines = self.wrap(spans, WIDTH);
        for line in &lines {
            let lead = line_leading(line);
            self.ensure(lead);
            self.draw_line(LEFT, self.y, line);
            self.y += lead;
        }
        if level == 1 {
            self.push(Op::Line {
                x1: LEFT,
                y1: self.y + 2.0,
                x2: RIGHT,
                y2: self.y + 2.0,
                color: RULE,
                width: 0.8,
            });
            self.y += 10.0;
        } else {
            self.y += 3.0;
        }
    }

    /// A bookmark at `level` here, titled with the text of `spans`.
    pub(crate) fn bookmark(&mut self, level: usize, spans: &[Span]) {
        let title: String = spans.iter().map(|s| s.text.as_str()).collect();
        self.marks.push(Mark {
            level,
            title,
            page: self.page(),
            y: self.y,
        });
    }

    /// A table; `head` is repeated on every page the table runs onto.
    /// Each row may carry an anchor.
    pub(crate) fn table(
        &mut self,
        head: Option<&[Vec<Span>]>,
        rows: &[(Option<String>, Vec<Vec<Span>>)],
    ) {
        let n = (rows.iter().map(|r| r.1.len()))
            .chain(head.map(<[_]>::len))
            .max()
            .unwrap_or(0);
        if n == 0 || rows.is_empty() {
            return;
        }
        let widths = self.column_widths(n, head, rows);
        let head_lines = head.map(|h| self.wrap_row(h, &widths));
        let draw_head = |ts: &mut Typesetter| {
            if let Some(lines) = &head_lines {
                let h = row_height(lines);
                ts.push(Op::Rect {
                    x: LEFT,
                    y: ts.y,
                    w: WIDTH,
                    h,
                    color: SHADE,
                });
                ts.draw_row(lines, &widths, 0, usize::MAX);
                ts.y += PAD_Y;
            }
        };
        let head_h = head_lines.as_ref().map_or(0.0, |l| row_height(l));
        let first_h = rows
            .first()
            .map_or(0.0, |r| row_height(&self.wrap_row(&r.1, &widths)));
        self.ensure(head_h + first_h.min(BOTTOM - TOP - head_h));
        draw_head(self);
        for (anchor, cells) in rows {
            let lines = self.wrap_row(cells, &widths);
            let h = row_height(&lines);
            if self.y + h > BOTTOM && h <= BOTTOM - TOP - head_h {
                self.new_page();
                draw_head(self);
            }
            if let Some(a) = anchor {
                self.anchor(a);
            }
            // Line by line, so that a row taller than a page runs on.
            let count = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut k = 0;
            self.y += PAD_Y;
            while k < count {
                let lead = (lines.iter().filter_map(|c| c.get(k)))
                    .map(|l| line_leading(l))
                    .fold(0.0, f32::max)
                    .max(1.0);
                if self.y + lead > BOTTOM {
                    self.new_page();
                    draw_head(self);
                    self.y += PAD_Y;
                }
                self.draw_row(&lines, &widths, k, k + 1);
                self.y += lead;
                k += 1;
            }
            self.y += PAD_Y;
            self.push(Op::Line {
                x1: LEFT,
                y1: self.y,
                x2: RIGHT,
                y2: self.y,
                color: RULE,
                width: 0.4,
            });
        }
        self.y += 8.0;
    }

    fn wrap_row(&self, cells: &[Vec<Span>], widths: &[f32]) -> Vec<Vec<Vec<Span>>> {
        (cells.iter().zip(widths))
            .map(|(c, w)| self.wrap(c, w - 2.0 * PAD_X))
            .collect()
    }

    /// Draws lines `from..to` of each cell at the current position (a head
    /// row: all its lines, advancing).
    fn draw_row(&mut self, cells: &[Vec<Vec<Span>>], widths: &[f32], from: usize, to: usize) {
        if to == usize::MAX {
            self.y += PAD_Y;
            let top = self.y;
            let mut bottom = top;
            let mut x = LEFT;
            for (lines, w) in cells.iter().zip(widths) {
                let mut y = top;
                for line in lines {
                    self.draw_line(x + PAD_X, y, line);
                    y += line_leading(line);
                }
                bottom = f32::max(bottom, y);
                x += w;
            }
            self.y = bottom;
            return;
        }
        let mut x = LEFT;
        for (lines, w) in cells.iter().zip(widths) {
            for line in lines.iter().take(to).skip(from) {
                self.draw_line(x + PAD_X, self.y, line);
            }
            x += w;
        }
    }

    /// Column widths: natural widths when they fit, else each column at
    /// least its longest word and the rest shared by how much more each
    /// would take; when even the words do not fit, the longest words are
    /// broken.
    fn column_widths(
        &self,
        n: usize,
        head: Option<&[Vec<Span>]>,
        rows: &[(Option<String>, Vec<Vec<Span>>)],
    ) -> Vec<f32> {
        let mut natural = vec![0.0f32; n];
        let mut min = vec![0.0f32; n];
        let cells = head.into_iter().chain(rows.iter().map(|r| r.1.as_slice()));
        for row in cells {
            for (i, cell) in row.iter().enumerate() {
                natural[i] = natural[i].max(self.width(cell) + 2.0 * PAD_X);
                let word = (cell.iter())
                    .flat_map(|s| {
                        s.text
                            .split(' ')
                            .map(move |w| self.m.width(s.style.face, w, s.style.size))
                    })
                    .fold(0.0, f32::max);
                min[i] = min[i].max(word.min(WIDTH / 3.0) + 2.0 * PAD_X);
            }
        }
        let total_n: f32 = natural.iter().sum();
        if total_n <= WIDTH {
            let extra = (WIDTH - total_n) / n as f32;
            return natural.iter().map(|w| w + extra).collect();
        }
        let total_min: f32 = min.iter().sum();
        if total_min <= WIDTH {
            let want: f32 = natural.iter().zip(&min).map(|(a, b)| a - b).sum();
            let spare = WIDTH - total_min;
            return (natural.iter().zip(&min))
                .map(|(a, b)| {
                    b + if want > 0.0 {
                        spare * (a - b) / want
                    } else {
                        0.0
                    }
                })
                .collect();
        }
        // Even the longest words do not fit: the columns whose words are
        // short keep them whole, the others share what is left equally
        // (their words are broken).
        let mut sorted = min.clone();
        sorted.sort_by(f32::total_cmp);
        let mut rest = WIDTH;
        let mut cap = WIDTH / n as f32;
        for (i, w) in sorted.iter().enumerate() {
            let share = rest / (n - i) as f32;
            if *w > share {
                cap = share;
                break;
            }
            rest -= w;
        }
        min.iter().map(|w| w.min(cap)).collect()
    }

    /// Turns the current page to landscape (it must hold no more than a
    /// heading: its rules are widened) and returns the width and height
    /// left for the body.
    pub(crate) fn turn_page(&mut self) -> (f32, f32) {
        if let Some(p) = self.pages.last_mut() {
            p.landscape = true;
            let (right, _) = p.right_bottom();
            for op in &mut p.ops {
                if let Op::Line { x2, .. } = op {
                    if *x2 == RIGHT {
                        *x2 = right;
                    }
                }
            }
        }
        let (right, bottom) = self
            .pages
            .last()
            .map_or((RIGHT, BOTTOM), Page::right_bottom);
        (right - LEFT, bottom - self.y)
    }

    /// Places an image `w` x `h` points, centred; a new page first when it
    /// does not fit below.
    pub(crate) fn image(&mut self, index: usize, w: f32, h: f32) {
        self.ensure(h);
        let (right, _) = self
            .pages
            .last()
            .map_or((RIGHT, BOTTOM), Page::right_bottom);
        self.push(Op::Svg {
            x: LEFT + (right - LEFT - w).max(0.0) / 2.0,
            y: self.y,
            w,
            h,
            index,
        });
        self.y += h + 8.0;
    }

    /// An entry of the contents: its title indented, its page number at
    /// the right margin on the title's last line.
    pub(crate) fn entry(&mut self, indent: f32, title: &[Span], number: Span) {
        let nw = self.width(std::slice::from_ref(&number));
        let lines = self.wrap(title, WIDTH - indent - 40.0);
        for (i, line) in lines.iter().enumerate() {
            let lead = line_leading(line);
            self.ensure(lead);
            self.draw_line(LEFT + indent, self.y, line);
            if i + 1 == lines.len() {
                self.draw_line(RIGHT - nw, self.y, std::slice::from_ref(&number));
            }
            self.y += lead;
        }
        self.y += 2.0;
    }
}

/// Appends text to a line, merged into its last span when it has the same
/// style and link.
fn append(line: &mut Vec<Span>, text: &str, style: Style, link: &Option<String>) {
    match line.last_mut() {
        Some(last) if last.style == style && &last.link == link => last.text.push_str(text),
        _ => line.push(Span {
            text: text.to_string(),
            style,
            link: link.clone(),
        }),
    }
}

fn line_leading(line: &[Span]) -> f32 {
    line.iter().map(|s| s.style.leading()).fold(0.0, f32::max)
}

fn row_height(cells: &[Vec<Vec<Span>>]) -> f32 {
    let h = cells
        .iter()
        .map(|lines| lines.iter().map(|l| line_leading(l)).sum::<f32>())
        .fold(0.0, f32::max);
    h + 2.0 * PAD_Y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(m: &Metrics) -> Typesetter<'_> {
        Typesetter::new(m)
    }

    const BODY: Style = Style::new(Face::Regular, 10.0);

    fn text_of(lines: &[Vec<Span>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn lines_fit_their_width_and_keep_every_character() {
        let m = Metrics::new().unwrap();
        let t = ts(&m);
        let s = "The attacker reads the session cookie over plain HTTP and replays it.";
        let lines = t.wrap(&[t.span(s, BODY)], 120.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(t.width(l) <= 120.0, "{:?}", text_of(&lines));
        }
        assert_eq!(text_of(&lines).join(" "), s);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_and_styles_stay_glued() {
        let m = Metrics::new().unwrap();
        let t = ts(&m);
        let long = "x".repeat(500);
        let lines = t.wrap(&[t.span(&long, BODY)], 50.0);
        assert!(lines.len() > 5);
        assert_eq!(text_of(&lines).concat(), long);
        for l in &lines {
            assert!(t.width(l) <= 50.0);
        }
        // `(` + mono id + `)` is one word: never broken at the style change.
        let spans = [
            t.span("Login (", BODY),
            t.span("web.login", Style::new(Face::Mono, 10.0)),
            t.span(")", BODY),
        ];
        let width = t.width(&spans) - t.m.width(Face::Regular, "Login", 10.0);
        let lines = t.wrap(&spans, width);
        assert_eq!(text_of(&lines), ["Login", "(web.login)"]);
        // A zero width still ends, one character a line.
        assert_eq!(t.wrap(&[t.span("abc", BODY)], 0.0).len(), 3);
        // A long id breaks after its dots and dashes first.
        let id = [t.span("SHOP.PAY.T.token-replay", Style::new(Face::Mono, 10.0))];
        let width = t.m.width(Face::Mono, "SHOP.PAY.T.", 10.0) + 0.1;
        assert_eq!(
            text_of(&t.wrap(&id, width)),
            ["SHOP.PAY.T.", "token-", "replay"]
        );
    }

    #[test]
    fn text_without_a_glyph_and_controls_become_the_replacement_glyph() {
        let m = Metrics::new().unwrap();
        let t = ts(&m);
        let s = t.span("a\u{0}b\u{202E}c\u{4E2D}\u{1F600}\td", BODY);
        assert_eq!(s.text(), "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD} d");
    }

    #[test]
    fn short_words_stay_whole_when_long_ones_must_break() {
        let m = Metrics::new().unwrap();
        let t = ts(&m);
        let mono = Style::new(Face::Mono, 8.0);
        let long = "SHOP.PAY.T.token-replay.with.a.very.long.identifier";
        let cells: Vec<Vec<Span>> = (0..6)
            .map(|i| vec![t.span(if i % 2 == 0 { "Status" } else { long }, mono)])
            .collect();
        let rows = vec![(None, cells)];
        let widths = t.column_widths(6, None, &rows);
        let sum: f32 = widths.iter().sum();
        assert!((sum - WIDTH).abs() < 0.5, "{widths:?}");
        let status = t.m.width(Face::Mono, "Status", 8.0) + 2.0 * PAD_X;
        for (i, w) in widths.iter().enumerate() {
            if i % 2 == 0 {
                assert!(*w >= status, "{widths:?}");
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_runs_onto_the_next() {
        let m = Metrics::new().unwrap();
        let mut t = ts(&m);
        let long = "word ".repeat(6000);
        let head = vec![vec![t.span("ID", BODY)], vec![t.span("Text", BODY)]];
        let rows = vec![(
            None,
            vec![vec![t.span("a", BODY)], vec![t.span(&long, BODY)]],
        )];
        t.table(Some(&head), &rows);
        assert!(t.pages.len() > 3, "{}", t.pages.len());
        for p in &t.pages {
            for op in &p.ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= BOTTOM && *y >= TOP, "{y}");
                }
            }
        }
    }
}
