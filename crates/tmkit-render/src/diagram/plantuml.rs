//! PlantUML (deployment-diagram elements), for teams whose wiki renders it.

use super::mermaid::{cross_colour, crossing_note, zone_colours};
use super::scene::{Cross, NodeKind, RegionKind, Scene};
use super::text;
use std::fmt::Write;
use tmkit_model::AssetKind;

/// Escapes text for a PlantUML label (the diagram title, a double-quoted
/// element name or the text after `:` on a link); every piece of user text
/// in the PlantUML output passes through here.
///
/// PlantUML runs a preprocessor over every line before parsing it
/// (`%getenv("HOME")`, `%date()`, `%load_json(..)` and other builtins are
/// evaluated wherever they appear, even inside quotes; `$name` is a variable;
/// `!` and `@` start directives; `'` and `/'` comments), then renders labels
/// as Creole markup (`**bold**`, `<color>`, `[[link]]`, `~`, a `*` or `=` at
/// the start of a line...). Each character that any of these could read is
/// written as `<U+XXXX>`, PlantUML's documented escape for a Unicode code
/// point, which the preprocessor leaves alone and Creole renders as the
/// character itself. That is: always `"` `\` `<` `>` `~` `[` `]` `{` `}` `&`
/// `|` `#` `%` `$` `!` `@` `'`; a doubled markup character (`**`, `//`, `__`,
/// `--`, `==`, `^^`, `,,`, `..`); and any ASCII punctuation starting the text
/// (each piece starts a line of the label). Whitespace runs (newlines
/// included) become one space and control characters are dropped, so text
/// never leaves its line.
pub fn escape_plantuml(s: &str) -> String {
    let chars: Vec<char> = text::one_line(s).chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let doubled = |c: char| (i > 0 && chars[i - 1] == c) || chars.get(i + 1) == Some(&c);
        let escape = match c {
            c if c.is_control() => continue,
            c if i == 0 && c.is_ascii_punctuation() => true,
            '"' | '\\' | '<' | '>' | '~' | '[' | ']' | '{' | '}' | '&' | '|' | '#' => true,
            '%' | '$' | '!' | '@' | '\'' => true,
            '*' | '/' | '_' | '-' | '=' | '^' | ',' | '.' => doubled(c),
            _ => false,
        };
        if escape {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn element(k: NodeKind) -> (&'static str, &'static str) {
    match k {
        NodeKind::Asset(AssetKind::External) => ("rectangle", "external"),
        NodeKind::Asset(AssetKind::Service) => ("rectangle", "service"),
        NodeKind::Asset(AssetKind::Process) => ("rectangle", "process"),
        NodeKind::Asset(AssetKind::Datastore) => ("database", "datastore"),
        NodeKind::Asset(AssetKind::Data) => ("file", "data"),
        NodeKind::Asset(AssetKind::Credential) => ("file", "credential"),
        NodeKind::Asset(AssetKind::Key) => ("file", "key"),
        NodeKind::Asset(AssetKind::Certificate) => ("file", "certificate"),
        NodeKind::Asset(AssetKind::Hardware) => ("node", "hardware"),
        NodeKind::Asset(_) => ("rectangle", "other"),
        NodeKind::Component(_) => ("package", "component"),
        NodeKind::Attacker => ("actor", "attacker"),
    }
}

fn hex(c: &str) -> String {
    c.trim_start_matches('#').to_ascii_uppercase()
}

/// Renders the scene as a PlantUML diagram.
pub(crate) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    out.push_str("@startuml\n");
    let _ = writeln!(
        out,
        "title {}",
        escape_plantuml(&super::layout::diagram_title(scene))
    );
    out.push_str("left to right direction\n");
    out.push_str("skinparam shadowing false\n");
    out.push_str("skinparam defaultFontSize 11\n");
    out.push_str("skinparam rectangle<<service>> {\n  RoundCorner 25\n}\n");
    out.push_str("skinparam rectangle<<process>> {\n  RoundCorner 25\n}\n");
    out.push_str("skinparam rectangle<<zone>> {\n  RoundCorner 12\n  FontStyle bold\n}\n");
    out.push_str("skinparam ArrowColor #566573\n");

    let mut stack: Vec<(usize, usize, bool)> =
        scene.roots.iter().rev().map(|&r| (r, 0, false)).collect();
    while let Some((r, depth, closing)) = stack.pop() {
        let pad = "  ".repeat(depth);
        if closing {
            let _ = writeln!(out, "{pad}}}");
            continue;
        }
        let region = &scene.regions[r];
        let (fill, stroke) = zone_colours(scene, r);
        let (stereo, line) = match region.kind {
            RegionKind::Zone => ("zone", format!("line:{}", hex(&stroke))),
            RegionKind::Component => ("component", format!("line:{};line.dashed", hex(&stroke))),
            RegionKind::NoZone => ("no-zone", format!("line:{};line.dashed", hex(&stroke))),
        };
        let _ = writeln!(
            out,
            "{pad}rectangle \"{}\\n{}\" <<{stereo}>> as z{r} #{};{line} {{",
            escape_plantuml(&region.title),
            escape_plantuml(&region.subtitle),
            hex(&fill)
        );
        for &n in &region.nodes {
            let node = &scene.nodes[n];
            let (kw, stereo) = element(node.kind);
            let id = match node.kind {
                NodeKind::Component(k) => {
                    format!("{} · {k} asset{}", node.id, if k == 1 { "" } else { "s" })
                }
                _ => node.id.clone(),
            };
            let lines: Vec<String> = text::wrap(&node.title, 28, 3)
                .iter()
                .map(|l| escape_plantuml(l))
                .collect();
            let style = if !node.in_scope {
                " #F2F3F4;line:99A3A4;line.dashed;text:7F8C8D"
            } else if node.kind == NodeKind::Attacker {
                " #FDEDEC;line:922B21"
            } else {
                " #FFFFFF;line:34495E"
            };
            let _ = writeln!(
                out,
                "{pad}  {kw} \"{}\\n{}\" <<{stereo}>> as n{n}{style}",
                lines.join("\\n"),
                escape_plantuml(&id)
            );
        }
        stack.push((r, depth, true));
        for &c in region.children.iter().rev() {
            stack.push((c, depth + 1, false));
        }
    }
    for e in &scene.edges {
        let mut style = vec![cross_colour(e).to_string()];
        if e.is_unanswered() {
            style.push("thickness=3".into());
        } else if e.in_scope && e.cross != Cross::None {
            style.push("bold".into());
        }
        if !e.in_scope {
            style.push("dashed".into());
        }
        let head = if e.bidirectional { "<" } else { "" };
        let mut label = escape_plantuml(&e.label());
        if let Some(note) = crossing_note(e) {
            label.push_str("\\n");
            label.push_str(&escape_plantuml(&note));
        }
        let _ = writeln!(
            out,
            "n{} {head}-[{}]-> n{} : {label}",
            e.from,
            style.join(","),
            e.to
        );
    }
    out.push_str("@enduml\n");
    out
}
