//! The name table: every element's qualified id, interned once, and how a
//! reference written in one model finds its element: the model itself with
//! its imports, then each ancestor with its imports, then a qualified path
//! (docs/format.md, "Ids and references"). Reports E0101 and E0201-E0205.

use crate::check::SpanTable;
use crate::model::Qid;
use std::collections::HashMap;
use std::sync::Arc;
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::{Diagnostics, did_you_mean};
use tmkit_syntax::load::{DocKind, Loaded};
use tmkit_syntax::raw::*;
use tmkit_syntax::{Code, Diagnostic, Span};

/// The kinds of element a reference may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Requirement,
    Zone,
    Asset,
    DataFlow,
    Attacker,
    Assumption,
    Mitigation,
    Threat,
}

impl Kind {
    /// The kind with its article, for messages (`an asset`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Requirement => "a requirement",
            Kind::Zone => "a zone",
            Kind::Asset => "an asset",
            Kind::DataFlow => "a data flow",
            Kind::Attacker => "an attacker",
            Kind::Assumption => "an assumption",
            Kind::Mitigation => "a mitigation",
            Kind::Threat => "a threat",
        }
    }

    /// The kind without its article (`asset`).
    pub(crate) fn bare(self) -> &'static str {
        let n = self.name();
        n.strip_prefix("an ")
            .or_else(|| n.strip_prefix("a "))
            .unwrap_or(n)
    }
}

/// "an asset or a data flow" (or, `bare`, "asset or data flow").
fn kinds_text(kinds: &[Kind], bare: bool) -> String {
    let names: Vec<&str> = kinds
        .iter()
        .map(|k| if bare { k.bare() } else { k.name() })
        .collect();
    names.join(" or ")
}

/// A registered element: its interned qualified id, kind and scope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    ix: u32,
    pub(crate) kind: Kind,
    pub(crate) in_scope: bool,
}

/// What a name finds at the first level that knows it.
enum Found {
    One(Entry),
    Ambiguous(Vec<Entry>),
    Nothing,
}

/// Every element's qualified id and the ids each model can see.
pub(crate) struct Names {
    /// Qualified id of each model (`ROOT.COMP`), built once per model.
    pub(crate) models: Vec<Qid>,
    /// Interned qualified ids of the elements; an [`Entry`] points here.
    qids: Vec<Qid>,
    /// Every element by qualified id (for qualified-path references).
    global: HashMap<Qid, Entry>,
    /// What each model declares, by local id.
    scopes: Vec<HashMap<Box<str>, Entry>>,
    /// Models searched, level by level, when model `m` resolves a name:
    /// itself with its imports, then each ancestor with its imports.
    levels: Vec<Vec<Vec<usize>>>,
    /// Per model: an imported catalogue, whose references resolve in
    /// itself and its own imports only, never in whoever imports it.
    catalogue: Vec<bool>,
}

/// The registrable elements of a document with their kind and scope, in
/// file order.
fn declared(doc: &RawDocument) -> Vec<(&Sp<Id>, Kind, bool)> {
    let on = |b: &Option<Sp<bool>>| b.as_ref().is_none_or(|s| s.value);
    let mut items: Vec<(&Sp<Id>, Kind, bool)> = Vec::new();
    if let Some(s) = &doc.scope {
        items.extend(
            s.requirements
                .iter()
                .map(|e| (&e.id, Kind::Requirement, true)),
        );
        items.extend(s.zones.iter().map(|e| (&e.id, Kind::Zone, true)));
        items.extend(
            s.assets
                .iter()
                .map(|e| (&e.id, Kind::Asset, on(&e.in_scope))),
        );
        items.extend(
            s.dataflows
                .iter()
                .map(|e| (&e.id, Kind::DataFlow, on(&e.in_scope))),
        );
        items.extend(
            s.attackers
                .iter()
                .map(|e| (&e.id, Kind::Attacker, on(&e.in_scope))),
        );
        items.extend(
            s.assumptions
                .iter()
                .map(|e| (&e.id, Kind::Assumption, true)),
        );
    }
    let shared = doc.mitigations.iter().filter_map(|e| e.id.as_ref());
    items.extend(shared.map(|id| (id, Kind::Mitigation, true)));
    items.extend(doc.threats.iter().map(|e| (&e.id, Kind::Threat, true)));
    let inline = doc.threats.iter().flat_map(|t| &t.mitigations);
    items.extend(inline.filter_map(|mi| match mi {
        RawThreatMitigation::Inline(im) => im.id.as_ref().map(|id| (id, Kind::Mitigation, true)),
        RawThreatMitigation::Ref(_) => None,
    }));
    // In file order, so that the later occurrence of a duplicate is the
    // one reported, whatever the kinds of the two elements.
    items.sort_by_key(|(id, _, _)| (id.span.line, id.span.column));
    items
}

impl Names {
    /// The model qualified ids and search levels of every loaded document.
    pub(crate) fn new(loaded: &Loaded, docs: &[RawDocument]) -> Self {
        let mut models: Vec<Qid> = Vec::with_capacity(docs.len());
        for (d, raw) in loaded.docs.iter().zip(docs) {
            let id = raw.id.value.0.clone();
            models.push(match d.parent {
                Some(p) if d.kind == DocKind::Component => format!("{}.{id}", models[p]).into(),
                _ => id.into(),
            });
        }
        let levels = (0..docs.len())
            .map(|m| {
                let mut out = Vec::new();
                let mut cur = Some(m);
                while let Some(c) = cur {
                    let mut level = vec![c];
                    level.extend(loaded.docs[c].imports.iter().copied());
                    out.push(level);
                    cur = loaded.docs[c].parent;
                }
                out
            })
            .collect();
        Names {
            models,
            qids: Vec::new(),
            global: HashMap::new(),
            scopes: Vec::new(),
            levels,
            catalogue: loaded
                .docs
                .iter()
                .map(|d| d.kind == DocKind::Import)
                .collect(),
        }
    }

    /// The qualified id of an entry.
    pub(crate) fn qid(&self, e: Entry) -> &Qid {
        &self.qids[e.ix as usize]
    }

    /// The interned qualified id of the element that model `m` declares
    /// as `local`, if it was registered (not a duplicate).
    pub(crate) fn declared_qid(&self, m: usize, local: &str) -> Option<Qid> {
        let e = self.scopes.get(m)?.get(local)?;
        Some(self.qids[e.ix as usize].clone())
    }

    /// The element with that qualified id.
    pub(crate) fn entry(&self, qid: &str) -> Option<Entry> {
        self.global.get(qid).copied()
    }

    /// Registers every element of model `m` (models in order) under its
    /// local and qualified id: E0101 for a duplicate.
    pub(crate) fn register(
        &mut self,
        m: usize,
        doc: &RawDocument,
        spans: &mut SpanTable,
        diags: &mut Diagnostics,
    ) {
        let mq = self.models[m].clone();
        let model_qid: Arc<str> = mq.clone().into();
        spans.kinds.insert(model_qid.clone(), "model");
        spans.insert(model_qid, doc.id.span);
        // A component's qualified id must not collide with another element.
        if let Some(prev) = self.global.get(mq.as_str()) {
            let mut d = Diagnostic::new(Code::DuplicateId, format!("duplicate id '{mq}'"))
                .at(doc.id.span, "model id");
            if let Some(s) = spans.get(&self.qids[prev.ix as usize]) {
                d = d.also(s, "also used here");
            }
            diags.push(d.help("give the model a different id"));
        }
        let mut scope: HashMap<Box<str>, Entry> = HashMap::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        for (id, kind, in_scope) in declared(doc) {
            let local = id.value.0.as_str();
            if local.is_empty() {
                continue;
            }
            if let Some(&prev) = first.get(local) {
                diags.push(
                    Diagnostic::new(Code::DuplicateId, format!("duplicate id '{local}'"))
                        .at(id.span, format!("{} named '{local}' again", kind.name()))
                        .also(prev, "first defined here")
                        .help("ids must be unique within a model; rename one of them"),
                );
                continue;
            }
            first.insert(local, id.span);
            let qid = format!("{mq}.{local}");
            if let Some(prev) = self.global.get(qid.as_str()) {
                let mut d =
                    Diagnostic::new(Code::DuplicateId, format!("duplicate qualified id '{qid}'"))
                        .at(id.span, "this element's qualified id");
                if let Some(s) = spans.get(&self.qids[prev.ix as usize]) {
                    d = d.also(s, "collides with this one");
                }
                diags.push(
                    d.help("rename the element or the component so qualified ids stay unique"),
                );
                continue;
            }
            let entry = Entry {
                ix: self.qids.len() as u32,
                kind,
                in_scope,
            };
            let interned = Qid::from(qid);
            spans.insert(interned.clone().into(), id.span);
            spans.kinds.insert(interned.clone().into(), kind.bare());
            self.qids.push(interned.clone());
            self.global.insert(interned, entry);
            scope.insert(local.into(), entry);
        }
        self.scopes.push(scope);
    }

    /// What `n`, written in model `m`, names: the first level that knows
    /// it, else a qualified path below the root or from the root.
    fn find(&self, m: usize, n: &str) -> Found {
        for level in &self.levels[m] {
            let mut uniq: Vec<Entry> = Vec::new();
            for e in level.iter().filter_map(|&x| self.scopes[x].get(n)) {
                if !uniq.iter().any(|u| u.ix == e.ix) {
                    uniq.push(*e);
                }
            }
            match uniq.len() {
                0 => {}
                1 => return Found::One(uniq[0]),
                _ => return Found::Ambiguous(uniq),
            }
        }
        if self.catalogue[m] {
            // A catalogue means the same alone and imported: beyond its
            // levels it knows only the qualified ids of what they declare.
            let own = |e: &Entry| {
                let q = self.qid(*e);
                self.levels[m].iter().flatten().any(|&x| {
                    q.strip_prefix(self.models[x].as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                })
            };
            return self.entry(n).filter(own).map_or(Found::Nothing, Found::One);
        }
        let root = &self.models[0];
        match self.entry(&format!("{root}.{n}")).or_else(|| self.entry(n)) {
            Some(e) => Found::One(e),
            None => Found::Nothing,
        }
    }

    /// The element of one of the `expected` kinds that `name`, written in
    /// model `m`, names, without reporting anything when there is none.
    pub(crate) fn lookup(&self, m: usize, name: &str, expected: &[Kind]) -> Option<Entry> {
        match self.find(m, name.trim()) {
            Found::One(e) if expected.contains(&e.kind) => Some(e),
            _ => None,
        }
    }

    /// The local ids of the `expected` kinds visible from model `m`, sorted.
    fn visible_ids(&self, m: usize, expected: &[Kind]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &x in self.levels[m].iter().flatten() {
            for (id, e) in &self.scopes[x] {
                if expected.contains(&e.kind) && !out.iter().any(|o| **o == **id) {
                    out.push(id.to_string());
                }
            }
        }
        out.sort();
        out
    }
}

/// A reference to resolve: where it is written and what it must name.
pub(crate) struct Ref<'r> {
    /// The name as written.
    pub(crate) name: &'r Sp<String>,
    /// The kinds it may name.
    pub(crate) expected: &'static [Kind],
    /// The field, for messages (`targets`).
    pub(crate) role: &'static str,
    /// The code when it names nothing.
    pub(crate) not_found: Code,
}

impl Names {
    /// The qualified id that `r`, written in model `m`, names, or the
    /// diagnostic saying why it names none (E0201-E0205). `unresolved`
    /// counts the unresolved references reported so far.
    pub(crate) fn resolve(
        &self,
        m: usize,
        r: &Ref<'_>,
        spans: &SpanTable,
        unresolved: &mut usize,
    ) -> Result<Qid, Diagnostic> {
        let n = r.name.value.trim();
        let entry = match self.find(m, n) {
            Found::One(e) => e,
            Found::Ambiguous(all) => return Err(self.ambiguous(r, n, &all, spans)),
            Found::Nothing => {
                // Suggestions cost a scan of the visible ids: offer them for
                // the first hundred unresolved references only, so a hostile
                // model with many broken references stays linear.
                *unresolved += 1;
                let candidates = if *unresolved <= 100 {
                    self.visible_ids(m, r.expected)
                } else {
                    Vec::new()
                };
                let d = unresolved_reference(r, n, &candidates);
                return Err(if self.catalogue[m] {
                    d.note(
                        "a catalogue's references resolve in the catalogue and its own \
                         imports only, never in the model that imports it",
                    )
                } else {
                    d
                });
            }
        };
        if !r.expected.contains(&entry.kind) {
            return Err(self.wrong_kind(r, n, entry, spans));
        }
        Ok(self.qid(entry).clone())
    }

    /// The interned qualified id of an element (shared, not copied, by
    /// the table of references).
    pub(crate) fn interned(&self, qid: &str) -> Option<Arc<str>> {
        self.global
            .get(qid)
            .map(|e| self.qids[e.ix as usize].clone().into())
    }

    fn ambiguous(&self, r: &Ref<'_>, n: &str, all: &[Entry], spans: &SpanTable) -> Diagnostic {
        let names: Vec<String> = all.iter().map(|e| format!("'{}'", self.qid(*e))).collect();
        let mut d = Diagnostic::new(
            Code::AmbiguousReference,
            format!("ambiguous reference '{n}' in `{}`", r.role),
        )
        .at(r.name.span, "could mean several elements")
        .note(format!("candidates: {}", names.join(", ")));
        for e in all {
            let q = self.qid(*e);
            if let Some(s) = spans.get(q) {
                d = d.also(s, format!("'{q}' defined here"));
            }
        }
        d.help("write the qualified id of the one you mean")
    }

    fn wrong_kind(&self, r: &Ref<'_>, n: &str, entry: Entry, spans: &SpanTable) -> Diagnostic {
        let expected = kinds_text(r.expected, false);
        let mut d = Diagnostic::new(
            Code::WrongKindReference,
            format!(
                "'{n}' in `{}` is {}, not {expected}",
                r.role,
                entry.kind.name()
            ),
        )
        .at(r.name.span, format!("must name {expected}"));
        let q = self.qid(entry);
        if let Some(s) = spans.get(q) {
            d = d.also(s, format!("'{q}' is defined here"));
        }
        d
    }
}

/// E0201/E0204/E0205 for a name that names nothing, with a suggestion
/// among `candidates` when one is close.
fn unresolved_reference(r: &Ref<'_>, n: &str, candidates: &[String]) -> Diagnostic {
    let d = Diagnostic::new(
        r.not_found,
        format!("unresolved reference '{}' in `{}`", truncate(n), r.role),
    )
    .at(
        r.name.span,
        format!(
            "no {} named '{}'",
            kinds_text(r.expected, true),
            truncate(n)
        ),
    );
    if let Some(s) = did_you_mean(n, candidates.iter().map(String::as_str)) {
        d.help(format!("did you mean '{s}'?"))
    } else if !candidates.is_empty() {
        let mut shown: Vec<&str> = candidates.iter().map(String::as_str).take(8).collect();
        shown.sort();
        let more = if candidates.len() > 8 { ", ..." } else { "" };
        d.note(format!("known: {}{more}", shown.join(", ")))
    } else {
        d.help(format!(
            "declare {} with this id first",
            r.expected[0].name()
        ))
    }
}
