//! Graphviz DOT, for `dot -Tsvg` / `-Tpng`.

use super::mermaid::{cross_colour, crossing_note, zone_colours};
use super::scene::{Cross, NodeKind, RegionKind, Scene};
use super::text;
use std::fmt::Write;
use tmkit_model::AssetKind;

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

fn shape(k: NodeKind) -> (&'static str, &'static str) {
    match k {
        NodeKind::Asset(AssetKind::External) => ("box", ""),
        NodeKind::Asset(AssetKind::Service | AssetKind::Process) => ("box", "rounded,"),
        NodeKind::Asset(AssetKind::Datastore) => ("cylinder", ""),
        NodeKind::Asset(
            AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate,
        ) => ("note", ""),
        NodeKind::Asset(AssetKind::Hardware) => ("box3d", ""),
        NodeKind::Asset(_) => ("box", ""),
        NodeKind::Component(_) => ("folder", ""),
        NodeKind::Attacker => ("hexagon", ""),
    }
}

/// Renders the scene as a Graphviz digraph.
pub(crate) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    let title = super::layout::diagram_title(scene);
    let _ = writeln!(
        out,
        "digraph \"{}\" {{",
        escape_dot(&scene.model_id, DotText::Label)
    );
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, newrank=true, fontname=\"Helvetica\", fontsize=13, label=\"{}\", labelloc=t, labeljust=l, nodesep=0.35, ranksep=0.9];",
        escape_dot(&title, DotText::Label)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#ffffff\", color=\"#34495e\", fontcolor=\"#1c2833\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#566573\"];\n");

    // The first node of each top-level region, to order them by trust.
    let mut anchors: Vec<Option<String>> = vec![None; scene.roots.len()];
    let mut stack: Vec<(usize, usize, bool)> =
        scene.roots.iter().rev().map(|&r| (r, 1, false)).collect();
    let mut top: Option<usize> = None;
    while let Some((r, depth, closing)) = stack.pop() {
        let pad = "  ".repeat(depth);
        if closing {
            let _ = writeln!(out, "{pad}}}");
            continue;
        }
        if depth == 1 {
            top = scene.roots.iter().position(|&x| x == r);
        }
        let region = &scene.regions[r];
        let (fill, stroke) = zone_colours(scene, r);
        let style = match region.kind {
            RegionKind::Zone => "rounded,filled",
            RegionKind::Component => "dashed,filled",
            RegionKind::NoZone => "dashed,filled",
        };
        let _ = writeln!(out, "{pad}subgraph \"cluster_z{r}\" {{");
        let _ = writeln!(
            out,
            "{pad}  label=\"{}\\n{}\"; style=\"{style}\"; fillcolor=\"{fill}\"; color=\"{stroke}\"; penwidth=1.5; fontsize=12; tooltip=\"{}\";",
            escape_dot(&region.title, DotText::Label),
            escape_dot(&region.subtitle, DotText::Label),
            escape_dot(
                &format!("{} ({})", region.title, region.subtitle),
                DotText::Tooltip
            )
        );
        let mut first: Option<String> = None;
        for &n in &region.nodes {
            let node = &scene.nodes[n];
            let (shape, rounded) = shape(node.kind);
            let id = match node.kind {
                NodeKind::Component(k) => {
                    format!("{} · {k} asset{}", node.id, if k == 1 { "" } else { "s" })
                }
                _ => node.id.clone(),
            };
            let (fill, stroke, font, dashed) = if !node.in_scope {
                ("#f2f3f4", "#99a3a4", "#7f8c8d", "dashed,")
            } else if node.kind == NodeKind::Attacker {
                ("#fdedec", "#922b21", "#1c2833", "")
            } else {
                ("#ffffff", "#34495e", "#1c2833", "")
            };
            let lines: Vec<String> = text::wrap(&node.title, 28, 3)
                .iter()
                .map(|l| escape_dot(l, DotText::Label))
                .collect();
            let mut tip = format!("{}: {}", node.id, node.title);
            if !node.in_scope {
                tip.push_str("; out of scope");
                if let Some(r) = &node.reason {
                    tip.push_str(&format!(": {r}"));
                }
            }
            let _ = writeln!(
                out,
                "{pad}  \"n{n}\" [label=\"{}\\n{}\", shape={shape}, style=\"{rounded}{dashed}filled\", fillcolor=\"{fill}\", color=\"{stroke}\", fontcolor=\"{font}\", tooltip=\"{}\"];",
                lines.join("\\n"),
                escape_dot(&id, DotText::Label),
                escape_dot(&tip, DotText::Tooltip)
            );
            first.get_or_insert_with(|| format!("n{n}"));
        }
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
        stack.push((r, depth, true));
        for &c in region.children.iter().rev() {
            stack.push((c, depth + 1, false));
        }
    }
    // Invisible edges keep the top-level zones in trust order, left to right.
    let anchors: Vec<String> = anchors.into_iter().flatten().collect();
    for pair in anchors.windows(2) {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [style=invis, weight=0];",
            pair[0], pair[1]
        );
    }
    for e in &scene.edges {
        let mut label = escape_dot(&e.label(), DotText::Label);
        if let Some(note) = crossing_note(e) {
            label.push_str("\\n");
            label.push_str(&escape_dot(&note, DotText::Label));
        }
        let mut attrs = format!("label=\"{label}\", color=\"{}\"", cross_colour(e));
        if e.is_unanswered() {
            attrs.push_str(", penwidth=3, fontcolor=\"#c0392b\"");
        } else if e.in_scope && e.cross != Cross::None {
            attrs.push_str(", penwidth=2");
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
    out.push_str("}\n");
    out
}
