//! Threagile YAML models.
//!
//! Technical assets become assets (`external-entity` external, `process`
//! process, `datastore` datastore), data assets assets of kind `data`, their
//! communication links data flows carrying the data assets they send and
//! receive, trust boundaries zones (nested by `trust_boundaries_nested`),
//! shared runtimes context in the descriptions, individual risks threats
//! (STRIDE), risk tracking entries the threats' states, abuse cases and
//! security requirements requirements. CIA ratings are kept in the
//! descriptions. See docs/interop.md.

use crate::draft::{self, Asset, Draft, Elem, Flow, State, Target, Threat, Zone, paragraphs};
use crate::files::{ImportError, ImportOutput};
use crate::ids::one_line;
use crate::yaml_in::{self, Node};
use crate::yaml_out::Yaml;
use std::collections::HashMap;
use std::path::Path;
use tmkit_syntax::fs::FileSystem;

/// Imports a Threagile model read through `fs`.
pub fn import_file(fs: &dyn FileSystem, path: &Path) -> Result<ImportOutput, ImportError> {
    let (text, shown) = crate::read_source(fs, path)?;
    import(&text, &shown)
}

/// True when `doc` looks like a Threagile model (for `tmkit import FILE`).
pub(crate) fn is_threagile(doc: &Node) -> bool {
    doc.get("threagile_version").is_some() || doc.get("technical_assets").is_some()
}

/// Imports the text of a Threagile model named `file`.
pub fn import(text: &str, file: &str) -> Result<ImportOutput, ImportError> {
    let doc = yaml_in::parse(text, file)?;
    if !is_threagile(&doc) {
        return Err(ImportError::at(
            file,
            doc.line,
            "not a Threagile model: no `threagile_version` nor `technical_assets`",
        ));
    }
    if let Some(v) = doc.get("threagile_version").and_then(Node::as_text) {
        if !v.starts_with("1.") {
            return Err(ImportError::at(
                file,
                doc.get("threagile_version").map_or(0, |n| n.line),
                format!("Threagile version {v} is not supported (1.x is)"),
            ));
        }
    }
    let mut cx = Cx {
        d: Draft::new(file, text),
        ids: HashMap::new(),
    };
    cx.header(&doc);
    cx.data_assets(&doc);
    cx.technical_assets(&doc);
    cx.boundaries(&doc);
    cx.runtimes(&doc);
    cx.links(&doc);
    cx.requirements(&doc);
    cx.risks(&doc);
    cx.d.taxonomy = Some(Yaml::Str("STRIDE".into()));
    Ok(cx.d.finish())
}

fn text(n: &Node, key: &str) -> Option<String> {
    draft::non_blank(n.get(key).and_then(Node::as_text).as_deref())
}

fn strs(n: &Node, key: &str) -> Vec<String> {
    n.get(key)
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_text)
        .collect()
}

/// `(name, node)` of a mapping keyed by names.
fn named(n: &Node, key: &str) -> Vec<(String, Node)> {
    n.get(key)
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|(k, _, v)| (k.clone(), v.clone()))
        .collect()
}

/// The CIA ratings and their justification, as a paragraph.
fn cia(n: &Node) -> Option<String> {
    let r: Vec<String> = ["confidentiality", "integrity", "availability"]
        .iter()
        .filter_map(|k| text(n, k).map(|v| format!("{k} {v}")))
        .collect();
    if r.is_empty() {
        return None;
    }
    let why = text(n, "justification_cia_rating").map_or(String::new(), |j| format!(" ({j})"));
    Some(format!("CIA rating in Threagile: {}{why}.", r.join(", ")))
}

struct Cx {
    d: Draft,
    /// Threagile id -> asset index.
    ids: HashMap<String, usize>,
}

impl Cx {
    fn elem(&self, name: &str, n: &Node) -> Elem {
        let id = text(n, "id");
        Elem {
            id: id.clone().unwrap_or_else(|| name.to_string()),
            title: one_line(name),
            description: text(n, "description"),
            source: id,
            at: (n.line, n.column),
        }
    }

    fn header(&mut self, doc: &Node) {
        let title = text(doc, "title").unwrap_or_else(|| "Imported Threagile model".into());
        self.d.id = title.clone();
        self.d.title = one_line(&title);
        let author = doc.get("author").cloned().unwrap_or_else(Node::null);
        self.d.authors = text(&author, "name").into_iter().collect();
        let overview = |k: &str| doc.get(k).and_then(|o| text(o, "description"));
        self.d.description = paragraphs([
            text(doc, "management_summary_comment"),
            overview("business_overview"),
            overview("technical_overview"),
            text(doc, "business_criticality").map(|c| format!("Business criticality: {c}.")),
        ]);
    }

    fn data_assets(&mut self, doc: &Node) {
        for (name, n) in named(doc, "data_assets") {
            let mut e = self.elem(&name, &n);
            e.description = paragraphs([e.description.take(), cia(&n)]);
            if let Some(id) = &e.source {
                self.ids.insert(id.clone(), self.d.assets.len());
            }
            self.d.assets.push(Asset {
                e,
                kind: "data",
                zone: None,
                out_of_scope: None,
            });
        }
    }

    fn technical_assets(&mut self, doc: &Node) {
        for (name, n) in named(doc, "technical_assets") {
            let kind = match text(&n, "type").as_deref() {
                Some("external-entity") => "external",
                Some("process") => "process",
                Some("datastore") => "datastore",
                other => {
                    self.d.warn(n.line, format!("technical asset `{name}` has type `{}`, not external-entity, process or datastore; imported as `other`", other.unwrap_or("")));
                    "other"
                }
            };
            let mut e = self.elem(&name, &n);
            let tech = text(&n, "technology").map(|t| format!("Technology: {t}."));
            e.description = paragraphs([e.description.take(), tech, cia(&n)]);
            let out_of_scope =
                (n.get("out_of_scope").and_then(Node::as_bool) == Some(true)).then(|| {
                    text(&n, "justification_out_of_scope").unwrap_or_else(|| {
                        "Out of scope in the source threat model (no reason given)".into()
                    })
                });
            if let Some(id) = &e.source {
                self.ids.insert(id.clone(), self.d.assets.len());
            }
            self.d.assets.push(Asset {
                e,
                kind,
                zone: None,
                out_of_scope,
            });
        }
    }

    fn boundaries(&mut self, doc: &Node) {
        let list = named(doc, "trust_boundaries");
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (name, n) in &list {
            let mut e = self.elem(name, n);
            let t = text(n, "type").map(|t| format!("Threagile boundary type: {t}."));
            e.description = paragraphs([e.description.take(), t]);
            if let Some(id) = &e.source {
                by_id.insert(id.clone(), self.d.zones.len());
            }
            self.d.zones.push(Zone {
                e,
                trust: 1.0,
                within: None,
            });
        }
        let first = self.d.zones.len() - list.len();
        for (i, (_, n)) in list.iter().enumerate() {
            for child in strs(n, "trust_boundaries_nested") {
                match by_id.get(&child) {
                    Some(c) if *c != first + i && self.d.zones[*c].within.is_none() => {
                        self.d.zones[*c].within = Some(first + i)
                    }
                    Some(_) => {}
                    None => self.d.warn(
                        n.line,
                        format!("nested trust boundary `{child}` is not declared"),
                    ),
                }
            }
        }
        // Trust is the nesting depth; a chain that loops is cut.
        self.d.trust_by_depth(first);
        // Each asset in the innermost boundary listing it.
        for (i, (_, n)) in list.iter().enumerate() {
            for a in strs(n, "technical_assets_inside") {
                let Some(asset) = self.ids.get(&a).copied() else {
                    self.d.warn(
                        n.line,
                        format!("trust boundary lists `{a}`, which is not a technical asset"),
                    );
                    continue;
                };
                let z = first + i;
                let deeper = self.d.assets[asset]
                    .zone
                    .is_none_or(|old| self.d.zones[z].trust > self.d.zones[old].trust);
                if deeper {
                    self.d.assets[asset].zone = Some(z);
                }
            }
        }
        self.d.outside_zone("Outside every trust boundary");
    }

    fn runtimes(&mut self, doc: &Node) {
        for (name, n) in named(doc, "shared_runtimes") {
            for a in strs(&n, "technical_assets_running") {
                if let Some(i) = self.ids.get(&a).copied() {
                    let line = format!("Runs on the shared runtime {name}.");
                    let e = &mut self.d.assets[i].e;
                    e.description = paragraphs([e.description.take(), Some(line)]);
                }
            }
        }
    }

    fn links(&mut self, doc: &Node) {
        for (name, n) in named(doc, "technical_assets") {
            let Some(from) = text(&n, "id").and_then(|id| self.ids.get(&id).copied()) else {
                continue;
            };
            for (link, l) in named(&n, "communication_links") {
                let to = match text(&l, "target").and_then(|t| self.ids.get(&t).copied()) {
                    Some(t) => t,
                    None => {
                        self.d.warn(l.line, format!("communication link `{link}` of `{name}` has no known target; it now ends at the asset `unconnected`"));
                        self.d.unconnected()
                    }
                };
                let mut carries = Vec::new();
                for d in strs(&l, "data_assets_sent")
                    .into_iter()
                    .chain(strs(&l, "data_assets_received"))
                {
                    match self.ids.get(&d) {
                        Some(a) if !carries.contains(a) => carries.push(*a),
                        Some(_) => {}
                        None => self.d.warn(l.line, format!("communication link `{link}` names data asset `{d}`, which is not declared")),
                    }
                }
                let facts: Vec<String> = ["authentication", "authorization", "usage"]
                    .iter()
                    .filter_map(|k| text(&l, k).map(|v| format!("{k}: {v}")))
                    .collect();
                let e = Elem {
                    id: format!(
                        "{} {link}",
                        self.d.assets[from].e.source.clone().unwrap_or_default()
                    ),
                    title: one_line(&link),
                    description: paragraphs([
                        text(&l, "description"),
                        (!facts.is_empty()).then(|| facts.join("; ")),
                    ]),
                    source: Some(format!("{}>{link}", text(&n, "id").unwrap_or_default())),
                    at: (l.line, l.column),
                };
                let bidirectional = l.get("readonly").and_then(Node::as_bool) != Some(true)
                    && !strs(&l, "data_assets_received").is_empty();
                self.d.flows.push(Flow {
                    e,
                    from,
                    to,
                    protocol: text(&l, "protocol"),
                    bidirectional,
                    out_of_scope: None,
                    carries,
                });
            }
        }
    }

    fn requirements(&mut self, doc: &Node) {
        for (key, kind, what) in [
            ("security_requirements", "technical", "Security requirement"),
            ("abuse_cases", "business", "Abuse case"),
        ] {
            let at = doc.get(key).map_or((0, 0), |n| (n.line, n.column));
            for (name, value) in named(doc, key) {
                let e = Elem {
                    id: name.clone(),
                    title: format!("{what}: {}", one_line(&name)),
                    description: value.as_text().and_then(|t| draft::non_blank(Some(&t))),
                    source: Some(name),
                    at,
                };
                self.d.requirements.push((e, kind));
            }
        }
    }

    fn risks(&mut self, doc: &Node) {
        let tracking = named(doc, "risk_tracking");
        for (cname, c) in named(doc, "individual_risk_categories") {
            let category = text(&c, "stride")
                .and_then(|s| crate::tmyaml::stride_category(&s))
                .map(str::to_string);
            if category.is_none() {
                self.d.warn(c.line, format!("risk category `{cname}` has no STRIDE category; its risks are imported as `other`"));
            }
            let cid = text(&c, "id").unwrap_or_else(|| cname.clone());
            for (rname, r) in named(&c, "risks_identified") {
                let relevant = [
                    "most_relevant_data_asset",
                    "most_relevant_technical_asset",
                    "most_relevant_communication_link",
                    "most_relevant_trust_boundary",
                    "most_relevant_shared_runtime",
                ];
                let synthetic = std::iter::once(cid.clone())
                    .chain(relevant.iter().filter_map(|k| text(&r, k)))
                    .collect::<Vec<_>>()
                    .join("@");
                let mut targets: Vec<Target> = Vec::new();
                for a in text(&r, "most_relevant_technical_asset")
                    .into_iter()
                    .chain(strs(&r, "data_breach_technical_assets"))
                {
                    if let Some(i) = self.ids.get(&a) {
                        if !targets.contains(&Target::Asset(*i)) {
                            targets.push(Target::Asset(*i));
                        }
                    }
                }
                let track = tracking
                    .iter()
                    .find(|(k, _)| glob(k, &synthetic))
                    .map(|(_, t)| t);
                let status = track
                    .and_then(|t| text(t, "status"))
                    .unwrap_or_else(|| "unchecked".into());
                let justification = track.and_then(|t| text(t, "justification"));
                let (state, mtext) = match status.as_str() {
                    "mitigated" => (State::Mitigated, justification.clone()),
                    "accepted" | "false-positive" => (
                        State::NotApplicable,
                        Some(format!(
                            "{status}: {}",
                            justification.clone().unwrap_or_default()
                        )),
                    ),
                    _ => (State::Open, text(&c, "mitigation")),
                };
                let facts: Vec<String> = [
                    Some(format!("tracking status {status}")),
                    text(&r, "severity").map(|s| format!("severity {s}")),
                    text(&r, "exploitation_likelihood").map(|s| format!("likelihood {s}")),
                    text(&r, "exploitation_impact").map(|s| format!("impact {s}")),
                    track
                        .and_then(|t| text(t, "ticket"))
                        .map(|t| format!("ticket {t}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                let mut mitigations = draft::state_mitigations(state, mtext);
                if status == "in-progress" {
                    mitigations.iter_mut().for_each(|m| m.in_place = false);
                }
                self.d.threats.push(Threat {
                    e: Elem {
                        id: synthetic.clone(),
                        title: one_line(&strip_tags(&rname)),
                        description: paragraphs([
                            text(&c, "description"),
                            text(&c, "impact").map(|i| format!("Impact: {i}")),
                            text(&c, "cwe").map(|w| format!("CWE-{w}")),
                            Some(format!("In Threagile: {}.", facts.join(", "))),
                        ]),
                        source: Some(synthetic),
                        at: (r.line, r.column),
                    },
                    categories: category.clone().into_iter().collect(),
                    targets,
                    mitigations,
                    ..Threat::default()
                });
            }
        }
    }
}

/// Whether a risk tracking key (with `*` wildcards) names a synthetic risk id.
fn glob(pattern: &str, id: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == id;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first)
        || !id[first.len()..].ends_with(last)
        || id.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// Threagile writes risk titles with `<b>` tags.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_keys_match_with_wildcards() {
        assert!(glob("sql-injection@db", "sql-injection@db"));
        assert!(glob("sql-injection@*", "sql-injection@db"));
        assert!(glob("*@db", "x@db"));
        assert!(glob("a*b*c", "a-b-c"));
        assert!(!glob("a*b*c", "a-c"));
        assert!(!glob("ab*ba", "aba"));
        assert_eq!(strip_tags("<b>Risk</b> at <b>DB</b>"), "Risk at DB");
    }
}
