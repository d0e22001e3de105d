//! The palette every format paints with: zone tints by trust, node and flow
//! colours. Each back end writes these colours in its own syntax.

use super::scene::{Cross, Edge, NodeClass, Region, RegionKind};

/// Text.
pub(crate) const INK: &str = "#1c2833";
/// Secondary text (ids under node titles).
pub(crate) const MUTED: &str = "#5d6d7e";
/// Lines of out-of-scope elements.
pub(crate) const GREY: &str = "#99a3a4";
/// Fill of out-of-scope elements and of the "no zone" box.
pub(crate) const GREY_FILL: &str = "#f2f3f4";
/// Text of out-of-scope elements.
pub(crate) const GREY_INK: &str = "#7f8c8d";
/// Unanswered crossings.
pub(crate) const UNANSWERED: &str = "#c0392b";
/// Background and plain node fill.
pub(crate) const WHITE: &str = "#ffffff";

/// Fill, outline and text colour of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paint {
    pub fill: &'static str,
    pub stroke: &'static str,
    pub ink: &'static str,
}

/// How a node of `class` is painted.
pub(crate) fn node_paint(class: NodeClass) -> Paint {
    let (fill, stroke, ink) = match class {
        NodeClass::OutOfScope => (GREY_FILL, GREY, GREY_INK),
        NodeClass::Attacker => ("#fdedec", "#922b21", INK),
        NodeClass::Component => ("#f4f6f7", "#34495e", INK),
        NodeClass::Asset => (WHITE, "#34495e", INK),
    };
    Paint { fill, stroke, ink }
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

/// Fill and outline of a region: zones tinted by their trust level.
pub(crate) fn region_colours(region: &Region<'_>) -> (String, String) {
    match region.kind {
        RegionKind::Zone => (
            tint(
                region.level,
                [(253, 237, 236), (254, 249, 231), (233, 247, 239)],
            ),
            tint(region.level, [(176, 58, 46), (183, 149, 11), (30, 132, 73)]),
        ),
        RegionKind::Component => (WHITE.into(), MUTED.into()),
        RegionKind::NoZone => (GREY_FILL.into(), GREY.into()),
    }
}

/// The colour of a flow crossing a boundary `c` way.
pub(crate) fn cross_colour(c: Cross) -> &'static str {
    match c {
        Cross::None => "#566573",
        Cross::Inbound => "#d35400",
        Cross::Outbound => "#1f618d",
        Cross::Both => "#7d3c98",
    }
}

/// The colour of a flow's line: grey out of scope, else by crossing.
pub(crate) fn flow_colour(e: &Edge<'_>) -> &'static str {
    if !e.in_scope {
        return GREY;
    }
    cross_colour(e.cross)
}

/// [`flow_colour`], but red for an unanswered crossing (the text formats
/// have no separate highlight to draw under the line).
pub(crate) fn flow_colour_marked(e: &Edge<'_>) -> &'static str {
    if e.is_unanswered() {
        return UNANSWERED;
    }
    flow_colour(e)
}

/// How a node of `class` is painted in the text formats (DOT, Mermaid,
/// PlantUML), which draw a collapsed component like an asset.
pub(crate) fn text_paint(class: NodeClass) -> Paint {
    node_paint(match class {
        NodeClass::Component => NodeClass::Asset,
        c => c,
    })
}
