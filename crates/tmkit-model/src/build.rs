//! From loaded raw documents to a [`Model`]: qualified ids, reference
//! resolution (local, then ancestors, then qualified paths) and every check
//! rule. Each rule pushes diagnostics; nothing stops at the first problem.

use crate::check::SpanTable;
use crate::cvss;
use crate::model::*;
use std::collections::HashMap;
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::{Diagnostics, did_you_mean};
use tmkit_syntax::load::{DocKind, Loaded};
use tmkit_syntax::raw::*;
use tmkit_syntax::{Code, Diagnostic, Span};

/// The kinds of element a reference may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
    fn name(self) -> &'static str {
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
}

#[derive(Debug, Clone)]
struct Entry {
    qid: Qid,
    kind: Kind,
    in_scope: bool,
}

/// What each model declares, by local id.
#[derive(Debug, Default)]
struct Scope {
    by_id: HashMap<String, Entry>,
}

struct Builder<'a> {
    loaded: &'a Loaded,
    diags: Diagnostics,
    spans: SpanTable,
    qids: Vec<Qid>,
    scopes: Vec<Scope>,
    /// Every element by qualified id (for qualified-path references).
    global: HashMap<Qid, Entry>,
    taxonomies: Vec<Taxonomy>,
    /// Unresolved references reported so far.
    unresolved: usize,
    /// Every resolved `within`: zone, enclosing zone, place of the `within`.
    withins: Vec<(Qid, Qid, Span)>,
}

/// An empty document left in [`Loaded`] where a raw document moved out.
fn placeholder(span: Span) -> RawDocument {
    RawDocument {
        tmkit: Sp::new(1, span),
        id: Sp::new(Id(String::new()), span),
        title: Sp::new(String::new(), span),
        version: None,
        owner: None,
        authors: Vec::new(),
        description: None,
        confidential: None,
        scope: None,
        analysis: Vec::new(),
        mitigations: Vec::new(),
        threats: Vec::new(),
        components: Vec::new(),
        imports: Vec::new(),
    }
}

fn bool_of(b: &Option<Sp<bool>>, default: bool) -> bool {
    b.as_ref().map_or(default, |s| s.value)
}

fn text(s: &Option<Sp<String>>) -> Option<String> {
    s.as_ref().map(|s| s.value.clone())
}

/// Builds the model and reports every rule it breaks; the caller keeps the
/// model only when no diagnostic (of any stage) is an error.
pub fn build(loaded: &mut Loaded) -> (Model, Diagnostics, SpanTable) {
    // The raw documents move out of `loaded` so that each one is freed as
    // soon as its model is built: peak memory holds the raw documents or the
    // model, not both in full.
    let docs: Vec<RawDocument> = loaded
        .docs
        .iter_mut()
        .map(|d| {
            let span = d.doc.id.span;
            std::mem::replace(&mut d.doc, placeholder(span))
        })
        .collect();
    let loaded: &Loaded = loaded;
    let mut b = Builder {
        loaded,
        diags: Diagnostics::with_cap(loaded.diagnostics.cap()),
        spans: SpanTable::default(),
        qids: Vec::new(),
        scopes: Vec::new(),
        global: HashMap::new(),
        taxonomies: Vec::new(),
        unresolved: 0,
        withins: Vec::new(),
    };
    b.assign_model_qids(&docs);
    // Parents come before their components, so inheritance sees the parent's.
    for (m, doc) in docs.iter().enumerate() {
        let t = b.taxonomy_of(m, doc);
        b.taxonomies.push(t);
    }
    for (m, doc) in docs.iter().enumerate() {
        b.register(m, doc);
    }
    // `into_iter` hands each document over, so it is dropped once built.
    let models: Vec<ThreatModel> = docs
        .into_iter()
        .enumerate()
        .map(|(m, doc)| b.model(m, doc))
        .collect();
    b.check_zone_cycles();
    if let Some(d) = zone_depth(&models, &b.spans, loaded.limits.max_zone_depth) {
        b.diags.push(d);
    }
    (Model::new(models), b.diags, b.spans)
}

/// E0031 for the first zone nested deeper than `max` (`within` chains; a
/// cycle ends a chain). Linear: each zone's depth is computed once.
fn zone_depth(models: &[ThreatModel], spans: &SpanTable, max: usize) -> Option<Diagnostic> {
    let within: HashMap<&str, Option<&str>> = models
        .iter()
        .flat_map(|m| m.zones.iter())
        .map(|z| (z.qid.as_str(), z.within.as_deref()))
        .collect();
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(within.len());
    for z in models.iter().flat_map(|m| m.zones.iter()) {
        // Walk up to a zone of known depth, the top, a cycle, or past the limit...
        let mut chain: Vec<&str> = Vec::new();
        let mut on_chain: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut cur = Some(z.qid.as_str());
        let mut base = 0;
        while let Some(q) = cur {
            if let Some(&d) = depth.get(q) {
                base = d;
                break;
            }
            if chain.len() > max || !on_chain.insert(q) {
                break;
            }
            chain.push(q);
            cur = within.get(q).copied().flatten();
        }
        // ...then number the chain from there, outermost last.
        for (i, q) in chain.iter().rev().enumerate() {
            depth.insert(q, base + i + 1);
        }
        let d = depth.get(z.qid.as_str()).copied().unwrap_or(0);
        if d > max {
            let mut diag = Diagnostic::new(
                Code::ZonesTooDeep,
                format!(
                    "zone '{}' is nested {d} levels deep (`within`), more than the limit of {max}",
                    truncate(&z.qid)
                ),
            );
            if let Some(s) = spans.get(&z.qid) {
                diag = diag.at(s, "nested too deep");
            }
            return Some(diag.help(tmkit_syntax::node::raise_help(
                "nest zones only as deep as the diagram needs",
                "zone-depth",
            )));
        }
    }
    None
}

impl<'a> Builder<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn assign_model_qids(&mut self, docs: &[RawDocument]) {
        for (m, d) in self.loaded.docs.iter().enumerate() {
            let id = docs[m].id.value.0.clone();
            let qid = match d.parent {
                Some(p) if d.kind == DocKind::Component => format!("{}.{}", self.qids[p], id),
                _ => id,
            };
            self.qids.push(qid);
        }
    }

    fn taxonomy_of(&mut self, m: usize, raw: &RawDocument) -> Taxonomy {
        let doc = &self.loaded.docs[m];
        let written = raw
            .scope
            .as_ref()
            .and_then(|s| s.abstraction.as_ref())
            .and_then(|a| a.taxonomy.as_ref());
        match written {
            None => match doc.parent {
                // A component without a taxonomy uses its parent's.
                Some(p) if p < m => self.taxonomies.get(p).cloned().unwrap_or_default(),
                _ => Taxonomy::Cia,
            },
            Some(sp) => match &sp.value {
                RawTaxonomy::Named(name) => Taxonomy::parse_name(name).unwrap_or_else(|| {
                    let mut d = Diagnostic::new(Code::InvalidValue, format!("unknown taxonomy '{}'", truncate(name)))
                        .at(sp.span, "not a built-in taxonomy");
                    d = match did_you_mean(name, ["CIA", "STRIDE", "STRIDE-per-element", "LINDDUN"]) {
                        Some(s) => d.help(format!("did you mean '{s}'? (or give a list of custom categories)")),
                        None => d.help("use CIA, STRIDE, STRIDE-per-element, LINDDUN or a list of custom categories"),
                    };
                    self.push(d);
                    Taxonomy::Cia
                }),
                RawTaxonomy::Custom(list) => {
                    if list.is_empty() {
                        self.push(
                            Diagnostic::new(Code::EmptyTaxonomy, "custom taxonomy has no categories")
                                .at(sp.span, "empty list")
                                .help("list at least one category, or use a built-in taxonomy such as CIA"),
                        );
                    }
                    let mut cats: Vec<String> = Vec::new();
                    for c in list {
                        let norm = c.value.trim().to_ascii_lowercase().replace([' ', '_'], "-");
                        if !cats.contains(&norm) && norm != crate::taxonomy::OTHER {
                            cats.push(norm);
                        }
                    }
                    Taxonomy::Custom(cats)
                }
            },
        }
    }

    /// Registers every element of model `m` under its local and qualified id.
    fn register(&mut self, m: usize, doc: &RawDocument) {
        let mq = self.qids[m].clone();
        self.spans.spans.insert(mq.clone(), doc.id.span);
        // A component's qualified id must not collide with another element.
        if let Some(prev) = self.global.get(&mq) {
            let prev_span = self.spans.get(&prev.qid);
            let mut d = Diagnostic::new(Code::DuplicateId, format!("duplicate id '{mq}'"))
                .at(doc.id.span, "model id");
            if let Some(s) = prev_span {
                d = d.also(s, "also used here");
            }
            self.push(d.help("give the model a different id"));
        }
        let mut items: Vec<(&Sp<Id>, Kind, bool)> = Vec::new();
        if let Some(scope) = &doc.scope {
            items.extend(
                scope
                    .requirements
                    .iter()
                    .map(|e| (&e.id, Kind::Requirement, true)),
            );
            items.extend(scope.zones.iter().map(|e| (&e.id, Kind::Zone, true)));
            items.extend(
                scope
                    .assets
                    .iter()
                    .map(|e| (&e.id, Kind::Asset, bool_of(&e.in_scope, true))),
            );
            items.extend(
                scope
                    .dataflows
                    .iter()
                    .map(|e| (&e.id, Kind::DataFlow, bool_of(&e.in_scope, true))),
            );
            items.extend(
                scope
                    .attackers
                    .iter()
                    .map(|e| (&e.id, Kind::Attacker, bool_of(&e.in_scope, true))),
            );
            items.extend(
                scope
                    .assumptions
                    .iter()
                    .map(|e| (&e.id, Kind::Assumption, true)),
            );
        }
        items.extend(
            doc.mitigations
                .iter()
                .filter_map(|e| e.id.as_ref().map(|id| (id, Kind::Mitigation, true))),
        );
        items.extend(doc.threats.iter().map(|e| (&e.id, Kind::Threat, true)));
        for t in &doc.threats {
            for mi in &t.mitigations {
                if let RawThreatMitigation::Inline(im) = mi {
                    if let Some(id) = &im.id {
                        items.push((id, Kind::Mitigation, true));
                    }
                }
            }
        }
        // In file order, so that the later occurrence of a duplicate is the
        // one reported, whatever the kinds of the two elements.
        items.sort_by_key(|(id, _, _)| (id.span.line, id.span.column));
        let mut scope = Scope::default();
        let mut first: HashMap<String, Span> = HashMap::new();
        for (id, kind, in_scope) in items {
            let local = id.value.0.clone();
            if local.is_empty() {
                continue;
            }
            if let Some(prev) = first.get(&local) {
                self.push(
                    Diagnostic::new(Code::DuplicateId, format!("duplicate id '{local}'"))
                        .at(id.span, format!("{} named '{local}' again", kind.name()))
                        .also(*prev, "first defined here")
                        .help("ids must be unique within a model; rename one of them"),
                );
                continue;
            }
            first.insert(local.clone(), id.span);
            let qid = format!("{mq}.{local}");
            if let Some(prev) = self.global.get(&qid) {
                let mut d =
                    Diagnostic::new(Code::DuplicateId, format!("duplicate qualified id '{qid}'"))
                        .at(id.span, "this element's qualified id");
                if let Some(s) = self.spans.get(&prev.qid) {
                    d = d.also(s, "collides with this one");
                }
                self.push(
                    d.help("rename the element or the component so qualified ids stay unique"),
                );
                continue;
            }
            self.spans.spans.insert(qid.clone(), id.span);
            let entry = Entry {
                qid: qid.clone(),
                kind,
                in_scope,
            };
            self.global.insert(qid, entry.clone());
            scope.by_id.insert(local, entry);
        }
        self.scopes.push(scope);
    }

    /// Models searched, level by level, when model `m` resolves a name:
    /// itself with its imports, then each ancestor with its imports.
    fn levels(&self, m: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut cur = Some(m);
        while let Some(c) = cur {
            let mut level = vec![c];
            level.extend(self.loaded.docs[c].imports.iter().copied());
            out.push(level);
            cur = self.loaded.docs[c].parent;
        }
        out
    }

    /// Resolves a reference written in model `m` to an element of one of the
    /// `expected` kinds. `role` names the field for messages.
    fn resolve(
        &mut self,
        m: usize,
        name: &Sp<String>,
        expected: &[Kind],
        role: &str,
        not_found: Code,
    ) -> Option<Qid> {
        let n = name.value.trim();
        let mut found: Option<Entry> = None;
        for level in self.levels(m) {
            let hits: Vec<&Entry> = level
                .iter()
                .filter_map(|&x| self.scopes[x].by_id.get(n))
                .collect();
            let mut uniq: Vec<&Entry> = Vec::new();
            for h in hits {
                if !uniq.iter().any(|u| u.qid == h.qid) {
                    uniq.push(h);
                }
            }
            if uniq.len() > 1 {
                let names: Vec<String> = uniq.iter().map(|e| format!("'{}'", e.qid)).collect();
                let mut d = Diagnostic::new(
                    Code::AmbiguousReference,
                    format!("ambiguous reference '{n}' in `{role}`"),
                )
                .at(name.span, "could mean several elements")
                .note(format!("candidates: {}", names.join(", ")));
                for e in &uniq {
                    if let Some(s) = self.spans.get(&e.qid) {
                        d = d.also(s, format!("'{}' defined here", e.qid));
                    }
                }
                self.push(d.help("write the qualified id of the one you mean"));
                return None;
            }
            if let Some(e) = uniq.first() {
                found = Some((*e).clone());
                break;
            }
        }
        if found.is_none() {
            // Qualified path below the root, or from the root.
            let root = &self.qids[0];
            found = self
                .global
                .get(&format!("{root}.{n}"))
                .or_else(|| self.global.get(n))
                .cloned();
        }
        let Some(entry) = found else {
            // Suggestions cost a scan of the visible ids: offer them for the
            // first hundred unresolved references only, so a hostile model
            // with many broken references stays linear.
            self.unresolved += 1;
            let candidates: Vec<String> = if self.unresolved <= 100 {
                self.visible_ids(m, expected)
            } else {
                Vec::new()
            };
            let mut d = Diagnostic::new(
                not_found,
                format!("unresolved reference '{}' in `{role}`", truncate(n)),
            )
            .at(
                name.span,
                format!(
                    "no {} named '{}'",
                    expected
                        .iter()
                        .map(|k| k.name().trim_start_matches("a ").trim_start_matches("an "))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    truncate(n)
                ),
            );
            if let Some(s) = did_you_mean(n, candidates.iter().map(String::as_str)) {
                d = d.help(format!("did you mean '{s}'?"));
            } else if !candidates.is_empty() {
                let mut shown: Vec<&str> = candidates.iter().map(String::as_str).take(8).collect();
                shown.sort();
                d = d.note(format!(
                    "known: {}{}",
                    shown.join(", "),
                    if candidates.len() > 8 { ", ..." } else { "" }
                ));
            } else {
                d = d.help(format!("declare {} with this id first", expected[0].name()));
            }
            self.push(d);
            return None;
        };
        if !expected.contains(&entry.kind) {
            let mut d = Diagnostic::new(
                Code::WrongKindReference,
                format!(
                    "'{n}' in `{role}` is {}, not {}",
                    entry.kind.name(),
                    expected
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )
            .at(
                name.span,
                format!(
                    "must name {}",
                    expected
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            );
            if let Some(s) = self.spans.get(&entry.qid) {
                d = d.also(s, format!("'{}' is defined here", entry.qid));
            }
            self.push(d);
            return None;
        }
        Some(entry.qid)
    }

    fn visible_ids(&self, m: usize, expected: &[Kind]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for level in self.levels(m) {
            for x in level {
                for (id, e) in &self.scopes[x].by_id {
                    if expected.contains(&e.kind) && !out.contains(id) {
                        out.push(id.clone());
                    }
                }
            }
        }
        out.sort();
        out
    }

    fn entry(&self, qid: &str) -> Option<&Entry> {
        self.global.get(qid)
    }

    /// W0303 when `qid` (named at `at`) is out of scope; `what` starts the
    /// message (`threat 'T1' targets 'old'`).
    fn warn_out_of_scope(&mut self, qid: &str, at: &Sp<String>, what: String, help: &str) {
        if self.entry(qid).is_some_and(|e| !e.in_scope) {
            self.push(
                Diagnostic::new(
                    Code::OutOfScopeTarget,
                    format!("{what}, which is out of scope"),
                )
                .at(at.span, "out of scope")
                .help(help),
            );
        }
    }

    /// E0206 for each cycle of zones nested `within` each other (across
    /// models too), reported once, at the `within` that closes it.
    fn check_zone_cycles(&mut self) {
        /// Zones shown in the message before it is shortened.
        const SHOWN: usize = 8;
        let withins = std::mem::take(&mut self.withins);
        let parent: HashMap<&str, (&str, Span)> = withins
            .iter()
            .map(|(z, p, s)| (z.as_str(), (p.as_str(), *s)))
            .collect();
        let mut done: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut found = Vec::new();
        for (start, _, _) in &withins {
            let mut path: Vec<&str> = Vec::new();
            let mut cur = start.as_str();
            while !done.contains(cur) {
                if let Some(i) = path.iter().position(|z| *z == cur) {
                    found.push((path[i..].to_vec(), parent[path[path.len() - 1]].1));
                    break;
                }
                path.push(cur);
                match parent.get(cur) {
                    Some((p, _)) => cur = p,
                    None => break,
                }
            }
            done.extend(path);
        }
        for (cycle, span) in found {
            let mut names: Vec<&str> = cycle.iter().copied().take(SHOWN).collect();
            if cycle.len() > SHOWN {
                names.push("...");
            }
            names.push(cycle[0]);
            let d = Diagnostic::new(
                Code::ZoneCycle,
                format!("zones nested in a cycle: {}", names.join(" -> ")),
            )
            .at(span, format!("closes the cycle back to '{}'", cycle[0]))
            .note(format!("{} zones in the cycle", cycle.len()))
            .help("remove one `within`, so that zones form a tree");
            self.push(d);
        }
    }

    fn check_reason(
        &mut self,
        what: &str,
        id: &Sp<Id>,
        in_scope: &Option<Sp<bool>>,
        reason: &Option<Sp<String>>,
    ) {
        let out = in_scope.as_ref().is_some_and(|b| !b.value);
        let has_reason = reason.as_ref().is_some_and(|r| !r.value.trim().is_empty());
        if out && !has_reason {
            let span = in_scope.as_ref().map_or(id.span, |s| s.span);
            self.push(
                Diagnostic::new(
                    Code::MissingReason,
                    format!("{what} '{}' is out of scope without a reason", id.value.0),
                )
                .at(span, "`in_scope: false` needs a `reason`")
                .help("add `reason:` saying why it is out of scope (the \"what if...?\" answer)"),
            );
        }
        if !out && has_reason {
            if let Some(r) = reason {
                self.push(
                    Diagnostic::new(
                        Code::ReasonWhileInScope,
                        format!("{what} '{}' is in scope but gives a reason", id.value.0),
                    )
                    .at(r.span, "reason for being out of scope")
                    .help("add `in_scope: false` if it is out of scope, or remove `reason`"),
                );
            }
        }
    }

    fn category(&mut self, m: usize, c: &Sp<String>) -> Option<String> {
        let tax = self.taxonomies[m].clone();
        match tax.normalise(&c.value) {
            Some(n) => Some(n),
            None => {
                let cats = tax.categories();
                let mut d = Diagnostic::new(
                    Code::UnknownCategory,
                    format!(
                        "category '{}' is not in the {} taxonomy",
                        truncate(&c.value),
                        tax.name()
                    ),
                )
                .at(c.span, "unknown category");
                d = match did_you_mean(&c.value, cats.iter().copied()) {
                    Some(s) => d.help(format!("did you mean '{s}'?")),
                    None => d.help(format!(
                        "categories of this model: {}, or `other`",
                        cats.join(", ")
                    )),
                };
                self.push(d);
                None
            }
        }
    }

    fn model(&mut self, m: usize, raw: RawDocument) -> ThreatModel {
        let ld = &self.loaded.docs[m];
        let doc = &raw;
        let mq = self.qids[m].clone();
        let kind = match ld.kind {
            DocKind::Root => ModelKind::Root,
            DocKind::Component => ModelKind::Component,
            DocKind::Import => ModelKind::Catalogue,
        };
        let q = |id: &Sp<Id>| format!("{mq}.{}", id.value.0);
        let empty = RawScope::default();
        let scope = doc.scope.as_ref().unwrap_or(&empty);
        if kind == ModelKind::Catalogue {
            let mut spans: Vec<Span> = Vec::new();
            spans.extend(scope.assets.iter().map(|a| a.id.span));
            spans.extend(scope.dataflows.iter().map(|a| a.id.span));
            spans.extend(doc.threats.iter().map(|a| a.id.span));
            spans.extend(doc.analysis.iter().map(|a| a.target.span));
            if let Some(s) = spans.first() {
                self.push(
                    Diagnostic::new(Code::CatalogueContent, format!("imported catalogue '{}' declares assets, flows, threats or analysis", doc.id.value.0))
                        .at(*s, "not allowed in a catalogue")
                        .help("a catalogue shares zones, attackers, assumptions, requirements and mitigations; include the file as a component instead"),
                );
            }
        }

        let requirements = scope
            .requirements
            .iter()
            .map(|r| Requirement {
                id: r.id.value.0.clone(),
                qid: q(&r.id),
                title: r.title.value.clone(),
                description: text(&r.description),
                kind: text(&r.kind),
                reference: text(&r.reference),
                confidential: bool_of(&r.confidential, false),
            })
            .collect();

        let mut zones = Vec::new();
        for z in &scope.zones {
            let within = z.within.as_ref().and_then(|w| {
                let r = self.resolve(m, w, &[Kind::Zone], "within", Code::UnknownZone);
                if let Some(outer) = &r {
                    self.withins.push((q(&z.id), outer.clone(), w.span));
                }
                r
            });
            zones.push(Zone {
                id: z.id.value.0.clone(),
                qid: q(&z.id),
                title: z.title.value.clone(),
                description: text(&z.description),
                trust: z.trust.value,
                within,
                confidential: bool_of(&z.confidential, false),
            });
        }

        let mut assets = Vec::new();
        for a in &scope.assets {
            self.check_reason("asset", &a.id, &a.in_scope, &a.reason);
            let kind = match &a.kind {
                None => AssetKind::Other,
                Some(k) => AssetKind::parse(k.value.trim()).unwrap_or_else(|| {
                    let names: Vec<&str> = AssetKind::ALL.iter().map(|k| k.as_str()).collect();
                    let mut d = Diagnostic::new(
                        Code::InvalidValue,
                        format!("unknown asset kind '{}'", truncate(&k.value)),
                    )
                    .at(k.span, "not an asset kind");
                    d = match did_you_mean(&k.value, names.iter().copied()) {
                        Some(s) => d.help(format!("did you mean '{s}'?")),
                        None => d.help(format!("asset kinds: {}", names.join(", "))),
                    };
                    self.push(d);
                    AssetKind::Other
                }),
            };
            let zone = a
                .zone
                .as_ref()
                .and_then(|z| self.resolve(m, z, &[Kind::Zone], "zone", Code::UnknownZone));
            assets.push(Asset {
                id: a.id.value.0.clone(),
                qid: q(&a.id),
                title: a.title.value.clone(),
                description: text(&a.description),
                kind,
                zone,
                in_scope: bool_of(&a.in_scope, true),
                reason: text(&a.reason),
                confidential: bool_of(&a.confidential, false),
            });
        }

        let mut dataflows = Vec::new();
        for f in &scope.dataflows {
            self.check_reason("data flow", &f.id, &f.in_scope, &f.reason);
            let from = self.resolve(m, &f.from, &[Kind::Asset], "from", Code::UnknownEndpoint);
            let to = self.resolve(m, &f.to, &[Kind::Asset], "to", Code::UnknownEndpoint);
            let carries = f
                .carries
                .iter()
                .filter_map(|c| {
                    self.resolve(m, c, &[Kind::Asset], "carries", Code::UnresolvedReference)
                })
                .collect();
            dataflows.push(DataFlow {
                id: f.id.value.0.clone(),
                qid: q(&f.id),
                title: f.title.value.clone(),
                description: text(&f.description),
                from: from.unwrap_or_default(),
                to: to.unwrap_or_default(),
                protocol: text(&f.protocol),
                carries,
                bidirectional: bool_of(&f.bidirectional, false),
                in_scope: bool_of(&f.in_scope, true),
                reason: text(&f.reason),
                confidential: bool_of(&f.confidential, false),
            });
        }

        let mut attackers = Vec::new();
        for a in &scope.attackers {
            self.check_reason("attacker", &a.id, &a.in_scope, &a.reason);
            let zone = a
                .zone
                .as_ref()
                .and_then(|z| self.resolve(m, z, &[Kind::Zone], "zone", Code::UnknownZone));
            attackers.push(Attacker {
                id: a.id.value.0.clone(),
                qid: q(&a.id),
                title: a.title.value.clone(),
                description: text(&a.description),
                zone,
                in_scope: bool_of(&a.in_scope, true),
                reason: text(&a.reason),
                confidential: bool_of(&a.confidential, false),
            });
        }

        let assumptions = scope
            .assumptions
            .iter()
            .map(|a| Assumption {
                id: a.id.value.0.clone(),
                qid: q(&a.id),
                title: a.title.value.clone(),
                description: text(&a.description),
                confidential: bool_of(&a.confidential, false),
            })
            .collect();

        let mut analysis = Vec::new();
        for v in &doc.analysis {
            let target = self.resolve(
                m,
                &v.target,
                &[Kind::Asset, Kind::DataFlow],
                "target",
                Code::UnresolvedReference,
            );
            let attacker = match &v.attacker {
                Some(a) if a.value.trim() != "*" => {
                    let r = self.resolve(
                        m,
                        a,
                        &[Kind::Attacker],
                        "attacker",
                        Code::UnresolvedReference,
                    );
                    if let Some(qid) = &r {
                        self.warn_out_of_scope(
                            qid,
                            a,
                            format!("analysis verdict names attacker '{}'", a.value),
                            "out-of-scope attackers ask no questions; remove the verdict or bring the attacker into scope",
                        );
                    }
                    r.map(Some)
                }
                _ => Some(None),
            };
            let category = match &v.category {
                Some(c) if c.value.trim() != "*" => self.category(m, c).map(Some),
                _ => Some(None),
            };
            let verdict = match v.verdict.value.trim() {
                "no-threat" => Some(VerdictKind::NoThreat),
                "not-applicable" => Some(VerdictKind::NotApplicable),
                "" => None,
                other => {
                    let mut d = Diagnostic::new(
                        Code::InvalidValue,
                        format!("unknown verdict '{}'", truncate(other)),
                    )
                    .at(v.verdict.span, "not a verdict");
                    d = match did_you_mean(other, ["no-threat", "not-applicable"]) {
                        Some(s) => d.help(format!("did you mean '{s}'?")),
                        None => d.help("a verdict is `no-threat` or `not-applicable`"),
                    };
                    self.push(d);
                    None
                }
            };
            if let Some(t) = &target {
                self.warn_out_of_scope(
                    t,
                    &v.target,
                    format!("analysis verdict targets '{}'", v.target.value),
                    "out-of-scope elements ask no questions; remove the verdict or bring the target into scope",
                );
            }
            if let (Some(target), Some(attacker), Some(category), Some(verdict)) =
                (target, attacker, category, verdict)
            {
                analysis.push(Verdict {
                    target,
                    attacker,
                    category,
                    verdict,
                    rationale: v.rationale.value.clone(),
                    confidential: bool_of(&v.confidential, false),
                });
            }
        }

        let mut mitigations = Vec::new();
        for mi in &doc.mitigations {
            if let Some(mit) = self.mitigation(mi, mi.id.as_ref().map(&q).unwrap_or_default(), true)
            {
                mitigations.push(mit);
            }
        }

        let mut threats = Vec::new();
        for t in &doc.threats {
            let tq = q(&t.id);
            let categories: Vec<String> = t
                .categories
                .iter()
                .filter_map(|c| self.category(m, c))
                .collect();
            let targets: Vec<Qid> = t
                .targets
                .iter()
                .filter_map(|x| {
                    let r = self.resolve(m, x, &[Kind::Asset, Kind::DataFlow], "targets", Code::UnresolvedReference);
                    if let Some(qid) = &r {
                        self.warn_out_of_scope(
                            qid,
                            x,
                            format!("threat '{}' targets '{}'", t.id.value.0, x.value),
                            "the threat answers no question for it; bring the target into scope or retarget the threat",
                        );
                    }
                    r
                })
                .collect();
            if t.targets.is_empty() {
                self.push(
                    Diagnostic::new(
                        Code::ThreatWithoutTargets,
                        format!("threat '{}' has no targets", t.id.value.0),
                    )
                    .at(t.id.span, "answers no question")
                    .help("list the assets or data flows it threatens in `targets:`"),
                );
            }
            let attackers = t.attackers.as_ref().map(|list| {
                list.iter()
                    .filter_map(|a| {
                        let r = self.resolve(
                            m,
                            a,
                            &[Kind::Attacker],
                            "attackers",
                            Code::UnresolvedReference,
                        );
                        if let Some(qid) = &r {
                            self.warn_out_of_scope(
                                qid,
                                a,
                                format!("threat '{}' names attacker '{}'", t.id.value.0, a.value),
                                "the threat answers no question for that attacker; bring the attacker into scope or remove it from `attackers`",
                            );
                        }
                        r
                    })
                    .collect::<Vec<_>>()
            });
            let assumptions = t
                .assumptions
                .iter()
                .filter_map(|a| {
                    self.resolve(
                        m,
                        a,
                        &[Kind::Assumption],
                        "assumptions",
                        Code::UnresolvedReference,
                    )
                })
                .collect();
            let cvss = t.cvss.as_ref().and_then(|v| match cvss::score(&v.value) {
                Ok(s) => {
                    if let Some(written) = &t.score {
                        if !cvss::scores_agree(written.value, s.score) {
                            self.push(
                                Diagnostic::new(
                                    Code::ScoreMismatch,
                                    format!("score {} of threat '{}' disagrees with its CVSS vector, which scores {:.1}", written.value, t.id.value.0, s.score),
                                )
                                .at(written.span, format!("the vector gives {:.1}", s.score))
                                .also(v.span, "vector")
                                .help(format!("write `score: {:.1}`, or remove `score` (tmkit computes it)", s.score)),
                            );
                        }
                    }
                    Some(v.value.trim().to_string())
                }
                Err(e) => {
                    self.push(
                        Diagnostic::new(Code::InvalidCvss, format!("invalid CVSS vector '{}': {}", truncate(&v.value), e.message))
                            .at(v.span, "invalid vector")
                            .help("write a CVSS 3.0, 3.1 or 4.0 base vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
                    );
                    None
                }
            });
            if t.cvss.is_none() {
                if let Some(s) = &t.score {
                    self.push(
                        Diagnostic::new(
                            Code::ScoreWithoutVector,
                            format!("threat '{}' has a score but no CVSS vector", t.id.value.0),
                        )
                        .at(s.span, "cannot be checked")
                        .help("add `cvss:` with the vector; tmkit computes the score from it"),
                    );
                }
            }
            let mut refs = Vec::new();
            let mut inline_n = 0;
            for mi in &t.mitigations {
                match mi {
                    RawThreatMitigation::Ref(name) => {
                        if let Some(qid) = self.resolve(
                            m,
                            name,
                            &[Kind::Mitigation],
                            "mitigations",
                            Code::UnresolvedReference,
                        ) {
                            refs.push(qid);
                        }
                    }
                    RawThreatMitigation::Inline(im) => {
                        inline_n += 1;
                        let qid = match &im.id {
                            Some(id) => q(id),
                            None => format!("{tq}/m{inline_n}"),
                        };
                        if im.id.is_none() {
                            self.spans.spans.insert(qid.clone(), im.title.span);
                        }
                        if let Some(mut mit) = self.mitigation(im, qid.clone(), false) {
                            if im.id.is_none() {
                                mit.id = format!("{}/m{inline_n}", t.id.value.0);
                            }
                            refs.push(qid);
                            mitigations.push(mit);
                        }
                    }
                }
            }
            threats.push(Threat {
                id: t.id.value.0.clone(),
                qid: tq,
                title: t.title.value.clone(),
                description: text(&t.description),
                categories,
                targets,
                attackers,
                assumptions,
                cvss,
                ticket: text(&t.ticket),
                mitigations: refs,
                confidential: bool_of(&t.confidential, false),
            });
        }

        let abstraction = Abstraction {
            level: doc
                .scope
                .as_ref()
                .and_then(|s| s.abstraction.as_ref())
                .and_then(|a| text(&a.level)),
            taxonomy: self.taxonomies[m].clone(),
            notes: doc
                .scope
                .as_ref()
                .and_then(|s| s.abstraction.as_ref())
                .and_then(|a| text(&a.notes)),
        };
        ThreatModel {
            kind,
            id: doc.id.value.0.clone(),
            qid: mq,
            parent: if ld.kind == DocKind::Component {
                ld.parent
            } else {
                None
            },
            children: ld.children.clone(),
            imports: ld.imports.clone(),
            path: self.loaded.files.get(ld.file).relative.clone(),
            title: doc.title.value.clone(),
            version: text(&doc.version),
            owner: text(&doc.owner),
            authors: doc.authors.iter().map(|a| a.value.clone()).collect(),
            description: text(&doc.description),
            confidential: bool_of(&doc.confidential, false),
            abstraction,
            requirements,
            zones,
            assets,
            dataflows,
            attackers,
            assumptions,
            analysis,
            mitigations,
            threats,
        }
    }

    fn mitigation(&mut self, mi: &RawMitigation, qid: Qid, shared: bool) -> Option<Mitigation> {
        let kind = match mi.kind.value.trim() {
            "design" => MitigationKind::Design,
            "operational" => MitigationKind::Operational,
            "risk-acceptance" => MitigationKind::RiskAcceptance,
            "" => return None,
            other => {
                let mut d = Diagnostic::new(
                    Code::InvalidValue,
                    format!("unknown mitigation kind '{}'", truncate(other)),
                )
                .at(mi.kind.span, "not a mitigation kind");
                d = match did_you_mean(other, ["design", "operational", "risk-acceptance"]) {
                    Some(s) => d.help(format!("did you mean '{s}'?")),
                    None => {
                        d.help("a mitigation kind is `design`, `operational` or `risk-acceptance`")
                    }
                };
                self.push(d);
                return None;
            }
        };
        Some(Mitigation {
            id: mi
                .id
                .as_ref()
                .map(|i| i.value.0.clone())
                .unwrap_or_default(),
            qid,
            title: mi.title.value.clone(),
            description: text(&mi.description),
            kind,
            in_place: mi.in_place.value,
            operator: text(&mi.operator),
            ticket: text(&mi.ticket),
            shared,
            confidential: bool_of(&mi.confidential, false),
        })
    }
}
