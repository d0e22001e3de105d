//! Writes laid-out pages as a PDF with krilla: text in the embedded fonts
//! (subset, selectable and searchable), the running header and footer
//! (confidentiality marking, page N of M) on every page, the diagram as
//! vector graphics (krilla-svg over usvg), internal links, the outline
//! (bookmarks) and the document's metadata. Nothing in it reads the clock
//! or a file: the same pages give the same bytes.

use super::fonts::{Face, MONO, MONO_FAMILY, Metrics};
use super::layout::{LEFT, Mark, Op, PAGE_H, PAGE_W, Rgb, Style, TOP, Typesetter};
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};
use std::sync::Arc;

/// What is printed on every page and in the document's properties.
pub(crate) struct Frame<'a> {
    /// The confidentiality marking (header of every page).
    pub marking: &'a str,
    /// The footer's left text (model and view).
    pub footer: &'a str,
    pub title: &'a str,
    pub authors: Vec<String>,
    /// `YYYY-MM-DD`, when the report is dated.
    pub date: Option<&'a str>,
}

/// Parses the diagram's SVG with the embedded monospaced font as its only
/// font; no file is read (images are refused). Every character the font
/// has no glyph for is first replaced by U+FFFD, as in the rest of the
/// PDF (the SVG's markup is ASCII, so only its text and attribute values
/// change).
pub(crate) fn parse_svg(svg: &str, m: &Metrics) -> Option<usvg::Tree> {
    let svg: String = svg
        .chars()
        .map(|c| {
            if c.is_ascii() || m.covers(Face::Mono, c) {
                c
            } else {
                char::REPLACEMENT_CHARACTER
            }
        })
        .collect();
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(MONO.to_vec());
    db.set_monospace_family(MONO_FAMILY);
    db.set_sans_serif_family(MONO_FAMILY);
    db.set_serif_family(MONO_FAMILY);
    let opt = usvg::Options {
        font_family: MONO_FAMILY.to_string(),
        fontdb: Arc::new(db),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(&svg, &opt).ok()
}

fn color((r, g, b): Rgb) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: color(c).into(),
        ..Fill::default()
    }
}

/// Writes `ts`'s pages; `svgs` are the images its `Op::Svg` name.
pub(crate) fn write(
    ts: &Typesetter,
    svgs: &[usvg::Tree],
    frame: &Frame,
) -> Result<Vec<u8>, String> {
    let fonts: Vec<Font> = Face::ALL
        .iter()
        .map(|f| Font::new(f.data().into(), 0).ok_or("an embedded font cannot be read"))
        .collect::<Result<_, _>>()?;
    let font = |f: Face| fonts[Face::ALL.iter().position(|&x| x == f).unwrap_or(0)].clone();
    let mut doc = Document::new_with(SerializeSettings::default());
    let total = ts.pages.len();
    let small = Style::new(Face::Regular, 7.5).color(super::layout::GREY);
    let marking = Style::new(Face::Bold, 7.5).color(super::layout::WARN);
    for (i, page) in ts.pages.iter().enumerate() {
        let (right, bottom) = page.right_bottom();
        let (w, h) = if page.landscape {
            (PAGE_H, PAGE_W)
        } else {
            (PAGE_W, PAGE_H)
        };
        let settings = PageSettings::from_wh(w, h).ok_or("page size")?;
        let mut p = doc.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut s = p.surface();
            // Running header: the marking; footer: model, page N of M.
            let head = ts.span(frame.marking, marking);
            text(&mut s, &font, LEFT, TOP - 30.0, marking, head.text());
            rule(&mut s, TOP - 24.0, right);
            rule(&mut s, bottom + 18.0, right);
            let foot = ts.span(frame.footer, small);
            let foot = fit(ts, foot.text(), small, right - LEFT - 90.0);
            text(&mut s, &font, LEFT, bottom + 32.0, small, &foot);
            let number = format!("Page {} of {total}", i + 1);
            let nw = ts.m.width(small.face, &number, small.size);
            text(&mut s, &font, right - nw, bottom + 32.0, small, &number);
            for op in &page.ops {
                draw(&mut s, &font, op, ts, svgs, &mut links);
            }
            s.finish();
        }
        for (r, page, top) in links {
            let dest = XyzDestination::new(page, Point::from_xy(0.0, (top - 12.0).max(0.0)));
            p.add_annotation(
                krilla::annotation::LinkAnnotation::new(
                    r,
                    krilla::annotation::Target::Destination(dest.into()),
                )
                .into(),
            );
        }
        p.finish();
    }
    doc.set_outline(outline(&ts.marks));
    let mut meta = Metadata::new()
        .title(frame.title.to_string())
        .creator("tmkit".to_string())
        .producer("tmkit".to_string())
        .language("en".to_string());
    if !frame.authors.is_empty() {
        meta = meta.authors(frame.authors.clone());
    }
    if let Some(d) = frame.date.and_then(date_time) {
        meta = meta.creation_date(d);
    }
    doc.set_metadata(meta);
    doc.finish().map_err(|e| format!("{e:?}"))
}

/// Draws one operation of a page; a link is collected in `links` (its
/// annotation is added once the page's surface is finished).
fn draw(
    s: &mut Surface,
    font: &dyn Fn(Face) -> Font,
    op: &Op,
    ts: &Typesetter,
    svgs: &[usvg::Tree],
    links: &mut Vec<(Rect, usize, f32)>,
) {
    match op {
        Op::Text {
            x,
            y,
            style,
            text: t,
        } => text(s, font, *x, *y, *style, t),
        Op::Rect {
            x,
            y,
            w,
            h,
            color: c,
        } => {
            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(*c)));
                    s.set_stroke(None);
                    s.draw_path(&path);
                }
            }
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            color: c,
            width,
        } => line(s, (*x1, *y1), (*x2, *y2), *c, *width),
        Op::Svg { x, y, w, h, index } => {
            if let (Some(tree), Some(size)) = (svgs.get(*index), Size::from_wh(*w, *h)) {
                s.push_transform(&Transform::from_translate(*x, *y));
                s.draw_svg(tree, size, SvgSettings::default());
                s.pop();
            }
        }
        Op::Link { x, y, w, h, anchor } => {
            if let (Some(&(page, top)), Some(r)) =
                (ts.anchors.get(anchor), Rect::from_xywh(*x, *y, *w, *h))
            {
                links.push((r, page, top));
            }
        }
    }
}

/// `s` cut to `width` with an ellipsis.
fn fit(ts: &Typesetter, s: &str, style: Style, width: f32) -> String {
    if ts.m.width(style.face, s, style.size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = ts.m.char_width(style.face, '\u{2026}', style.size);
    for c in s.chars() {
        w += ts.m.char_width(style.face, c, style.size);
        if w > width {
            break;
        }
        out.push(c);
    }
    out.push('\u{2026}');
    out
}

fn date_time(d: &str) -> Option<DateTime> {
    let date = tmkit_syntax::date::Date::parse(d).ok()?;
    let s = date.to_string();
    let year: u16 = s.get(0..4)?.parse().ok()?;
    let month: u8 = s.get(5..7)?.parse().ok()?;
    let day: u8 = s.get(8..10)?.parse().ok()?;
    Some(DateTime::new(year).month(month).day(day))
}

fn text(s: &mut Surface, font: &dyn Fn(Face) -> Font, x: f32, y: f32, style: Style, t: &str) {
    if t.is_empty() {
        return;
    }
    s.set_fill(Some(fill(style.color)));
    s.set_stroke(None);
    s.draw_text(
        Point::from_xy(x, y),
        font(style.face),
        style.size,
        t,
        false,
        TextDirection::LeftToRight,
    );
}

fn line(s: &mut Surface, (x1, y1): (f32, f32), (x2, y2): (f32, f32), c: Rgb, width: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: color(c).into(),
            width,
            ..Stroke::default()
        }));
        s.draw_path(&path);
    }
}

fn rule(s: &mut Surface, y: f32, right: f32) {
    line(s, (LEFT, y), (right, y), super::layout::RULE, 0.5);
}

/// The bookmarks, nested by level.
fn outline(marks: &[Mark]) -> Outline {
    fn node(m: &Mark) -> OutlineNode {
        OutlineNode::new(
            m.title.clone(),
            XyzDestination::new(m.page, Point::from_xy(0.0, (m.y - 12.0).max(0.0))),
        )
    }
    // Build bottom-up: a stack of open nodes by level.
    let mut outline = Outline::new();
    let mut stack: Vec<(usize, OutlineNode)> = Vec::new();
    let close = |stack: &mut Vec<(usize, OutlineNode)>, outline: &mut Outline, level: usize| {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            if let Some((_, n)) = stack.pop() {
                match stack.last_mut() {
                    Some((_, parent)) => parent.push_child(n),
                    None => outline.push_child(n),
                }
            }
        }
    };
    for m in marks {
        close(&mut stack, &mut outline, m.level);
        stack.push((m.level, node(m)));
    }
    close(&mut stack, &mut outline, 0);
    outline
}
