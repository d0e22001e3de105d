//! `tmkit sync`'s write-back: ticket keys and accepted closures written into
//! the model files through the shared editing module
//! ([`tmkit_syntax::edit`]), byte for byte outside the inserted text. The
//! tracker side is the `tmkit-sync` crate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use tmkit_model::{ElementRef, Model};
use tmkit_syntax::Files;
use tmkit_syntax::edit::{self, Edit, Step};
use tmkit_syntax::node::{self, Limits, Node, Value};

/// What to write into the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBack {
    /// `ticket:` of an element (qualified id, ticket key or URL).
    pub tickets: Vec<(String, String)>,
    /// Mitigations to mark in place, with the closed ticket as evidence
    /// (`--accept-closed`): (mitigation qualified id, ticket).
    pub accepted: Vec<(String, String)>,
}

/// Where an element is written in its file: a path from the document root.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathStep {
    Key(&'static str),
    Index(usize),
}

fn steps(p: &[PathStep]) -> Vec<Step<'_>> {
    p.iter()
        .map(|s| match s {
            PathStep::Key(k) => Step::Key(k),
            PathStep::Index(i) => Step::Index(*i),
        })
        .collect()
}

fn map_get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    match &n.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        _ => None,
    }
}

fn seq(n: Option<&Node>) -> &[Node] {
    match n.map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn id_of(n: &Node) -> Option<&str> {
    match map_get(n, "id").map(|v| &v.value) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// The path of the threat with local id `id`.
fn threat_path(root: &Node, id: &str) -> Option<Vec<PathStep>> {
    let i = seq(map_get(root, "threats"))
        .iter()
        .position(|t| id_of(t) == Some(id))?;
    Some(vec![PathStep::Key("threats"), PathStep::Index(i)])
}

/// The path of the mitigation with local id `id`: shared, inline with an
/// id, or inline without one (`<threat id>/m<n>`, the n-th inline mapping).
fn mitigation_path(root: &Node, id: &str) -> Option<Vec<PathStep>> {
    if let Some(i) = seq(map_get(root, "mitigations"))
        .iter()
        .position(|m| id_of(m) == Some(id))
    {
        return Some(vec![PathStep::Key("mitigations"), PathStep::Index(i)]);
    }
    for (ti, t) in seq(map_get(root, "threats")).iter().enumerate() {
        let list = seq(map_get(t, "mitigations"));
        let inline: Vec<usize> = (0..list.len())
            .filter(|&j| matches!(list[j].value, Value::Map(_)))
            .collect();
        let found = inline
            .iter()
            .copied()
            .find(|&j| id_of(&list[j]) == Some(id))
            .or_else(|| {
                let (tid, n) = id.rsplit_once("/m")?;
                let n: usize = n.parse().ok()?;
                (id_of(t) == Some(tid)).then(|| inline.get(n.checked_sub(1)?).copied())?
            });
        if let Some(j) = found {
            return Some(vec![
                PathStep::Key("threats"),
                PathStep::Index(ti),
                PathStep::Key("mitigations"),
                PathStep::Index(j),
            ]);
        }
    }
    None
}

/// What to write at one element.
enum Job<'a> {
    /// `ticket: VALUE` on a threat or mitigation.
    Ticket(&'a str),
    /// `in_place: true` and an evidence entry `{ticket: VALUE}`.
    Accept(&'a str),
}

/// The file (relative path) and the local id of element `qid`, and whether
/// it is a threat.
fn element(
    model: &Model,
    index: &tmkit_model::ModelIndexTable,
    qid: &str,
) -> Option<(String, String, bool)> {
    match index.get(qid)? {
        ElementRef::Threat(m, i) => Some((
            model.models[m].path.clone(),
            model.models[m].threats[i].id.clone(),
            true,
        )),
        ElementRef::Mitigation(m, i) => Some((
            model.models[m].path.clone(),
            model.models[m].mitigations[i].id.clone(),
            false,
        )),
        _ => None,
    }
}

/// Applies `wb` to the model's files and writes each changed file
/// atomically, only if it is unchanged on disk since it was loaded. Returns
/// the files written (as shown to the user). Nothing is written when any
/// edit cannot be made.
pub fn write_back(
    model: &Model,
    files: &Files,
    limits: &Limits,
    wb: &WriteBack,
) -> Result<Vec<String>, String> {
    let index = model.index();
    let mut jobs: Vec<(String, String, bool, Job<'_>)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let all = wb
        .tickets
        .iter()
        .map(|(q, t)| (q, Job::Ticket(t)))
        .chain(wb.accepted.iter().map(|(q, t)| (q, Job::Accept(t))));
    for (qid, job) in all {
        if !seen.insert((qid.clone(), matches!(job, Job::Accept(_)))) {
            continue;
        }
        let (rel, id, threat) = element(model, &index, qid)
            .ok_or_else(|| format!("{qid} is not a threat or mitigation of the model"))?;
        jobs.push((rel, id, threat, job));
    }
    let mut roots: BTreeMap<String, (&tmkit_syntax::SourceFile, Node)> = BTreeMap::new();
    for (rel, ..) in &jobs {
        if roots.contains_key(rel) {
            continue;
        }
        let (id, f) = files
            .iter()
            .find(|(_, f)| &f.relative == rel)
            .ok_or_else(|| format!("the model file {rel} was not loaded"))?;
        let root =
            node::parse(f, id, limits).map_err(|d| format!("{}: {}", f.display, d.message))?;
        roots.insert(rel.clone(), (f, root));
    }
    let mut edits: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    for (rel, id, threat, job) in &jobs {
        let (f, root) = &roots[rel];
        let path = if *threat {
            threat_path(root, id)
        } else {
            mitigation_path(root, id)
        }
        .ok_or_else(|| format!("{}: cannot find `{id}` in the file", f.display))?;
        let path = steps(&path);
        let err = |e: edit::EditError| format!("{}: {e}", f.display);
        let list = edits.entry(rel.as_str()).or_default();
        match job {
            Job::Ticket(t) => list.push(
                edit::set_key(&f.text, root, &path, "ticket", &edit::scalar(t)).map_err(err)?,
            ),
            Job::Accept(t) => {
                list.push(edit::set_key(&f.text, root, &path, "in_place", "true").map_err(err)?);
                let mut ev = path.clone();
                ev.push(Step::Key("evidence"));
                list.push(
                    edit::append_item(
                        &f.text,
                        root,
                        &ev,
                        &format!("ticket: {}\n", edit::scalar(t)),
                    )
                    .map_err(err)?,
                );
            }
        }
    }
    // Every file's new text first: nothing is written unless all succeed.
    let mut out: Vec<(PathBuf, String, String, &str)> = Vec::new();
    for (rel, list) in &edits {
        let (f, _) = &roots[*rel];
        let text = edit::apply(&f.text, list).map_err(|e| format!("{}: {e}", f.display))?;
        out.push((f.path.clone(), f.display.clone(), text, &f.text));
    }
    let mut written = Vec::new();
    for (path, display, text, before) in out {
        crate::output::write_model_edit(&path, before, &text)
            .map_err(|e| format!("cannot write {display}: {e}"))?;
        written.push(display);
    }
    Ok(written)
}
