//! Microsoft Threat Modeling Tool 7 files (`.tm7`: XML written by .NET's
//! DataContractSerializer).
//!
//! Every drawing surface goes into one model. Stencils become assets of the
//! kind of their generic type (`GE.P` process, `GE.EI` external, `GE.DS`
//! datastore); custom templates put a GUID there, so the stencil's XML type
//! decides then (`StencilEllipse`, `StencilRectangle`,
//! `StencilParallelLines`). Connectors (`GE.DF`) become data flows, border
//! boundaries zones nested by their coordinates (TMT records nesting only
//! as coordinates), threat instances threats with their state, priority and
//! justification. The XML reader refuses a DTD, and so any entity expansion.
//! See docs/interop.md.

use crate::draft::{self, Asset, Draft, Elem, Flow, State, Target, Threat};
use crate::files::{ImportError, ImportOutput};
use crate::ids::one_line;
use crate::yaml_out::Yaml;
use roxmltree::{Document, Node as X, ParsingOptions};
use std::collections::HashMap;
use std::path::Path;
use tmkit_syntax::fs::FileSystem;

/// The keys of TMT's "Mitigation" and "Risk" threat properties.
const MITIGATION: &str = "44490cdf-6399-4291-9bde-03dca6f03c11";
const RISK: &str = "f9e02b87-2914-407e-bd11-97353ef43162";

/// Most XML nodes a file may have (a TMT file with its knowledge base has
/// some tens of thousands).
const MAX_NODES: u32 = 4_000_000;

/// Imports a `.tm7` file read through `fs` (XML, or a ZIP archive holding it).
pub fn import_file(fs: &dyn FileSystem, path: &Path) -> Result<ImportOutput, ImportError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let mut budget = tmkit_syntax::node::Limits::default().max_total_bytes;
    let bytes = crate::yaml_in::read_bytes(fs, path, &shown, &mut budget)?;
    let text = crate::unzip::single_xml(bytes, &shown)?;
    import(&text, &shown)
}

/// Imports the XML text of a `.tm7` file named `file`.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        entity_resolver: None,
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        ImportError {
            column: Some(pos.col),
            ..ImportError::at(file, pos.row, format!("not a readable TMT file: {e}"))
        }
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "ThreatModel" {
        return Err(ImportError::at(
            file,
            1,
            format!(
                "not a Microsoft Threat Modeling Tool model: the root element is `{}`, not `ThreatModel`",
                root.tag_name().name()
            ),
        ));
    }
    if let Some(v) = text_of(child(root, "Version")) {
        let major = v.split('.').next().unwrap_or("");
        if !matches!(major, "3" | "4") {
            return Err(ImportError::at(
                file,
                pos(&doc, child(root, "Version").unwrap_or(root)).0,
                format!("TMT file format version {v} is not supported (versions 3 and 4 are)"),
            ));
        }
    }
    let mut cx = Cx {
        d: Draft::new(file, text),
        doc: &doc,
        by_guid: HashMap::new(),
        flows: HashMap::new(),
        cats: Vec::new(),
    };
    cx.meta(root);
    for (i, surface) in elements(child(root, "DrawingSurfaceList")).enumerate() {
        cx.surface(i, surface);
    }
    cx.threats(root);
    cx.taxonomy();
    Ok(cx.d.finish())
}

/// True when `text` looks like a TMT file (for `tmkit import FILE`).
pub(crate) fn is_tm7(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect();
    head.contains("<ThreatModel") && head.contains("ThreatModeling")
}

fn child<'a, 'i>(n: X<'a, 'i>, name: &str) -> Option<X<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The element children of `n` (none when `n` is absent).
fn elements<'a, 'i: 'a>(n: Option<X<'a, 'i>>) -> impl Iterator<Item = X<'a, 'i>> {
    n.into_iter()
        .flat_map(|n| n.children())
        .filter(X::is_element)
}

fn text_of(n: Option<X>) -> Option<String> {
    draft::non_blank(n.and_then(|n| n.text()))
}

/// `i:type`, without its namespace prefix.
fn xml_type<'a>(n: X<'a, '_>) -> &'a str {
    let t = (n.attributes())
        .find(|a| a.name() == "type")
        .map_or("", |a| a.value());
    t.rsplit(':').next().unwrap_or(t)
}

fn pos(doc: &Document, n: X) -> (u32, u32) {
    let p = doc.text_pos_at(n.range().start);
    (p.row, p.col)
}

/// What a stencil or line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Asset(&'static str),
    Flow,
    Box,
    Line,
    Annotation,
}

/// The kind from the generic type, or, when a custom template puts a GUID
/// there, from the stencil's XML type.
fn kind_of(generic: &str, xml: &str) -> Option<Kind> {
    let by_generic = match generic {
        "GE.P" => Some(Kind::Asset("process")),
        "GE.EI" => Some(Kind::Asset("external")),
        "GE.DS" => Some(Kind::Asset("datastore")),
        "GE.DF" => Some(Kind::Flow),
        "GE.TB.B" => Some(Kind::Box),
        "GE.TB.L" => Some(Kind::Line),
        "GE.A" => Some(Kind::Annotation),
        _ => None,
    };
    by_generic.or(match xml {
        "StencilEllipse" => Some(Kind::Asset("process")),
        "StencilRectangle" => Some(Kind::Asset("external")),
        "StencilParallelLines" => Some(Kind::Asset("datastore")),
        "Connector" => Some(Kind::Flow),
        "BorderBoundary" => Some(Kind::Box),
        "LineBoundary" => Some(Kind::Line),
        "StencilAnnotation" | "Annotation" => Some(Kind::Annotation),
        _ => None,
    })
}

/// One stencil, connector or boundary of a drawing surface.
struct Stencil<'a, 'i> {
    node: X<'a, 'i>,
    kind: Option<Kind>,
    guid: Option<String>,
    /// Display name -> value of its properties.
    props: HashMap<String, String>,
    rect: Option<[f64; 4]>,
}

impl<'a, 'i> Stencil<'a, 'i> {
    fn read(node: X<'a, 'i>) -> Self {
        let generic = text_of(child(node, "GenericTypeId")).unwrap_or_default();
        let mut props = HashMap::new();
        for p in elements(child(node, "Properties")) {
            let name = text_of(child(p, "DisplayName")).unwrap_or_default();
            let value = child(p, "Value").map(|v| {
                // A list: the selected entry.
                let items: Vec<&str> = elements(Some(v)).filter_map(|s| s.text()).collect();
                let selected =
                    text_of(child(p, "SelectedIndex")).and_then(|i| i.parse::<usize>().ok());
                match selected {
                    Some(i) if !items.is_empty() => items.get(i).copied().unwrap_or("").to_string(),
                    _ => v.text().unwrap_or("").to_string(),
                }
            });
            if let Some(v) = value {
                props.insert(name.to_ascii_lowercase(), v);
            }
        }
        let num = |k: &str| text_of(child(node, k)).and_then(|t| t.parse::<f64>().ok());
        let rect = match (num("Left"), num("Top"), num("Width"), num("Height")) {
            (Some(x), Some(y), Some(w), Some(h)) => Some([x, y, w, h]),
            _ => None,
        };
        Stencil {
            node,
            kind: kind_of(&generic, xml_type(node)),
            guid: text_of(child(node, "Guid")),
            props,
            rect,
        }
    }

    fn prop(&self, name: &str) -> Option<String> {
        draft::non_blank(self.props.get(name).map(String::as_str))
    }

    fn name(&self) -> String {
        self.prop("name").map(|n| one_line(&n)).unwrap_or_default()
    }
}

struct Cx<'a, 'i> {
    d: Draft,
    doc: &'a Document<'i>,
    /// Stencil GUID -> asset index.
    by_guid: HashMap<String, usize>,
    /// Connector GUID -> flow index.
    flows: HashMap<String, usize>,
    /// Each threat's category as written, and its line.
    cats: Vec<(String, u32)>,
}

impl<'a, 'i> Cx<'a, 'i> {
    fn meta(&mut self, root: X) {
        let meta = child(root, "MetaInformation");
        let field = |k: &str| text_of(meta.and_then(|m| child(m, k)));
        let title = field("ThreatModelName").unwrap_or_else(|| "Imported TMT model".into());
        self.d.id = title.clone();
        self.d.title = one_line(&title);
        self.d.owner = field("Owner");
        self.d.authors = (field("Contributors")
            .unwrap_or_default()
            .split([',', ';', '\n']))
        .filter_map(|s| draft::non_blank(Some(s)))
        .collect();
        let parts: Vec<String> = [
            field("HighLevelSystemDescription"),
            field("Assumptions").map(|s| format!("Assumptions: {s}")),
            field("ExternalDependencies").map(|s| format!("External dependencies: {s}")),
            field("Reviewer").map(|s| format!("Reviewer: {s}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        self.d.description = (!parts.is_empty()).then(|| parts.join("\n\n"));
    }

    fn elem(&self, s: &Stencil, name: &str) -> Elem {
        Elem {
            id: name.to_string(),
            title: name.to_string(),
            description: None,
            source: s.guid.clone(),
            at: pos(self.doc, s.node),
        }
    }

    fn surface(&mut self, index: usize, surface: X<'a, 'i>) {
        let title =
            text_of(child(surface, "Header")).unwrap_or_else(|| format!("Diagram {}", index + 1));
        let values = |section: &str| -> Vec<Stencil<'a, 'i>> {
            elements(child(surface, section))
                .filter_map(|kv| child(kv, "Value"))
                .map(Stencil::read)
                .collect()
        };
        let borders = values("Borders");
        let lines = values("Lines");
        if borders.is_empty() && lines.is_empty() {
            self.d.warn(
                pos(self.doc, surface).0,
                format!("diagram `{title}` is empty"),
            );
            return;
        }
        let mut boxes = Vec::new();
        for s in borders.iter().filter(|s| s.kind == Some(Kind::Box)) {
            let Some(rect) = s.rect else { continue };
            let z = self.d.boundary_zone(self.elem(s, &s.name()));
            boxes.push((z, rect));
        }
        let drawn: Vec<[f64; 4]> = (borders.iter())
            .filter(|s| matches!(s.kind, Some(Kind::Asset(_))))
            .filter_map(|s| s.rect)
            .collect();
        let boxes = self.d.nest_boxes(boxes, &drawn, &title);
        for s in &borders {
            match s.kind {
                Some(Kind::Asset(kind)) => {
                    let name = Some(s.name())
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| format!("Unnamed {kind}"));
                    let e = self.elem(s, &name);
                    let zone = s.rect.and_then(|r| boxes.zone_at(r));
                    let out_of_scope = self.out_of_scope(s);
                    if let Some(g) = &s.guid {
                        self.by_guid.insert(g.clone(), self.d.assets.len());
                    }
                    self.d.assets.push(Asset {
                        e,
                        kind,
                        zone,
                        out_of_scope,
                    });
                }
                Some(Kind::Box | Kind::Annotation) => {}
                _ => self.d.warn(
                    pos(self.doc, s.node).0,
                    format!(
                        "a stencil of unknown type `{}`; not imported",
                        xml_type(s.node)
                    ),
                ),
            }
        }
        let mut line_boundaries = 0;
        for s in &lines {
            match s.kind {
                Some(Kind::Flow) => self.flow(s),
                Some(Kind::Line) => line_boundaries += 1,
                _ => self.d.warn(
                    pos(self.doc, s.node).0,
                    format!(
                        "a line of unknown type `{}`; not imported",
                        xml_type(s.node)
                    ),
                ),
            }
        }
        if line_boundaries > 0 {
            self.d.warn(
                pos(self.doc, surface).0,
                format!("diagram `{title}`: {line_boundaries} trust boundary line(s) have no tmkit equivalent: zones come from border boundaries; not imported"),
            );
        }
    }

    fn out_of_scope(&mut self, s: &Stencil) -> Option<String> {
        if !s
            .prop("out of scope")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return None;
        }
        Some(s.prop("reason for out of scope").unwrap_or_else(|| {
            self.d.warn(
                pos(self.doc, s.node).0,
                format!(
                    "`{}` is out of scope without a reason; a generic reason is given",
                    s.name()
                ),
            );
            "Out of scope in the source threat model (no reason given)".into()
        }))
    }

    fn flow(&mut self, s: &Stencil) {
        let name = Some(s.name())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Unnamed data flow".into());
        let end = |cx: &mut Self, key: &str, what: &str| {
            let guid = text_of(child(s.node, key));
            match guid.as_ref().and_then(|g| cx.by_guid.get(g)) {
                Some(a) => *a,
                None => {
                    cx.d.warn(pos(cx.doc, s.node).0, format!("data flow `{name}` has no element at its {what}; it now ends at the asset `unconnected`"));
                    cx.d.unconnected()
                }
            }
        };
        let from = end(self, "SourceGuid", "source");
        let to = end(self, "TargetGuid", "target");
        let e = self.elem(s, &name);
        let out_of_scope = self.out_of_scope(s);
        let protocol = text_of(child(s.node, "TypeId"))
            .and_then(|t| t.rsplit('.').next().map(str::to_string))
            .filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric()) && p.len() <= 12 && p != "DF");
        if let Some(g) = &s.guid {
            self.flows.insert(g.clone(), self.d.flows.len());
        }
        self.d.flows.push(Flow {
            e,
            from,
            to,
            protocol,
            bidirectional: false,
            out_of_scope,
            carries: Vec::new(),
        });
    }
}

/// The threat instances' part of [`Cx`].
impl Cx<'_, '_> {
    fn threats(&mut self, root: X) {
        let kb = child(root, "KnowledgeBase");
        let categories: HashMap<String, String> =
            elements(kb.and_then(|k| child(k, "ThreatCategories")))
                .filter_map(|c| Some((text_of(child(c, "Id"))?, text_of(child(c, "Name"))?)))
                .collect();
        let type_category: HashMap<String, String> =
            elements(kb.and_then(|k| child(k, "ThreatTypes")))
                .filter_map(|t| Some((text_of(child(t, "Id"))?, text_of(child(t, "Category"))?)))
                .collect();
        for kv in elements(child(root, "ThreatInstances")) {
            let Some(v) = child(kv, "Value") else {
                continue;
            };
            let mut props: HashMap<String, String> = HashMap::new();
            for p in elements(child(v, "Properties")) {
                if let (Some(k), Some(val)) = (text_of(child(p, "Key")), text_of(child(p, "Value")))
                {
                    props.insert(k, val);
                }
            }
            let get = |k: &str| props.get(k).cloned().or_else(|| text_of(child(v, k)));
            let type_id = text_of(child(v, "TypeId")).unwrap_or_default();
            let category = get("UserThreatCategory")
                .or_else(|| {
                    type_category
                        .get(&type_id)
                        .and_then(|c| categories.get(c))
                        .cloned()
                })
                .unwrap_or_default();
            let at = pos(self.doc, kv);
            self.cats.push((category, at.0));
            let target = self.threat_target(v);
            let state_text = get("State").unwrap_or_else(|| "NotStarted".into());
            let justification = get("StateInformation");
            let possible = get("PossibleMitigations").or_else(|| get(MITIGATION));
            let (state, text) = match crate::threat_dragon::squash(&state_text).as_str() {
                "mitigated" => (State::Mitigated, justification.clone().or(possible)),
                "notapplicable" => (State::NotApplicable, justification.clone()),
                _ => (State::Open, possible),
            };
            let description = draft::with_facts(
                get("UserThreatDescription"),
                "TMT",
                [
                    Some(format!("state {}", spaced(&state_text))),
                    get("Priority").map(|p| format!("priority {p}")),
                    get(RISK).map(|r| format!("risk {r}")),
                    get("InteractionString").map(|i| format!("interaction {i}")),
                    justification
                        .filter(|_| state == State::Open)
                        .map(|j| format!("justification: {j}")),
                ],
            );
            let title = get("Title")
                .or_else(|| get("UserThreatShortDescription"))
                .map_or_else(|| "Untitled threat".into(), |t| one_line(&t));
            let id = text_of(child(v, "Id"));
            self.d.threats.push(Threat {
                e: Elem {
                    id: id
                        .as_ref()
                        .map_or_else(|| title.clone(), |i| format!("threat {i}")),
                    title,
                    description: Some(description),
                    source: text_of(child(kv, "Key")).or(id),
                    at,
                },
                targets: target.into_iter().collect(),
                mitigations: draft::state_mitigations(state, text),
                ..Threat::default()
            });
        }
    }

    /// The flow of the interaction, else its target or source element.
    fn threat_target(&mut self, v: X) -> Option<Target> {
        let guid = |k: &str| text_of(child(v, k));
        if let Some(f) = guid("FlowGuid").and_then(|g| self.flows.get(&g).copied()) {
            return Some(Target::Flow(f));
        }
        let element = ["TargetGuid", "SourceGuid"]
            .iter()
            .find_map(|k| guid(k).and_then(|g| self.by_guid.get(&g).copied()));
        if element.is_none() {
            self.d.warn(
                pos(self.doc, v).0,
                "a threat instance names no element of the diagrams; imported without targets",
            );
        }
        element.map(Target::Asset)
    }

    /// STRIDE when every category is a STRIDE word (templates spell them
    /// differently), else a custom taxonomy of the categories found.
    fn taxonomy(&mut self) {
        let cats = std::mem::take(&mut self.cats);
        let stride = cats
            .iter()
            .all(|(c, _)| c.is_empty() || crate::tmyaml::stride_category(c).is_some());
        let mut custom: Vec<String> = Vec::new();
        for (t, (written, line)) in self.d.threats.iter_mut().zip(&cats) {
            let c = if stride {
                crate::tmyaml::stride_category(written).map(str::to_string)
            } else {
                Some(crate::threat_dragon::custom_category(written)).filter(|c| c != "other")
            };
            let c = c.unwrap_or_else(|| {
                self.d.warnings.push(crate::files::ImportWarning {
                    file: self.d.file.clone(),
                    line: Some(*line),
                    message: format!(
                        "threat `{}` has no category; imported as `other`",
                        t.e.title
                    ),
                });
                "other".into()
            });
            if !stride && c != "other" && !custom.contains(&c) {
                custom.push(c.clone());
            }
            t.categories = vec![c];
        }
        self.d.taxonomy = Some(if stride || custom.is_empty() {
            Yaml::Str("STRIDE".into())
        } else {
            self.d.warn(0, "threat categories are not all STRIDE: the model's taxonomy is the list of categories found");
            Yaml::Seq(custom.into_iter().map(Yaml::Str).collect())
        });
    }
}

/// `NeedsInvestigation` -> `Needs Investigation`.
fn spaced(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
