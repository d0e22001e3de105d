//! Native SVG: draws the [`super::layout`] of a scene, with no external program.

use super::layout::{
    self, CYL_RY, EDGE_FONT, FOLD, Geometry, HEX, ID_FONT, LINE_H, LegendKind, NODE_FONT, Rect,
    STACK, SUB_FONT, TITLE_FONT, ZONE_FONT,
};
use super::scene::{Cross, Edge, Node, NodeKind, RegionKind, Scene};
use super::text;
use std::fmt::Write;
use tmkit_model::AssetKind;

const FONT: &str = "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";
const INK: &str = "#1c2833";
const MUTED: &str = "#5d6d7e";
const GREY: &str = "#99a3a4";
const GREY_FILL: &str = "#f2f3f4";
const UNANSWERED: &str = "#c0392b";

/// Escapes text for XML content and attribute values. Characters that XML
/// 1.0 forbids (most control characters) become U+FFFD, so the output stays
/// well-formed whatever the input.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
    out
}

/// A number with at most one decimal, without a trailing `.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn mix(a: (u8, u8, u8), b: (u8, u8, u8), t: f64) -> (u8, u8, u8) {
    let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    (f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
}

/// Red for the least trusted zone, amber in between, green for the most.
fn tint(level: f64, stops: [(u8, u8, u8); 3]) -> String {
    let c = if level <= 0.5 {
        mix(stops[0], stops[1], level * 2.0)
    } else {
        mix(stops[1], stops[2], (level - 0.5) * 2.0)
    };
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn zone_fill(level: f64) -> String {
    tint(level, [(253, 237, 236), (254, 249, 231), (233, 247, 239)])
}

fn zone_stroke(level: f64) -> String {
    tint(level, [(176, 58, 46), (183, 149, 11), (30, 132, 73)])
}

fn flow_colour(e: &Edge) -> &'static str {
    if !e.in_scope {
        return GREY;
    }
    cross_colour(e.cross)
}

fn cross_colour(c: Cross) -> &'static str {
    match c {
        Cross::None => "#566573",
        Cross::Inbound => "#d35400",
        Cross::Outbound => "#1f618d",
        Cross::Both => "#7d3c98",
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

fn kind_word(k: NodeKind) -> String {
    match k {
        NodeKind::Asset(a) => a.as_str().to_string(),
        NodeKind::Component(_) => "component".to_string(),
        NodeKind::Attacker => "attacker".to_string(),
    }
}

fn node_tooltip(node: &Node) -> String {
    let mut s = format!(
        "{}: {} ({})",
        node.id,
        text::one_line(&node.title),
        kind_word(node.kind)
    );
    if !node.in_scope {
        s.push_str("; out of scope");
        if let Some(r) = &node.reason {
            s.push_str(&format!(": {}", text::one_line(r)));
        }
    }
    s
}

/// Draws the outline of a node of kind `k` in `r`.
fn shape(out: &mut String, k: NodeKind, r: &Rect, fill: &str, stroke: &str, dash: &str) {
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    let style = format!(r#"fill="{fill}" stroke="{stroke}" stroke-width="1.3"{dash}"#);
    match k {
        NodeKind::Asset(AssetKind::External) => {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" {style}/>"#,
                n(x),
                n(y),
                n(w),
                n(h)
            );
        }
        NodeKind::Asset(AssetKind::Service | AssetKind::Process) => {
            let rx = (h / 2.0).min(18.0);
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" {style}/>"#,
                n(x),
                n(y),
                n(w),
                n(h),
                n(rx)
            );
        }
        NodeKind::Asset(AssetKind::Datastore) => {
            let rx = w / 2.0;
            let ry = CYL_RY;
            let _ = writeln!(
                out,
                r#"<path d="M{x0},{t} A{rx},{ry} 0 0 1 {x1},{t} V{b} A{rx},{ry} 0 0 1 {x0},{b} Z" {style}/>"#,
                x0 = n(x),
                x1 = n(x + w),
                t = n(y + ry),
                b = n(y + h - ry),
                rx = n(rx),
                ry = n(ry)
            );
            let _ = writeln!(
                out,
                r#"<path d="M{x0},{t} A{rx},{ry} 0 0 0 {x1},{t}" fill="none" stroke="{stroke}" stroke-width="1.3"{dash}/>"#,
                x0 = n(x),
                x1 = n(x + w),
                t = n(y + ry),
                rx = n(rx),
                ry = n(ry)
            );
        }
        NodeKind::Asset(
            AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate,
        ) => {
            let f = FOLD.min(w / 3.0).min(h / 3.0);
            let _ = writeln!(
                out,
                r#"<path d="M{x0},{y0} H{xf} L{x1},{yf} V{y1} H{x0} Z" {style}/>"#,
                x0 = n(x),
                y0 = n(y),
                xf = n(x + w - f),
                x1 = n(x + w),
                yf = n(y + f),
                y1 = n(y + h)
            );
            let _ = writeln!(
                out,
                r#"<path d="M{xf},{y0} V{yf} H{x1}" fill="none" stroke="{stroke}" stroke-width="1.3"{dash}/>"#,
                xf = n(x + w - f),
                y0 = n(y),
                yf = n(y + f),
                x1 = n(x + w)
            );
        }
        NodeKind::Asset(AssetKind::Hardware) => {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" {style}/>"#,
                n(x),
                n(y),
                n(w),
                n(h)
            );
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{stroke}" stroke-width="1"{dash}/>"#,
                n(x + 3.0),
                n(y + 3.0),
                n(w - 6.0),
                n(h - 6.0)
            );
        }
        NodeKind::Asset(_) => {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="4" {style}/>"#,
                n(x),
                n(y),
                n(w),
                n(h)
            );
        }
        NodeKind::Component(_) => {
            let s = STACK.min(w / 4.0).min(h / 4.0);
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3" {style}/>"#,
                n(x + s),
                n(y),
                n(w - s),
                n(h - s)
            );
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3" {style}/>"#,
                n(x),
                n(y + s),
                n(w - s),
                n(h - s)
            );
        }
        NodeKind::Attacker => {
            let p = HEX.min(w / 4.0);
            let _ = writeln!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}" {style}/>"#,
                n(x + p),
                n(y),
                n(x + w - p),
                n(y),
                n(x + w),
                n(y + h / 2.0),
                n(x + w - p),
                n(y + h),
                n(x + p),
                n(y + h),
                n(x),
                n(y + h / 2.0)
            );
        }
    }
}

fn node_colours(k: NodeKind, in_scope: bool) -> (&'static str, &'static str, &'static str) {
    if !in_scope {
        return (GREY_FILL, GREY, r#" stroke-dasharray="5 3""#);
    }
    match k {
        NodeKind::Attacker => ("#fdedec", "#922b21", ""),
        NodeKind::Component(_) => ("#f4f6f7", "#34495e", ""),
        _ => ("#ffffff", "#34495e", ""),
    }
}

/// Renders the scene as a standalone SVG document.
pub(crate) fn render(scene: &Scene, geo: &Geometry) -> String {
    let lay = &geo.layout;
    let pfx = id_prefix(scene);
    let mut out = String::with_capacity(4096 + scene.nodes.len() * 700 + scene.edges.len() * 600);
    let title = layout::diagram_title(scene);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" role="img" aria-labelledby="{pfx}-title" class="tmkit-diagram">"#,
        w = n(lay.width),
        h = n(lay.height),
    );
    let _ = writeln!(
        out,
        r#"<title id="{pfx}-title">{}</title>"#,
        escape_xml(&title)
    );
    let _ = writeln!(
        out,
        "<desc>Trust zones ordered by trust (least trusted on the left) with their assets and data flows. {} zone boxes, {} nodes, {} flows.</desc>",
        lay.zones.len(),
        lay.nodes.len(),
        lay.edges.len()
    );
    out.push_str("<defs>\n");
    for (name, colour, hollow) in [
        ("none", cross_colour(Cross::None), false),
        ("inbound", cross_colour(Cross::Inbound), false),
        ("outbound", cross_colour(Cross::Outbound), true),
        ("both", cross_colour(Cross::Both), false),
        ("oos", GREY, false),
    ] {
        let fill = if hollow { "#ffffff" } else { colour };
        let _ = writeln!(
            out,
            r#"<marker id="{pfx}-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M1,1 L9,5 L1,9 Z" fill="{fill}" stroke="{colour}" stroke-width="1.2"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        n(lay.width),
        n(lay.height)
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" font-size="{TITLE_FONT}" font-weight="bold" fill="{INK}">{}</text>"#,
        n(lay.title.x),
        n(lay.title.y + 15.0),
        escape_xml(&title)
    );

    // Zones, outermost first (the order of the regions is creation order;
    // draw by depth so children paint over parents).
    let mut order: Vec<usize> = (0..lay.zones.len()).collect();
    order.sort_by_key(|&i| (lay.zones[i].depth, i));
    out.push_str("<g class=\"tmkd-zones\">\n");
    for i in order {
        let z = &lay.zones[i];
        let region = &scene.regions[i];
        let (fill, stroke, dash, rx) = match region.kind {
            RegionKind::Zone => (zone_fill(region.level), zone_stroke(region.level), "", 8),
            RegionKind::Component => (
                "#ffffff".to_string(),
                "#5d6d7e".to_string(),
                r#" stroke-dasharray="8 3 2 3""#,
                4,
            ),
            RegionKind::NoZone => (
                GREY_FILL.to_string(),
                GREY.to_string(),
                r#" stroke-dasharray="4 3""#,
                8,
            ),
        };
        let opacity = if region.kind == RegionKind::Component {
            r#" fill-opacity="0.6""#
        } else {
            ""
        };
        let mut tip = format!("{} ({})", region.title, region.subtitle);
        if let Some(d) = &region.description {
            tip.push_str(&format!(": {}", text::one_line(d)));
        }
        let _ = writeln!(
            out,
            r#"<g class="tmkd-zone" data-key="{}" data-kind="{}"><title>{}</title>"#,
            escape_xml(&z.key),
            match region.kind {
                RegionKind::Zone => "zone",
                RegionKind::Component => "component",
                RegionKind::NoZone => "no-zone",
            },
            escape_xml(&tip)
        );
        let _ = writeln!(
            out,
            r#"<rect class="tmkd-zone-box" x="{}" y="{}" width="{}" height="{}" rx="{rx}" fill="{fill}"{opacity} stroke="{stroke}" stroke-width="1.6"{dash}/>"#,
            n(z.rect.x),
            n(z.rect.y),
            n(z.rect.w),
            n(z.rect.h)
        );
        let (t, s) = &geo.headers[i];
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{ZONE_FONT}" font-weight="bold" fill="{INK}">{}<tspan font-size="{SUB_FONT}" font-weight="normal" fill="{stroke}" dx="10">{}</tspan></text>"#,
            n(z.label.x),
            n(z.label.y + 12.0),
            escape_xml(t),
            escape_xml(s)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    // Flows under nodes; their labels above everything.
    out.push_str("<g class=\"tmkd-flows\" fill=\"none\">\n");
    for (e, path) in scene.edges.iter().zip(&lay.edges) {
        let d: String = path
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{},{}", if i == 0 { "M" } else { " L" }, n(p.0), n(p.1)))
            .collect();
        let crossing = if e.in_scope {
            cross_name(e.cross)
        } else {
            "out-of-scope"
        };
        let _ = writeln!(
            out,
            r#"<g class="tmkd-flow" data-qid="{}" data-crossing="{crossing}" data-unanswered="{}"><title>{}</title>"#,
            escape_xml(&e.qid),
            e.is_unanswered(),
            escape_xml(&e.tooltip(&scene.nodes))
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
            flow_colour(e)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"tmkd-nodes\">\n");
    for (i, (node, b)) in scene.nodes.iter().zip(&lay.nodes).enumerate() {
        let (fill, stroke, dash) = node_colours(node.kind, node.in_scope);
        let _ = writeln!(
            out,
            r#"<g class="tmkd-node" data-qid="{}" data-kind="{}" data-zone="{}" data-region="{}" data-in-scope="{}"><title>{}</title>"#,
            escape_xml(&node.qid),
            escape_xml(&kind_word(node.kind)),
            escape_xml(b.zone.as_deref().unwrap_or("-")),
            escape_xml(&b.region),
            node.in_scope,
            escape_xml(&node_tooltip(node))
        );
        shape(&mut out, node.kind, &b.rect, fill, stroke, dash);
        let t = &geo.node_text[i];
        let cx = b.label.x + b.label.w / 2.0;
        let ink = if node.in_scope { INK } else { "#7f8c8d" };
        let _ = write!(
            out,
            r#"<text class="tmkd-label" text-anchor="middle" font-size="{NODE_FONT}" fill="{ink}">"#
        );
        for (j, line) in t.lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<tspan x="{}" y="{}">{}</tspan>"#,
                n(cx),
                n(b.label.y + (j as f64 + 1.0) * LINE_H - 3.5),
                escape_xml(line)
            );
        }
        let _ = writeln!(
            out,
            r#"<tspan x="{}" y="{}" font-size="{ID_FONT}" fill="{MUTED}">{}</tspan></text>"#,
            n(cx),
            n(b.label.y + t.lines.len() as f64 * LINE_H + 10.0),
            escape_xml(&t.id_line)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"tmkd-flow-labels\">\n");
    for (i, (e, path)) in scene.edges.iter().zip(&lay.edges).enumerate() {
        let (label, baseline) = &geo.edge_text[i];
        let colour = if e.is_unanswered() {
            UNANSWERED
        } else if e.in_scope {
            INK
        } else {
            "#7f8c8d"
        };
        let weight = if e.is_unanswered() {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r##"<g class="tmkd-flow-label" data-qid="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#ffffff" fill-opacity="0.88"/><text x="{}" y="{}" font-size="{EDGE_FONT}" fill="{colour}"{weight}>{}</text></g>"##,
            escape_xml(&e.qid),
            n(path.label.x),
            n(path.label.y),
            n(path.label.w),
            n(path.label.h),
            n(path.label.x + 3.0),
            n(*baseline),
            escape_xml(label)
        );
    }
    out.push_str("</g>\n");

    legend(&mut out, geo, &pfx);
    out.push_str("</svg>\n");
    out
}

fn legend(out: &mut String, geo: &Geometry, pfx: &str) {
    if geo.legend_kinds.is_empty() {
        return;
    }
    out.push_str("<g class=\"tmkd-legend\">\n");
    for (k, r) in geo.legend_kinds.iter().zip(&geo.layout.legend) {
        let sample = Rect::new(r.x + 4.0, r.y + 3.0, 36.0, 18.0);
        match *k {
            LegendKind::Shape(kind) => {
                let (fill, stroke, dash) = node_colours(kind, true);
                shape(out, kind, &sample, fill, stroke, dash);
            }
            LegendKind::OutOfScope => {
                let (fill, stroke, dash) =
                    node_colours(NodeKind::Asset(AssetKind::External), false);
                shape(
                    out,
                    NodeKind::Asset(AssetKind::External),
                    &sample,
                    fill,
                    stroke,
                    dash,
                );
            }
            LegendKind::Flow(c) => {
                let _ = writeln!(
                    out,
                    r#"<path d="M{},{y} H{}" fill="none" stroke="{}" stroke-width="2" marker-end="url(#{pfx}-arrow-{})"{}/>"#,
                    n(sample.x),
                    n(sample.right()),
                    cross_colour(c),
                    cross_name(c),
                    if c == Cross::Both {
                        format!(r#" marker-start="url(#{pfx}-arrow-both)""#)
                    } else {
                        String::new()
                    },
                    y = n(r.y + 12.0)
                );
            }
            LegendKind::Unanswered => {
                let _ = writeln!(
                    out,
                    r#"<path d="M{},{y} H{}" fill="none" stroke="{UNANSWERED}" stroke-opacity="0.28" stroke-width="9"/>"#,
                    n(sample.x),
                    n(sample.right()),
                    y = n(r.y + 12.0)
                );
            }
            LegendKind::FlowOutOfScope => {
                let _ = writeln!(
                    out,
                    r#"<path d="M{},{y} H{}" fill="none" stroke="{GREY}" stroke-width="1.4" stroke-dasharray="6 4" marker-end="url(#{pfx}-arrow-oos)"/>"#,
                    n(sample.x),
                    n(sample.right()),
                    y = n(r.y + 12.0)
                );
            }
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{SUB_FONT}" fill="{INK}">{}</text>"#,
            n(r.x + 46.0),
            n(r.y + 16.0),
            escape_xml(layout::legend_text(*k))
        );
    }
    out.push_str("</g>\n");
}
