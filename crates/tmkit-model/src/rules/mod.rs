//! The check rules: every rule that judges a model without being needed to
//! build it, one file per family, registered in [`RULES`].
//!
//! A rule is a small function with the codes it may emit. A *document*
//! rule sees one raw document (with its spans) and the name table while
//! the document is still at hand; a *model* rule sees the whole built model.
//! Adding a rule: write the function in the file of its family (or a new
//! file declared below), add one row to [`RULES`], and add a failing input
//! to `crates/tmkit/tests/corpus/`.
//!
//! Building the model reports the rest, where a value cannot be built
//! without it: duplicate ids (E0101) and references (E0201-E0205) in
//! `build/names.rs`, values out of their set (E0107) and unknown
//! categories (E0302) in `build/convert.rs`.

mod catalogues;
mod limits;
mod scope;
mod taxonomy;
mod threats;
mod zones;

use crate::build::names::{Kind, Names};
use crate::check::SpanTable;
use crate::model::{Model, Qid};
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::load::{Loaded, LoadedDoc};
use tmkit_syntax::raw::RawDocument;
use tmkit_syntax::{Code, Span};

/// What a document rule sees.
pub(crate) struct DocCx<'a> {
    /// The index of the document (and of its model).
    pub(crate) m: usize,
    /// The document as written, with spans.
    pub(crate) raw: &'a RawDocument,
    /// Its place among the loaded documents (role, parent).
    pub(crate) doc: &'a LoadedDoc,
    /// Every element's qualified id, kind and scope.
    pub(crate) names: &'a Names,
}

impl DocCx<'_> {
    /// True when `name`, written in this document, names an element of one
    /// of the `expected` kinds that is out of scope.
    pub(crate) fn out_of_scope(&self, name: &str, expected: &[Kind]) -> bool {
        self.names
            .lookup(self.m, name, expected)
            .is_some_and(|e| !e.in_scope)
    }
}

/// What a model rule sees.
pub(crate) struct ModelCx<'a> {
    /// The built model.
    pub(crate) model: &'a Model,
    /// Where each element was written.
    pub(crate) spans: &'a SpanTable,
    /// The loaded files and the limits.
    pub(crate) loaded: &'a Loaded,
    /// Every resolved `within`: zone, enclosing zone, place of the `within`.
    pub(crate) withins: &'a [(Qid, Qid, Span)],
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// On each document, once it is built.
    Document(fn(&DocCx<'_>, &mut Diagnostics)),
    /// On the whole model, after every document (sees the diagnostics so
    /// far, so that a rule can run only on an otherwise valid model).
    Model(fn(&ModelCx<'_>, &mut Diagnostics)),
}

/// A check rule.
pub(crate) struct Rule {
    /// The codes it emits.
    pub(crate) codes: &'static [Code],
    /// The function.
    pub(crate) check: Check,
}

/// Every check rule, in the order they run.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        codes: &[Code::EmptyTaxonomy],
        check: Check::Document(taxonomy::empty_custom),
    },
    Rule {
        codes: &[Code::CatalogueContent],
        check: Check::Document(catalogues::content),
    },
    Rule {
        codes: &[Code::MissingReason, Code::ReasonWhileInScope],
        check: Check::Document(scope::reasons),
    },
    Rule {
        codes: &[Code::OutOfScopeTarget],
        check: Check::Document(scope::out_of_scope_references),
    },
    Rule {
        codes: &[Code::ThreatWithoutTargets],
        check: Check::Document(threats::without_targets),
    },
    Rule {
        codes: &[
            Code::InvalidCvss,
            Code::ScoreMismatch,
            Code::ScoreWithoutVector,
        ],
        check: Check::Document(threats::cvss),
    },
    Rule {
        codes: &[Code::ZoneCycle],
        check: Check::Model(zones::cycles),
    },
    Rule {
        codes: &[Code::ZonesTooDeep],
        check: Check::Model(zones::depth),
    },
    Rule {
        codes: &[Code::TooManyQuestions],
        check: Check::Model(limits::questions),
    },
];

/// Calls `f` with each rule in turn; in debug builds, asserts that each
/// emitted only the codes it lists.
fn each_rule(out: &mut Diagnostics, mut f: impl FnMut(&Rule, &mut Diagnostics)) {
    for rule in RULES {
        let before = out.len();
        f(rule, out);
        debug_assert!(
            out[before..].iter().all(|d| rule.codes.contains(&d.code)),
            "a rule emitted a code it does not list"
        );
    }
}

/// Runs every document rule on one document.
pub(crate) fn check_document(cx: &DocCx<'_>, out: &mut Diagnostics) {
    each_rule(out, |rule, out| {
        if let Check::Document(f) = rule.check {
            f(cx, out);
        }
    });
}

/// Runs every model rule on the built model.
pub(crate) fn check_model(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    each_rule(out, |rule, out| {
        if let Check::Model(f) = rule.check {
            f(cx, out);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_belongs_to_one_rule() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            assert!(!rule.codes.is_empty());
            for c in rule.codes {
                assert!(seen.insert(*c), "{c} is listed by two rules");
            }
        }
    }

    /// Every code a rule lists is emitted by that rule on the corpus of
    /// this crate's fixtures (the CLI corpus asserts the full sets).
    #[test]
    fn each_rule_emits_its_codes() {
        let cases: &[(&str, Code)] = &[
            (
                "scope:\n  abstraction: {taxonomy: []}\n",
                Code::EmptyTaxonomy,
            ),
            (
                "scope:\n  assets: [{id: a, title: A, in_scope: false}]\n",
                Code::MissingReason,
            ),
            (
                "scope:\n  assets: [{id: a, title: A, reason: r}]\n",
                Code::ReasonWhileInScope,
            ),
            (
                "scope:\n  assets: [{id: a, title: A, in_scope: false, reason: r}]\nthreats: [{id: T, title: T, categories: [integrity], targets: [a]}]\n",
                Code::OutOfScopeTarget,
            ),
            (
                "threats: [{id: T, title: T, categories: [integrity], targets: []}]\n",
                Code::ThreatWithoutTargets,
            ),
            (
                "scope:\n  assets: [{id: a, title: A}]\nthreats: [{id: T, title: T, categories: [integrity], targets: [a], cvss: 'CVSS:3.1/AV:N'}]\n",
                Code::InvalidCvss,
            ),
            (
                "scope:\n  assets: [{id: a, title: A}]\nthreats: [{id: T, title: T, categories: [integrity], targets: [a], cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 9.9}]\n",
                Code::ScoreMismatch,
            ),
            (
                "scope:\n  assets: [{id: a, title: A}]\nthreats: [{id: T, title: T, categories: [integrity], targets: [a], score: 5}]\n",
                Code::ScoreWithoutVector,
            ),
            (
                "scope:\n  zones: [{id: a, title: A, trust: 1, within: b}, {id: b, title: B, trust: 1, within: a}]\n",
                Code::ZoneCycle,
            ),
        ];
        for (body, code) in cases {
            let yaml = format!("tmkit: 1\nid: M\ntitle: M\n{body}");
            let checked = crate::check_str(&yaml);
            let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
            assert!(codes.contains(code), "{code} not in {codes:?} for\n{yaml}");
        }
    }
}
