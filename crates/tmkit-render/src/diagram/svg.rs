//! Native SVG: draws the [`super::layout`] of a scene, with no external program.

use super::layout::{
    CYL_RY, EDGE_FONT, FOLD, Geometry, HEX, ID_FONT, LINE_H, LegendKind, NODE_FONT, Rect, STACK,
    SUB_FONT, TITLE_FONT, ZONE_FONT, legend_text,
};
use super::scene::{Cross, Edge, NodeClass, RegionKind, Scene, Shape};
use super::style::{
    self, GREY, GREY_INK, INK, MUTED, Paint, UNANSWERED, WHITE, cross_colour, node_paint,
};
use super::text;
use std::fmt::Write;

const FONT: &str = "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";

/// Escapes text for XML content and attribute values. Characters that XML
/// 1.0 forbids (most control characters) become U+FFFD, so the output stays
/// well-formed whatever the input.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml(&mut out, s);
    out
}

/// [`escape_xml`], appending to `out` (no intermediate string).
fn push_xml(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Text escaped for XML as it is written (`{}` in a format string).
struct Xml<'s>(&'s str);

impl std::fmt::Display for Xml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        // Write runs of plain characters at once; escape the others.
        while let Some(i) = rest.find(|c: char| needs_escape(c)) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().expect("a character at i");
            let mut buf = String::new();
            push_xml(&mut buf, c.encode_utf8(&mut [0; 4]));
            f.write_str(&buf)?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}')
        || ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
}

/// A number with at most one decimal, without a trailing `.0`.
struct N(f64);

impl std::fmt::Display for N {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        let r = tenths / 10.0;
        if r.fract() == 0.0 {
            write!(f, "{}", r as i64)
        } else if r.is_finite() {
            // The digits of `{r:.1}`, without the slow exact float formatting.
            let t = tenths as i64;
            let sign = if t < 0 { "-" } else { "" };
            let a = t.unsigned_abs();
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        } else {
            write!(f, "{r:.1}")
        }
    }
}

fn marker_name(e: &Edge) -> &'static str {
    if !e.in_scope {
        return "oos";
    }
    cross_name(e.cross)
}

fn cross_name(c: Cross) -> &'static str {
    match c {
        Cross::None => "none",
        Cross::Inbound => "inbound",
        Cross::Outbound => "outbound",
        Cross::Both => "both",
    }
}

/// A prefix for element ids, so several diagrams can share an HTML page.
fn id_prefix(scene: &Scene) -> String {
    let s: String = scene
        .model_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("tmkd-{s}")
}

/// The style attributes of a node's outline.
struct Outline<'p> {
    fill: &'p str,
    stroke: &'p str,
    dash: &'p str,
}

impl Outline<'_> {
    fn of(class: NodeClass) -> Outline<'static> {
        let Paint { fill, stroke, .. } = node_paint(class);
        let dash = if class == NodeClass::OutOfScope {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        Outline { fill, stroke, dash }
    }

    /// `fill=".." stroke=".." stroke-width="1.3"` and the dash.
    fn style(&self) -> String {
        format!(
            r#"fill="{}" stroke="{}" stroke-width="1.3"{}"#,
            self.fill, self.stroke, self.dash
        )
    }

    /// The same line, unfilled (inner strokes of a shape).
    fn line(&self, width: &str) -> String {
        format!(
            r#"fill="none" stroke="{}" stroke-width="{width}"{}"#,
            self.stroke, self.dash
        )
    }
}

/// A `<rect>`, with extra attributes (`rx`) before the style.
fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, extra: &str, style: &str) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}"{extra} {style}/>"#,
        N(x),
        N(y),
        N(w),
        N(h)
    );
}

/// Draws the outline of a node of kind `k` in `r`.
fn shape(out: &mut String, k: Shape, r: &Rect, o: &Outline) {
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    let style = o.style();
    match k {
        Shape::Box => rect(out, x, y, w, h, "", &style),
        Shape::Rounded => {
            let rx = (h / 2.0).min(18.0);
            rect(out, x, y, w, h, &format!(r#" rx="{}""#, N(rx)), &style);
        }
        Shape::Cylinder => cylinder(out, r, &style, &o.line("1.3")),
        Shape::Document => document(out, r, &style, &o.line("1.3")),
        Shape::Hardware => {
            rect(out, x, y, w, h, "", &style);
            rect(out, x + 3.0, y + 3.0, w - 6.0, h - 6.0, "", &o.line("1"));
        }
        Shape::Other => rect(out, x, y, w, h, r#" rx="4""#, &style),
        Shape::Stack => {
            let s = STACK.min(w / 4.0).min(h / 4.0);
            rect(out, x + s, y, w - s, h - s, r#" rx="3""#, &style);
            rect(out, x, y + s, w - s, h - s, r#" rx="3""#, &style);
        }
        Shape::Hexagon => {
            let p = HEX.min(w / 4.0);
            let _ = writeln!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}" {style}/>"#,
                N(x + p),
                N(y),
                N(x + w - p),
                N(y),
                N(x + w),
                N(y + h / 2.0),
                N(x + w - p),
                N(y + h),
                N(x + p),
                N(y + h),
                N(x),
                N(y + h / 2.0)
            );
        }
    }
}

/// A datastore: a cylinder, with the front edge of its top drawn.
fn cylinder(out: &mut String, r: &Rect, style: &str, line: &str) {
    let (x0, x1, t, b) = (
        N(r.x),
        N(r.right()),
        N(r.y + CYL_RY),
        N(r.bottom() - CYL_RY),
    );
    let (rx, ry) = (N(r.w / 2.0), N(CYL_RY));
    let _ = writeln!(
        out,
        r#"<path d="M{x0},{t} A{rx},{ry} 0 0 1 {x1},{t} V{b} A{rx},{ry} 0 0 1 {x0},{b} Z" {style}/>"#
    );
    let _ = writeln!(
        out,
        r#"<path d="M{x0},{t} A{rx},{ry} 0 0 0 {x1},{t}" {line}/>"#
    );
}

/// Data, credentials, keys and certificates: a page with a folded corner.
fn document(out: &mut String, r: &Rect, style: &str, line: &str) {
    let f = FOLD.min(r.w / 3.0).min(r.h / 3.0);
    let (x0, y0, xf, x1, yf, y1) = (
        N(r.x),
        N(r.y),
        N(r.x + r.w - f),
        N(r.x + r.w),
        N(r.y + f),
        N(r.y + r.h),
    );
    let _ = writeln!(
        out,
        r#"<path d="M{x0},{y0} H{xf} L{x1},{yf} V{y1} H{x0} Z" {style}/>"#
    );
    let _ = writeln!(out, r#"<path d="M{xf},{y0} V{yf} H{x1}" {line}/>"#);
}

/// Renders the scene as a standalone SVG document.
pub(crate) fn render(scene: &Scene, geo: &Geometry) -> String {
    let mut out = String::with_capacity(size_hint(scene));
    let pfx = id_prefix(scene);
    head(&mut out, scene, geo, &pfx);
    zones(&mut out, scene, geo);
    flows(&mut out, scene, geo, &pfx);
    nodes(&mut out, scene, geo);
    flow_labels(&mut out, scene, geo);
    legend(&mut out, geo, &pfx);
    out.push_str("</svg>\n");
    out
}

/// About the size of the document: a node takes some 700 bytes plus its
/// texts, a flow some 600 plus its texts three times (tooltip, label, id).
fn size_hint(scene: &Scene) -> usize {
    let nodes: usize = scene
        .nodes
        .iter()
        .map(|n| 2 * n.qid.len() + 2 * n.title.len() + n.id.len())
        .sum();
    let edges: usize = scene
        .edges
        .iter()
        .map(|e| 3 * (e.qid.len() + e.title.len()) + 2 * e.id.len())
        .sum();
    4096 + scene.regions.len() * 700
        + scene.nodes.len() * 700
        + scene.edges.len() * 600
        + nodes
        + edges
}

/// The root element, title, description, arrow markers, background and
/// heading.
fn head(out: &mut String, scene: &Scene, geo: &Geometry, pfx: &str) {
    let title = scene.heading();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" role="img" aria-labelledby="{pfx}-title" class="tmkit-diagram">"#,
        w = N(geo.width),
        h = N(geo.height),
    );
    let _ = writeln!(out, r#"<title id="{pfx}-title">{}</title>"#, Xml(&title));
    let _ = writeln!(
        out,
        "<desc>Trust zones ordered by trust (least trusted first: left to right, then band by band top to bottom) with their assets and data flows. {} zone boxes, {} nodes, {} flows.</desc>",
        geo.zones.len(),
        geo.nodes.len(),
        geo.edges.len()
    );
    out.push_str("<defs>\n");
    for (name, colour, hollow) in [
        ("none", cross_colour(Cross::None), false),
        ("inbound", cross_colour(Cross::Inbound), false),
        ("outbound", cross_colour(Cross::Outbound), true),
        ("both", cross_colour(Cross::Both), false),
        ("oos", GREY, false),
    ] {
        let fill = if hollow { WHITE } else { colour };
        let _ = writeln!(
            out,
            r#"<marker id="{pfx}-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M1,1 L9,5 L1,9 Z" fill="{fill}" stroke="{colour}" stroke-width="1.2"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        N(geo.width),
        N(geo.height)
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" font-size="{TITLE_FONT}" font-weight="bold" fill="{INK}">{}</text>"#,
        N(geo.title.x),
        N(geo.title.y + 15.0),
        Xml(&title)
    );
}

/// Zones, outermost first (the order of the regions is creation order;
/// draw by depth so children paint over parents).
fn zones(out: &mut String, scene: &Scene, geo: &Geometry) {
    let mut order: Vec<usize> = (0..geo.zones.len()).collect();
    order.sort_by_key(|&i| (scene.regions[i].depth, i));
    let mut joined = vec![false; geo.zones.len()];
    for o in geo.outlines.iter().filter(|o| o.joined) {
        for &g in &o.groups {
            joined[g] = true;
        }
    }
    out.push_str("<g class=\"tmkd-zones\">\n");
    for i in order {
        let z = &geo.zones[i];
        let region = &scene.regions[i];
        let (fill, stroke) = style::region_colours(region);
        let (kind, dash, rx, opacity) = match region.kind {
            RegionKind::Zone => ("zone", "", 8, ""),
            // One part of a component kept together: a light dotted box,
            // the component's outline and title are drawn once around all.
            RegionKind::Component if joined[i] => (
                "component-part",
                r#" stroke-dasharray="2 4" stroke-opacity="0.7""#,
                4,
                r#" fill-opacity="0.6""#,
            ),
            RegionKind::Component => (
                "component",
                r#" stroke-dasharray="8 3 2 3""#,
                4,
                r#" fill-opacity="0.6""#,
            ),
            RegionKind::NoZone => ("no-zone", r#" stroke-dasharray="4 3""#, 8, ""),
        };
        let mut tip = region.heading();
        if let Some(d) = region.description {
            tip.push_str(&format!(": {}", text::one_line(d)));
        }
        let _ = writeln!(
            out,
            r#"<g class="tmkd-zone" data-key="{}" data-kind="{kind}"><title>{}</title>"#,
            Xml(&region.key),
            Xml(&tip)
        );
        let _ = writeln!(
            out,
            r#"<rect class="tmkd-zone-box" x="{}" y="{}" width="{}" height="{}" rx="{rx}" fill="{fill}"{opacity} stroke="{stroke}" stroke-width="1.6"{dash}/>"#,
            N(z.rect.x),
            N(z.rect.y),
            N(z.rect.w),
            N(z.rect.h)
        );
        if joined[i] {
            out.push_str("</g>\n");
            continue;
        }
        let (t, s) = &geo.headers[i];
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{ZONE_FONT}" font-weight="bold" fill="{INK}">{}<tspan font-size="{SUB_FONT}" font-weight="normal" fill="{stroke}" dx="10">{}</tspan></text>"#,
            N(z.label.x),
            N(z.label.y + 12.0),
            Xml(t),
            Xml(s)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
    components(out, scene, geo);
}

/// The outline of each component kept together across zones, with its
/// title once (components drawn in one zone, or in parts, are their boxes).
fn components(out: &mut String, scene: &Scene, geo: &Geometry) {
    let mut joined = geo.outlines.iter().filter(|o| o.joined).peekable();
    if joined.peek().is_none() {
        return;
    }
    out.push_str("<g class=\"tmkd-components\">\n");
    for o in joined {
        let first = o.groups[0];
        let region = &scene.regions[first];
        let (_, stroke) = style::region_colours(region);
        let zones: Vec<&str> = o
            .groups
            .iter()
            .map(|&g| scene.regions[g].zone.unwrap_or("-"))
            .collect();
        let _ = writeln!(
            out,
            r#"<g class="tmkd-component" data-component="{}" data-zones="{}"><title>{}</title>"#,
            Xml(region.component.unwrap_or_default()),
            Xml(&zones.join(" ")),
            Xml(&format!(
                "{}; across zones {}",
                region.heading(),
                zones.join(", ")
            ))
        );
        let r = &o.rect;
        let _ = writeln!(
            out,
            r#"<rect class="tmkd-component-box" x="{}" y="{}" width="{}" height="{}" rx="6" fill="none" stroke="{stroke}" stroke-width="1.6" stroke-dasharray="8 3 2 3"/>"#,
            N(r.x),
            N(r.y),
            N(r.w),
            N(r.h)
        );
        let (t, s) = &geo.headers[first];
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{ZONE_FONT}" font-weight="bold" fill="{INK}">{}<tspan font-size="{SUB_FONT}" font-weight="normal" fill="{stroke}" dx="10">{}</tspan></text>"#,
            N(o.label.x),
            N(o.label.y + 12.0),
            Xml(t),
            Xml(s)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Flows, under the nodes (their labels are drawn above everything).
fn flows(out: &mut String, scene: &Scene, geo: &Geometry, pfx: &str) {
    out.push_str("<g class=\"tmkd-flows\" fill=\"none\">\n");
    for (e, path) in scene.edges.iter().zip(&geo.edges) {
        let mut d = String::new();
        for (i, p) in path.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{}",
                if i == 0 { "M" } else { " L" },
                N(p.0),
                N(p.1)
            );
        }
        let crossing = if e.in_scope {
            cross_name(e.cross)
        } else {
            "out-of-scope"
        };
        let _ = writeln!(
            out,
            r#"<g class="tmkd-flow" data-qid="{}" data-crossing="{crossing}" data-unanswered="{}"><title>{}</title>"#,
            Xml(e.qid),
            e.is_unanswered(),
            Xml(&e.tooltip(&scene.nodes))
        );
        if e.is_unanswered() {
            let _ = writeln!(
                out,
                r#"<path d="{d}" stroke="{UNANSWERED}" stroke-opacity="0.25" stroke-width="7" stroke-linejoin="round"/>"#
            );
        }
        let width = if e.cross != Cross::None && e.in_scope {
            "2.2"
        } else {
            "1.4"
        };
        let dash = if e.in_scope {
            ""
        } else {
            r#" stroke-dasharray="6 4""#
        };
        let m = marker_name(e);
        let start = if e.bidirectional {
            format!(r#" marker-start="url(#{pfx}-arrow-{m})""#)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            r#"<path d="{d}" stroke="{}" stroke-width="{width}"{dash} stroke-linejoin="round" marker-end="url(#{pfx}-arrow-{m})"{start}/>"#,
            style::flow_colour(e)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Nodes: shape, title lines and id line.
fn nodes(out: &mut String, scene: &Scene, geo: &Geometry) {
    out.push_str("<g class=\"tmkd-nodes\">\n");
    for (i, (node, b)) in scene.nodes.iter().zip(&geo.nodes).enumerate() {
        let class = node.class();
        let _ = writeln!(
            out,
            r#"<g class="tmkd-node" data-qid="{}" data-kind="{}" data-zone="{}" data-region="{}" data-in-scope="{}"><title>{}</title>"#,
            Xml(node.qid),
            Xml(node.kind.word()),
            Xml(scene.node_zone(i).unwrap_or("-")),
            Xml(&scene.regions[node.region].key),
            node.in_scope,
            Xml(&node.tooltip())
        );
        shape(out, node.kind.shape(), &b.rect, &Outline::of(class));
        let t = &geo.node_text[i];
        let cx = b.label.x + b.label.w / 2.0;
        let ink = node_paint(class).ink;
        let _ = write!(
            out,
            r#"<text class="tmkd-label" text-anchor="middle" font-size="{NODE_FONT}" fill="{ink}">"#
        );
        for (j, line) in t.lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<tspan x="{}" y="{}">{}</tspan>"#,
                N(cx),
                N(b.label.y + (j as f64 + 1.0) * LINE_H - 3.5),
                Xml(line)
            );
        }
        let _ = writeln!(
            out,
            r#"<tspan x="{}" y="{}" font-size="{ID_FONT}" fill="{MUTED}">{}</tspan></text>"#,
            N(cx),
            N(b.label.y + t.lines.len() as f64 * LINE_H + 10.0),
            Xml(&t.id_line)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Flow labels, on a white backing, above everything else.
fn flow_labels(out: &mut String, scene: &Scene, geo: &Geometry) {
    out.push_str("<g class=\"tmkd-flow-labels\">\n");
    for (i, (e, path)) in scene.edges.iter().zip(&geo.edges).enumerate() {
        let (label, baseline) = &geo.edge_text[i];
        let (colour, weight) = if e.is_unanswered() {
            (UNANSWERED, r#" font-weight="bold""#)
        } else if e.in_scope {
            (INK, "")
        } else {
            (GREY_INK, "")
        };
        let _ = writeln!(
            out,
            r##"<g class="tmkd-flow-label" data-qid="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#ffffff" fill-opacity="0.88"/><text x="{}" y="{}" font-size="{EDGE_FONT}" fill="{colour}"{weight}>{}</text></g>"##,
            Xml(e.qid),
            N(path.label.x),
            N(path.label.y),
            N(path.label.w),
            N(path.label.h),
            N(path.label.x + 3.0),
            N(*baseline),
            Xml(label)
        );
    }
    out.push_str("</g>\n");
}

/// A sample line of the legend, from `sample`'s left to its right.
fn sample_line(out: &mut String, sample: &Rect, y: f64, attrs: &str) {
    let _ = writeln!(
        out,
        r#"<path d="M{},{} H{}" fill="none" {attrs}/>"#,
        N(sample.x),
        N(y),
        N(sample.right())
    );
}

fn legend(out: &mut String, geo: &Geometry, pfx: &str) {
    if geo.legend_kinds.is_empty() {
        return;
    }
    out.push_str("<g class=\"tmkd-legend\">\n");
    for (k, r) in geo.legend_kinds.iter().zip(&geo.legend) {
        let sample = Rect::new(r.x + 4.0, r.y + 3.0, 36.0, 18.0);
        let y = r.y + 12.0;
        match *k {
            LegendKind::Shape(k) => {
                let class = match k {
                    Shape::Hexagon => NodeClass::Attacker,
                    Shape::Stack => NodeClass::Component,
                    _ => NodeClass::Asset,
                };
                shape(out, k, &sample, &Outline::of(class));
            }
            LegendKind::OutOfScope => {
                shape(
                    out,
                    Shape::Box,
                    &sample,
                    &Outline::of(NodeClass::OutOfScope),
                );
            }
            LegendKind::Flow(c) => {
                let start = if c == Cross::Both {
                    format!(r#" marker-start="url(#{pfx}-arrow-both)""#)
                } else {
                    String::new()
                };
                let attrs = format!(
                    r#"stroke="{}" stroke-width="2" marker-end="url(#{pfx}-arrow-{})"{start}"#,
                    cross_colour(c),
                    cross_name(c)
                );
                sample_line(out, &sample, y, &attrs);
            }
            LegendKind::Unanswered => sample_line(
                out,
                &sample,
                y,
                &format!(r#"stroke="{UNANSWERED}" stroke-opacity="0.28" stroke-width="9""#),
            ),
            LegendKind::FlowOutOfScope => sample_line(
                out,
                &sample,
                y,
                &format!(
                    r#"stroke="{GREY}" stroke-width="1.4" stroke-dasharray="6 4" marker-end="url(#{pfx}-arrow-oos)""#
                ),
            ),
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{SUB_FONT}" fill="{INK}">{}</text>"#,
            N(r.x + 46.0),
            N(r.y + 16.0),
            Xml(legend_text(*k))
        );
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::N;

    #[test]
    fn numbers_print_as_float_formatting_does() {
        let values = [
            0.0,
            -0.0,
            0.04,
            0.05,
            0.15,
            0.25,
            1.0,
            1.25,
            -1.25,
            -0.04,
            -0.06,
            12.34,
            99.95,
            1234.56,
            -987.65,
            1e6 + 0.3,
            4503599627370.1,
            f64::NAN,
            f64::INFINITY,
        ];
        let mut values = values.to_vec();
        values.extend((-2000..2000).map(|i| i as f64 * 0.037));
        for v in values {
            let r = (v * 10.0).round() / 10.0;
            let slow = if r.fract() == 0.0 {
                format!("{}", r as i64)
            } else {
                format!("{r:.1}")
            };
            assert_eq!(N(v).to_string(), slow, "{v}");
        }
    }
}
