//! The model files of an OTM import, written from its records.

use super::import::{Element, Importer, MitRec, Project2};
use super::meta::ModelMeta;
use crate::files::{ImportOutput, ImportedThreat, OutputFile};
use crate::yaml_out::{MapBuilder, Yaml, to_string};
use serde_json::Value;
use std::collections::HashMap;

/// Writes the records of one project as tmkit YAML.
struct Emitter<'p> {
    p: &'p Project2,
    /// Model qid -> the path of its file.
    paths: HashMap<String, String>,
    mit_by_qid: HashMap<&'p str, &'p MitRec>,
}

impl Importer<'_> {
    /// Writes the model files.
    pub(super) fn emit(self, p: Project2) -> ImportOutput {
        let e = Emitter {
            p: &p,
            paths: p
                .models
                .iter()
                .map(|m| (m.qid.clone(), safe_path(m)))
                .collect(),
            mit_by_qid: p.mitigations.iter().map(|m| (m.qid.as_str(), m)).collect(),
        };
        let files = p.models.iter().map(|m| e.file(m)).collect();
        let threats = p
            .threats
            .iter()
            .map(|t| ImportedThreat {
                qid: t.e.qid.clone(),
                mitigated_in_source: p.states.get(&t.e.qid).copied().unwrap_or(false),
            })
            .collect();
        ImportOutput {
            files,
            warnings: self.warnings,
            threats,
            sources: self.sources,
            inputs: Vec::new(),
        }
    }
}

impl Emitter<'_> {
    /// How model `from` names `qid`: its local id when it is its own.
    fn reference(&self, from: &str, qid: &str) -> String {
        match self.p.owners.get(qid) {
            Some((model, id)) if model == from => id.clone(),
            _ => qid.to_string(),
        }
    }

    fn refs(&self, from: &str, list: &[String]) -> Vec<String> {
        list.iter().map(|q| self.reference(from, q)).collect()
    }

    fn file(&self, m: &ModelMeta) -> OutputFile {
        let path = &self.paths[&m.qid];
        let scope = MapBuilder::new()
            .put("abstraction", abstraction(m))
            .seq("requirements", requirements(m))
            .seq("zones", self.zones(&m.qid))
            .seq("assets", self.assets(&m.qid))
            .seq("dataflows", self.flows(&m.qid))
            .seq("attackers", self.attackers(m))
            .seq("assumptions", assumptions(m))
            .build();
        let doc = MapBuilder::new()
            .put("tmkit", Yaml::Num(1.0))
            .str("id", m.id.clone())
            .str("title", m.title.clone())
            .opt_str("version", m.version.clone())
            .opt_str("owner", m.owner.clone())
            .strs("authors", &m.authors)
            .opt_str("description", m.description.clone())
            .flag("confidential", m.confidential)
            .put("scope", scope)
            .seq("analysis", self.analysis(m))
            .seq("mitigations", self.shared_mitigations(&m.qid))
            .seq("threats", self.threats(&m.qid))
            .seq("components", self.children(m, path))
            .seq("imports", self.imports(m, path))
            .build();
        OutputFile {
            path: path.clone(),
            contents: to_string(&doc),
        }
    }

    fn zones(&self, here: &str) -> Vec<Yaml> {
        self.written(
            &self.p.zones,
            here,
            |z| &z.e,
            |b, z| {
                b.put("trust", Yaml::Num(z.trust))
                    .opt_str("within", z.within.as_ref().map(|w| self.reference(here, w)))
            },
        )
    }

    fn assets(&self, here: &str) -> Vec<Yaml> {
        self.written(
            &self.p.assets,
            here,
            |a| &a.e,
            |b, a| {
                b.str("kind", a.kind.clone())
                    .opt_str("zone", a.zone.as_ref().map(|z| self.reference(here, z)))
                    .scope(a.in_scope, a.reason.as_ref())
            },
        )
    }

    fn flows(&self, here: &str) -> Vec<Yaml> {
        self.written(
            &self.p.flows,
            here,
            |f| &f.e,
            |b, f| {
                b.str("from", self.reference(here, &f.from))
                    .str("to", self.reference(here, &f.to))
                    .opt_str("protocol", f.protocol.clone())
                    .strs("carries", &self.refs(here, &f.carries))
                    .flag("bidirectional", f.bidirectional)
                    .scope(f.in_scope, f.reason.as_ref())
            },
        )
    }

    /// The records of model `here`: each element's id, title and
    /// description, then what `rest` adds, then `confidential`.
    fn written<T>(
        &self,
        records: &[T],
        here: &str,
        e: impl Fn(&T) -> &Element,
        rest: impl Fn(MapBuilder, &T) -> MapBuilder,
    ) -> Vec<Yaml> {
        (records.iter())
            .filter(|r| e(r).model == here)
            .map(|r| rest(element(e(r)), r).build_confidential(e(r).confidential))
            .collect()
    }

    fn attackers(&self, m: &ModelMeta) -> Vec<Yaml> {
        let here = &m.qid;
        (m.attackers.iter())
            .map(|a| {
                MapBuilder::element(&a.id, &a.title, a.description.as_ref())
                    .opt_str("zone", a.zone.as_ref().map(|z| self.reference(here, z)))
                    .scope(a.in_scope, a.reason.as_ref())
                    .build_confidential(a.confidential)
            })
            .collect()
    }

    fn analysis(&self, m: &ModelMeta) -> Vec<Yaml> {
        let here = &m.qid;
        (m.analysis.iter())
            .map(|v| {
                MapBuilder::new()
                    .str("target", self.reference(here, &v.target))
                    .opt_str(
                        "attacker",
                        v.attacker.as_ref().map(|a| self.reference(here, a)),
                    )
                    .opt_str("category", v.category.clone())
                    .str("verdict", v.verdict.clone())
                    .str("rationale", v.rationale.clone())
                    .build_confidential(v.confidential)
            })
            .collect()
    }

    fn shared_mitigations(&self, here: &str) -> Vec<Yaml> {
        let shared = (self.p.mitigations.iter()).filter(|x| x.model == here && x.id.is_some());
        shared.map(mitigation).collect()
    }

    fn threats(&self, here: &str) -> Vec<Yaml> {
        self.written(
            &self.p.threats,
            here,
            |t| &t.e,
            |b, t| {
                let items: Vec<Yaml> = (t.mitigations.iter())
                    .filter_map(|q| match self.mit_by_qid.get(q.as_str()) {
                        Some(x) if x.id.is_none() => Some(mitigation(x)),
                        Some(_) => Some(Yaml::Str(self.reference(here, q))),
                        None => None,
                    })
                    .collect();
                let mut b = b
                    .strs("categories", &t.categories)
                    .strs("targets", &self.refs(here, &t.targets));
                if let Some(a) = &t.attackers {
                    let list = self.refs(here, a).into_iter().map(Yaml::Str).collect();
                    b = b.put("attackers", Yaml::Seq(list));
                }
                b.strs("assumptions", &self.refs(here, &t.assumptions))
                    .opt_str("cvss", t.cvss.clone())
                    .opt_str("ticket", t.ticket.clone())
                    .strs("requirements", &self.refs(here, &t.requirements))
                    .strs("refs", &t.refs)
                    .seq("mitigations", items)
            },
        )
    }

    /// The component models of `m`, by path relative to its file.
    fn children(&self, m: &ModelMeta, path: &str) -> Vec<Yaml> {
        let here = m.qid.as_str();
        (self.p.models.iter())
            .filter(|c| c.parent.as_deref() == Some(here) && c.kind == "component")
            .map(|c| path_entry(relative(path, &self.paths[&c.qid])))
            .collect()
    }

    fn imports(&self, m: &ModelMeta, path: &str) -> Vec<Yaml> {
        (m.imports.iter())
            .filter_map(|i| self.paths.get(i))
            .map(|ip| path_entry(relative(path, ip)))
            .collect()
    }
}

/// An element's mapping, up to its description.
fn element(e: &Element) -> MapBuilder {
    MapBuilder::element(&e.id, &e.title, e.description.as_ref())
}

fn path_entry(path: String) -> Yaml {
    MapBuilder::new().str("path", path).build()
}

fn abstraction(m: &ModelMeta) -> Yaml {
    let b = MapBuilder::new().opt_str("level", m.level.clone());
    let b = match &m.taxonomy {
        Value::String(s) => b.str("taxonomy", s.clone()),
        Value::Array(items) => b.strs(
            "taxonomy",
            &items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ),
        _ => b,
    };
    b.opt_str("notes", m.notes.clone()).build()
}

fn requirements(m: &ModelMeta) -> Vec<Yaml> {
    (m.requirements.iter())
        .map(|r| {
            MapBuilder::element(&r.id, &r.title, r.description.as_ref())
                .opt_str("kind", r.kind.clone())
                .opt_str("ref", r.reference.clone())
                .strs("refs", &r.refs)
                .build_confidential(r.confidential)
        })
        .collect()
}

fn assumptions(m: &ModelMeta) -> Vec<Yaml> {
    (m.assumptions.iter())
        .map(|a| {
            MapBuilder::element(&a.id, &a.title, a.description.as_ref())
                .build_confidential(a.confidential)
        })
        .collect()
}

fn mitigation(mr: &MitRec) -> Yaml {
    let b = MapBuilder::new()
        .opt_str("id", mr.id.clone())
        .str("title", mr.title.clone())
        .opt_str("description", mr.description.clone())
        .str("kind", mr.kind.clone())
        .opt_str("operator", mr.operator.clone())
        .put("in_place", Yaml::Bool(mr.in_place))
        .opt_str("ticket", mr.ticket.clone())
        .strs("requirements", &mr.requirements);
    super::treatment::emit(b, &mr.treatment).build_confidential(mr.confidential)
}

/// The model's path if it is a safe relative path, else one made from its id.
fn safe_path(m: &ModelMeta) -> String {
    let p = m.path.replace('\\', "/");
    let ok = !p.is_empty()
        && !p.starts_with('/')
        && p.split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(':'))
        && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"));
    if ok {
        p
    } else if m.kind == "root" {
        "threatmodel.yaml".into()
    } else {
        format!("{}/threatmodel.yaml", m.qid.replace('.', "/"))
    }
}

/// `to` relative to the directory of `from` (both relative to the same root).
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}
