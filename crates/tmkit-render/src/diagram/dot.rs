//! Graphviz DOT, for `dot -Tsvg` / `-Tpng`.

use super::scene::{Cross, Edge, Emphasis, RegionKind, Scene, Shape, Step};
use super::style;
use super::text;
use std::fmt::Write;

/// Where a string goes in a DOT file, which decides how Graphviz reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DotText {
    /// A `label` (also the graph's name): escapes such as `\N` (the node's
    /// name), `\G`, `\E`, `\L`, `\T`, `\H`, `\n`, `\l`, `\r` are expanded
    /// once.
    Label,
    /// A `tooltip`: Graphviz expands the same escapes twice (once when it
    /// reads the attribute, once when it writes the SVG link).
    Tooltip,
}

/// Escapes text for a double-quoted DOT string; every piece of user text in
/// the DOT output passes through here. A backslash is doubled once per
/// expansion Graphviz applies to `kind` (`\\` in labels, `\\\\` in
/// tooltips), so `\N`, `\G` and the other escapes show as typed; `"` becomes
/// `\"`; `&` becomes `&amp;`, since Graphviz decodes HTML entities in both;
/// `<` and `>` stay literal because labels are always quoted strings, never
/// HTML-like `<...>` labels. Whitespace runs (newlines included) become one
/// space and control characters are dropped.
pub fn escape_dot(s: &str, kind: DotText) -> String {
    let backslash = match kind {
        DotText::Label => "\\\\",
        DotText::Tooltip => "\\\\\\\\",
    };
    let mut out = String::with_capacity(s.len());
    for c in text::one_line(s).chars() {
        match c {
            '\\' => out.push_str(backslash),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn shape(k: Shape) -> (&'static str, &'static str) {
    match k {
        Shape::Box | Shape::Other => ("box", ""),
        Shape::Rounded => ("box", "rounded,"),
        Shape::Cylinder => ("cylinder", ""),
        Shape::Document => ("note", ""),
        Shape::Hardware => ("box3d", ""),
        Shape::Stack => ("folder", ""),
        Shape::Hexagon => ("hexagon", ""),
    }
}

/// Renders the scene as a Graphviz digraph.
pub(crate) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "digraph \"{}\" {{",
        escape_dot(scene.model_id, DotText::Label)
    );
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, newrank=true, fontname=\"Helvetica\", fontsize=13, label=\"{}\", labelloc=t, labeljust=l, nodesep=0.35, ranksep=0.9];",
        escape_dot(&scene.heading(), DotText::Label)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#ffffff\", color=\"#34495e\", fontcolor=\"#1c2833\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#566573\"];\n");
    let anchors = clusters(&mut out, scene);
    // Invisible edges keep the top-level zones in trust order, left to right.
    for pair in anchors.windows(2) {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [style=invis, weight=0];",
            pair[0], pair[1]
        );
    }
    for e in &scene.edges {
        edge(&mut out, scene, e);
    }
    out.push_str("}\n");
    out
}

/// Writes the regions as nested clusters with their nodes; returns the
/// first node of each top-level region that has one, to order them by trust.
fn clusters(out: &mut String, scene: &Scene) -> Vec<String> {
    let mut anchors: Vec<Option<String>> = vec![None; scene.roots.len()];
    let mut top: Option<usize> = None;
    scene.walk(|step| {
        let (r, depth) = match step {
            Step::Close { depth, .. } => {
                let _ = writeln!(out, "{}}}", "  ".repeat(depth + 1));
                return;
            }
            Step::Open { r, depth } => (r, depth),
        };
        let pad = "  ".repeat(depth + 1);
        if depth == 0 {
            top = scene.roots.iter().position(|&x| x == r);
        }
        let region = &scene.regions[r];
        let (fill, stroke) = style::region_colours(region);
        let style = match region.kind {
            RegionKind::Zone => "rounded,filled",
            RegionKind::Component | RegionKind::NoZone => "dashed,filled",
        };
        let _ = writeln!(out, "{pad}subgraph \"cluster_z{r}\" {{");
        let _ = writeln!(
            out,
            "{pad}  label=\"{}\\n{}\"; style=\"{style}\"; fillcolor=\"{fill}\"; color=\"{stroke}\"; penwidth=1.5; fontsize=12; tooltip=\"{}\";",
            escape_dot(region.title, DotText::Label),
            escape_dot(&region.subtitle, DotText::Label),
            escape_dot(&region.heading(), DotText::Tooltip)
        );
        for &n in &region.nodes {
            node(out, &pad, scene, n);
        }
        let mut first = region.nodes.first().map(|n| format!("n{n}"));
        if region.nodes.is_empty() && region.children.is_empty() {
            // Graphviz does not draw an empty cluster.
            let _ = writeln!(
                out,
                "{pad}  \"z{r}_empty\" [label=\"\", shape=none, width=0.6, height=0.3];"
            );
            first = Some(format!("z{r}_empty"));
        }
        if let Some(t) = top
            && anchors[t].is_none()
        {
            anchors[t] = first;
        }
    });
    anchors.into_iter().flatten().collect()
}

/// One node statement.
fn node(out: &mut String, pad: &str, scene: &Scene, n: usize) {
    let node = &scene.nodes[n];
    let (shape, rounded) = shape(node.kind.shape());
    let paint = style::text_paint(node.class());
    let dashed = if node.in_scope { "" } else { "dashed," };
    let lines: Vec<String> = text::wrap(node.title, 28, 3)
        .iter()
        .map(|l| escape_dot(l, DotText::Label))
        .collect();
    let tip = format!("{}: {}{}", node.id, node.title, node.scope_note());
    let _ = writeln!(
        out,
        "{pad}  \"n{n}\" [label=\"{}\\n{}\", shape={shape}, style=\"{rounded}{dashed}filled\", fillcolor=\"{}\", color=\"{}\", fontcolor=\"{}\", tooltip=\"{}\"];",
        lines.join("\\n"),
        escape_dot(&node.id_line(), DotText::Label),
        paint.fill,
        paint.stroke,
        paint.ink,
        escape_dot(&tip, DotText::Tooltip)
    );
}

/// One flow statement.
fn edge(out: &mut String, scene: &Scene, e: &Edge) {
    let mut label = escape_dot(&e.label(), DotText::Label);
    if let Some(note) = e.crossing_note() {
        label.push_str("\\n");
        label.push_str(&escape_dot(&note, DotText::Label));
    }
    let mut attrs = format!(
        "label=\"{label}\", color=\"{}\"",
        style::flow_colour_marked(e)
    );
    match e.emphasis() {
        Emphasis::Unanswered => attrs.push_str(", penwidth=3, fontcolor=\"#c0392b\""),
        Emphasis::Crossing => attrs.push_str(", penwidth=2"),
        Emphasis::Plain => {}
    }
    if !e.in_scope {
        attrs.push_str(", style=dashed, fontcolor=\"#7f8c8d\"");
    }
    if e.in_scope && e.cross == Cross::Outbound {
        attrs.push_str(", arrowhead=empty");
    }
    if e.bidirectional {
        attrs.push_str(", dir=both");
    }
    let _ = writeln!(
        out,
        "  \"n{}\" -> \"n{}\" [{attrs}, tooltip=\"{}\"];",
        e.from,
        e.to,
        escape_dot(&e.tooltip(&scene.nodes), DotText::Tooltip)
    );
}
