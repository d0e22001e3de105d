//! The JSON that a pytm model prints with `--json`.
//!
//! pytm has names, not ids: elements, boundaries and data are named, and
//! flows and findings refer to them by name (the first of a repeated name
//! wins, with a warning). Actors and external entities become external
//! assets, processes processes, servers, lambdas, LLMs and agents
//! services, datastores datastores, data data assets; boundaries zones
//! (nested by `inBoundary`); flows data flows; findings threats. See
//! docs/interop.md.

use crate::draft::{self, Asset, Draft, Elem, Flow, State, Target, Threat, Zone};
use crate::files::{ImportError, ImportOutput};
use crate::ids::one_line;
use crate::yaml_in::{self, Node};
use crate::yaml_out::Yaml;
use std::collections::HashMap;
use std::path::Path;
use tmkit_syntax::fs::FileSystem;

/// Imports a pytm JSON file read through `fs`.
pub fn import_file(fs: &dyn FileSystem, path: &Path) -> Result<ImportOutput, ImportError> {
    let (text, shown) = crate::read_source(fs, path)?;
    import(&text, &shown)
}

/// True when `doc` looks like pytm's JSON (for `tmkit import FILE`).
pub(crate) fn is_pytm(doc: &Node) -> bool {
    doc.get("flows").is_some()
        && (doc.get("elements").is_some() || doc.get("actors").is_some())
        && doc.get("name").is_some()
}

/// Imports the text of pytm's JSON named `file`.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let doc = yaml_in::parse(text, file)?;
    if !is_pytm(&doc) {
        return Err(ImportError::at(
            file,
            doc.line,
            "not pytm's JSON: no `name`, `flows` and `elements`",
        ));
    }
    let mut cx = Cx {
        d: Draft::new(file, text),
        names: HashMap::new(),
        zones: HashMap::new(),
        flows: HashMap::new(),
    };
    let name = text_of(&doc, "name").unwrap_or_else(|| "Imported pytm model".into());
    cx.d.id = name.clone();
    cx.d.title = one_line(&name);
    cx.d.description = text_of(&doc, "description");
    cx.boundaries(&doc);
    cx.elements(&doc);
    cx.flows(&doc);
    cx.findings(&doc);
    cx.d.taxonomy = Some(Yaml::Str("STRIDE".into()));
    Ok(cx.d.finish())
}

fn text_of(n: &Node, key: &str) -> Option<String> {
    draft::non_blank(n.get(key).and_then(Node::as_text).as_deref())
}

fn list<'a>(n: &'a Node, key: &str) -> &'a [Node] {
    n.get(key).map(Node::items).unwrap_or(&[])
}

/// The asset kind of a pytm class.
fn kind_of(class: &str) -> Option<&'static str> {
    Some(match class {
        "Actor" | "ExternalEntity" => "external",
        "Process" | "SetOfProcesses" => "process",
        "Server" | "Lambda" | "LLM" | "Agent" | "AIAgent" | "LLMAgent" => "service",
        "Datastore" => "datastore",
        "Asset" => "other",
        _ => return None,
    })
}

struct Cx {
    d: Draft,
    /// Element name -> asset index (the first with the name).
    names: HashMap<String, usize>,
    zones: HashMap<String, usize>,
    flows: HashMap<String, usize>,
}

impl Cx {
    fn elem(n: &Node, fallback: &str) -> Elem {
        let name = text_of(n, "name")
            .map(|s| one_line(&s))
            .unwrap_or_else(|| fallback.into());
        Elem {
            id: name.clone(),
            title: name.clone(),
            description: text_of(n, "description"),
            source: Some(name),
            at: (n.line, n.column),
        }
    }

    fn boundaries(&mut self, doc: &Node) {
        let all = list(doc, "boundaries");
        for b in all {
            let e = Self::elem(b, "boundary");
            if let Some(s) = &e.source {
                self.zones.entry(s.clone()).or_insert(self.d.zones.len());
            }
            self.d.zones.push(Zone {
                e,
                trust: 1.0,
                within: None,
            });
        }
        let first = self.d.zones.len() - all.len();
        for (i, b) in all.iter().enumerate() {
            let parent = text_of(b, "inBoundary").and_then(|p| self.zones.get(&p).copied());
            self.d.zones[first + i].within = parent.filter(|p| *p != first + i);
        }
        self.d.trust_by_depth(first);
    }

    fn elements(&mut self, doc: &Node) {
        let mut seen: Vec<&Node> = Vec::new();
        // `elements` lists actors and assets; older files split them.
        for key in ["elements", "actors", "assets"] {
            for n in list(doc, key).iter().filter(|n| !n.entries().is_empty()) {
                let name = text_of(n, "name");
                if seen.iter().any(|s| {
                    text_of(s, "name") == name && text_of(s, "__class__") == text_of(n, "__class__")
                }) {
                    continue;
                }
                seen.push(n);
                let class = text_of(n, "__class__").unwrap_or_default();
                if class == "Boundary" || class == "Dataflow" {
                    continue;
                }
                let kind = kind_of(&class).unwrap_or_else(|| {
                    self.d.warn(n.line, format!("element `{}` is a pytm `{class}`, which maps to no tmkit asset kind; imported as `other`", name.clone().unwrap_or_default()));
                    "other"
                });
                let e = Self::elem(n, kind);
                let zone = text_of(n, "inBoundary").and_then(|b| self.zones.get(&b).copied());
                let out_of_scope = (n.get("inScope").and_then(Node::as_bool) == Some(false))
                    .then(|| "Out of scope in the pytm model (`inScope = False`)".to_string());
                self.insert_name(&e, n.line);
                self.d.assets.push(Asset {
                    e,
                    kind,
                    zone,
                    out_of_scope,
                });
            }
        }
        for n in list(doc, "data") {
            let e = Self::elem(n, "data");
            self.insert_name(&e, n.line);
            self.d.assets.push(Asset {
                e,
                kind: "data",
                zone: None,
                out_of_scope: None,
            });
        }
        self.d.outside_zone("Outside every boundary");
    }

    fn insert_name(&mut self, e: &Elem, line: u32) {
        if self.names.contains_key(&e.title) {
            self.d.warn(
                line,
                format!(
                    "the name `{}` is used twice; references to it mean the first",
                    e.title
                ),
            );
        } else {
            self.names.insert(e.title.clone(), self.d.assets.len());
        }
    }

    fn flows(&mut self, doc: &Node) {
        for n in list(doc, "flows") {
            let e = Self::elem(n, "flow");
            let end = |cx: &mut Self, key: &str| match text_of(n, key)
                .and_then(|s| cx.names.get(&s).copied())
            {
                Some(a) => a,
                None => {
                    cx.d.warn(n.line, format!("data flow `{}` has no known {key}; it now ends at the asset `unconnected`", e.title));
                    cx.d.unconnected()
                }
            };
            let from = end(self, "source");
            let to = end(self, "sink");
            let carries: Vec<usize> = (list(n, "data").iter())
                .filter_map(Node::as_text)
                .filter_map(|d| self.names.get(&d).copied())
                .filter(|a| self.d.assets[*a].kind == "data")
                .collect();
            if let Some(s) = &e.source {
                self.flows.entry(s.clone()).or_insert(self.d.flows.len());
            }
            let out_of_scope = (n.get("inScope").and_then(Node::as_bool) == Some(false))
                .then(|| "Out of scope in the pytm model (`inScope = False`)".to_string());
            self.d.flows.push(Flow {
                e,
                from,
                to,
                protocol: text_of(n, "protocol"),
                bidirectional: false,
                out_of_scope,
                carries,
            });
        }
    }

    fn findings(&mut self, doc: &Node) {
        let excluded: Vec<String> = list(doc, "excluded_findings")
            .iter()
            .filter_map(|f| text_of(f, "id").or_else(|| f.as_text()))
            .collect();
        let mut untyped = 0;
        for f in list(doc, "findings") {
            let threat_id = text_of(f, "threat_id").unwrap_or_default();
            let target_name = text_of(f, "target").unwrap_or_default();
            let target = self
                .flows
                .get(&target_name)
                .map(|i| Target::Flow(*i))
                .or_else(|| self.names.get(&target_name).map(|i| Target::Asset(*i)));
            if target.is_none() {
                self.d.warn(f.line, format!("finding `{threat_id}` targets `{target_name}`, which is not an element or flow; imported without targets"));
            }
            let id = text_of(f, "id");
            let state = if id.as_ref().is_some_and(|i| excluded.contains(i)) {
                State::NotApplicable
            } else {
                State::Open
            };
            let facts: Vec<String> = [
                Some(format!("pytm threat {threat_id}")),
                text_of(f, "severity").map(|s| format!("severity {s}")),
                text_of(f, "likelihood").map(|s| format!("likelihood {s}")),
                text_of(f, "response").map(|s| format!("response: {s}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let description = [
                text_of(f, "details"),
                text_of(f, "references").map(|r| format!("References: {r}")),
                Some(format!("In pytm: {}.", facts.join(", "))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n\n");
            let title = text_of(f, "description")
                .map(|d| one_line(&d))
                .unwrap_or_else(|| threat_id.clone());
            let cvss = text_of(f, "cvss").filter(|v| tmkit_model::cvss::score(v).is_ok());
            untyped += 1;
            self.d.threats.push(Threat {
                e: Elem {
                    id: format!("{threat_id} {target_name}"),
                    title,
                    description: Some(description),
                    source: id,
                    at: (f.line, f.column),
                },
                targets: target.into_iter().collect(),
                cvss,
                mitigations: draft::state_mitigations(state, text_of(f, "mitigations")),
                ..Threat::default()
            });
        }
        if untyped > 0 {
            self.d.warn(0, format!("pytm findings have no STRIDE category: {untyped} threat(s) imported as `other`; categorise them to count them in coverage"));
        }
    }
}
