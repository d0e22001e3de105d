//! OWASP Threat Dragon: version 2 JSON (and version 1 where it is cheap),
//! and TM-BOM as Threat Dragon reads and writes it ([`crate::tmbom`]).
//!
//! Every diagram of the file goes into one model. Elements are recognised by
//! their data type (`tm.Actor`, `tm.Process`, `tm.Store`, `tm.Flow`,
//! `tm.BoundaryBox`, `tm.Boundary`), the shape name only when there is none
//! (published files misspell shapes). Boundary boxes become zones, nested by
//! their coordinates; each element is in the smallest box holding its centre.
//! Threats keep their status: `Mitigated` becomes an in-place mitigation,
//! `Open` a planned one (when the source describes a mitigation),
//! `NotApplicable` an in-place risk acceptance. See docs/interop.md.

use crate::draft::{self, Asset, Boxes, Draft, Elem, Flow, Mitigation, State, Target, Threat};
use crate::files::{ImportError, ImportOutput};
use crate::ids::one_line;
use crate::yaml_in::{self, Node};
use crate::yaml_out::Yaml;
use std::collections::HashMap;
use std::path::Path;
use tmkit_syntax::fs::FileSystem;

/// Imports a Threat Dragon (v1, v2) or TM-BOM file read through `fs`.
pub fn import_file(fs: &dyn FileSystem, path: &Path) -> Result<ImportOutput, ImportError> {
    let (text, shown) = crate::read_source(fs, path)?;
    import(&text, &shown)
}

/// Imports the text of a Threat Dragon (v1, v2) or TM-BOM file named `file`.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let doc = yaml_in::parse(text, file)?;
    if crate::tmbom::is_tmbom(&doc) {
        return crate::tmbom::import_doc(&doc, text, file);
    }
    let v1 = version(&doc, file)?;
    let mut cx = Cx {
        d: Draft::new(file, text),
        v1,
        diagram_types: Vec::new(),
        cats: Vec::new(),
    };
    cx.summary(&doc);
    let diagrams = doc.get("detail").and_then(|d| d.get("diagrams"));
    for (i, diagram) in diagrams.map(Node::items).unwrap_or(&[]).iter().enumerate() {
        cx.diagram(i, diagram);
    }
    cx.taxonomy();
    Ok(cx.d.finish())
}

/// True when `doc` looks like a Threat Dragon model (for `tmkit import FILE`).
pub(crate) fn is_threat_dragon(doc: &Node) -> bool {
    doc.get("summary").is_some()
        && doc
            .get("detail")
            .is_some_and(|d| d.get("diagrams").is_some())
}

/// Whether the file is version 1; an unknown version is an error.
fn version(doc: &Node, file: &str) -> Result<bool, ImportError> {
    if !is_threat_dragon(doc) {
        return Err(ImportError::at(
            file,
            doc.line,
            "not a Threat Dragon model: no `summary` and `detail.diagrams` (nor a TM-BOM document)",
        ));
    }
    let written = doc.get("version").and_then(Node::as_text);
    match written
        .as_deref()
        .map(|v| v.split('.').next().unwrap_or(""))
    {
        Some("2") => Ok(false),
        Some("1") => Ok(true),
        Some(v) => Err(ImportError::at(
            file,
            doc.get("version").map_or(0, |n| n.line),
            format!(
                "Threat Dragon version {} is not supported (versions 1 and 2 are)",
                written.as_deref().unwrap_or(v)
            ),
        )),
        // No version: version 1 keeps its cells under `diagramJson`.
        None => Ok(diagrams_of(doc).any(|d| d.get("diagramJson").is_some())),
    }
}

fn diagrams_of(doc: &Node) -> impl Iterator<Item = &Node> {
    (doc.get("detail").and_then(|d| d.get("diagrams")))
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
}

/// What a cell is, from its data type (or, failing that, its shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Asset(&'static str),
    Flow,
    Box,
    Line,
    Text,
}

fn kind_of(data_type: Option<&str>, shape: Option<&str>) -> Option<Kind> {
    let by_type = match data_type.map(str::trim) {
        Some("tm.Actor") => Some(Kind::Asset("external")),
        Some("tm.Process") => Some(Kind::Asset("process")),
        Some("tm.Store") => Some(Kind::Asset("datastore")),
        Some("tm.Flow") => Some(Kind::Flow),
        Some("tm.BoundaryBox") => Some(Kind::Box),
        Some("tm.Boundary") => Some(Kind::Line),
        Some("tm.Text") => Some(Kind::Text),
        _ => None,
    };
    by_type.or_else(|| {
        let shape = shape?.to_ascii_lowercase();
        Some(match shape.as_str() {
            "actor" => Kind::Asset("external"),
            "process" => Kind::Asset("process"),
            "store" => Kind::Asset("datastore"),
            "flow" => Kind::Flow,
            s if s.contains("box") => Kind::Box,
            s if s.contains("curve") || s.contains("boundary") => Kind::Line,
            s if s.contains("text") => Kind::Text,
            _ => return None,
        })
    })
}

/// A cell as both versions describe it.
struct Cell<'a> {
    node: &'a Node,
    /// Where its properties are: `data` in v2, the cell itself in v1.
    data: &'a Node,
    kind: Option<Kind>,
    id: Option<String>,
    name: String,
    /// x, y, width, height.
    rect: Option<[f64; 4]>,
}

impl<'a> Cell<'a> {
    fn read(node: &'a Node, v1: bool) -> Cell<'a> {
        let data = if v1 {
            node
        } else {
            node.get("data").unwrap_or(node)
        };
        let text = |n: Option<&Node>| n.and_then(Node::as_text);
        let data_type = text(data.get("type")).or_else(|| text(node.get("type")));
        let kind = kind_of(data_type.as_deref(), text(node.get("shape")).as_deref());
        // v1 keeps names in the drawing: `attrs.text.text`, or a flow's label.
        let label = (node.get("labels").and_then(|l| l.items().first()))
            .and_then(|l| l.get("attrs"))
            .and_then(|a| a.get("text").or_else(|| a.get("labelText")))
            .and_then(|t| t.get("text"));
        let drawn = (node.get("attrs").and_then(|a| a.get("text")))
            .and_then(|t| t.get("text"))
            .or(label);
        let name = text(data.get("name"))
            .or_else(|| text(drawn))
            .unwrap_or_default();
        let num = |n: Option<&Node>, k: &str| n.and_then(|n| n.get(k)).and_then(Node::as_f64);
        let (pos, size) = (node.get("position"), node.get("size"));
        let rect = match (
            num(pos, "x"),
            num(pos, "y"),
            num(size, "width"),
            num(size, "height"),
        ) {
            (Some(x), Some(y), Some(w), Some(h)) => Some([x, y, w, h]),
            _ => None,
        };
        Cell {
            node,
            data,
            kind,
            id: text(node.get("id")),
            name: one_line(&name),
            rect,
        }
    }

    /// The cell id at one end of a flow (`source` / `target`).
    fn end(&self, key: &str) -> Option<String> {
        let end = self.node.get(key)?;
        end.get("cell")
            .or_else(|| end.get("id"))
            .and_then(Node::as_text)
    }
}

struct Cx {
    d: Draft,
    v1: bool,
    /// The type of each diagram with cells, as written.
    diagram_types: Vec<String>,
    /// Each threat's type as written, and its line (mapped by [`Cx::taxonomy`]).
    cats: Vec<(String, u32)>,
}

impl Cx {
    fn summary(&mut self, doc: &Node) {
        let summary = doc.get("summary").cloned().unwrap_or_else(Node::null);
        let text = |k: &str| draft::non_blank(summary.get(k).and_then(Node::as_text).as_deref());
        let title = text("title").unwrap_or_else(|| "Imported Threat Dragon model".into());
        self.d.id = title.clone();
        self.d.title = one_line(&title);
        self.d.owner = text("owner");
        let detail = doc.get("detail").cloned().unwrap_or_else(Node::null);
        self.d.authors = (detail
            .get("contributors")
            .map(Node::items)
            .unwrap_or(&[])
            .iter())
        .filter_map(|c| draft::non_blank(c.get("name").and_then(Node::as_text).as_deref()))
        .collect();
        let reviewer = draft::non_blank(detail.get("reviewer").and_then(Node::as_text).as_deref());
        let parts: Vec<String> = [
            text("description"),
            reviewer.map(|r| format!("Reviewer: {r}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        self.d.description = (!parts.is_empty()).then(|| parts.join("\n\n"));
    }

    fn diagram(&mut self, index: usize, diagram: &Node) {
        let cells_node = if self.v1 {
            diagram.get("diagramJson").and_then(|j| j.get("cells"))
        } else {
            diagram.get("cells")
        };
        let cells: Vec<Cell> = (cells_node.map(Node::items).unwrap_or(&[]).iter())
            .map(|c| Cell::read(c, self.v1))
            .collect();
        let title = draft::non_blank(diagram.get("title").and_then(Node::as_text).as_deref())
            .unwrap_or_else(|| format!("Diagram {}", index + 1));
        if cells.is_empty() {
            self.d
                .warn(diagram.line, format!("diagram `{title}` is empty"));
            return;
        }
        let dtype =
            (diagram.get("diagramType").and_then(Node::as_text)).unwrap_or_else(|| "STRIDE".into());
        self.diagram_types.push(dtype);
        let boxes = self.boxes(&cells, &title);
        let mut by_cell: HashMap<String, usize> = HashMap::new();
        let mut lines = 0;
        for cell in &cells {
            match cell.kind {
                Some(Kind::Asset(kind)) => {
                    let zone = cell.rect.and_then(|r| boxes.zone_at(r));
                    let a = self.asset(cell, kind, zone);
                    if let Some(id) = &cell.id {
                        by_cell.insert(id.clone(), a);
                    }
                    self.threats(cell, Target::Asset(a));
                }
                Some(Kind::Line) => lines += 1,
                Some(Kind::Box | Kind::Text | Kind::Flow) => {}
                None => self
                    .d
                    .warn(cell.node.line, "a cell of unknown type; not imported"),
            }
        }
        for cell in cells.iter().filter(|c| c.kind == Some(Kind::Flow)) {
            let f = self.flow(cell, &by_cell);
            self.threats(cell, Target::Flow(f));
        }
        if lines > 0 {
            self.d.warn(
                diagram.line,
                format!("diagram `{title}`: {lines} trust boundary line(s) (curves) have no tmkit equivalent: zones come from boundary boxes; not imported"),
            );
        }
    }

    /// The boundary boxes of a diagram as zones, nested by coordinates, and
    /// the zone holding a point (an "outside" zone of trust 0 when the
    /// diagram has boxes and the point is in none).
    fn boxes(&mut self, cells: &[Cell], title: &str) -> Boxes {
        let mut boxes: Vec<(usize, [f64; 4])> = Vec::new();
        for cell in cells.iter().filter(|c| c.kind == Some(Kind::Box)) {
            let Some(rect) = cell.rect else {
                self.d.warn(
                    cell.node.line,
                    "a boundary box without position or size; not imported",
                );
                continue;
            };
            let z = self
                .d
                .boundary_zone(self.elem(cell, &cell.name, "Trust boundary"));
            boxes.push((z, rect));
        }
        let drawn: Vec<[f64; 4]> = (cells.iter())
            .filter(|c| matches!(c.kind, Some(Kind::Asset(_))))
            .filter_map(|c| c.rect)
            .collect();
        self.d.nest_boxes(boxes, &drawn, title)
    }

    fn elem(&self, cell: &Cell, name: &str, fallback: &str) -> Elem {
        let title = if name.is_empty() {
            format!("Unnamed {}", fallback.to_ascii_lowercase())
        } else {
            name.to_string()
        };
        Elem {
            id: title.clone(),
            title,
            description: draft::non_blank(
                cell.data
                    .get("description")
                    .and_then(Node::as_text)
                    .as_deref(),
            ),
            source: cell.id.clone(),
            at: (cell.node.line, cell.node.column),
        }
    }

    /// `Some(reason)` when the cell is out of scope.
    fn out_of_scope(&mut self, cell: &Cell) -> Option<String> {
        if !cell
            .data
            .get("outOfScope")
            .and_then(Node::as_bool)
            .unwrap_or(false)
        {
            return None;
        }
        let reason = draft::non_blank(
            cell.data
                .get("reasonOutOfScope")
                .and_then(Node::as_text)
                .as_deref(),
        );
        Some(reason.unwrap_or_else(|| {
            self.d.warn(
                cell.node.line,
                format!(
                    "`{}` is out of scope without a reason; a generic reason is given",
                    cell.name
                ),
            );
            "Out of scope in the source threat model (no reason given)".into()
        }))
    }

    fn asset(&mut self, cell: &Cell, kind: &'static str, zone: Option<usize>) -> usize {
        let e = self.elem(cell, &cell.name, kind);
        let out_of_scope = self.out_of_scope(cell);
        self.d.assets.push(Asset {
            e,
            kind,
            zone,
            out_of_scope,
        });
        self.d.assets.len() - 1
    }

    fn flow(&mut self, cell: &Cell, by_cell: &HashMap<String, usize>) -> usize {
        let end = |cx: &mut Cx, key: &str| match cell
            .end(key)
            .and_then(|id| by_cell.get(&id).copied())
        {
            Some(a) => a,
            None => {
                cx.d.warn(cell.node.line, format!("data flow `{}` has no element at its {key}; it now ends at the asset `unconnected`", cell.name));
                cx.d.unconnected()
            }
        };
        let from = end(self, "source");
        let to = end(self, "target");
        let e = self.elem(cell, &cell.name, "Data flow");
        let out_of_scope = self.out_of_scope(cell);
        let protocol =
            draft::non_blank(cell.data.get("protocol").and_then(Node::as_text).as_deref());
        let bidirectional = cell
            .data
            .get("isBidirectional")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        self.d.flows.push(Flow {
            e,
            from,
            to,
            protocol,
            bidirectional,
            out_of_scope,
            carries: Vec::new(),
        });
        self.d.flows.len() - 1
    }

    fn threats(&mut self, cell: &Cell, target: Target) {
        for t in cell.data.get("threats").map(Node::items).unwrap_or(&[]) {
            let text = |k: &str| draft::non_blank(t.get(k).and_then(Node::as_text).as_deref());
            let title = text("title")
                .map(|s| one_line(&s))
                .unwrap_or_else(|| "Untitled threat".into());
            let number = t.get("number").and_then(Node::as_f64).filter(|n| *n > 0.0);
            let wanted = number.map_or_else(|| title.clone(), |n| format!("threat {n}"));
            self.cats.push((text("type").unwrap_or_default(), t.line));
            let status = text("status").unwrap_or_else(|| "Open".into());
            let score = text("score");
            let cvss = score
                .clone()
                .filter(|s| tmkit_model::cvss::score(s).is_ok());
            let description = draft::with_facts(
                text("description"),
                "Threat Dragon",
                [
                    Some(format!("status {status}")),
                    text("severity").map(|s| format!("severity {s}")),
                    score
                        .filter(|_| cvss.is_none())
                        .map(|s| format!("score {s}")),
                ],
            );
            let mitigations = self.status(&status, text("mitigation"), t.line);
            let source = text("id").or_else(|| number.map(|n| n.to_string()));
            self.d.threats.push(Threat {
                e: Elem {
                    id: wanted,
                    title,
                    description: Some(description),
                    source,
                    at: (t.line, t.column),
                },
                categories: Vec::new(),
                targets: vec![target],
                attackers: None,
                cvss,
                mitigations,
                controls: Vec::new(),
            });
        }
    }

    /// The mitigations that give a threat the status the source gives it.
    fn status(&mut self, status: &str, mitigation: Option<String>, line: u32) -> Vec<Mitigation> {
        let state = match squash(status).as_str() {
            "mitigated" => State::Mitigated,
            "notapplicable" | "na" => State::NotApplicable,
            other => {
                if other != "open" {
                    self.d.warn(line, format!("threat status `{status}` is not Open, Mitigated or NotApplicable; imported as open"));
                }
                State::Open
            }
        };
        draft::state_mitigations(state, mitigation)
    }

    /// The model's taxonomy: the diagrams' type when they share one (threat
    /// types mapped to its categories), else the categories found.
    fn taxonomy(&mut self) {
        let mut types: Vec<String> = self
            .diagram_types
            .iter()
            .map(|t| t.trim().to_ascii_uppercase())
            .collect();
        types.dedup();
        let builtin = match types.as_slice() {
            [t] => match t.as_str() {
                "STRIDE" => Some(("STRIDE", stride as fn(&str) -> Option<&'static str>)),
                "LINDDUN" => Some(("LINDDUN", linddun as fn(&str) -> Option<&'static str>)),
                "CIA" => Some(("CIA", cia as fn(&str) -> Option<&'static str>)),
                _ => None,
            },
            _ => None,
        };
        let mut custom: Vec<String> = match types.as_slice() {
            [t] if t == "DIE" => ["distributed", "immutable", "ephemeral"]
                .map(String::from)
                .to_vec(),
            [t] if t == "PLOT4AI" => PLOT4AI.iter().map(|c| custom_category(c)).collect(),
            _ => Vec::new(),
        };
        if types.len() > 1 {
            self.d.warn(0, format!("the diagrams have different types ({}); the model's taxonomy is the list of threat types found", types.join(", ")));
        }
        let cats = std::mem::take(&mut self.cats);
        for (t, (written, line)) in self.d.threats.iter_mut().zip(&cats) {
            let mapped = match builtin {
                Some((_, map)) => map(written).map(str::to_string),
                None => Some(custom_category(written)).filter(|c| c != "other"),
            };
            let c = match mapped {
                Some(c) => c,
                None => {
                    self.d.warnings.push(crate::files::ImportWarning {
                        file: self.d.file.clone(),
                        line: Some(*line),
                        message: format!("threat type `{written}` is not a category of the taxonomy; imported as `other`"),
                    });
                    "other".into()
                }
            };
            if builtin.is_none() && c != "other" && !custom.contains(&c) {
                custom.push(c.clone());
            }
            t.categories = vec![c];
        }
        self.d.taxonomy = match builtin {
            Some((name, _)) => Some(Yaml::Str(name.into())),
            None if custom.is_empty() => None,
            None => Some(Yaml::Seq(custom.into_iter().map(Yaml::Str).collect())),
        };
    }
}

/// PLOT4ai's categories, as Threat Dragon names them.
const PLOT4AI: [&str; 8] = [
    "Technique & Processes",
    "Accessibility",
    "Identifiability & Linkability",
    "Security",
    "Safety",
    "Unawareness",
    "Ethics & Human Rights",
    "Non-compliance",
];

fn stride(w: &str) -> Option<&'static str> {
    crate::tmyaml::stride_category(w)
}

pub(crate) fn squash(w: &str) -> String {
    w.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn linddun(w: &str) -> Option<&'static str> {
    Some(match squash(w).as_str() {
        "linkability" | "linking" | "l" => "linking",
        "identifiability" | "identifying" | "i" => "identifying",
        "nonrepudiation" | "n" => "non-repudiation",
        "detectability" | "detecting" | "d" => "detecting",
        "disclosureofinformation" | "datadisclosure" | "informationdisclosure" => "data-disclosure",
        "unawareness" | "u" => "unawareness",
        "noncompliance" | "c" => "non-compliance",
        _ => return None,
    })
}

fn cia(w: &str) -> Option<&'static str> {
    Some(match squash(w).as_str() {
        "confidentiality" | "c" => "confidentiality",
        "integrity" | "i" => "integrity",
        "availability" | "a" => "availability",
        _ => return None,
    })
}

/// A category name as tmkit normalises custom ones: lower case, words
/// joined by `-` (`other` when nothing is left).
pub(crate) fn custom_category(c: &str) -> String {
    let s = draft::slug(&c.replace('_', "-"), "category");
    if s == "category" { "other".into() } else { s }
}
