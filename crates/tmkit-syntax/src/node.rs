//! A spanned YAML/JSON tree, parsed within hard limits.
//!
//! The document is first read into this generic tree (every node keeps its
//! file, line and column) and only then decoded into the format's types, so
//! that every problem in a file can be reported, not just the first.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, SourceFile, Span};

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub span: Span,
}

/// A mapping key.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as text.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order (duplicates kept, for diagnostics).
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// A word for the kind of value, for messages ("a string", "a list").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Hard limits that keep hostile input from exhausting time or memory.
///
/// The defaults keep the check of any single input under about a second and
/// 200 MB of memory: a parsed node costs about 130 bytes and a microsecond,
/// so 500,000 nodes stay near 70 MB. They are far above real models (the
/// reference example has about 400 nodes in 6 KB; a 100,000-target project
/// is split into components of a few hundred KB each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Most nodes in one file (mappings, sequences and scalars as written).
    pub max_nodes: usize,
    /// Most aliases (`*name`) in one file.
    pub max_aliases: usize,
    /// Most nodes that aliases may copy in one file (their expansion).
    pub max_alias_expansion: usize,
    /// Most bytes of text (scalars and keys) that aliases may copy in one
    /// file: a small anchored mapping can hold a long description.
    pub max_alias_bytes: usize,
    /// Most files (root + components + imports).
    pub max_files: usize,
    /// Most bytes read for one project, all files together.
    pub max_total_bytes: u64,
    /// Most diagnostics kept for one project; past it they are only counted
    /// (see [`Diagnostics`](crate::diagnostic::Diagnostics)).
    pub max_diagnostics: usize,
    /// Deepest chain of components (and imports) below the root.
    pub max_component_depth: usize,
    /// Deepest chain of zones nested with `within`.
    pub max_zone_depth: usize,
    /// Most questions (in-scope targets x visible attackers x categories) of
    /// a project, or one per byte of input when that is more.
    pub max_questions: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 500_000,
            max_aliases: 10_000,
            max_alias_expansion: 100_000,
            max_alias_bytes: 16 * 1024 * 1024,
            max_files: 1_000,
            max_total_bytes: 64 * 1024 * 1024,
            max_diagnostics: crate::diagnostic::DEFAULT_MAX_DIAGNOSTICS,
            max_component_depth: 32,
            max_zone_depth: 32,
            max_questions: 1_000_000,
        }
    }
}

impl Limits {
    /// The limits `--limit NAME=VALUE` can set, with what each bounds.
    pub const NAMES: &'static [(&'static str, &'static str)] = &[
        ("file-bytes", "bytes per file"),
        ("total-bytes", "bytes per project"),
        ("depth", "nesting depth of a file"),
        ("nodes", "YAML nodes per file"),
        ("aliases", "aliases and anchors per file"),
        ("alias-nodes", "nodes copied by aliases per file"),
        ("alias-bytes", "bytes of text copied by aliases per file"),
        ("files", "files per project"),
        ("component-depth", "nesting depth of components"),
        ("zone-depth", "nesting depth of zones (`within`)"),
        (
            "questions",
            "questions per project (or one per byte of input)",
        ),
    ];

    /// Sets one limit from `NAME=VALUE` (VALUE a whole number, `_` allowed).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let names = || {
            Self::NAMES
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(format!("expected NAME=VALUE, one of: {}", names()));
        };
        let value: u64 =
            value.trim().replace('_', "").parse().map_err(|_| {
                format!("the value of {name} must be a whole number, not `{value}`")
            })?;
        let size = usize::try_from(value).unwrap_or(usize::MAX);
        match name.trim() {
            "file-bytes" => self.max_file_bytes = value,
            "total-bytes" => self.max_total_bytes = value,
            "depth" => self.max_depth = size,
            "nodes" => self.max_nodes = size,
            "aliases" => self.max_aliases = size,
            "alias-nodes" => self.max_alias_expansion = size,
            "alias-bytes" => self.max_alias_bytes = size,
            "files" => self.max_files = size,
            "component-depth" => self.max_component_depth = size,
            "zone-depth" => self.max_zone_depth = size,
            "questions" => self.max_questions = value,
            other => return Err(format!("unknown limit `{other}`; limits are: {}", names())),
        }
        Ok(())
    }
}

/// The help of a limit's diagnostic: what to do, and how to raise it.
pub fn raise_help(what_to_do: &str, limit: &str) -> String {
    format!(
        "{what_to_do}; for a trusted model, raise the limit with `--limit {limit}=N` (see docs/fuzzing.md)"
    )
}

/// A byte count for messages: `16 MiB`, `270 KiB`, `12 bytes`.
pub fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// Decodes the bytes of a file to text: UTF-8 only (a byte-order mark is
/// dropped), with the exact position of the first invalid byte otherwise.
pub fn decode_text(bytes: &[u8], id: FileId, display: &str) -> Result<String, Diagnostic> {
    into_text(bytes.to_vec(), id, display).map_err(|(d, _)| d)
}

/// [`decode_text`] without a copy: the bytes become the text. On invalid
/// UTF-8, the diagnostic and the bytes as they were given.
pub fn into_text(
    mut bytes: Vec<u8>,
    id: FileId,
    display: &str,
) -> Result<String, (Diagnostic, Vec<u8>)> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if bom {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        // The valid prefix is UTF-8 by construction.
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line = prefix.matches('\n').count() as u32 + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        let span = Span {
            file: id,
            start: Span::offset(valid),
            end: Span::offset(valid),
            line,
            column,
        };
        let d = Diagnostic::new(
            Code::InvalidUtf8,
            format!(
                "{display} is not valid UTF-8: byte 0x{:02X} at offset {valid}",
                bytes[valid]
            ),
        )
        .at(span, "invalid byte here")
        .help("save the file as UTF-8");
        if bom {
            bytes.splice(0..0, *b"\xEF\xBB\xBF");
        }
        (d, bytes)
    })
}

/// Parses one YAML (or JSON) document into a [`Node`] tree.
pub fn parse(file: &SourceFile, id: FileId, limits: &Limits) -> Result<Node, Diagnostic> {
    // An empty or comment-only file has no document: `tree::build` reports it.
    match json_for_yaml(&file.text) {
        Some(text) => {
            let escaped = SourceFile::new(
                file.display.clone(),
                file.relative.clone(),
                file.path.clone(),
                text,
            );
            crate::tree::build(&escaped, id, limits)
        }
        None => crate::tree::build(file, id, limits),
    }
}

/// JSON is read by the YAML parser (JSON is YAML 1.2), except that JSON
/// strings may hold DEL and C1 controls raw (serde_json writes them so),
/// which YAML does not allow unescaped. In a JSON document those characters
/// can only stand inside strings, so each becomes its `\uXXXX` escape: the
/// same string, readable by YAML. Columns after such a character on its line
/// shift by the escape's length. None when nothing needs it.
fn json_for_yaml(text: &str) -> Option<String> {
    let is_json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '[']);
    let not_yaml = |c: char| c == '\u{7f}' || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}');
    if !is_json || !text.contains(not_yaml) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if not_yaml(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, Diagnostic> {
        let f = SourceFile::new(
            "t.yaml".into(),
            "t.yaml".into(),
            "t.yaml".into(),
            text.into(),
        );
        parse(&f, FileId(0), &Limits::default())
    }

    #[test]
    fn spans_point_at_values() {
        let n = parse_str("a: 1\nb:\n  - x\n  - {c: yes}\n").unwrap();
        let Value::Map(entries) = n.value else {
            panic!("not a map")
        };
        assert_eq!(entries[1].0.name, "b");
        let Value::Seq(items) = &entries[1].1.value else {
            panic!("not a seq")
        };
        assert_eq!((items[0].span.line, items[0].span.column), (3, 5));
        assert_eq!(items[0].value, Value::Str("x".into()));
        // strict booleans: `yes` stays a string
        let Value::Map(inner) = &items[1].value else {
            panic!()
        };
        assert_eq!(inner[0].1.value, Value::Str("yes".into()));
    }

    #[test]
    fn duplicate_keys_are_kept_for_diagnostics() {
        let n = parse_str("a: 1\na: 2\n").unwrap();
        let Value::Map(entries) = n.value else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].0.span.line, 2);
    }

    #[test]
    fn errors_have_codes() {
        assert_eq!(parse_str("").unwrap_err().code, Code::EmptyDocument);
        assert_eq!(parse_str("# only\n").unwrap_err().code, Code::EmptyDocument);
        assert_eq!(
            parse_str("a:\n\t- b\n").unwrap_err().code,
            Code::TabIndentation
        );
        assert_eq!(parse_str("a: [1, 2\n").unwrap_err().code, Code::YamlSyntax);
        let deep = "[".repeat(200) + &"]".repeat(200);
        let e = parse_str(&deep).unwrap_err();
        assert!(matches!(e.code, Code::TooDeep | Code::YamlSyntax), "{e:?}");
    }
}
