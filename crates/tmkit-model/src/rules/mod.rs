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
mod questions;
mod requirements;
mod scope;
mod taxonomy;
mod threats;
mod treatment;
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

impl ModelCx<'_> {
    /// True when neither loading nor building has found an error so far:
    /// for the rules that judge only an otherwise valid model.
    pub(crate) fn valid_so_far(&self, out: &Diagnostics) -> bool {
        !out.has_errors() && !self.loaded.diagnostics.has_errors()
    }
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

/// A rule run on each document.
const fn document(codes: &'static [Code], f: fn(&DocCx<'_>, &mut Diagnostics)) -> Rule {
    Rule {
        codes,
        check: Check::Document(f),
    }
}

/// A rule run on the whole model.
const fn model(codes: &'static [Code], f: fn(&ModelCx<'_>, &mut Diagnostics)) -> Rule {
    Rule {
        codes,
        check: Check::Model(f),
    }
}

/// Every check rule with the codes it emits, in the order they run.
pub(crate) static RULES: &[Rule] = &[
    document(&[Code::EmptyTaxonomy], taxonomy::empty_custom),
    document(&[Code::CatalogueContent], catalogues::content),
    document(
        &[Code::MissingReason, Code::ReasonWhileInScope],
        scope::reasons,
    ),
    document(&[Code::OutOfScopeTarget], scope::out_of_scope_references),
    document(&[Code::ThreatWithoutTargets], threats::without_targets),
    document(
        &[
            Code::InvalidCvss,
            Code::ScoreMismatch,
            Code::ScoreWithoutVector,
        ],
        threats::cvss,
    ),
    document(
        &[Code::TreatmentFieldMisplaced],
        treatment::misplaced_fields,
    ),
    document(
        &[
            Code::AcceptanceWithoutOwner,
            Code::AcceptanceWithoutExpiry,
            Code::ExpiryConflict,
            Code::PermanentWithoutRationale,
            Code::ExpiresBeforeAccepted,
        ],
        treatment::acceptances,
    ),
    document(&[Code::TransferWithoutParty], treatment::transfers),
    model(&[Code::ZoneCycle], zones::cycles),
    model(&[Code::ZonesTooDeep], zones::depth),
    model(&[Code::TooManyQuestions], limits::questions),
    model(&[Code::NoQuestions], questions::none_asked),
    model(
        &[Code::UnreferencedComplianceRequirement],
        requirements::unreferenced_compliance,
    ),
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
    use std::path::Path;
    use tmkit_syntax::fs::MemoryFs;
    use tmkit_syntax::node::Limits;

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

    /// Files (path, text), limits, and the code they must produce.
    type Case<'a> = (Vec<(&'a str, String)>, &'a Limits, Code);

    /// A model, in `threatmodel.yaml`, with `body` after its header.
    fn yaml(body: &str) -> String {
        format!("tmkit: 1\nid: M\ntitle: M\n{body}")
    }

    /// Checks the files (root `threatmodel.yaml`) within `limits`.
    fn check(files: &[(&str, &str)], limits: &Limits) -> Vec<Code> {
        let mut fs = MemoryFs::new();
        for (path, text) in files {
            fs.insert(path, *text);
        }
        let checked = crate::check_with(&fs, Path::new("threatmodel.yaml"), limits);
        checked.diagnostics.iter().map(|d| d.code).collect()
    }

    /// The risk-treatment rules' cases: one mitigation each.
    fn treatment_cases(plain: &Limits) -> Vec<Case<'_>> {
        let m = |fields: &str| {
            yaml(&format!(
                "mitigations: [{{id: m, title: M, in_place: true, {fields}}}]\n"
            ))
        };
        let ok = "owner: o, expires: 2030-01-01";
        [
            (
                m("kind: design, expires: 2030-01-01"),
                Code::TreatmentFieldMisplaced,
            ),
            (
                m("kind: risk-acceptance, expires: 2030-01-01"),
                Code::AcceptanceWithoutOwner,
            ),
            (
                m("kind: risk-acceptance, owner: o"),
                Code::AcceptanceWithoutExpiry,
            ),
            (
                m(&format!("kind: risk-acceptance, {ok}, permanent: true")),
                Code::ExpiryConflict,
            ),
            (
                m("kind: risk-acceptance, owner: o, permanent: true"),
                Code::PermanentWithoutRationale,
            ),
            (
                m(&format!(
                    "kind: risk-acceptance, {ok}, accepted: 2031-01-01"
                )),
                Code::ExpiresBeforeAccepted,
            ),
            (
                m("kind: transfer, reference: contract 12"),
                Code::TransferWithoutParty,
            ),
        ]
        .into_iter()
        .map(|(text, code)| (vec![("threatmodel.yaml", text)], plain, code))
        .collect()
    }

    /// One failing input per code of [`RULES`]: a rule added without one
    /// fails this test (the CLI corpus then asserts the whole diagnostic).
    #[test]
    fn each_rule_emits_its_codes() {
        let asset = "scope:\n  assets: [{id: a, title: A}]\n";
        let threat = |extra: &str| {
            yaml(&format!(
                "{asset}threats: [{{id: T, title: T, categories: [integrity], targets: [a]{extra}}}]\n"
            ))
        };
        let many: String = (0..20)
            .map(|i| format!("  - {{id: a{i}, title: A}}\n"))
            .collect();
        let crowd = yaml(&format!(
            "scope:\n  assets:\n{many}  attackers:\n{}",
            many.replace("id: a", "id: x")
        ));
        let plain = Limits::default();
        let shallow = Limits {
            max_zone_depth: 1,
            ..Limits::default()
        };
        // The limit is the larger of this and one question per byte.
        let few = Limits {
            max_questions: 1,
            ..Limits::default()
        };
        let cases: Vec<Case<'_>> = vec![
            (
                vec![(
                    "threatmodel.yaml",
                    yaml("scope:\n  abstraction: {taxonomy: []}\n"),
                )],
                &plain,
                Code::EmptyTaxonomy,
            ),
            (
                vec![
                    ("threatmodel.yaml", yaml("imports: [{path: c.yaml}]\n")),
                    (
                        "c.yaml",
                        "tmkit: 1\nid: C\ntitle: C\nscope:\n  assets: [{id: a, title: A}]\n".into(),
                    ),
                ],
                &plain,
                Code::CatalogueContent,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml("scope:\n  assets: [{id: a, title: A, in_scope: false}]\n"),
                )],
                &plain,
                Code::MissingReason,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml("scope:\n  assets: [{id: a, title: A, reason: r}]\n"),
                )],
                &plain,
                Code::ReasonWhileInScope,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    threat("").replace("title: A}", "title: A, in_scope: false, reason: r}"),
                )],
                &plain,
                Code::OutOfScopeTarget,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    threat("").replace("targets: [a]", "targets: []"),
                )],
                &plain,
                Code::ThreatWithoutTargets,
            ),
            (
                vec![("threatmodel.yaml", threat(", cvss: 'CVSS:3.1/AV:N'"))],
                &plain,
                Code::InvalidCvss,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    threat(", cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 9.9"),
                )],
                &plain,
                Code::ScoreMismatch,
            ),
            (
                vec![("threatmodel.yaml", threat(", score: 5"))],
                &plain,
                Code::ScoreWithoutVector,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml(
                        "scope:\n  zones: [{id: a, title: A, trust: 1, within: b}, {id: b, title: B, trust: 1, within: a}]\n",
                    ),
                )],
                &plain,
                Code::ZoneCycle,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml(
                        "scope:\n  zones: [{id: a, title: A, trust: 1, within: b}, {id: b, title: B, trust: 1, within: c}, {id: c, title: C, trust: 1}]\n",
                    ),
                )],
                &shallow,
                Code::ZonesTooDeep,
            ),
            (
                vec![("threatmodel.yaml", crowd)],
                &few,
                Code::TooManyQuestions,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml("scope:\n  requirements: [{id: r, title: R, kind: compliance}]\n"),
                )],
                &plain,
                Code::UnreferencedComplianceRequirement,
            ),
            (
                vec![(
                    "threatmodel.yaml",
                    yaml("scope:\n  assets: [{id: web, title: Web, kind: service}]\n"),
                )],
                &plain,
                Code::NoQuestions,
            ),
        ];
        let cases = [cases, treatment_cases(&plain)].concat();
        let mut covered = std::collections::HashSet::new();
        for (files, limits, code) in &cases {
            let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
            let codes = check(&files, limits);
            assert!(
                codes.contains(code),
                "{code} not in {codes:?} for {files:?}"
            );
            covered.insert(*code);
        }
        for code in RULES.iter().flat_map(|r| r.codes) {
            assert!(covered.contains(code), "no case here for {code}");
        }
    }
}
