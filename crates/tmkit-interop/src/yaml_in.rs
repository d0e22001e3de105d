//! Reading other tools' YAML (and JSON) into a small spanned tree.
//!
//! Importers must accept whatever shape real files have and report problems
//! with file and line, so they read into a generic tree whose every node
//! knows its line and column, then interpret it field by field.
//!
//! Files are read and parsed exactly as the loader reads models: through
//! [`tmkit_syntax::fs::FileSystem`] (regular files only, size limits checked
//! before and while reading) and tmkit-syntax's YAML/JSON tree within its
//! [`Limits`]; this module only adapts that tree to the importers' needs.

use crate::files::ImportError;
use std::path::Path;
use tmkit_syntax::Code;
use tmkit_syntax::fs::{FileSystem, not_regular};
use tmkit_syntax::node::{self, Limits, decode_text};
use tmkit_syntax::{Diagnostic, FileId, SourceFile};

/// A node of a YAML document with its position (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// The scalar as written, for booleans, numbers and nulls (so that an id
    /// such as `Y`, `on` or `007` keeps its spelling).
    pub(crate) raw: Option<String>,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in document order, each with the position of the key.
    Map(Vec<(String, u32, Node)>),
}

impl Node {
    /// An empty node (for absent optional sections).
    pub(crate) fn null() -> Node {
        Node {
            value: Value::Null,
            line: 0,
            column: 0,
            raw: None,
        }
    }

    /// The entry of a mapping, by key.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n),
            _ => None,
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub(crate) fn entries(&self) -> &[(String, u32, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub(crate) fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A scalar as text (numbers and booleans as written in YAML).
    pub(crate) fn as_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) if self.raw.is_some() => {
                self.raw.clone()
            }
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A truth value, accepting the usual spellings in strings too.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Int(1) => Some(true),
            Value::Int(0) => Some(false),
            Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "on" => Some(true),
                "false" | "no" | "n" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A number, from a number or a numeric string.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Reads the file at `path` (named `shown` in errors) through `fs`, within
/// the loader's limits: `budget` is what remains of the bytes all files of
/// one import may hold, and is reduced by this file's size.
pub(crate) fn read(
    fs: &dyn FileSystem,
    path: &Path,
    shown: &str,
    budget: &mut u64,
) -> Result<String, ImportError> {
    let bytes = read_bytes(fs, path, shown, budget)?;
    decode(&bytes, shown)
}

/// Text from bytes read by [`read_bytes`]: UTF-8, a BOM dropped.
pub(crate) fn decode(bytes: &[u8], shown: &str) -> Result<String, ImportError> {
    decode_text(bytes, FileId(0), shown).map_err(|d| from_diagnostic(&d, shown))
}

/// [`read`] without decoding the text.
pub(crate) fn read_bytes(
    fs: &dyn FileSystem,
    path: &Path,
    shown: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, ImportError> {
    let limit = Limits::default().max_file_bytes.min(*budget);
    let bytes = fs.read(path, limit).map_err(|e| {
        let code = if not_regular(&e).is_some() {
            Code::NotRegularFile
        } else if e.kind() == std::io::ErrorKind::FileTooLarge {
            Code::FileTooLarge
        } else if e.kind() == std::io::ErrorKind::NotFound {
            Code::MissingFile
        } else {
            Code::Io
        };
        let reason = match (not_regular(&e), code) {
            (Some(n), _) => n.to_string(),
            (None, Code::FileTooLarge) => {
                format!("larger than the limit of {limit} bytes ({e})")
            }
            _ => e.to_string(),
        };
        ImportError::coded(code, shown, None, format!("cannot read: {reason}"))
    })?;
    *budget = budget.saturating_sub(bytes.len() as u64);
    Ok(bytes)
}

/// An error of the syntax crate as an import error of `shown`.
fn from_diagnostic(d: &Diagnostic, shown: &str) -> ImportError {
    let span = d.primary.as_ref().map(|l| l.span);
    ImportError {
        code: Some(d.code),
        line: span.map(|s| s.line).filter(|l| *l > 0),
        column: span.map(|s| s.column).filter(|c| *c > 0),
        ..ImportError::coded(d.code, shown, None, d.message.clone())
    }
}

/// Parses one YAML (or JSON) document; `file` names it in errors. Two equal
/// keys in one mapping are an error (the importers could not tell which
/// one is meant).
pub(crate) fn parse(text: &str, file: &str) -> Result<Node, ImportError> {
    let source = SourceFile::new(file.into(), file.into(), file.into(), text.into());
    let tree = node::parse(&source, FileId(0), &Limits::default())
        .map_err(|d| from_diagnostic(&d, file))?;
    convert(&tree, text, file)
}

fn convert(n: &node::Node, text: &str, file: &str) -> Result<Node, ImportError> {
    let value = match &n.value {
        node::Value::Null => Value::Null,
        node::Value::Bool(b) => Value::Bool(*b),
        node::Value::Int(i) => Value::Int(*i),
        node::Value::Float(f) => Value::Float(*f),
        node::Value::Str(s) => Value::Str(s.clone()),
        node::Value::Seq(items) => Value::Seq(
            items
                .iter()
                .map(|i| convert(i, text, file))
                .collect::<Result<_, _>>()?,
        ),
        node::Value::Map(entries) => {
            let mut out: Vec<(String, u32, Node)> = Vec::with_capacity(entries.len());
            let mut seen = std::collections::HashSet::with_capacity(entries.len());
            for (k, v) in entries {
                if !seen.insert(k.name.as_str()) {
                    return Err(ImportError {
                        column: Some(k.span.column),
                        ..ImportError::coded(
                            Code::DuplicateKey,
                            file,
                            Some(k.span.line),
                            format!("duplicate key `{}`", k.name),
                        )
                    });
                }
                out.push((k.name.clone(), k.span.line, convert(v, text, file)?));
            }
            Value::Map(out)
        }
    };
    // Numbers and booleans keep their spelling (`007`, `1.50`).
    let raw = match value {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => text
            .get(n.span.range())
            .map(str::trim)
            .filter(|r| !r.is_empty() && !r.starts_with(['*', '!', '&']))
            .map(str::to_string),
        _ => None,
    };
    Ok(Node {
        value,
        line: n.span.line,
        column: n.span.column,
        raw,
    })
}

impl Node {
    /// The deepest node along `path` (where deserializing it failed).
    pub(crate) fn at_path(&self, path: &serde_path_to_error::Path) -> &Node {
        use serde_path_to_error::Segment;
        let mut node = self;
        for segment in path.iter() {
            let next = match segment {
                Segment::Map { key } => node.get(key),
                Segment::Seq { index } => node.items().get(*index),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The tree as JSON (for documents read into typed structures).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_lines() {
        let doc = parse("a: 1\nb:\n  - x\n  - {REFID: Y}\nc: yes\n", "f.yaml").unwrap();
        let b = doc.get("b").unwrap();
        assert_eq!(b.items().len(), 2);
        assert_eq!(b.items()[0].line, 3);
        assert_eq!(
            b.items()[1].get("REFID").unwrap().as_text().as_deref(),
            Some("Y")
        );
        assert_eq!(b.items()[1].line, 4);
        assert_eq!(doc.get("a").unwrap().value, Value::Int(1));
        assert_eq!(doc.get("c").unwrap().as_bool(), Some(true));
        assert_eq!(doc.entries()[2].1, 5);
        let doc = parse("ids: [Y, on, 007, 1.50, true]\n", "f.yaml").unwrap();
        let ids: Vec<String> = doc
            .get("ids")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_text)
            .collect();
        assert_eq!(ids, ["Y", "on", "007", "1.50", "true"]);
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = parse("a: 1\nb: [unclosed\nc: 2\n", "bad.yaml").unwrap_err();
        assert_eq!(err.file, "bad.yaml");
        assert!(err.line.is_some(), "{err:?}");
        let err = parse("a: 1\na: 2\n", "dup.yaml").unwrap_err();
        assert_eq!(err.line, Some(2), "{err:?}");
    }
}
