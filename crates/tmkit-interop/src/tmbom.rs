//! TM-BOM as Threat Dragon reads and writes it: the OWASP Threat Model
//! Library JSON schema (v1.0.1; not the CycloneDX drafts). Imported through
//! `tmkit import threat-dragon` (and detected by `tmkit import`).
//!
//! Trust zones become zones (trust 0 where a person acts from, else 1: the
//! format has no trust level), actors external assets, components services,
//! data stores datastores, data sets data assets, data flows flows, threat
//! personas attackers, threats threats (targets: `components_affected`;
//! attackers: their persona; categories: their NIST SP 800-30 threat
//! sources), controls shared mitigations whose status gives the threats'
//! status. Trust boundaries (pairs of zones) follow from the zones' trust.

use crate::draft::{
    self, Asset, Assumption, Attacker, Control, Draft, Elem, Flow, Target, Threat, Zone,
};
use crate::files::{ImportError, ImportOutput};
use crate::ids::{one_line, shorten};
use crate::yaml_in::Node;
use crate::yaml_out::Yaml;
use std::collections::HashMap;

/// The threat sources of NIST SP 800-30, the taxonomy of an imported TM-BOM.
const SOURCES: [&str; 4] = [
    "adversary",
    "human-error",
    "failure",
    "events-beyond-org-control",
];

/// True when `doc` is a TM-BOM document.
pub(crate) fn is_tmbom(doc: &Node) -> bool {
    let schema = doc
        .get("$schema")
        .and_then(Node::as_text)
        .unwrap_or_default();
    schema.contains("threat-model-library")
        || (doc.get("scope").is_some()
            && doc.get("trust_zones").is_some()
            && doc.get("data_flows").is_some())
}

/// Imports a TM-BOM document (already parsed).
pub(crate) fn import_doc(doc: &Node, text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    if let Some(schema) = doc.get("$schema").and_then(Node::as_text) {
        let version = schema
            .split('/')
            .find(|s| s.starts_with('v') && s[1..].starts_with(|c: char| c.is_ascii_digit()));
        if version.is_some_and(|v| !v.starts_with("v1.")) {
            return Err(ImportError::at(
                file,
                doc.get("$schema").map_or(0, |n| n.line),
                format!(
                    "TM-BOM schema {} is not supported (1.x is)",
                    version.unwrap_or_default()
                ),
            ));
        }
    }
    let mut cx = Cx {
        d: Draft::new(file, text),
        names: HashMap::new(),
        zones: HashMap::new(),
        personas: HashMap::new(),
        threats: HashMap::new(),
    };
    cx.header(doc);
    cx.zones(doc);
    cx.assets(doc);
    cx.flows(doc);
    cx.personas(doc);
    cx.assumptions(doc);
    cx.threats(doc);
    cx.controls(doc);
    for (key, what) in [
        ("diagrams", "diagram(s)"),
        (
            "trust_boundaries",
            "trust boundary(ies) (tmkit derives boundaries from the zones' trust)",
        ),
    ] {
        let n = list(doc, key).len();
        if n > 0 {
            cx.d.warn(
                doc.get(key).map_or(0, |x| x.line),
                format!("{n} {what} not imported"),
            );
        }
    }
    cx.d.taxonomy = Some(Yaml::Seq(
        SOURCES.iter().map(|s| Yaml::Str((*s).into())).collect(),
    ));
    Ok(cx.d.finish())
}

fn list<'a>(n: &'a Node, key: &str) -> &'a [Node] {
    n.get(key).map(Node::items).unwrap_or(&[])
}

fn text(n: &Node, key: &str) -> Option<String> {
    draft::non_blank(n.get(key).and_then(Node::as_text).as_deref())
}

struct Cx {
    d: Draft,
    /// Symbolic name -> asset index (actors, components, data stores, data sets).
    names: HashMap<String, usize>,
    zones: HashMap<String, usize>,
    personas: HashMap<String, usize>,
    threats: HashMap<String, usize>,
}

impl Cx {
    fn elem(&self, n: &Node, fallback: &str) -> Elem {
        let name = text(n, "symbolic_name");
        Elem {
            id: name.clone().unwrap_or_else(|| fallback.into()),
            title: text(n, "title").map_or_else(
                || name.clone().unwrap_or_else(|| fallback.into()),
                |t| one_line(&t),
            ),
            description: text(n, "description"),
            source: name,
            at: (n.line, n.column),
        }
    }

    fn header(&mut self, doc: &Node) {
        let scope = doc.get("scope").cloned().unwrap_or_else(Node::null);
        let title = text(&scope, "title").unwrap_or_else(|| "Imported TM-BOM model".into());
        self.d.id = title.clone();
        self.d.title = one_line(&title);
        self.d.version = text(doc, "version");
        let facts: Vec<String> = ["business_criticality", "exposure", "tier"]
            .iter()
            .filter_map(|k| text(&scope, k).map(|v| format!("{}: {v}", k.replace('_', " "))))
            .collect();
        let parts: Vec<String> = [
            text(doc, "description"),
            text(&scope, "description").map(|s| format!("Scope: {s}")),
            (!facts.is_empty()).then(|| facts.join("; ")),
        ]
        .into_iter()
        .flatten()
        .collect();
        self.d.description = (!parts.is_empty()).then(|| parts.join("\n\n"));
    }

    fn zones(&mut self, doc: &Node) {
        // A zone where a person (an actor other than a system) acts from is
        // the less trusted side.
        let people: Vec<String> = (list(doc, "actors").iter())
            .filter(|a| text(a, "type").as_deref() != Some("system"))
            .filter_map(|a| text(a, "trust_zone"))
            .collect();
        for z in list(doc, "trust_zones") {
            let e = self.elem(z, "zone");
            let trust = if e.source.as_ref().is_some_and(|s| people.contains(s)) {
                0.0
            } else {
                1.0
            };
            if let Some(s) = &e.source {
                self.zones.insert(s.clone(), self.d.zones.len());
            }
            self.d.zones.push(Zone {
                e,
                trust,
                within: None,
            });
        }
    }

    fn zone_of(&mut self, n: &Node) -> Option<usize> {
        let z = text(n, "trust_zone")?;
        let found = self.zones.get(&z).copied();
        if found.is_none() {
            self.d.warn(
                n.line,
                format!("trust zone `{z}` is not declared; imported without a zone"),
            );
        }
        found
    }

    fn assets(&mut self, doc: &Node) {
        for (key, kind) in [
            ("actors", "external"),
            ("components", "service"),
            ("data_stores", "datastore"),
            ("data_sets", "data"),
        ] {
            for n in list(doc, key) {
                let mut e = self.elem(n, kind);
                let facts: Vec<String> = [
                    "type",
                    "permissions",
                    "parent_component",
                    "vendor",
                    "product",
                    "repo_link",
                ]
                .iter()
                .filter_map(|k| text(n, k).map(|v| format!("{}: {v}", k.replace('_', " "))))
                .chain((key == "data_sets").then(|| placements(n)).flatten())
                .collect();
                if !facts.is_empty() {
                    let joined = facts.join("; ");
                    e.description = draft::paragraphs([e.description.take(), Some(joined)]);
                }
                let zone = self.zone_of(n);
                if let Some(s) = &e.source {
                    self.names.insert(s.clone(), self.d.assets.len());
                }
                self.d.assets.push(Asset {
                    e,
                    kind,
                    zone,
                    out_of_scope: None,
                });
            }
        }
    }

    fn flows(&mut self, doc: &Node) {
        for n in list(doc, "data_flows") {
            let e = self.elem(n, "flow");
            let end = |cx: &mut Cx, key: &str| {
                let name = n
                    .get(key)
                    .and_then(|x| x.get("object").or(Some(x)))
                    .and_then(Node::as_text);
                match name.as_ref().and_then(|x| cx.names.get(x)) {
                    Some(a) => *a,
                    None => {
                        cx.d.warn(n.line, format!("data flow `{}`: its {key} `{}` is not an actor, component or data store; it now ends at the asset `unconnected`", e.title, name.unwrap_or_default()));
                        cx.d.unconnected()
                    }
                }
            };
            let from = end(self, "source");
            let to = end(self, "destination");
            let mut e = e;
            let facts: Vec<&str> = [
                ("encrypted", "encrypted"),
                ("has_sensitive_data", "sensitive data"),
            ]
            .into_iter()
            .filter(|(k, _)| n.get(k).and_then(Node::as_bool) == Some(true))
            .map(|(_, s)| s)
            .collect();
            if !facts.is_empty() {
                let joined = facts.join(", ");
                e.description = draft::paragraphs([e.description.take(), Some(joined)]);
            }
            self.d.flows.push(Flow {
                e,
                from,
                to,
                protocol: None,
                bidirectional: false,
                out_of_scope: None,
                carries: Vec::new(),
            });
        }
    }

    fn personas(&mut self, doc: &Node) {
        for n in list(doc, "threat_personas") {
            let mut e = self.elem(n, "persona");
            let facts: Vec<String> = ["skill_level", "access_level", "applicability_to_org"]
                .iter()
                .filter_map(|k| text(n, k).map(|v| format!("{}: {v}", k.replace('_', " "))))
                .collect();
            if !facts.is_empty() {
                let joined = facts.join("; ");
                e.description = draft::paragraphs([e.description.take(), Some(joined)]);
            }
            if let Some(s) = &e.source {
                self.personas.insert(s.clone(), self.d.attackers.len());
            }
            self.d.attackers.push(Attacker { e, zone: None });
        }
    }

    fn assumptions(&mut self, doc: &Node) {
        for n in list(doc, "assumptions") {
            let statement = text(n, "description").unwrap_or_else(|| "Assumption".into());
            let line = one_line(&statement);
            let validity = text(n, "validity").unwrap_or_else(|| "unconfirmed".into());
            self.d.assumptions.push(Assumption {
                e: Elem {
                    id: shorten(&line, 40),
                    title: shorten(&line, 120),
                    description: Some(format!("{statement}\n\nValidity: {validity}")),
                    source: None,
                    at: (n.line, n.column),
                },
            });
        }
    }

    fn threats(&mut self, doc: &Node) {
        let risks = list(doc, "risks");
        for n in list(doc, "threats") {
            let mut e = self.elem(n, "threat");
            let mut targets = Vec::new();
            for c in list(n, "components_affected")
                .iter()
                .filter_map(Node::as_text)
            {
                match self.names.get(&c) {
                    Some(a) => targets.push(Target::Asset(*a)),
                    None => self.d.warn(
                        n.line,
                        format!(
                            "threat `{}` names `{c}`, which is not a component; dropped",
                            e.title
                        ),
                    ),
                }
            }
            let persona = text(n, "threat_persona");
            let attackers = persona
                .as_ref()
                .map(|p| self.personas.get(p).copied().into_iter().collect());
            let categories: Vec<String> = (list(n, "sources").iter())
                .filter_map(Node::as_text)
                .map(|s| crate::threat_dragon::custom_category(&s))
                .filter(|s| SOURCES.contains(&s.as_str()))
                .collect();
            e.description = Some(threat_text(n, &e, risks));
            if let Some(s) = &e.source {
                self.threats.insert(s.clone(), self.d.threats.len());
            }
            self.d.threats.push(Threat {
                e,
                categories,
                targets,
                attackers,
                ..Threat::default()
            });
        }
    }

    fn controls(&mut self, doc: &Node) {
        for n in list(doc, "controls") {
            let e = self.elem(n, "control");
            let status = text(n, "status").unwrap_or_default();
            let (kind, in_place) = match status.as_str() {
                "active" | "assumed" => ("design", true),
                "wont_do" => ("risk-acceptance", true),
                _ => ("design", false),
            };
            let c = self.d.controls.len();
            self.d.controls.push(Control { e, kind, in_place });
            for t in list(n, "threats").iter().filter_map(Node::as_text) {
                match self.threats.get(&t) {
                    Some(i) => self.d.threats[*i].controls.push(c),
                    None => self.d.warn(
                        n.line,
                        format!(
                            "control `{}` names threat `{t}`, which is not declared",
                            self.d.controls[c].e.title
                        ),
                    ),
                }
            }
        }
    }
}

/// The placements of a data set, for its description.
fn placements(n: &Node) -> Option<String> {
    let list: Vec<String> = (list(n, "placements").iter())
        .filter_map(|p| {
            let store = text(p, "data_store")?;
            let enc = p.get("encrypted").and_then(Node::as_bool) == Some(true);
            Some(if enc {
                format!("{store} (encrypted)")
            } else {
                store
            })
        })
        .collect();
    (!list.is_empty()).then(|| format!("placed on: {}", list.join(", ")))
}

/// A threat's description: its own, the event, CAPEC and CWE references,
/// and the risks it factors into.
fn threat_text(n: &Node, e: &Elem, risks: &[Node]) -> String {
    let refs = |key: &str, id: &str, name: &str, title: &str| -> Option<String> {
        let items: Vec<String> = (list(n, key).iter())
            .filter_map(|r| {
                let i = r.get(id).and_then(Node::as_text)?;
                Some(text(r, title).map_or(format!("{name}-{i}"), |t| format!("{name}-{i} {t}")))
            })
            .collect();
        (!items.is_empty()).then(|| items.join(", "))
    };
    let risk_lines: Vec<String> = risks
        .iter()
        .filter(|r| {
            list(r, "threats")
                .iter()
                .filter_map(Node::as_text)
                .any(|t| Some(&t) == e.source.as_ref())
        })
        .map(|r| {
            let f = |k: &str| text(r, k).unwrap_or_else(|| "?".into());
            format!(
                "Risk {}: likelihood {}, impact {}, score {}, level {}",
                f("title"),
                f("likelihood"),
                f("impact"),
                f("score"),
                f("level")
            )
        })
        .collect();
    [
        e.description.clone(),
        text(n, "event").map(|s| format!("Event: {s}")),
        refs("attack_mechanisms", "capec_id", "CAPEC", "capec_title"),
        refs("weaknesses", "cwe_id", "CWE", "cwe_title"),
        (!risk_lines.is_empty()).then(|| risk_lines.join("\n\n")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n")
}
