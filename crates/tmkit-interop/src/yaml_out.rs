//! A small YAML emitter for files in tmkit's own format.
//!
//! Importers build a [`Yaml`] tree and print it here rather than through a
//! generic serializer, so that every string is quoted exactly when it must be
//! (a title such as `yes`, `1.0`, `- item` or `a: b` stays a string) and the
//! layout is the one a person would write: block mappings in field order,
//! literal blocks for multi-line Markdown.

use std::fmt::Write;

/// A YAML value in field order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml {
    /// A string (quoted when needed).
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping with keys in insertion order.
    Map(Vec<(String, Yaml)>),
}

/// Builds a mapping fluently, skipping absent optional fields.
#[derive(Debug, Default)]
pub(crate) struct MapBuilder(Vec<(String, Yaml)>);

impl MapBuilder {
    pub(crate) fn new() -> Self {
        MapBuilder(Vec::new())
    }

    pub(crate) fn put(mut self, key: &str, value: Yaml) -> Self {
        self.0.push((key.to_string(), value));
        self
    }

    pub(crate) fn str(self, key: &str, value: impl Into<String>) -> Self {
        self.put(key, Yaml::Str(value.into()))
    }

    /// Adds `key: value` when there is a value.
    pub(crate) fn opt_put(self, key: &str, value: Option<Yaml>) -> Self {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    pub(crate) fn opt_str(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// Adds a non-empty list of strings.
    pub(crate) fn strs(self, key: &str, values: &[String]) -> Self {
        if values.is_empty() {
            return self;
        }
        self.put(
            key,
            Yaml::Seq(values.iter().cloned().map(Yaml::Str).collect()),
        )
    }

    /// Adds a non-empty list of values.
    pub(crate) fn seq(self, key: &str, values: Vec<Yaml>) -> Self {
        if values.is_empty() {
            return self;
        }
        self.put(key, Yaml::Seq(values))
    }

    pub(crate) fn build(self) -> Yaml {
        Yaml::Map(self.0)
    }

    /// An element's mapping: `id`, `title` and the description when there
    /// is one.
    pub(crate) fn element(
        id: impl Into<String>,
        title: impl Into<String>,
        description: Option<impl Into<String>>,
    ) -> Self {
        MapBuilder::new()
            .str("id", id)
            .str("title", title)
            .opt_str("description", description)
    }

    /// Adds `key: true` when `value` is (a flag whose default is false).
    pub(crate) fn flag(self, key: &str, value: bool) -> Self {
        if value {
            self.put(key, Yaml::Bool(true))
        } else {
            self
        }
    }

    /// Adds `in_scope: false` when out of scope, and the reason.
    pub(crate) fn scope(self, in_scope: bool, reason: Option<impl Into<String>>) -> Self {
        let b = if in_scope {
            self
        } else {
            self.put("in_scope", Yaml::Bool(false))
        };
        b.opt_str("reason", reason)
    }

    /// Ends the mapping with `confidential: true` when it is.
    pub(crate) fn build_confidential(self, confidential: bool) -> Yaml {
        self.flag("confidential", confidential).build()
    }
}

/// Prints a document (a mapping at the top level), ending with a newline.
pub(crate) fn to_string(doc: &Yaml) -> String {
    let mut out = String::new();
    match doc {
        Yaml::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
        other => {
            write_inline(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// Writes mapping entries, each on its own line at `level` spaces.
fn write_map(out: &mut String, entries: &[(String, Yaml)], level: usize) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        write_key(out, k);
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

/// Writes what follows `key:` (a space and an inline value, or a nested block).
fn write_value_after_key(out: &mut String, v: &Yaml, level: usize) {
    match v {
        Yaml::Map(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map(out, m, level + 2);
        }
        Yaml::Seq(s) if !s.is_empty() => {
            out.push('\n');
            write_seq(out, s, level);
        }
        _ => {
            out.push(' ');
            write_inline(out, v, level);
            out.push('\n');
        }
    }
}

/// Writes sequence items (`- ...`) at `level` spaces.
fn write_seq(out: &mut String, items: &[Yaml], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Yaml::Map(m) if !m.is_empty() => write_map(out, m, level + 2),
            Yaml::Seq(s) if !s.is_empty() => {
                // A nested sequence starts on the dash's line.
                let mut nested = String::new();
                write_seq(&mut nested, s, level + 2);
                out.push_str(nested.trim_start());
            }
            other => {
                write_inline(out, other, level);
                out.push('\n');
            }
        }
    }
}

fn write_key(out: &mut String, key: &str) {
    if is_plain_safe(key) {
        out.push_str(key);
    } else {
        write_double_quoted(out, key);
    }
}

/// Writes a scalar or an empty collection on the current line. Multi-line
/// strings become literal blocks indented under `level`.
fn write_inline(out: &mut String, v: &Yaml, level: usize) {
    match v {
        Yaml::Str(s) => write_string(out, s, level),
        Yaml::Num(n) => write_number(out, *n),
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Only empty collections are written inline.
        Yaml::Seq(_) => out.push_str("[]"),
        Yaml::Map(_) => out.push_str("{}"),
    }
}

fn write_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        // Never produced by tmkit's own values; keep the document valid anyway.
        out.push('0');
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        let _ = write!(out, "{}", n as i64);
    } else {
        let _ = write!(out, "{n}");
    }
}

fn write_string(out: &mut String, s: &str, level: usize) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if literal_block_ok(s) {
        write_literal(out, s, level);
    } else {
        write_double_quoted(out, s);
    }
}

/// True for strings that YAML reads back as the same string when unquoted:
/// a conservative set (letters, digits, `_`, `-`, `.`, `/`, inner single
/// spaces), never a word that YAML 1.1 or 1.2 gives another type.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() || s.ends_with(' ') || s.contains("  ") {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' '))
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "nan" | "inf"
    )
}

/// A literal block keeps every character of text that has line breaks and no
/// character a block cannot hold.
fn literal_block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || !is_special(c))
}

/// Characters that must be escaped (controls, BOM, Unicode line breaks).
fn is_special(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

fn write_literal(out: &mut String, s: &str, level: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push('|');
    out.push_str(chomp);
    let body = s.trim_end_matches('\n');
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level + 2);
            out.push_str(line);
        }
    }
    // Keep-chomping needs the extra empty lines written out.
    for _ in 1..trailing {
        out.push('\n');
    }
    // The caller ends the line.
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push_str(&tmkit_syntax::edit::double_quoted(s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Doc {
        a: String,
        list: Vec<String>,
        nested: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Inner {
        id: String,
        text: String,
        num: f64,
        b: bool,
    }

    fn doc_with(s: &str) -> Yaml {
        MapBuilder::new()
            .str("a", s)
            .strs("list", &[s.to_string(), "plain".into()])
            .seq(
                "nested",
                vec![
                    MapBuilder::new()
                        .str("id", "x.1")
                        .str("text", s)
                        .put("num", Yaml::Num(2.5))
                        .put("b", Yaml::Bool(true))
                        .build(),
                ],
            )
            .build()
    }

    #[test]
    fn tricky_strings_round_trip() {
        let cases = [
            "yes",
            "No",
            "null",
            "~",
            "1.0",
            "0x1F",
            "- item",
            "a: b",
            "#comment",
            "key: [x]",
            "trailing ",
            " leading",
            "",
            "line1\nline2",
            "ends with newline\n",
            "two\n\n",
            "  indented first\nsecond",
            "tab\there",
            "quote \" and \\ backslash",
            "é ü 日本",
            "@at",
            "`tick",
            "*alias",
            "&anchor",
            "!tag",
            "%percent",
            "|pipe",
            ">fold",
            "'single'",
            "multi\n  indented\n# hash line\n",
            "cr\r\nlf",
            "ctrl\u{1}char",
            "\u{feff}bom",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "on",
            "Off",
            "y",
            ".inf",
            "-.5",
        ];
        for s in cases {
            let text = to_string(&doc_with(s));
            let back: Doc =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{s:?}: {e}\n{text}"));
            assert_eq!(back.a, s, "{text}");
            assert_eq!(back.list[0], s, "{text}");
            assert_eq!(back.nested[0].text, s, "{text}");
            assert_eq!(back.nested[0].num, 2.5);
            assert!(back.nested[0].b);
        }
    }

    #[test]
    fn layout_is_block_style() {
        let text = to_string(&doc_with("Hello world"));
        assert_eq!(
            text,
            "a: Hello world\nlist:\n- Hello world\n- plain\nnested:\n- id: x.1\n  text: Hello world\n  num: 2.5\n  b: true\n"
        );
    }
}
