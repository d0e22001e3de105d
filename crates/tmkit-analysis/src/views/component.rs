//! The component filter (`--component ID`, docs/format.md#working-on-one-component):
//! one component and its own components, as a model of its own, applied once
//! to the model before any analysis or renderer runs.

use std::collections::HashSet;
use tmkit_model::{Model, ModelIndex, ModelKind, Qid, ThreatModel};

/// `--component` names no component of the model (or several).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownComponent {
    /// The id as written.
    pub written: String,
    /// The components it could mean (several: ambiguous; none: unknown).
    pub candidates: Vec<Qid>,
    /// Every analysed model's qualified id, root first.
    pub known: Vec<Qid>,
}

impl std::fmt::Display for UnknownComponent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.candidates.len() > 1 {
            write!(
                f,
                "component '{}' is ambiguous: it may mean {}",
                self.written,
                self.candidates.join(", ")
            )
        } else {
            write!(
                f,
                "no component '{}' in this model; its components: {}",
                self.written,
                self.known.join(", ")
            )
        }
    }
}

impl std::error::Error for UnknownComponent {}

/// The analysed model (root or component) that `id` names: its qualified
/// id (`SHOP.LOGIN`), or a dotted tail of one (`LOGIN`) that names exactly
/// one.
pub fn find_component(model: &Model, id: &str) -> Result<ModelIndex, UnknownComponent> {
    let id = id.trim();
    let analysed: Vec<ModelIndex> = model.analysed().collect();
    let qid = |m: &ModelIndex| model.models[*m].qid.as_str();
    if let Some(&m) = analysed.iter().find(|m| qid(m) == id) {
        return Ok(m);
    }
    let tail = format!(".{id}");
    let matches: Vec<ModelIndex> = analysed
        .iter()
        .copied()
        .filter(|m| !id.is_empty() && qid(m).ends_with(&tail))
        .collect();
    match matches[..] {
        [m] => Ok(m),
        _ => Err(UnknownComponent {
            written: id.to_string(),
            candidates: matches.iter().map(|m| qid(m).into()).collect(),
            known: analysed.iter().map(|m| qid(m).into()).collect(),
        }),
    }
}

/// Model `c` (an analysed model) and its components as a model of their
/// own, with `c` as its root; every qualified id stays as it was.
///
/// What `c` uses from the models that include it stays visible, as it does
/// for a catalogue: each ancestor is kept as a [`ModelKind::Catalogue`]
/// (after `c`'s own imports, nearest first, so the attackers and questions
/// are the same) with its zones, attackers, assumptions, requirements and
/// shared mitigations, and only the assets that the component's flows,
/// threats and verdicts name; its threats, verdicts, data flows and other
/// assets are left out, and so are the models beside `c`. A component of a
/// confidential model stays confidential (the public view withholds it).
pub fn component(model: &Model, c: ModelIndex) -> Model {
    let mut subtree = vec![c];
    let mut i = 0;
    while i < subtree.len() {
        subtree.extend(model.models[subtree[i]].children.iter().copied());
        i += 1;
    }
    subtree.sort_unstable();
    let ancestors = model.ancestors(c);
    let context: HashSet<ModelIndex> = ancestors.iter().copied().collect();
    let catalogues: HashSet<ModelIndex> = subtree
        .iter()
        .chain(&ancestors)
        .flat_map(|&m| model.models[m].imports.iter().copied())
        .collect();
    // Kept models, in the new order: the subtree (depth-first, `c` first),
    // then the ancestors and catalogues in model order.
    let order: Vec<ModelIndex> = subtree
        .iter()
        .copied()
        .chain((0..model.models.len()).filter(|m| context.contains(m) || catalogues.contains(m)))
        .collect();
    let mut new_index = vec![None; model.models.len()];
    for (n, &m) in order.iter().enumerate() {
        new_index[m] = Some(n);
    }
    let remap =
        |v: &[ModelIndex]| -> Vec<ModelIndex> { v.iter().filter_map(|&i| new_index[i]).collect() };
    let used = used_by(model, &subtree);
    let models = order
        .iter()
        .map(|&m| {
            let tm = &model.models[m];
            let mut p = if context.contains(&m) {
                context_part(tm, &used)
            } else {
                tm.clone()
            };
            p.parent = tm.parent.and_then(|i| new_index[i]);
            p.children = remap(&tm.children);
            p.imports = remap(&tm.imports);
            p
        })
        .collect();
    let mut out = Model::new(models);
    let root = &mut out.models[0];
    root.kind = ModelKind::Root;
    root.parent = None;
    root.confidential = model.in_confidential_model(c);
    // Visible to `c` as before: its imports, then each ancestor with its imports.
    for &a in &ancestors {
        let more = std::iter::once(a).chain(model.models[a].imports.iter().copied());
        for x in more.filter_map(|x| new_index[x]) {
            if !root.imports.contains(&x) {
                root.imports.push(x);
            }
        }
    }
    out
}

/// The qualified ids that the models of `subtree` name in their flows,
/// threats and verdicts.
fn used_by<'a>(model: &'a Model, subtree: &[ModelIndex]) -> HashSet<&'a str> {
    let mut used = HashSet::new();
    for tm in subtree.iter().map(|&m| &model.models[m]) {
        for f in &tm.dataflows {
            used.extend([f.from.as_str(), f.to.as_str()]);
            used.extend(f.carries.iter().map(Qid::as_str));
        }
        for t in &tm.threats {
            used.extend(t.targets.iter().map(Qid::as_str));
            used.extend(t.mitigations.iter().map(Qid::as_str));
        }
        used.extend(tm.analysis.iter().map(|v| v.target.as_str()));
    }
    used
}

/// An ancestor as the component sees it: what a catalogue could supply,
/// and the assets the component names.
fn context_part(tm: &ThreatModel, used: &HashSet<&str>) -> ThreatModel {
    let mut p = tm.clone();
    p.kind = ModelKind::Catalogue;
    p.assets.retain(|a| used.contains(a.qid.as_str()));
    p.dataflows.clear();
    p.analysis.clear();
    p.threats.clear();
    p.mitigations
        .retain(|x| x.shared || used.contains(x.qid.as_str()));
    p
}
