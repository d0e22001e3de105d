//! Migration from "tmyaml", the REFID-based YAML threat-model format of a
//! report generator, into tmkit's format.
//!
//! # The source format
//!
//! A tree of files: the root `<Name>/<Name>.yaml` holds `ID`, `title`,
//! `version`, `authors`, `scope` (`description`, `securityObjectives`,
//! `assets`, `attackers`, `assumptions`), `analysis`, `threats` and
//! `children: [{REFID: X}]`; each child is `X/X.yaml` (or `X.yaml`) beside its
//! parent. A reference is `{REFID: SOME_ID}` and resolves by local `ID`
//! anywhere in the tree (same file first, then ancestors, then tree order).
//!
//! # The mapping
//!
//! | tmyaml | tmkit |
//! |---|---|
//! | a file and its `children` | a model and its `components` (`X/threatmodel.yaml`) |
//! | `scope.description`, `analysis` | `description` (the analysis under a heading) |
//! | `securityObjectives` (`group`, `contributesTo`) | `scope.requirements` (group and links in the description) |
//! | `assets` (`type` free text, `inScope`, `properties`) | `scope.assets` (`kind` from the type, properties in the description) |
//! | `attackers`, `assumptions` | `scope.attackers`, `scope.assumptions` |
//! | `threats` | `threats` (taxonomy STRIDE; `attack`, `impactDesc`, `impactedSecObj` in the description) |
//! | `threatType` (STRIDE words) | `categories` |
//! | `CVSS.vector`, `ticketLink` | `cvss`, `ticket` |
//! | countermeasures (inline or REFID) | shared `mitigations` of the model that defines them |
//! | `inPlace`, `operational` + `operator` | `in_place`, `kind: operational` + `operator` |
//! | `public: false` | `confidential: true` |
//!
//! Ids are kept (sanitised to tmkit's id syntax when needed, with a warning).
//! A reference to an element of the same file is written as its id, any other
//! as its qualified id from the root.
//!
//! # Mitigation status, conservatively
//!
//! A threat is mitigated only when the source says `fullyMitigated: true`
//! *and* every countermeasure is in place (an unresolved countermeasure counts
//! as not in place). Where the source says it is not fully mitigated although
//! every countermeasure is in place, a planned (not in place) mitigation saying
//! so is added, so the threat stays visible as partial and never reaches the
//! public view. Where it says fully mitigated without naming any countermeasure,
//! an in-place mitigation recording that statement is added. Every such
//! disagreement is a warning.

use crate::files::{ImportError, ImportOutput, ImportWarning, OutputFile, SourcePlace};
use crate::ids::{asset_kind, one_line, sanitise_id, shorten};
use crate::yaml_in::{Node, Value, parse, read};
use crate::yaml_out::{MapBuilder, Yaml, to_string};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tmkit_syntax::Code;
use tmkit_syntax::fs::{FileSystem, normalise};
use tmkit_syntax::node::Limits;

/// Imports the tree rooted at `path` (the root file, or its directory
/// `<Name>/` holding `<Name>.yaml`) through any [`FileSystem`] (the disk,
/// or memory in tests), with the loader's rules: regular files only, the
/// loader's size and file-count limits, and no file outside the root file's
/// directory (lexically or through a symbolic link).
pub fn import_from(fs: &dyn FileSystem, path: &Path) -> Result<ImportOutput, ImportError> {
    let root_file = find_root(fs, path)?;
    let tree = load_tree(fs, &root_file)?;
    Ok(Converter::new(tree).run())
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn is_file(fs: &dyn FileSystem, path: &Path) -> bool {
    fs.canonicalize(path).is_ok() && !fs.is_dir(path)
}

fn find_root(fs: &dyn FileSystem, path: &Path) -> Result<PathBuf, ImportError> {
    if fs.is_dir(path) {
        let name = normalise(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .or_else(|| {
                fs.canonicalize(path)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_default();
        for ext in ["yaml", "yml"] {
            let candidate = path.join(format!("{name}.{ext}"));
            if is_file(fs, &candidate) {
                return Ok(candidate);
            }
        }
        return Err(ImportError::at(
            &display(path),
            0,
            format!(
                "no root file `{name}.yaml` in this directory (a tmyaml tree is `<Name>/<Name>.yaml`)"
            ),
        ));
    }
    if is_file(fs, path) {
        return Ok(path.to_path_buf());
    }
    Err(ImportError::coded(
        Code::MissingFile,
        &display(path),
        None,
        "no such file or directory",
    ))
}

/// One source file of the tree.
#[derive(Debug)]
struct SourceModel {
    /// Path as shown in messages.
    file: String,
    /// The document.
    doc: Node,
    /// Its text (for diagnostics that point into it).
    text: String,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// A file of the tree to read: as shown (relative to what the user gave)
/// and as resolved (canonical directory of its parent, lexically joined).
struct Pending {
    shown: PathBuf,
    resolved: PathBuf,
    parent: Option<usize>,
}

fn load_tree(fs: &dyn FileSystem, root: &Path) -> Result<Vec<SourceModel>, ImportError> {
    let limits = Limits::default();
    let canon_root = fs
        .canonicalize(root)
        .map_err(|e| ImportError::coded(Code::Io, &display(root), None, e.to_string()))?;
    let root_dir = canon_root
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut budget = limits.max_total_bytes;
    let mut models: Vec<SourceModel> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut work = vec![Pending {
        shown: root.to_path_buf(),
        resolved: canon_root.clone(),
        parent: None,
    }];
    seen.insert(canon_root);
    // Depth-first in declaration order: pop from the end, push children reversed.
    while let Some(Pending {
        shown,
        resolved,
        parent,
    }) = work.pop()
    {
        if models.len() >= limits.max_files {
            return Err(ImportError::coded(
                Code::TooManyFiles,
                &display(&shown),
                None,
                format!("more than {} files in the tree", limits.max_files),
            ));
        }
        let file = display(&shown);
        let text = read(fs, &resolved, &file, &mut budget)?;
        let doc = parse(&text, &file)?;
        if !matches!(doc.value, Value::Map(_)) {
            return Err(ImportError::at(
                &file,
                doc.line,
                format!(
                    "expected a mapping at the top level, found {}",
                    doc.type_name()
                ),
            ));
        }
        let index = models.len();
        if let Some(p) = parent {
            models[p].children.push(index);
        }
        let mut next = Vec::new();
        for (line, name) in child_names(&doc, &file)? {
            let child = find_child(fs, &shown, &resolved, &root_dir, &name, (&file, line))?;
            if !seen.insert(child.resolved.clone()) {
                return Err(ImportError::at(
                    &file,
                    line,
                    format!(
                        "child `{name}` ({}) is included twice or in a cycle",
                        display(&child.shown)
                    ),
                ));
            }
            next.push(Pending {
                parent: Some(index),
                ..child
            });
        }
        models.push(SourceModel {
            file,
            doc,
            text,
            parent,
            children: Vec::new(),
        });
        work.extend(next.into_iter().rev());
    }
    // Children were appended in visiting order; keep declaration order.
    Ok(models)
}

/// The `children: [{REFID: X}]` of a document, with their lines.
fn child_names(doc: &Node, file: &str) -> Result<Vec<(u32, String)>, ImportError> {
    let Some(children) = doc.get("children") else {
        return Ok(Vec::new());
    };
    if !children.is_null() && !matches!(children.value, Value::Seq(_)) {
        return Err(ImportError::at(
            file,
            children.line,
            format!(
                "`children` must be a list of {{REFID: X}}, found {}",
                children.type_name()
            ),
        ));
    }
    children
        .items()
        .iter()
        .map(|child| match refid(child) {
            Some(name) => Ok((child.line, name)),
            None => Err(ImportError::at(
                file,
                child.line,
                "a child must be written {REFID: X}",
            )),
        })
        .collect()
}

/// Finds child `name` of the file at `shown`/`resolved`: `X/X.yaml` or
/// `X.yaml` beside it, inside `root_dir` (also once links are followed).
fn find_child(
    fs: &dyn FileSystem,
    shown: &Path,
    resolved: &Path,
    root_dir: &Path,
    name: &str,
    (file, line): (&str, u32),
) -> Result<Pending, ImportError> {
    let rel = [format!("{name}/{name}.yaml"), format!("{name}.yaml")];
    let shown_dir = shown.parent().unwrap_or(Path::new(""));
    let dir = resolved.parent().unwrap_or(Path::new(""));
    let escape = |to: &Path| {
        ImportError::coded(
            Code::PathEscape,
            file,
            Some(line),
            format!(
                "child `{name}` leaves the root file's directory (it resolves to {})",
                display(to)
            ),
        )
    };
    for r in &rel {
        let lexical = normalise(&dir.join(r));
        if !lexical.starts_with(root_dir) {
            return Err(escape(&lexical));
        }
        if !is_file(fs, &lexical) {
            continue;
        }
        let canon = fs
            .canonicalize(&lexical)
            .map_err(|e| ImportError::coded(Code::Io, file, Some(line), e.to_string()))?;
        if !canon.starts_with(root_dir) {
            return Err(escape(&canon));
        }
        return Ok(Pending {
            shown: shown_dir.join(r),
            resolved: canon,
            parent: None,
        });
    }
    Err(ImportError::coded(
        Code::MissingFile,
        file,
        Some(line),
        format!(
            "child `{name}` not found: looked for {} and {}",
            display(&shown_dir.join(&rel[0])),
            display(&shown_dir.join(&rel[1]))
        ),
    ))
}

/// The id in `{REFID: X}` (or a bare string).
fn refid(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.trim().to_string()),
        Value::Map(_) => node
            .get("REFID")
            .and_then(Node::as_text)
            .map(|s| s.trim().to_string()),
        _ => None,
    }
}

/// What an element is, for reference checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Objective,
    Asset,
    Attacker,
    Assumption,
    Threat,
    Countermeasure,
}

impl Kind {
    /// Prefix of the ids given to elements without one.
    fn prefix(self) -> &'static str {
        match self {
            Kind::Objective => "OBJECTIVE",
            Kind::Asset => "ASSET",
            Kind::Attacker => "ATTACKER",
            Kind::Assumption => "ASSUMPTION",
            Kind::Threat => "THREAT",
            Kind::Countermeasure => "COUNTERMEASURE",
        }
    }

    fn with_article(self) -> String {
        let n = self.name();
        let article = if n.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {n}")
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Objective => "security objective",
            Kind::Asset => "asset",
            Kind::Attacker => "attacker",
            Kind::Assumption => "assumption",
            Kind::Threat => "threat",
            Kind::Countermeasure => "countermeasure",
        }
    }
}

/// An element with an id, found anywhere in the tree.
#[derive(Debug, Clone)]
struct Entry {
    model: usize,
    kind: Kind,
    /// tmkit id (sanitised, unique in its model).
    id: String,
    /// Countermeasures: in place?
    in_place: bool,
    /// Title, for descriptions that name it.
    title: String,
    /// Where it is defined (1-based line and column).
    line: u32,
    column: u32,
}

/// What a threat's countermeasures say.
struct Countermeasures {
    /// References to shared mitigations, in order, once each.
    refs: Vec<String>,
    /// Inline mitigations (without an id).
    inline: Vec<Yaml>,
    controls_in_place: usize,
    /// False when any is not in place or cannot be resolved.
    all_in_place: bool,
}

impl Countermeasures {
    fn count(&mut self, in_place: bool) {
        if in_place {
            self.controls_in_place += 1;
        } else {
            self.all_in_place = false;
        }
    }
}

struct Converter {
    models: Vec<SourceModel>,
    /// tmkit model id per source model.
    model_ids: Vec<String>,
    /// Qualified id per model.
    model_qids: Vec<String>,
    /// Source id -> entries with that id.
    by_id: HashMap<String, Vec<usize>>,
    entries: Vec<Entry>,
    /// (model, node line, source id) -> entry index, for definitions.
    defined_at: HashMap<(usize, u32, u32), usize>,
    warnings: Vec<ImportWarning>,
}

impl Converter {
    fn new(models: Vec<SourceModel>) -> Self {
        Converter {
            models,
            model_ids: Vec::new(),
            model_qids: Vec::new(),
            by_id: HashMap::new(),
            entries: Vec::new(),
            defined_at: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, model: usize, line: u32, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            file: self.models[model].file.clone(),
            line: (line > 0).then_some(line),
            message: message.into(),
        });
    }

    fn run(mut self) -> ImportOutput {
        // Elements first: a component's id must not collide with its parent's elements.
        self.index_elements();
        self.assign_model_ids();
        let mut files = Vec::new();
        let mut threats = Vec::new();
        for m in 0..self.models.len() {
            let (doc, mut t) = self.convert_model(m);
            files.push(OutputFile {
                path: self.output_path(m),
                contents: to_string(&doc),
            });
            threats.append(&mut t);
        }
        let sources = (self.entries.iter())
            .map(|e| {
                let place = SourcePlace {
                    file: self.models[e.model].file.clone(),
                    line: e.line,
                    column: e.column,
                };
                (format!("{}.{}", self.model_qids[e.model], e.id), place)
            })
            .collect();
        ImportOutput {
            files,
            warnings: self.warnings,
            threats,
            sources,
            inputs: (self.models.into_iter())
                .map(|m| (m.file, m.text))
                .collect(),
        }
    }

    /// Output path of a model: the root is `threatmodel.yaml`, a child lives in
    /// a directory named after its id below its parent's directory.
    fn output_path(&self, m: usize) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(m);
        while let Some(c) = cur {
            if self.models[c].parent.is_some() {
                parts.push(self.model_ids[c].clone());
            }
            cur = self.models[c].parent;
        }
        parts.reverse();
        parts.push("threatmodel.yaml".into());
        parts.join("/")
    }

    fn assign_model_ids(&mut self) {
        for m in 0..self.models.len() {
            let doc = &self.models[m].doc;
            let (raw, line) = match doc.get("ID") {
                Some(n) => (n.as_text().unwrap_or_default(), n.line),
                None => (String::new(), doc.line),
            };
            let mut id = if raw.trim().is_empty() {
                let stem = Path::new(&self.models[m].file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "MODEL".into());
                let id = sanitise_id(&stem);
                self.warn(
                    m,
                    line,
                    format!("the model has no `ID`; using `{id}` from the file name"),
                );
                id
            } else {
                let id = sanitise_id(&raw);
                if id != raw.trim() {
                    self.warn(
                        m,
                        line,
                        format!("model ID `{raw}` is not a valid tmkit id; using `{id}`"),
                    );
                }
                id
            };
            // Component directories must not collide among siblings.
            if let Some(p) = self.models[m].parent {
                let mut siblings: Vec<String> = self.models[p]
                    .children
                    .iter()
                    .filter(|&&c| c < m)
                    .map(|&c| self.model_ids[c].to_ascii_lowercase())
                    .collect();
                // The component's qualified id must not be one of the parent's elements.
                siblings.extend(
                    self.entries
                        .iter()
                        .filter(|e| e.model == p)
                        .map(|e| e.id.to_ascii_lowercase()),
                );
                let base = id.clone();
                let mut n = 2;
                while siblings.contains(&id.to_ascii_lowercase()) {
                    id = format!("{base}_{n}");
                    n += 1;
                }
                if id != base {
                    self.warn(
                        m,
                        line,
                        format!("model ID `{base}` is already used by a sibling or an element of the parent; using `{id}`"),
                    );
                }
            }
            let qid = match self.models[m].parent {
                Some(p) => format!("{}.{}", self.model_qids[p], id),
                None => id.clone(),
            };
            self.model_ids.push(id);
            self.model_qids.push(qid);
        }
    }

    /// Registers every element with an id, so references resolve across files.
    fn index_elements(&mut self) {
        for m in 0..self.models.len() {
            let mut used: HashSet<String> = HashSet::new();
            let mut found: Vec<(Kind, Node)> = Vec::new();
            let doc = self.models[m].doc.clone();
            if let Some(scope) = doc.get("scope") {
                for (key, kind) in [
                    ("securityObjectives", Kind::Objective),
                    ("assets", Kind::Asset),
                    ("attackers", Kind::Attacker),
                    ("assumptions", Kind::Assumption),
                ] {
                    if let Some(list) = scope.get(key) {
                        for item in list.items() {
                            found.push((kind, item.clone()));
                        }
                    }
                }
            }
            if let Some(threats) = doc.get("threats") {
                for t in threats.items() {
                    found.push((Kind::Threat, t.clone()));
                    if let Some(cms) = t.get("countermeasures") {
                        for cm in cms.items() {
                            if cm.get("REFID").is_none() && cm.get("ID").is_some() {
                                found.push((Kind::Countermeasure, cm.clone()));
                            }
                        }
                    }
                }
            }
            for (kind, node) in found {
                self.index_element(m, kind, &node, &mut used);
            }
        }
    }

    /// Registers one element of model `m`; `used` holds the ids taken in
    /// its file.
    fn index_element(&mut self, m: usize, kind: Kind, node: &Node, used: &mut HashSet<String>) {
        let given = node
            .get("ID")
            .and_then(Node::as_text)
            .filter(|r| !r.trim().is_empty());
        let generated = given.is_none();
        let raw = match given {
            Some(r) => r.trim().to_string(),
            // Elements without an ID are still imported (so counts
            // match), under an id made from their kind and line.
            None if matches!(node.value, Value::Map(_)) => {
                format!("{}_{}", kind.prefix(), node.line)
            }
            None => return,
        };
        let mut id = sanitise_id(&raw);
        if generated {
            self.warn(
                m,
                node.line,
                format!("{} without an `ID`; imported as `{id}`", kind.name()),
            );
        } else if id != raw {
            self.warn(
                m,
                node.line,
                format!(
                    "{} ID `{raw}` is not a valid tmkit id; using `{id}`",
                    kind.name()
                ),
            );
        }
        let base = id.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        if id != base {
            self.warn(
                m,
                node.line,
                format!(
                    "{} ID `{raw}` is used twice in this file; renamed to `{id}`",
                    kind.name()
                ),
            );
        }
        used.insert(id.clone());
        let in_place = node.get("inPlace").and_then(Node::as_bool).unwrap_or(false);
        let title = node
            .get("title")
            .and_then(Node::as_text)
            .or_else(|| node.get("description").and_then(Node::as_text))
            .unwrap_or_else(|| raw.clone());
        let index = self.entries.len();
        self.entries.push(Entry {
            model: m,
            kind,
            id,
            in_place,
            title: one_line(&title),
            line: node.line,
            column: node.column,
        });
        if !generated {
            self.by_id.entry(raw).or_default().push(index);
        }
        self.defined_at.insert((m, node.line, node.column), index);
    }

    /// Resolves a REFID from model `m`: same file, then ancestors nearest
    /// first, then the first in tree order.
    fn resolve(
        &mut self,
        m: usize,
        raw: &str,
        want: &[Kind],
        line: u32,
        what: &str,
    ) -> Option<usize> {
        let lookup = |id: &str| -> Vec<usize> {
            self.by_id
                .get(id)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&e| want.contains(&self.entries[e].kind))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut candidates = lookup(raw);
        // A qualified reference (`PARENT.CHILD.ID`): the local ID, preferably
        // in the model named just before it.
        if candidates.is_empty() {
            if let Some((prefix, last)) = raw.rsplit_once('.') {
                candidates = lookup(last);
                let hint = sanitise_id(prefix.rsplit('.').next().unwrap_or(prefix));
                let narrowed: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&e| self.model_ids[self.entries[e].model] == hint)
                    .collect();
                if !narrowed.is_empty() {
                    candidates = narrowed;
                }
            }
        }
        if candidates.is_empty() {
            let other_kind = self
                .by_id
                .get(raw)
                .and_then(|v| v.first())
                .map(|&e| self.entries[e].kind);
            let msg = match other_kind {
                Some(k) => format!(
                    "{what} `{raw}` is {}, not {}; dropped",
                    k.with_article(),
                    want[0].with_article()
                ),
                None => format!(
                    "{what} `{raw}` does not resolve to any {} in the tree; dropped",
                    want[0].name()
                ),
            };
            self.warn(m, line, msg);
            return None;
        }
        let mut chain = vec![m];
        let mut cur = self.models[m].parent;
        while let Some(p) = cur {
            chain.push(p);
            cur = self.models[p].parent;
        }
        for owner in &chain {
            if let Some(&e) = candidates
                .iter()
                .find(|&&e| self.entries[e].model == *owner)
            {
                return Some(e);
            }
        }
        if candidates.len() > 1 {
            let files: Vec<String> = candidates
                .iter()
                .map(|&e| self.models[self.entries[e].model].file.clone())
                .collect();
            self.warn(
                m,
                line,
                format!(
                    "{what} `{raw}` is defined in several files ({}); using the first",
                    files.join(", ")
                ),
            );
        }
        Some(candidates[0])
    }

    /// How model `m` writes a reference to an entry.
    fn reference(&self, m: usize, e: usize) -> String {
        let entry = &self.entries[e];
        if entry.model == m {
            entry.id.clone()
        } else {
            format!("{}.{}", self.model_qids[entry.model], entry.id)
        }
    }

    fn check_keys(&mut self, m: usize, node: &Node, known: &[&str], what: &str) {
        let unknown: Vec<(String, u32)> = node
            .entries()
            .iter()
            .filter(|(k, _, _)| !known.contains(&k.as_str()))
            .map(|(k, l, _)| (k.clone(), *l))
            .collect();
        for (k, l) in unknown {
            self.warn(
                m,
                l,
                format!("field `{k}` of {what} has no tmkit equivalent; not imported"),
            );
        }
    }

    fn text(&mut self, m: usize, node: &Node, key: &str, what: &str) -> Option<String> {
        let n = node.get(key)?;
        if n.is_null() {
            return None;
        }
        match n.as_text() {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(s),
            None => {
                self.warn(
                    m,
                    n.line,
                    format!(
                        "`{key}` of {what} should be text, found {}; not imported",
                        n.type_name()
                    ),
                );
                None
            }
        }
    }

    fn entry_for(&self, m: usize, node: &Node) -> Option<usize> {
        self.defined_at.get(&(m, node.line, node.column)).copied()
    }

    fn convert_model(&mut self, m: usize) -> (Yaml, Vec<crate::files::ImportedThreat>) {
        let doc = self.models[m].doc.clone();
        self.check_keys(
            m,
            &doc,
            &[
                "ID", "title", "version", "authors", "scope", "analysis", "threats", "children",
            ],
            "the model",
        );
        let title = match self.text(m, &doc, "title", "the model") {
            Some(t) => one_line(&t),
            None => {
                self.warn(m, doc.line, "the model has no `title`; using its ID");
                self.model_ids[m].clone()
            }
        };
        let version = doc.get("version").and_then(Node::as_text);
        let authors = authors(&doc);
        let scope = doc.get("scope").cloned().unwrap_or_else(Node::null);
        self.check_keys(
            m,
            &scope,
            &[
                "description",
                "securityObjectives",
                "assets",
                "attackers",
                "assumptions",
            ],
            "`scope`",
        );
        let description = self.model_description(m, &doc, &scope);

        let requirements = self.convert_objectives(m, &scope);
        let assets = self.convert_assets(m, &scope);
        let attackers = self.convert_attackers(m, &scope);
        let assumptions = self.convert_assumptions(m, &scope);
        let (mitigations, threats, imported) = self.convert_threats(m, &doc);

        let scope_map = MapBuilder::new()
            .put(
                "abstraction",
                MapBuilder::new().str("taxonomy", "STRIDE").build(),
            )
            .seq("requirements", requirements)
            .seq("assets", assets)
            .seq("attackers", attackers)
            .seq("assumptions", assumptions)
            .build();
        let components: Vec<Yaml> = self.models[m]
            .children
            .clone()
            .into_iter()
            .map(|c| {
                MapBuilder::new()
                    .str("path", format!("{}/threatmodel.yaml", self.model_ids[c]))
                    .build()
            })
            .collect();
        let out = MapBuilder::new()
            .put("tmkit", Yaml::Num(1.0))
            .str("id", self.model_ids[m].clone())
            .str("title", title)
            .opt_str("version", version)
            .strs("authors", &authors)
            .opt_str("description", description)
            .put("scope", scope_map)
            .seq("mitigations", mitigations)
            .seq("threats", threats)
            .seq("components", components)
            .build();
        (out, imported)
    }

    /// The model's description: `scope.description`, then `analysis` (text,
    /// or a list of paragraphs) under a heading.
    fn model_description(&mut self, m: usize, doc: &Node, scope: &Node) -> Option<String> {
        let mut description = self.text(m, scope, "description", "`scope`");
        if let Some(analysis) = doc.get("analysis") {
            // Text, or a list of paragraphs.
            let text = match &analysis.value {
                Value::Seq(items) if items.iter().all(|i| i.as_text().is_some()) => Some(
                    items
                        .iter()
                        .filter_map(Node::as_text)
                        .map(|t| t.trim_end().to_string())
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                ),
                _ => analysis.as_text(),
            };
            if let Some(a) = text.filter(|a| !a.trim().is_empty()) {
                description = Some(join_paragraphs([
                    description,
                    Some(format!("## Analysis\n\n{}", a.trim_end())),
                ]));
            } else if !analysis.is_null() {
                self.warn(
                    m,
                    analysis.line,
                    format!(
                        "`analysis` is {}, not text; not imported",
                        analysis.type_name()
                    ),
                );
            }
        }
        description
    }

    fn list<'a>(&mut self, m: usize, scope: &'a Node, key: &str) -> Vec<&'a Node> {
        let Some(list) = scope.get(key) else {
            return vec![];
        };
        if !list.is_null() && !matches!(list.value, Value::Seq(_)) {
            self.warn(
                m,
                list.line,
                format!(
                    "`{key}` should be a list, found {}; not imported",
                    list.type_name()
                ),
            );
            return vec![];
        }
        let mut out = Vec::new();
        for item in list.items() {
            if matches!(item.value, Value::Map(_)) {
                out.push(item);
            } else {
                self.warn(
                    m,
                    item.line,
                    format!(
                        "an entry of `{key}` is {}, not a mapping; not imported",
                        item.type_name()
                    ),
                );
            }
        }
        out
    }

    /// The tmkit id of a definition; warns and skips entries without `ID`.
    fn defined_id(&mut self, m: usize, node: &Node, what: &str) -> Option<String> {
        match self.entry_for(m, node) {
            Some(e) => Some(self.entries[e].id.clone()),
            None => {
                self.warn(
                    m,
                    node.line,
                    format!("{what} without an `ID`; not imported"),
                );
                None
            }
        }
    }

    fn title_of(&mut self, m: usize, node: &Node, id: &str, what: &str) -> String {
        match self.text(m, node, "title", what) {
            Some(t) => one_line(&t),
            None => id.to_string(),
        }
    }

    fn convert_objectives(&mut self, m: usize, scope: &Node) -> Vec<Yaml> {
        let mut out = Vec::new();
        for node in self.list(m, scope, "securityObjectives") {
            let what = "a security objective";
            self.check_keys(
                m,
                node,
                &["ID", "title", "description", "group", "contributesTo"],
                what,
            );
            let Some(id) = self.defined_id(m, node, what) else {
                continue;
            };
            let title = self.title_of(m, node, &id, what);
            let mut parts = vec![self.text(m, node, "description", what)];
            if let Some(g) = self.text(m, node, "group", what) {
                parts.push(Some(format!("Group: {g}")));
            }
            if let Some(c) = node.get("contributesTo") {
                let names = self.refs_as_names(m, c, &[Kind::Objective], "contributesTo");
                if !names.is_empty() {
                    parts.push(Some(format!("Contributes to: {}", names.join(", "))));
                }
            }
            let description = join_paragraphs(parts);
            out.push(MapBuilder::element(id, title, non_empty(description)).build());
        }
        out
    }

    /// Resolves a list of references (or one) to "title (id)" strings.
    fn refs_as_names(&mut self, m: usize, node: &Node, kinds: &[Kind], what: &str) -> Vec<String> {
        (self.resolve_all(m, node, kinds, what).into_iter())
            .map(|e| format!("{} ({})", self.entries[e].title, self.reference(m, e)))
            .collect()
    }

    /// Resolves a list of references (or one) to references from model
    /// `m`, each once.
    fn refs(&mut self, m: usize, node: Option<&Node>, kinds: &[Kind], what: &str) -> Vec<String> {
        let Some(node) = node else { return vec![] };
        let mut out: Vec<String> = Vec::new();
        for e in self.resolve_all(m, node, kinds, what) {
            let r = self.reference(m, e);
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The entries a list of references (or one) names, in order; an item
    /// that is not `{REFID: X}` or does not resolve is a warning.
    fn resolve_all(&mut self, m: usize, node: &Node, kinds: &[Kind], what: &str) -> Vec<usize> {
        let items: Vec<Node> = match &node.value {
            Value::Seq(items) => items.clone(),
            Value::Null => vec![],
            _ => vec![node.clone()],
        };
        let mut out = Vec::new();
        for item in &items {
            let Some(raw) = refid(item) else {
                self.warn(
                    m,
                    item.line,
                    format!("`{what}` entry is not {{REFID: X}}; not imported"),
                );
                continue;
            };
            out.extend(self.resolve(m, &raw, kinds, item.line, what));
        }
        out
    }

    fn out_of_scope(
        &mut self,
        m: usize,
        node: &Node,
        description: &Option<String>,
        what: &str,
        id: &str,
    ) -> Option<String> {
        let in_scope = match node.get("inScope") {
            None => true,
            Some(n) => match n.as_bool() {
                Some(b) => b,
                None => {
                    self.warn(
                        m,
                        n.line,
                        format!("`inScope` of {what} `{id}` is not a boolean; taken as in scope"),
                    );
                    true
                }
            },
        };
        if in_scope {
            return None;
        }
        Some(match description {
            Some(d) => one_line(d),
            None => {
                self.warn(m, node.line, format!("{what} `{id}` is out of scope without a stated reason; a generic reason is written"));
                "Out of scope in the source threat model (no reason given).".to_string()
            }
        })
    }

    fn convert_assets(&mut self, m: usize, scope: &Node) -> Vec<Yaml> {
        let mut out = Vec::new();
        for node in self.list(m, scope, "assets") {
            let what = "an asset";
            self.check_keys(
                m,
                node,
                &[
                    "ID",
                    "title",
                    "description",
                    "type",
                    "inScope",
                    "properties",
                ],
                what,
            );
            let Some(id) = self.defined_id(m, node, what) else {
                continue;
            };
            let title = self.title_of(m, node, &id, what);
            let mut description = self.text(m, node, "description", what);
            let type_text = self.text(m, node, "type", what);
            let kind = match &type_text {
                None => "other",
                Some(t) => match asset_kind(t) {
                    Some(k) => k,
                    None => {
                        let line = node.get("type").map_or(node.line, |n| n.line);
                        self.warn(m, line, format!("asset `{id}` has type `{t}`, which matches no tmkit asset kind; imported as `other`"));
                        "other"
                    }
                },
            };
            if let Some(t) = &type_text {
                if t.trim().eq_ignore_ascii_case("dataflow")
                    || t.trim().eq_ignore_ascii_case("data flow")
                {
                    self.warn(
                        m,
                        node.line,
                        format!("asset `{id}` is a data flow, but the source gives no endpoints; imported as an asset of kind `other`"),
                    );
                }
            }
            if let Some(props) = node.get("properties") {
                if let Some(md) = properties_markdown(props) {
                    description = non_empty(join_paragraphs([description, Some(md)]));
                }
            }
            let reason = self.out_of_scope(m, node, &description, "asset", &id);
            let b = MapBuilder::element(id, title, description).str("kind", kind);
            out.push(b.scope(reason.is_none(), reason).build());
        }
        out
    }

    fn convert_attackers(&mut self, m: usize, scope: &Node) -> Vec<Yaml> {
        let mut out = Vec::new();
        for node in self.list(m, scope, "attackers") {
            let what = "an attacker";
            self.check_keys(m, node, &["ID", "title", "description", "inScope"], what);
            let Some(id) = self.defined_id(m, node, what) else {
                continue;
            };
            let title = self.title_of(m, node, &id, what);
            let description = self.text(m, node, "description", what);
            let reason = self.out_of_scope(m, node, &description, "attacker", &id);
            let b = MapBuilder::element(id, title, description);
            out.push(b.scope(reason.is_none(), reason).build());
        }
        out
    }

    fn convert_assumptions(&mut self, m: usize, scope: &Node) -> Vec<Yaml> {
        let mut out = Vec::new();
        for node in self.list(m, scope, "assumptions") {
            let what = "an assumption";
            self.check_keys(m, node, &["ID", "title", "description"], what);
            let Some(id) = self.defined_id(m, node, what) else {
                continue;
            };
            let text = self.text(m, node, "description", what);
            let title = self.text(m, node, "title", what);
            let (title, description) = match (title, text) {
                (Some(t), d) => (one_line(&t), d),
                (None, Some(d)) => {
                    let first = one_line(&d);
                    if first.chars().count() <= 120 && !d.trim().contains('\n') {
                        (first, None)
                    } else {
                        (shorten(&first, 100), Some(d))
                    }
                }
                (None, None) => (id.clone(), None),
            };
            out.push(MapBuilder::element(id, title, description).build());
        }
        out
    }

    /// Converts threats; countermeasures defined inline become shared
    /// mitigations of this model.
    fn convert_threats(
        &mut self,
        m: usize,
        doc: &Node,
    ) -> (Vec<Yaml>, Vec<Yaml>, Vec<crate::files::ImportedThreat>) {
        let mut mitigations = Vec::new();
        let mut threats = Vec::new();
        let mut imported = Vec::new();
        let Some(list) = doc.get("threats") else {
            return (mitigations, threats, imported);
        };
        if !list.is_null() && !matches!(list.value, Value::Seq(_)) {
            self.warn(
                m,
                list.line,
                format!(
                    "`threats` should be a list, found {}; not imported",
                    list.type_name()
                ),
            );
            return (mitigations, threats, imported);
        }
        for node in list.items() {
            if let Some((threat, source)) = self.convert_threat(m, node, &mut mitigations) {
                threats.push(threat);
                imported.push(source);
            }
        }
        (mitigations, threats, imported)
    }

    /// One threat; its inline countermeasures with an id are added to
    /// `mitigations`.
    fn convert_threat(
        &mut self,
        m: usize,
        node: &Node,
        mitigations: &mut Vec<Yaml>,
    ) -> Option<(Yaml, crate::files::ImportedThreat)> {
        if !matches!(node.value, Value::Map(_)) {
            self.warn(
                m,
                node.line,
                format!(
                    "a threat is {}, not a mapping; not imported",
                    node.type_name()
                ),
            );
            return None;
        }
        let what = "a threat";
        self.check_keys(
            m,
            node,
            &[
                "ID",
                "title",
                "attack",
                "threatType",
                "impactDesc",
                "impactedSecObj",
                "attackers",
                "assets",
                "CVSS",
                "fullyMitigated",
                "ticketLink",
                "public",
                "countermeasures",
            ],
            what,
        );
        let id = self.defined_id(m, node, what)?;
        let title = self.title_of(m, node, &id, what);
        let categories = self.categories(m, node, &id);
        let targets = self.refs(m, node.get("assets"), &[Kind::Asset], "assets");
        let attackers = self.refs(m, node.get("attackers"), &[Kind::Attacker], "attackers");
        let (cvss, cvss_note) = self.cvss(m, node, &id);
        let ticket = self.text(m, node, "ticketLink", what);
        let confidential = self.public_flag(m, node, &id) == Some(false);
        let description = self.threat_description(m, node, cvss_note);
        let cms = self.countermeasures(m, node, &id, mitigations);
        let fully = match node.get("fullyMitigated") {
            None => None,
            Some(n) => match n.as_bool() {
                Some(b) => Some(b),
                None => {
                    self.warn(
                        m,
                        n.line,
                        format!(
                            "`fullyMitigated` of threat `{id}` is not a boolean; taken as false"
                        ),
                    );
                    Some(false)
                }
            },
        };
        let mut items: Vec<Yaml> = cms.refs.into_iter().map(Yaml::Str).collect();
        items.extend(cms.inline);
        let all_in_place = cms.all_in_place;
        let ours_mitigated = cms.controls_in_place > 0 && all_in_place;
        let source_mitigated = fully == Some(true) && all_in_place;
        if fully == Some(true) && !all_in_place {
            self.warn(
                m,
                node.line,
                format!("threat `{id}` is marked fullyMitigated although a countermeasure is not in place; imported as not mitigated"),
            );
        }
        if source_mitigated != ours_mitigated {
            items.push(self.status_mitigation(m, node, &id, fully, &ticket));
        }
        let threat = MapBuilder::element(id.clone(), title, description)
            .strs("categories", &categories)
            .strs("targets", &targets)
            .strs("attackers", &attackers)
            .opt_str("cvss", cvss)
            .opt_str("ticket", ticket)
            .flag("confidential", confidential)
            .seq("mitigations", items)
            .build();
        let source = crate::files::ImportedThreat {
            qid: format!("{}.{}", self.model_qids[m], id),
            mitigated_in_source: source_mitigated,
        };
        Some((threat, source))
    }

    /// A threat's description: the attack, its impact, the objectives it
    /// harms and what the CVSS data says.
    fn threat_description(
        &mut self,
        m: usize,
        node: &Node,
        cvss_note: Option<String>,
    ) -> Option<String> {
        let what = "a threat";
        let mut parts = vec![self.text(m, node, "attack", what)];
        if let Some(i) = self.text(m, node, "impactDesc", what) {
            parts.push(Some(format!("**Impact:** {}", i.trim_end())));
        }
        if let Some(objs) = node.get("impactedSecObj") {
            let names = self.refs_as_names(m, objs, &[Kind::Objective], "impactedSecObj");
            if !names.is_empty() {
                parts.push(Some(format!(
                    "**Impacted security objectives:** {}",
                    names.join(", ")
                )));
            }
        }
        parts.push(cvss_note);
        non_empty(join_paragraphs(parts))
    }

    /// The countermeasures of threat `id`: references, inline ones without an
    /// id, and whether they are in place.
    fn countermeasures(
        &mut self,
        m: usize,
        node: &Node,
        id: &str,
        mitigations: &mut Vec<Yaml>,
    ) -> Countermeasures {
        let mut out = Countermeasures {
            refs: Vec::new(),
            inline: Vec::new(),
            controls_in_place: 0,
            all_in_place: true,
        };
        let Some(cms) = node.get("countermeasures") else {
            return out;
        };
        if !cms.is_null() && !matches!(cms.value, Value::Seq(_)) {
            self.warn(
                m,
                cms.line,
                format!("`countermeasures` of threat `{id}` should be a list; not imported"),
            );
            out.all_in_place = false;
        }
        for cm in cms.items() {
            if let Some(raw) = cm.get("REFID").and_then(Node::as_text) {
                match self.resolve(
                    m,
                    raw.trim(),
                    &[Kind::Countermeasure],
                    cm.line,
                    "countermeasure",
                ) {
                    Some(e) => {
                        let r = self.reference(m, e);
                        out.count(self.entries[e].in_place);
                        if !out.refs.contains(&r) {
                            out.refs.push(r);
                        }
                    }
                    None => out.all_in_place = false,
                }
            } else if matches!(cm.value, Value::Map(_)) {
                let (yaml, in_place) = self.convert_countermeasure(m, cm);
                out.count(in_place);
                match self.entry_for(m, cm) {
                    Some(e) => {
                        out.refs.push(self.entries[e].id.clone());
                        mitigations.push(yaml);
                    }
                    None => out.inline.push(yaml),
                }
            } else {
                self.warn(
                    m,
                    cm.line,
                    "a countermeasure is neither {REFID: X} nor a mapping; counted as not in place",
                );
                out.all_in_place = false;
            }
        }
        out
    }

    /// The mitigation added when the source's `fullyMitigated` and the
    /// countermeasures disagree, so that the status stays conservative.
    fn status_mitigation(
        &mut self,
        m: usize,
        node: &Node,
        id: &str,
        fully: Option<bool>,
        ticket: &Option<String>,
    ) -> Yaml {
        if fully == Some(true) {
            self.warn(
                m,
                node.line,
                format!("threat `{id}` is marked fullyMitigated without any countermeasure; an in-place mitigation recording that is added"),
            );
            return MapBuilder::new()
                .str(
                    "title",
                    "Marked fully mitigated in the source threat model (no countermeasure named)",
                )
                .str("kind", "design")
                .put("in_place", Yaml::Bool(true))
                .build();
        }
        let why = if fully.is_none() {
            "does not say it is fully mitigated"
        } else {
            "marks it not fully mitigated"
        };
        self.warn(
            m,
            node.line,
            format!("threat `{id}`: every countermeasure is in place but the source {why}; a planned mitigation is added so it stays partial"),
        );
        MapBuilder::new()
            .str(
                "title",
                format!("The source threat model {why} although every countermeasure is in place"),
            )
            .str("kind", "design")
            .put("in_place", Yaml::Bool(false))
            .opt_str("ticket", ticket.clone())
            .build()
    }

    fn public_flag(&mut self, m: usize, node: &Node, id: &str) -> Option<bool> {
        let n = node.get("public")?;
        let b = n.as_bool();
        if b.is_none() && !n.is_null() {
            self.warn(
                m,
                n.line,
                format!("`public` of `{id}` is not a boolean; taken as not public"),
            );
            return Some(false);
        }
        b
    }

    /// Returns the mitigation YAML and whether it is in place.
    fn convert_countermeasure(&mut self, m: usize, node: &Node) -> (Yaml, bool) {
        let what = "a countermeasure";
        self.check_keys(
            m,
            node,
            &[
                "ID",
                "title",
                "description",
                "inPlace",
                "public",
                "operational",
                "operator",
            ],
            what,
        );
        let id = self.entry_for(m, node).map(|e| self.entries[e].id.clone());
        let label = id.clone().unwrap_or_else(|| "(no ID)".into());
        let title = match self.text(m, node, "title", what) {
            Some(t) => one_line(&t),
            None => match self.text(m, node, "description", what) {
                Some(d) => shorten(&one_line(&d), 100),
                None => {
                    self.warn(
                        m,
                        node.line,
                        "a countermeasure has neither title nor description",
                    );
                    label.clone()
                }
            },
        };
        let description = self.text(m, node, "description", what);
        let in_place = match node.get("inPlace") {
            None => false,
            Some(n) => n.as_bool().unwrap_or_else(|| {
                self.warn(
                    m,
                    n.line,
                    format!(
                        "`inPlace` of countermeasure `{label}` is not a boolean; taken as false"
                    ),
                );
                false
            }),
        };
        let operational = node
            .get("operational")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        let operator = self.text(m, node, "operator", what);
        let confidential = self.public_flag(m, node, &label) == Some(false);
        let mut b = MapBuilder::new()
            .opt_str("id", id)
            .str("title", title.clone());
        if description.as_deref().map(one_line).as_deref() != Some(title.as_str()) {
            b = b.opt_str("description", description);
        }
        let b = b
            .str("kind", if operational { "operational" } else { "design" })
            .opt_str("operator", operator)
            .put("in_place", Yaml::Bool(in_place));
        (b.build_confidential(confidential), in_place)
    }

    fn categories(&mut self, m: usize, node: &Node, id: &str) -> Vec<String> {
        let mut words: Vec<(String, u32)> = Vec::new();
        match node.get("threatType") {
            None => {}
            Some(n) => match &n.value {
                Value::Seq(items) => {
                    for i in items {
                        if let Some(t) = i.as_text() {
                            words.extend(
                                t.split([',', ';', '/', '|'])
                                    .map(|w| (w.to_string(), i.line)),
                            );
                        }
                    }
                }
                _ => {
                    if let Some(t) = n.as_text() {
                        words.extend(
                            t.split([',', ';', '/', '|'])
                                .map(|w| (w.to_string(), n.line)),
                        );
                    }
                }
            },
        }
        let mut out: Vec<String> = Vec::new();
        for (w, line) in words {
            if w.trim().is_empty() {
                continue;
            }
            let c = match stride_category(&w) {
                Some(c) => c,
                None => {
                    self.warn(m, line, format!("threat `{id}` has threatType `{}`, which is not a STRIDE category; imported as `other`", w.trim()));
                    "other"
                }
            };
            if !out.iter().any(|x| x == c) {
                out.push(c.to_string());
            }
        }
        if out.is_empty() {
            self.warn(
                m,
                node.line,
                format!("threat `{id}` has no threatType; imported with category `other`"),
            );
            out.push("other".into());
        }
        out
    }

    /// The CVSS vector to write, and a note for the description when some of
    /// the source's CVSS could not be carried over.
    fn cvss(&mut self, m: usize, node: &Node, id: &str) -> (Option<String>, Option<String>) {
        let Some(c) = node.get("CVSS") else {
            return (None, None);
        };
        let (vector, base, line) = match &c.value {
            Value::Map(_) => (
                c.get("vector")
                    .and_then(Node::as_text)
                    .filter(|v| !v.trim().is_empty()),
                c.get("base").and_then(|b| {
                    if b.is_null() {
                        None
                    } else {
                        Some((b.as_f64(), b.as_text(), b.line))
                    }
                }),
                c.line,
            ),
            Value::Str(s) if !s.trim().is_empty() => (Some(s.clone()), None, c.line),
            Value::Null => return (None, None),
            _ => {
                self.warn(
                    m,
                    c.line,
                    format!("`CVSS` of threat `{id}` is {}; not imported", c.type_name()),
                );
                return (None, None);
            }
        };
        if let Some(k) = c
            .entries()
            .iter()
            .find(|(k, _, _)| k != "vector" && k != "base")
        {
            self.warn(
                m,
                k.1,
                format!(
                    "field `CVSS.{}` of threat `{id}` has no tmkit equivalent; not imported",
                    k.0
                ),
            );
        }
        let Some(vector) = vector else {
            if let Some((_, text, l)) = base {
                let t = text.unwrap_or_default();
                self.warn(m, l, format!("threat `{id}` has a CVSS base score ({t}) but no vector; the score is kept in the description only"));
                return (
                    None,
                    Some(format!("CVSS base score in the source: {t} (no vector).")),
                );
            }
            return (None, None);
        };
        let vector = vector.trim().to_string();
        let scored = match tmkit_model::cvss::score(&vector) {
            Ok(s) => Some((vector.clone(), s.score)),
            Err(first) => {
                if !vector.starts_with("CVSS:") {
                    let prefixed = format!("CVSS:3.1/{vector}");
                    match tmkit_model::cvss::score(&prefixed) {
                        Ok(s) => {
                            self.warn(m, line, format!("CVSS vector of threat `{id}` has no version prefix; read as CVSS 3.1"));
                            Some((prefixed, s.score))
                        }
                        Err(_) => {
                            self.warn(m, line, format!("CVSS vector `{vector}` of threat `{id}` is invalid ({first}); kept in the description only"));
                            None
                        }
                    }
                } else {
                    self.warn(m, line, format!("CVSS vector `{vector}` of threat `{id}` is invalid ({first}); kept in the description only"));
                    None
                }
            }
        };
        match scored {
            Some((v, score)) => {
                if let Some((Some(b), _, l)) = base {
                    if !tmkit_model::cvss::scores_agree(b, score) {
                        self.warn(m, l, format!("threat `{id}`: the source's CVSS base score {b} disagrees with its vector ({score}); the vector is kept"));
                    }
                }
                (Some(v), None)
            }
            None => (
                None,
                Some(format!("CVSS vector in the source (invalid): `{vector}`")),
            ),
        }
    }
}

/// The authors: a list, or one text of names separated by `,` or `;`.
fn authors(doc: &Node) -> Vec<String> {
    match doc.get("authors") {
        None => vec![],
        Some(n) => match &n.value {
            Value::Seq(items) => items.iter().filter_map(Node::as_text).collect(),
            Value::Null => vec![],
            _ => n
                .as_text()
                .map(|s| {
                    s.split([',', ';'])
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        },
    }
}

/// Maps a STRIDE word (or letter) to its tmkit category.
pub(crate) fn stride_category(word: &str) -> Option<&'static str> {
    let w = word.trim();
    let squashed: String = w
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match squashed.as_str() {
        "s" | "spoofing" | "spoof" | "spoofingidentity" => "spoofing",
        "t" | "tampering" | "tamper" | "tamperingwithdata" => "tampering",
        "r" | "repudiation" | "repudiate" => "repudiation",
        "i" | "informationdisclosure" | "infodisclosure" | "disclosure" | "informationleakage" => {
            "information-disclosure"
        }
        "d" | "denialofservice" | "dos" | "ddos" => "denial-of-service",
        "e" | "elevationofprivilege" | "elevationofprivileges" | "privilegeescalation" | "eop" => {
            "elevation-of-privilege"
        }
        _ => return None,
    })
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

fn join_paragraphs(parts: impl IntoIterator<Item = Option<String>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(|p| p.trim_end().to_string())
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Asset properties (a mapping or a list) as a Markdown list.
fn properties_markdown(node: &Node) -> Option<String> {
    fn scalar(n: &Node) -> String {
        match &n.value {
            Value::Seq(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, _, v)| format!("{k}: {}", scalar(v)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
            _ => one_line(&n.as_text().unwrap_or_default()),
        }
    }
    let lines: Vec<String> = match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, _, v)| format!("- {k}: {}", scalar(v)))
            .collect(),
        Value::Seq(items) => items.iter().map(|i| format!("- {}", scalar(i))).collect(),
        Value::Null => vec![],
        _ => vec![format!("- {}", scalar(node))],
    };
    if lines.is_empty() {
        None
    } else {
        Some(format!("Properties:\n\n{}", lines.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_words_map() {
        assert_eq!(
            stride_category("Information Disclosure"),
            Some("information-disclosure")
        );
        assert_eq!(
            stride_category(" denial of service "),
            Some("denial-of-service")
        );
        assert_eq!(
            stride_category("Elevation of Privilege"),
            Some("elevation-of-privilege")
        );
        assert_eq!(stride_category("S"), Some("spoofing"));
        assert_eq!(stride_category("Privacy"), None);
    }
}
