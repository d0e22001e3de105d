//! PlantUML (deployment-diagram elements), for teams whose wiki renders it.

use super::scene::{Emphasis, NodeKind, RegionKind, Scene, Step};
use super::style;
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
    let _ = writeln!(out, "title {}", escape_plantuml(&scene.heading()));
    out.push_str("left to right direction\n");
    out.push_str("skinparam shadowing false\n");
    out.push_str("skinparam defaultFontSize 11\n");
    out.push_str("skinparam rectangle<<service>> {\n  RoundCorner 25\n}\n");
    out.push_str("skinparam rectangle<<process>> {\n  RoundCorner 25\n}\n");
    out.push_str("skinparam rectangle<<zone>> {\n  RoundCorner 12\n  FontStyle bold\n}\n");
    out.push_str("skinparam ArrowColor #566573\n");
    scene.walk(|step| match step {
        Step::Close { depth, .. } => {
            let _ = writeln!(out, "{}}}", "  ".repeat(depth));
        }
        Step::Open { r, depth } => region(&mut out, scene, r, &"  ".repeat(depth)),
    });
    // Hidden links keep the top-level zones in trust order, left to right.
    for pair in scene.roots.windows(2) {
        let _ = writeln!(out, "z{} -[hidden]-> z{}", pair[0], pair[1]);
    }
    for e in &scene.edges {
        let mut style = vec![style::flow_colour_marked(e).to_string()];
        match e.emphasis() {
            Emphasis::Unanswered => style.push("thickness=3".into()),
            Emphasis::Crossing => style.push("bold".into()),
            Emphasis::Plain => {}
        }
        if !e.in_scope {
            style.push("dashed".into());
        }
        let head = if e.bidirectional { "<" } else { "" };
        let mut label = escape_plantuml(&e.label());
        if let Some(note) = e.crossing_note() {
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

/// Opens region `r` and writes its nodes.
fn region(out: &mut String, scene: &Scene, r: usize, pad: &str) {
    let region = &scene.regions[r];
    let (fill, stroke) = style::region_colours(region);
    let (stereo, line) = match region.kind {
        RegionKind::Zone => ("zone", format!("line:{}", hex(&stroke))),
        RegionKind::Component => ("component", format!("line:{};line.dashed", hex(&stroke))),
        RegionKind::NoZone => ("no-zone", format!("line:{};line.dashed", hex(&stroke))),
    };
    let _ = writeln!(
        out,
        "{pad}rectangle \"{}\\n{}\" <<{stereo}>> as z{r} #{};{line} {{",
        escape_plantuml(region.title),
        escape_plantuml(&region.subtitle),
        hex(&fill)
    );
    for &n in &region.nodes {
        let node = &scene.nodes[n];
        let (kw, stereo) = element(node.kind);
        let lines: Vec<String> = text::wrap(node.title, 28, 3)
            .iter()
            .map(|l| escape_plantuml(l))
            .collect();
        let p = style::text_paint(node.class());
        let style = if node.in_scope {
            format!(" #{};line:{}", hex(p.fill), hex(p.stroke))
        } else {
            format!(
                " #{};line:{};line.dashed;text:{}",
                hex(p.fill),
                hex(p.stroke),
                hex(p.ink)
            )
        };
        let _ = writeln!(
            out,
            "{pad}  {kw} \"{}\\n{}\" <<{stereo}>> as n{n}{style}",
            lines.join("\\n"),
            escape_plantuml(&node.id_line())
        );
    }
}
