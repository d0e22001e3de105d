//! What importers produce: files to write (in memory: the caller writes
//! them, see `tmkit::output::write_tree`), warnings, and errors with places.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use tmkit_model::Checked;
use tmkit_syntax::{Code, FileId, Files, Label, SourceFile, Span};

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
    /// Where each imported element (by qualified id) was written in the
    /// source: diagnostics of a check that fails point there.
    pub sources: BTreeMap<String, SourcePlace>,
    /// The source files read, as (name as shown, text).
    pub inputs: Vec<(String, String)>,
}

/// Where an imported element was written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePlace {
    /// The source file (as given to the importer).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
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
    /// is written. When the check fails (nothing will be written, E0026),
    /// each diagnostic inside an imported element points at the element in
    /// the source instead, with a note naming it in the imported model.
    pub fn check(&self) -> Checked {
        let mut checked = self.check_output();
        if checked.has_errors() {
            self.point_at_sources(&mut checked);
        }
        checked
    }

    /// Checks the files as they would be written.
    fn check_output(&self) -> Checked {
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

impl ImportOutput {
    /// Moves the primary label of every diagnostic that falls inside an
    /// imported element (the nearest element written at or before it) to
    /// the element's place in the source, adding the source file to
    /// `checked.files`.
    fn point_at_sources(&self, checked: &mut Checked) {
        let mut starts: Vec<(FileId, u32, String)> = (checked.spans.spans.iter())
            .map(|(qid, span)| (span.file, span.start, qid.to_string()))
            .collect();
        starts.sort();
        let mut added: HashMap<&str, FileId> = HashMap::new();
        for i in 0..checked.diagnostics.len() {
            let Some(at) = checked.diagnostics[i].primary.as_ref().map(|l| l.span) else {
                continue;
            };
            let before = starts.partition_point(|(f, s, _)| (*f, *s) <= (at.file, at.start));
            let Some((_, _, qid)) = before.checked_sub(1).map(|k| &starts[k]) else {
                continue;
            };
            if starts[before - 1].0 != at.file {
                continue;
            }
            let Some(place) = self.sources.get(qid) else {
                continue;
            };
            let Some(span) = self.source_span(place, &mut added, &mut checked.files) else {
                continue;
            };
            let shown = checked.files.get(at.file).display.clone();
            let d = &mut checked.diagnostics[i];
            d.primary = Some(Label {
                span,
                message: format!("`{qid}` comes from here"),
            });
            d.notes.push(format!(
                "in the imported model: `{qid}`, {shown}:{}:{}",
                at.line, at.column
            ));
        }
    }

    /// The span of `place` in its source file, registered in `files` once.
    fn source_span<'a>(
        &'a self,
        place: &SourcePlace,
        added: &mut HashMap<&'a str, FileId>,
        files: &mut Files,
    ) -> Option<Span> {
        let (name, text) = self.inputs.iter().find(|(n, _)| *n == place.file)?;
        let id = *added.entry(name.as_str()).or_insert_with(|| {
            files.add(SourceFile::new(
                name.clone(),
                name.clone(),
                name.into(),
                text.clone(),
            ))
        });
        let file = files.get(id);
        let line = file.line_text(place.line)?;
        let offset: usize = (line.chars())
            .take(place.column.saturating_sub(1) as usize)
            .map(char::len_utf8)
            .sum();
        let start = file.line_start(place.line)? + offset;
        // The element's first line, from its start (at most 60 characters).
        let rest = line[offset..].trim_end();
        let end = start + rest.chars().take(60).map(char::len_utf8).sum::<usize>();
        Some(Span {
            file: id,
            start: Span::offset(start),
            end: Span::offset(end),
            line: place.line,
            column: place.column,
        })
    }
}
