//! Reading other tools' YAML (and JSON) into a small spanned tree.
//!
//! Importers must accept whatever shape real files have and report problems
//! with file and line, so they read into a generic tree whose every node
//! knows its line and column, then interpret it field by field.

use crate::files::ImportError;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A node of a YAML document with its position (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// The scalar as written, for booleans, numbers and nulls (so that an id
    /// such as `Y`, `on` or `007` keeps its spelling).
    pub(crate) raw: Option<String>,
    /// Byte range of the definition, when known.
    range: Option<(usize, usize)>,
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
            range: None,
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

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(node(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, u32, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Value>>()? {
            let key = node(key);
            let Some(name) = key.as_text() else {
                return Err(de::Error::custom(format!(
                    "line {}: a mapping key must be a scalar, not {}",
                    key.line,
                    key.type_name()
                )));
            };
            let value = node(map.next_value::<Spanned<Value>>()?);
            entries.push((name, key.line, value));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

fn node(s: Spanned<Value>) -> Node {
    let span = s.defined.span();
    let range = span
        .byte_offset()
        .zip(span.byte_len())
        .and_then(|(o, l)| Some((usize::try_from(o).ok()?, usize::try_from(o + l).ok()?)));
    Node {
        value: s.value,
        line: u32::try_from(s.referenced.line()).unwrap_or(u32::MAX),
        column: u32::try_from(s.referenced.column()).unwrap_or(u32::MAX),
        raw: None,
        range,
    }
}

/// Fills [`Node::raw`] of non-string scalars from the source text.
fn fill_raw(node: &mut Node, text: &str) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| fill_raw(n, text)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, _, n)| fill_raw(n, text)),
        Value::Str(_) | Value::Null => {}
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            node.raw = node
                .range
                .and_then(|(a, b)| text.get(a..b))
                .map(str::trim)
                .filter(|r| !r.is_empty() && !r.starts_with(['*', '!', '&']))
                .map(str::to_string);
        }
    }
}

/// Parses one YAML (or JSON) document; `file` names it in errors.
pub(crate) fn parse(text: &str, file: &str) -> Result<Node, ImportError> {
    match serde_saphyr::from_str::<Spanned<Value>>(text) {
        Ok(doc) => {
            let mut root = node(doc);
            fill_raw(&mut root, text);
            Ok(root)
        }
        Err(e) => {
            let loc = e.location();
            let line = loc
                .map(|l| u32::try_from(l.line()).unwrap_or(0))
                .filter(|l| *l > 0);
            let column = loc
                .map(|l| u32::try_from(l.column()).unwrap_or(0))
                .filter(|c| *c > 0);
            // The library's Display may append a source snippet; keep the headline.
            let full = e.without_snippet().to_string();
            let message = full
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim()
                .to_string();
            Err(ImportError {
                file: file.to_string(),
                line,
                column,
                message: format!("invalid YAML: {message}"),
            })
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
