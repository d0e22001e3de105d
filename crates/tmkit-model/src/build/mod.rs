//! From loaded raw documents to a [`Model`]: qualified ids ([`names`]),
//! reference resolution and the conversion of each element ([`convert`]).
//! The check rules that need no conversion live in [`crate::rules`] and run
//! on each document while it is still at hand, then on the whole model.
//! Each rule pushes diagnostics; nothing stops at the first problem.

mod convert;
pub(crate) mod names;
mod trace;
mod treatment;

use crate::check::SpanTable;
use crate::model::*;
use crate::rules::{self, DocCx, ModelCx};
use names::{Names, Ref};
use tmkit_syntax::Span;
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::{Diagnostics, did_you_mean};
use tmkit_syntax::load::Loaded;
use tmkit_syntax::raw::*;
use tmkit_syntax::{Code, Diagnostic};

/// The state of one build: the name table, spans and diagnostics so far.
struct Builder<'a> {
    loaded: &'a Loaded,
    diags: Diagnostics,
    spans: SpanTable,
    names: Names,
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
        libraries: Vec::new(),
        sync: None,
    }
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
        names: Names::new(loaded, &docs),
        taxonomies: Vec::new(),
        unresolved: 0,
        withins: Vec::new(),
    };
    // Parents come before their components, so inheritance sees the parent's.
    for (m, doc) in docs.iter().enumerate() {
        let t = b.taxonomy_of(m, doc);
        b.taxonomies.push(t);
    }
    for (m, doc) in docs.iter().enumerate() {
        b.names.register(m, doc, &mut b.spans, &mut b.diags);
        let includes = doc.imports.iter().chain(&doc.components);
        (b.spans.includes).extend(includes.map(|i| (i.path.span, i.path.value.clone())));
    }
    // `into_iter` hands each document over, so it is dropped once built.
    let models: Vec<ThreatModel> = docs
        .into_iter()
        .enumerate()
        .map(|(m, raw)| {
            let tm = b.model(m, &raw);
            let cx = DocCx {
                m,
                raw: &raw,
                doc: &loaded.docs[m],
                names: &b.names,
            };
            rules::check_document(&cx, &mut b.diags);
            tm
        })
        .collect();
    let model = Model::new(models);
    let cx = ModelCx {
        model: &model,
        spans: &b.spans,
        loaded,
        withins: &b.withins,
    };
    rules::check_model(&cx, &mut b.diags);
    // The span table lives as long as the model: no spare capacity left
    // from the last doubling of the references (up to half of it).
    b.spans.references.shrink_to_fit();
    (model, b.diags, b.spans)
}

fn bool_of(b: &Option<Sp<bool>>, default: bool) -> bool {
    b.as_ref().map_or(default, |s| s.value)
}

fn text(s: &Option<Sp<String>>) -> Option<String> {
    s.as_ref().map(|s| s.value.clone())
}

/// E0107 for a value that is none of `allowed`: "did you mean", or `list`
/// (the help naming them all).
fn invalid_value(
    what: &str,
    written: &str,
    span: Span,
    label: &str,
    allowed: &[&str],
    list: String,
) -> Diagnostic {
    let d = Diagnostic::new(
        Code::InvalidValue,
        format!("unknown {what} '{}'", truncate(written)),
    )
    .at(span, label);
    match did_you_mean(written, allowed.iter().copied()) {
        Some(s) => d.help(format!("did you mean '{s}'?")),
        None => d.help(list),
    }
}

impl Builder<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Resolves a reference written in model `m`; reports it when it fails.
    fn resolve(&mut self, m: usize, r: Ref<'_>) -> Option<Qid> {
        match self.names.resolve(m, &r, &self.spans, &mut self.unresolved) {
            Ok(q) => {
                if let Some(interned) = self.names.interned(&q) {
                    self.spans.references.push((interned, r.name.span));
                }
                Some(q)
            }
            Err(d) => {
                self.push(d);
                None
            }
        }
    }

    /// The taxonomy of model `m`: written, inherited from the parent, or CIA.
    fn taxonomy_of(&mut self, m: usize, raw: &RawDocument) -> Taxonomy {
        let written = raw
            .scope
            .as_ref()
            .and_then(|s| s.abstraction.as_ref())
            .and_then(|a| a.taxonomy.as_ref());
        let Some(sp) = written else {
            return match self.loaded.docs[m].parent {
                // A component without a taxonomy uses its parent's.
                Some(p) if p < m => self.taxonomies.get(p).cloned().unwrap_or_default(),
                _ => Taxonomy::default(),
            };
        };
        match &sp.value {
            RawTaxonomy::Named(name) => Taxonomy::parse_name(name).unwrap_or_else(|| {
                let names = Taxonomy::builtin_names();
                let d = Diagnostic::new(
                    Code::InvalidValue,
                    format!("unknown taxonomy '{}'", truncate(name)),
                )
                .at(sp.span, "not a built-in taxonomy");
                self.push(match did_you_mean(name, names.iter().copied()) {
                    Some(s) => d.help(format!(
                        "did you mean '{s}'? (or give a list of custom categories)"
                    )),
                    None => d.help(format!(
                        "use {} or a list of custom categories",
                        names.join(", ")
                    )),
                });
                Taxonomy::default()
            }),
            RawTaxonomy::Custom(list) => Taxonomy::custom(list.iter().map(|c| c.value.as_str())),
        }
    }

    /// The category as normalised by model `m`'s taxonomy, or E0302.
    fn category(&mut self, m: usize, c: &Sp<String>) -> Option<String> {
        let tax = &self.taxonomies[m];
        if let Some(n) = tax.normalise(&c.value) {
            return Some(n);
        }
        let cats = tax.categories();
        let d = Diagnostic::new(
            Code::UnknownCategory,
            format!(
                "category '{}' is not in the {} taxonomy",
                truncate(&c.value),
                tax.name()
            ),
        )
        .at(c.span, "unknown category");
        let d = match did_you_mean(&c.value, cats.iter().copied()) {
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
