//! Mermaid flowchart, for Markdown (GitHub and GitLab render it).

use super::scene::{Emphasis, Node, NodeClass, RegionKind, Scene, Shape, Step};
use super::style;
use super::text;
use std::fmt::Write;

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

fn node_label(node: &Node) -> String {
    format!(
        "{}<br/>{}",
        escape_mermaid(node.title),
        escape_mermaid(&node.id_line())
    )
}

fn shape(k: Shape) -> (&'static str, &'static str) {
    match k {
        Shape::Box => ("[\"", "\"]"),
        Shape::Rounded => ("([\"", "\"])"),
        Shape::Cylinder => ("[(\"", "\")]"),
        Shape::Document => ("[/\"", "\"/]"),
        Shape::Hardware => ("[/\"", "\"\\]"),
        Shape::Other => ("(\"", "\")"),
        Shape::Stack => ("[[\"", "\"]]"),
        Shape::Hexagon => ("{{\"", "\"}}"),
    }
}

/// The class a node is drawn with.
fn class(node: &Node) -> &'static str {
    match node.class() {
        NodeClass::OutOfScope => "oos",
        NodeClass::Attacker => "attacker",
        NodeClass::Component | NodeClass::Asset => "asset",
    }
}

/// Renders the scene as a Mermaid flowchart (without the Markdown fence).
pub(crate) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    let _ = writeln!(out, "  %% {}", escape_mermaid(&scene.heading()));
    scene.walk(|step| match step {
        Step::Close { depth, .. } => {
            let _ = writeln!(out, "{}end", "  ".repeat(depth + 1));
        }
        Step::Open { r, depth } => {
            let pad = "  ".repeat(depth + 1);
            let region = &scene.regions[r];
            let _ = writeln!(
                out,
                "{pad}subgraph z{r}[\"{} · {}\"]",
                escape_mermaid(region.title),
                escape_mermaid(&region.subtitle)
            );
            for &n in &region.nodes {
                let (open, close) = shape(scene.nodes[n].kind.shape());
                let _ = writeln!(
                    out,
                    "{pad}  n{n}{open}{}{close}",
                    node_label(&scene.nodes[n])
                );
            }
        }
    });
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
        if let Some(note) = e.crossing_note() {
            label.push_str("<br/>");
            label.push_str(&escape_mermaid(&note));
        }
        let _ = writeln!(out, "  n{} {arrow}|\"{label}\"| n{}", e.from, e.to);
    }
    // Invisible links keep the top-level zones in trust order, left to
    // right (Mermaid places unlinked subgraphs as it likes). They come after
    // the flows, so `linkStyle i` still numbers the flows.
    for pair in scene.roots.windows(2) {
        let _ = writeln!(out, "  z{} ~~~ z{}", pair[0], pair[1]);
    }
    styles(&mut out, scene);
    out
}

/// Node classes, region styles and link styles.
fn styles(out: &mut String, scene: &Scene) {
    for (name, class) in [
        ("asset", NodeClass::Asset),
        ("attacker", NodeClass::Attacker),
        ("oos", NodeClass::OutOfScope),
    ] {
        let p = style::text_paint(class);
        let dash = if class == NodeClass::OutOfScope {
            ",stroke-dasharray:5 3"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  classDef {name} fill:{},stroke:{}{dash},color:{}",
            p.fill, p.stroke, p.ink
        );
    }
    for name in ["asset", "attacker", "oos"] {
        let members: Vec<String> = (scene.nodes.iter().enumerate())
            .filter(|(_, n)| class(n) == name)
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  class {} {name}", members.join(","));
        }
    }
    for (r, region) in scene.regions.iter().enumerate() {
        let (fill, stroke) = style::region_colours(region);
        let dash = match region.kind {
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
        let width = match e.emphasis() {
            Emphasis::Unanswered => "3.5px",
            Emphasis::Crossing => "2.5px",
            Emphasis::Plain => "1.5px",
        };
        let dash = if e.in_scope {
            ""
        } else {
            ",stroke-dasharray:6 4"
        };
        let _ = writeln!(
            out,
            "  linkStyle {i} stroke:{},stroke-width:{width}{dash}",
            style::flow_colour_marked(e)
        );
    }
}
