//! Source files and positions.

use std::path::PathBuf;

/// Identifies a source file in a [`Files`] registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a source file: byte range plus 1-based line and column
/// (columns count characters, as editors do). 20 bytes: a model holds
/// millions of them, so offsets are `u32` (a file is far below 4 GiB; an
/// offset past it is clamped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset one past the end (`start` when unknown).
    pub end: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Span {
    /// A byte offset as stored in a span.
    pub fn offset(byte: usize) -> u32 {
        u32::try_from(byte).unwrap_or(u32::MAX)
    }

    /// The byte range, for slicing the file's text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A span covering the start of a file (for file-level problems).
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
            line: 1,
            column: 1,
        }
    }
}

/// A loaded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the working directory when possible).
    pub display: String,
    /// Path relative to the root model's directory, with `/` (stable across machines).
    pub relative: String,
    /// The path it was read from.
    pub path: PathBuf,
    /// The text (empty when it could not be decoded).
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Creates a source file and indexes its lines.
    pub fn new(display: String, relative: String, path: PathBuf, text: String) -> Self {
        // Line breaks as YAML counts them (and the parser's markers): `\n`,
        // `\r\n`, and a `\r` alone.
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter_map(|(i, &b)| {
            let brk = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            brk.then_some(i + 1)
        }));
        SourceFile {
            display,
            relative,
            path,
            text,
            line_starts,
        }
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts
            .get((line as usize).checked_sub(1)?)
            .copied()
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let start = self.line_start(line)?;
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Converts a byte offset to a 1-based (line, column in characters).
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line_idx as u32 + 1, col as u32)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset(&self, line: u32, column: u32) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// The registry of every file read while loading a model.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    /// An empty registry.
    pub fn new() -> Self {
        Files::default()
    }

    /// Adds a file.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with that id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}
