//! What importers produce: files to write (in memory: the caller writes
//! them, see `tmkit::output::write_tree`), warnings, and errors with places.

use std::fmt;
use tmkit_syntax::Code;

/// One file an importer wants written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    /// Contents (UTF-8 text).
    pub contents: String,
}

/// Something an importer could not carry over exactly, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// The source file (as given to the importer).
    pub file: String,
    /// 1-based line in that file (None when not tied to a line).
    pub line: Option<u32>,
    /// What happened.
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why an import failed: malformed input, with file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The diagnostic code, for failures that the loader reports too
    /// (unreadable files, YAML syntax, paths leaving the tree...).
    pub code: Option<Code>,
    /// The source file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    pub(crate) fn at(file: &str, line: u32, message: impl Into<String>) -> Self {
        ImportError {
            code: None,
            file: file.to_string(),
            line: (line > 0).then_some(line),
            column: None,
            message: message.into(),
        }
    }

    pub(crate) fn coded(
        code: Code,
        file: &str,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Self {
        ImportError {
            code: Some(code),
            file: file.to_string(),
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// The result of an import: a tree of tmkit model files, and warnings about
/// everything that could not be mapped exactly.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ImportOutput {
    /// Files to write; the first is the root model (`threatmodel.yaml`).
    pub files: Vec<OutputFile>,
    /// Warnings, in source order.
    pub warnings: Vec<ImportWarning>,
    /// Every imported threat, with what the source says of its status.
    pub threats: Vec<ImportedThreat>,
}

/// A threat as the source format saw it, for checking an import's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedThreat {
    /// Qualified id in the imported model.
    pub qid: String,
    /// Whether the source (read conservatively) considers it mitigated.
    pub mitigated_in_source: bool,
}

impl ImportOutput {
    /// Checks the files as `tmkit check` would, in memory, before anything
    /// is written.
    pub fn check(&self) -> tmkit_model::Checked {
        let files: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_str()))
            .collect();
        let root = self
            .files
            .first()
            .map_or("threatmodel.yaml", |f| f.path.as_str());
        tmkit_model::check_files(&files, root)
    }
}
