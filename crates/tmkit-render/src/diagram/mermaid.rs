//! Mermaid flowchart, for Markdown (GitHub and GitLab render it).

use super::scene::{Cross, Node, NodeKind, RegionKind, Scene};
use super::text;
use std::fmt::Write;
use tmkit_model::AssetKind;

/// Escapes text for a double-quoted Mermaid label; every piece of user text
/// in the Mermaid output (labels, subgraph titles, the title comment) passes
/// through here.
///
/// Mermaid finds `%%{init: ...}%%` directives anywhere in the text, quotes
/// included, and its renderers read `"`, brackets, `|`, `;`, `:::`, `<tags>`,
/// backticks (Markdown strings) and `\n` (a line break) as syntax or markup.
/// Each of `"` `#` `%` `&` `<` `>` `|` `` ` `` `;` `:` `[` `]` `(` `)` `{` `}`
/// `\` is written as Mermaid's numeric entity code (`#37;` for `%`), which
/// Mermaid shows as the character itself once the diagram is parsed; so a
/// label is always one closed quoted token and no `%%` comes from user text.
/// Whitespace runs (newlines included) become one space and control
/// characters are dropped, so text never leaves its line.
pub fn escape_mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text::one_line(s).chars() {
        match c {
            '"' | '#' | '%' | '&' | '<' | '>' | '|' | '`' | ';' | ':' | '[' | ']' | '(' | ')'
            | '{' | '}' | '\\' => {
                let _ = write!(out, "#{};", c as u32);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn node_label(node: &Node) -> String {
    let id = match node.kind {
        NodeKind::Component(k) => {
            format!("{} · {k} asset{}", node.id, if k == 1 { "" } else { "s" })
        }
        _ => node.id.clone(),
    };
    format!(
        "{}<br/>{}",
        escape_mermaid(&node.title),
        escape_mermaid(&id)
    )
}

fn shape(k: NodeKind) -> (&'static str, &'static str) {
    match k {
        NodeKind::Asset(AssetKind::External) => ("[\"", "\"]"),
        NodeKind::Asset(AssetKind::Service | AssetKind::Process) => ("([\"", "\"])"),
        NodeKind::Asset(AssetKind::Datastore) => ("[(\"", "\")]"),
        NodeKind::Asset(
            AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate,
        ) => ("[/\"", "\"/]"),
        NodeKind::Asset(AssetKind::Hardware) => ("[/\"", "\"\\]"),
        NodeKind::Asset(_) => ("(\"", "\")"),
        NodeKind::Component(_) => ("[[\"", "\"]]"),
        NodeKind::Attacker => ("{{\"", "\"}}"),
    }
}

/// The crossing words added under a flow label in the text formats.
pub(crate) fn crossing_note(e: &super::scene::Edge) -> Option<String> {
    if !e.in_scope {
        return Some("out of scope".into());
    }
    let mut parts = Vec::new();
    if e.cross != Cross::None {
        parts.push(e.cross.word().to_string());
    }
    if e.is_unanswered() {
        parts.push(format!("UNANSWERED: {}", e.unanswered_short()));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub(crate) fn cross_colour(e: &super::scene::Edge) -> &'static str {
    if !e.in_scope {
        return "#99a3a4";
    }
    if e.is_unanswered() {
        return "#c0392b";
    }
    match e.cross {
        Cross::None => "#566573",
        Cross::Inbound => "#d35400",
        Cross::Outbound => "#1f618d",
        Cross::Both => "#7d3c98",
    }
}

pub(crate) fn zone_colours(scene: &Scene, r: usize) -> (String, String) {
    let region = &scene.regions[r];
    match region.kind {
        RegionKind::Zone => {
            let stops_fill = [(253u8, 237u8, 236u8), (254, 249, 231), (233, 247, 239)];
            let stops_line = [(176u8, 58u8, 46u8), (183, 149, 11), (30, 132, 73)];
            (
                tint(region.level, stops_fill),
                tint(region.level, stops_line),
            )
        }
        RegionKind::Component => ("#ffffff".into(), "#5d6d7e".into()),
        RegionKind::NoZone => ("#f2f3f4".into(), "#99a3a4".into()),
    }
}

fn tint(level: f64, stops: [(u8, u8, u8); 3]) -> String {
    let mix = |a: (u8, u8, u8), b: (u8, u8, u8), t: f64| {
        let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
        (f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
    };
    let c = if level <= 0.5 {
        mix(stops[0], stops[1], level * 2.0)
    } else {
        mix(stops[1], stops[2], (level - 0.5) * 2.0)
    };
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Renders the scene as a Mermaid flowchart (without the Markdown fence).
pub(crate) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    let _ = writeln!(
        out,
        "  %% {}",
        escape_mermaid(&super::layout::diagram_title(scene))
    );
    let mut stack: Vec<(usize, usize, bool)> =
        scene.roots.iter().rev().map(|&r| (r, 1, false)).collect();
    while let Some((r, depth, closing)) = stack.pop() {
        let pad = "  ".repeat(depth);
        if closing {
            let _ = writeln!(out, "{pad}end");
            continue;
        }
        let region = &scene.regions[r];
        let _ = writeln!(
            out,
            "{pad}subgraph z{r}[\"{} · {}\"]",
            escape_mermaid(&region.title),
            escape_mermaid(&region.subtitle)
        );
        for &n in &region.nodes {
            let (open, close) = shape(scene.nodes[n].kind);
            let _ = writeln!(
                out,
                "{pad}  n{n}{open}{}{close}",
                node_label(&scene.nodes[n])
            );
        }
        stack.push((r, depth, true));
        for &c in region.children.iter().rev() {
            stack.push((c, depth + 1, false));
        }
    }
    for e in &scene.edges {
        let arrow = match (e.in_scope, e.is_unanswered(), e.bidirectional) {
            (false, _, false) => "-.->",
            (false, _, true) => "<-.->",
            (true, true, false) => "==>",
            (true, true, true) => "<==>",
            (true, false, false) => "-->",
            (true, false, true) => "<-->",
        };
        let mut label = escape_mermaid(&e.label());
        if let Some(note) = crossing_note(e) {
            label.push_str("<br/>");
            label.push_str(&escape_mermaid(&note));
        }
        let _ = writeln!(out, "  n{} {arrow}|\"{label}\"| n{}", e.from, e.to);
    }
    out.push_str("  classDef asset fill:#ffffff,stroke:#34495e,color:#1c2833\n");
    out.push_str("  classDef attacker fill:#fdedec,stroke:#922b21,color:#1c2833\n");
    out.push_str("  classDef oos fill:#f2f3f4,stroke:#99a3a4,stroke-dasharray:5 3,color:#7f8c8d\n");
    for class in ["asset", "attacker", "oos"] {
        let members: Vec<String> = scene
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                let c = if !n.in_scope {
                    "oos"
                } else if n.kind == NodeKind::Attacker {
                    "attacker"
                } else {
                    "asset"
                };
                c == class
            })
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  class {} {class}", members.join(","));
        }
    }
    for r in 0..scene.regions.len() {
        let (fill, stroke) = zone_colours(scene, r);
        let dash = match scene.regions[r].kind {
            RegionKind::Zone => "",
            RegionKind::Component => ",stroke-dasharray:8 3 2 3",
            RegionKind::NoZone => ",stroke-dasharray:4 3",
        };
        let _ = writeln!(
            out,
            "  style z{r} fill:{fill},stroke:{stroke},color:#1c2833{dash}"
        );
    }
    for (i, e) in scene.edges.iter().enumerate() {
        let width = if e.is_unanswered() {
            "3.5px"
        } else if e.in_scope && e.cross != Cross::None {
            "2.5px"
        } else {
            "1.5px"
        };
        let _ = writeln!(
            out,
            "  linkStyle {i} stroke:{},stroke-width:{width}{}",
            cross_colour(e),
            if e.in_scope {
                ""
            } else {
                ",stroke-dasharray:6 4"
            }
        );
    }
    out
}
