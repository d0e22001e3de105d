//! The entry points: load files, resolve references and check every rule.

use crate::model::{Model, Qid};
use std::collections::HashMap;
use std::path::Path;
use tmkit_syntax::diagnostic::{Diagnostic, Diagnostics};
use tmkit_syntax::fs::{FileSystem, MemoryFs, RealFs};
use tmkit_syntax::load::load;
use tmkit_syntax::node::Limits;
use tmkit_syntax::{Files, Span};

/// Where each element was written: qualified id -> span of its `id` value
/// (or of its mapping, for elements without an id).
#[derive(Debug, Clone, Default)]
pub struct SpanTable {
    /// Span per qualified id.
    pub spans: HashMap<Qid, Span>,
}

impl SpanTable {
    /// The span of an element.
    pub fn get(&self, qid: &str) -> Option<Span> {
        self.spans.get(qid).copied()
    }
}

/// The result of loading and checking a model.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Checked {
    /// The model, when there is no error (warnings allowed).
    pub model: Option<Model>,
    /// Every problem found, sorted by file and position, up to
    /// [`Limits::max_diagnostics`] (the rest counted).
    pub diagnostics: Diagnostics,
    /// Every file read.
    pub files: Files,
    /// Where each element was written.
    pub spans: SpanTable,
}

impl Checked {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

/// Loads and checks the model at `path` (a file, or a directory holding
/// `threatmodel.yaml`) on the real file system.
pub fn check_path(path: &Path) -> Checked {
    check_with(&RealFs, path, &Limits::default())
}

/// Loads and checks a model through any file system, within `limits`.
pub fn check_with(fs: &(dyn FileSystem + Sync), path: &Path, limits: &Limits) -> Checked {
    let mut loaded = load(fs, path, limits);
    let (model, mut diagnostics, spans) = if loaded.docs.is_empty() {
        (None, Diagnostics::default(), SpanTable::default())
    } else {
        let (model, mut diagnostics, spans) = crate::build::build(&mut loaded);
        if !diagnostics.has_errors() {
            if let Some(d) = question_limit(&model, &loaded, &spans) {
                diagnostics.push(d);
            }
        }
        (Some(model), diagnostics, spans)
    };
    let mut all = loaded.diagnostics;
    all.append(&mut diagnostics);
    let has_errors = all.has_errors();
    tmkit_syntax::diagnostic::sort(&mut all);
    Checked {
        model: if has_errors { None } else { model },
        diagnostics: all,
        files: loaded.files,
        spans,
    }
}

/// E0032 when the model asks more questions than the limit allows: the
/// larger of `max_questions` and one per byte of input, so a big model pays
/// for its questions with its size, and a small one cannot ask millions.
fn question_limit(
    model: &Model,
    loaded: &tmkit_syntax::load::Loaded,
    spans: &SpanTable,
) -> Option<Diagnostic> {
    let questions = model.question_count();
    let bytes: u64 = loaded.files.iter().map(|(_, f)| f.text.len() as u64).sum();
    let max = loaded.limits.max_questions.max(bytes);
    if questions <= max {
        return None;
    }
    let mut d = Diagnostic::new(
        tmkit_syntax::Code::TooManyQuestions,
        format!(
            "the model asks {questions} questions (in-scope targets x visible attackers x categories), more than the limit of {max}"
        ),
    )
    .note(format!(
        "the limit is {} questions or one per byte of input ({bytes} bytes), whichever is larger",
        loaded.limits.max_questions
    ));
    if let Some(s) = spans.get(&model.root().qid) {
        d = d.at(s, "in this model and its components");
    }
    Some(d.help(tmkit_syntax::node::raise_help(
        "put attackers in the components they threaten instead of sharing every attacker with every target, or mark some out of scope",
        "questions",
    )))
}

/// Loads and checks an in-memory project: `files` maps relative paths to
/// contents; `root` names the root model among them.
pub fn check_files(files: &[(&str, &str)], root: &str) -> Checked {
    let mut fs = MemoryFs::new();
    for (path, text) in files {
        fs.insert(path, *text);
    }
    check_with(&fs, Path::new(root), &Limits::default())
}

/// Loads and checks a single in-memory model (named `threatmodel.yaml`).
pub fn check_str(yaml: &str) -> Checked {
    check_files(&[("threatmodel.yaml", yaml)], "threatmodel.yaml")
}
