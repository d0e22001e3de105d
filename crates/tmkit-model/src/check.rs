//! The entry points: load files, resolve references and check every rule.

use crate::model::Model;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::fs::{FileSystem, MemoryFs, RealFs};
use tmkit_syntax::load::{Loaded, load};
use tmkit_syntax::node::Limits;
use tmkit_syntax::{Files, Span};

/// Where each element was written: qualified id -> span of its `id` value
/// (or of its mapping, for elements without an id).
///
/// Its keys are the qualified ids interned while building the model (shared
/// with the name table, not copied).
#[derive(Debug, Clone, Default)]
pub struct SpanTable {
    /// Span per qualified id.
    pub spans: HashMap<Arc<str>, Span>,
    /// The kind of each registered element, without its article (`asset`,
    /// `zone`, `threat`, ...; `model` for a model's own id).
    pub kinds: HashMap<Arc<str>, &'static str>,
    /// Every reference that resolved: the element it names and where the
    /// name is written, in the order resolved (the language server's
    /// "find references" and "rename" read it).
    pub references: Vec<(Arc<str>, Span)>,
    /// Every component and import path as written: its span and text.
    pub includes: Vec<(Span, String)>,
}

impl SpanTable {
    /// The span of an element.
    pub fn get(&self, qid: &str) -> Option<Span> {
        self.spans.get(qid).copied()
    }

    /// Records where an element was written.
    pub(crate) fn insert(&mut self, qid: Arc<str>, span: Span) {
        self.spans.insert(qid, span);
    }

    /// The kind of an element (`asset`, `threat`, ... or `model`).
    pub fn kind(&self, qid: &str) -> Option<&'static str> {
        self.kinds.get(qid).copied()
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
    check_loaded(load(fs, path, limits))
}

/// Checks a model already loaded (by [`tmkit_syntax::load::load`]).
pub fn check_loaded(mut loaded: Loaded) -> Checked {
    let (model, mut diagnostics, spans) = if loaded.docs.is_empty() {
        (None, Diagnostics::default(), SpanTable::default())
    } else {
        let (model, diagnostics, spans) = crate::build::build(&mut loaded);
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
