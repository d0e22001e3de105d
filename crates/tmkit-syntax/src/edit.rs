//! Edits to a model file that keep every byte outside the inserted text.
//!
//! Commands whose job is to write into the user's model (`tmkit suggest
//! --apply`, `tmkit sync --apply`) go through this module and nothing else.
//! An edit is computed from the file's text and its [`Node`] tree (so
//! comments, key order, quoting and line endings stay as written) and is a
//! replacement of one byte range: [`append_item`] adds an item to a list,
//! [`set_key`] sets one entry of a mapping, [`apply`] applies edits.
//!
//! The replaced range is empty except in two cases, where the value being
//! extended is itself rewritten: an empty flow list (`threats: []`) or a null
//! value (`threats:` or `threats: ~`) becomes a block list, and a scalar
//! value replaced by [`set_key`].

use std::fmt;
use std::ops::Range;

use crate::node::{Key, Limits, Node, Value};
use crate::span::{FileId, SourceFile};

/// One step of a path from the document root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The value of a mapping key (the first entry of that name).
    Key(&'a str),
    /// An item of a list, from 0.
    Index(usize),
}

/// A replacement of bytes `range` of the source by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced (empty: an insertion).
    pub range: Range<usize>,
    /// The text put there.
    pub text: String,
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// Nothing is at this path.
    Missing {
        /// The path, as `threats[2].mitigations`.
        path: String,
    },
    /// The value at this path is not what the edit needs.
    Kind {
        /// The path.
        path: String,
        /// What the edit needs ("a mapping", "a list").
        expected: &'static str,
        /// What is there.
        found: &'static str,
        /// 1-based line of the value.
        line: u32,
        /// 1-based column of the value.
        column: u32,
    },
    /// The text to insert is not one valid YAML value.
    Item(String),
    /// The file's layout around the path is one this module does not edit
    /// (for example a flow collection that is never closed).
    Layout {
        /// The path.
        path: String,
        /// What was found.
        what: String,
    },
    /// Two edits overlap, or one lies outside the text.
    Overlap,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Missing { path } => write!(f, "nothing at `{path}` to edit"),
            EditError::Kind {
                path,
                expected,
                found,
                line,
                column,
            } => write!(
                f,
                "`{path}` (line {line}, column {column}) is {found}; expected {expected}"
            ),
            EditError::Item(why) => write!(f, "the text to insert is not valid YAML: {why}"),
            EditError::Layout { path, what } => {
                write!(f, "cannot edit `{path}`: {what}; edit the file by hand")
            }
            EditError::Overlap => write!(f, "edits overlap or lie outside the file"),
        }
    }
}

impl std::error::Error for EditError {}

/// Applies non-overlapping edits (in any order) and returns the new text.
pub fn apply(src: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out =
        String::with_capacity(src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in sorted {
        let ok = e.range.start >= at
            && e.range.start <= e.range.end
            && e.range.end <= src.len()
            && src.is_char_boundary(e.range.start)
            && src.is_char_boundary(e.range.end);
        if !ok {
            return Err(EditError::Overlap);
        }
        out.push_str(&src[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&src[at..]);
    Ok(out)
}

/// A string as a YAML scalar that reads back as exactly that string: plain
/// when that is unambiguous, otherwise double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    double_quoted(s)
}

/// A string as a YAML double-quoted scalar: `"` and `\` escaped, line
/// breaks and tabs as `\n`, `\t`, `\r`, every other control (and BOM,
/// NEL, the line and paragraph separators) as `\uXXXX`. The one YAML
/// quoting of tmkit: the model writer of the importers uses it too.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{85}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Plain only for a conservative set: letters, digits and `_ . / @ + -`
/// with inner spaces, not starting with an indicator, and not read as a
/// null, a boolean or a number.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let ok_char =
        |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '@' | '+' | '-' | ' ');
    first.is_alphanumeric()
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars().all(ok_char)
        && matches!(crate::tree::resolve_plain(s), Value::Str(_))
}

/// Appends one item to the list at `path`.
///
/// A block list gets a new `- ` item after its last one, at its indentation;
/// a non-empty flow list gets `, item` before its `]`; an empty flow list or
/// a null value becomes a block list; a missing key is added, as a block
/// list, after the last entry of its mapping. `item` is a YAML value written
/// at column 0 (`"id: x\ntitle: y\n"` or a scalar).
pub fn append_item(src: &str, root: &Node, path: &[Step], item: &str) -> Result<Edit, EditError> {
    let parsed = parse_item(item)?;
    let Some((last, parent_path)) = path.split_last() else {
        return Err(EditError::Layout {
            path: String::new(),
            what: "the document root is not a list".into(),
        });
    };
    let eol = line_ending(src);
    let parent = walk(root, parent_path)?;
    let target = child(parent, *last);
    match (target, last) {
        (Some((key, node)), _) => match &node.value {
            Value::Seq(items) => extend_list(src, path, parent, key, node, items, item),
            Value::Null => {
                let Some(key) = key.filter(|_| flow_open(src, parent).is_none()) else {
                    return Ok(Edit {
                        range: node.span.start as usize..node.span.end as usize,
                        text: format!("[{}]", flow(&parsed)),
                    });
                };
                let col = column(src, key.span.start as usize) + 2;
                let value = if node.span.end > node.span.start {
                    node.span.start as usize..node.span.end as usize
                } else {
                    let colon = colon_after(src, key.span.end as usize).ok_or_else(|| {
                        EditError::Layout {
                            path: show(path),
                            what: "no `:` after its key".into(),
                        }
                    })?;
                    colon + 1..colon + 1
                };
                Ok(to_block(
                    src,
                    value,
                    &block_item(item, col, col + 2, eol),
                    eol,
                ))
            }
            other => Err(kind(path, "a list", other.kind_name(), node)),
        },
        (None, Step::Key(name)) => {
            let Value::Map(entries) = &parent.value else {
                return Err(kind(
                    parent_path,
                    "a mapping",
                    parent.value.kind_name(),
                    parent,
                ));
            };
            if flow_open(src, parent).is_some() {
                let text = format!("{}: [{}]", scalar(name), flow(&parsed));
                return flow_entry(src, parent, entries, parent_path, text);
            }
            let col = entries
                .first()
                .map_or(0, |(k, _)| column(src, k.span.start as usize));
            let text = format!(
                "{}{}:{eol}{}",
                " ".repeat(col),
                scalar(name),
                block_item(item, col + 2, col + 4, eol)
            );
            Ok(insertion(
                src,
                after_block(src, subtree_end(parent)),
                text,
                eol,
            ))
        }
        (None, Step::Index(_)) => Err(EditError::Missing { path: show(path) }),
    }
}

/// Appends `item` to the list `node` (the value of `key` in `parent`).
fn extend_list(
    src: &str,
    path: &[Step],
    parent: &Node,
    key: Option<&Key>,
    node: &Node,
    items: &[Node],
    item: &str,
) -> Result<Edit, EditError> {
    let eol = line_ending(src);
    let parsed = parse_item(item)?;
    match flow_open(src, node) {
        Some(_) if !items.is_empty() => {
            let after = items
                .iter()
                .map(subtree_end)
                .max()
                .unwrap_or(node.span.start as usize + 1);
            let (close, comma) = closing(src, after, ']').ok_or_else(|| unclosed(path))?;
            let sep = if comma { " " } else { ", " };
            Ok(Edit {
                range: close..close,
                text: format!("{sep}{}", flow(&parsed)),
            })
        }
        Some(_) => {
            let (close, _) =
                closing(src, node.span.start as usize + 1, ']').ok_or_else(|| unclosed(path))?;
            let Some(key) = key.filter(|_| flow_open(src, parent).is_none()) else {
                return Ok(Edit {
                    range: close..close,
                    text: flow(&parsed),
                });
            };
            let col = column(src, key.span.start as usize) + 2;
            Ok(to_block(
                src,
                node.span.start as usize..close + 1,
                &block_item(item, col, col + 2, eol),
                eol,
            ))
        }
        None => {
            let Some(first) = items.first() else {
                return Err(unclosed(path));
            };
            let content = column(src, first_content(src, first));
            let dash =
                dash_column(src, first_content(src, first)).unwrap_or(content.saturating_sub(2));
            let at = after_block(src, subtree_end(node));
            Ok(insertion(
                src,
                at,
                block_item(item, dash, content.max(dash + 2), eol),
                eol,
            ))
        }
    }
}

/// Sets `key: value` in the mapping at `path`: replaces an existing scalar
/// (or null) value, or adds the entry after the mapping's last entry. `value`
/// is one YAML scalar or flow collection, already quoted (see [`scalar`]).
pub fn set_key(
    src: &str,
    root: &Node,
    path: &[Step],
    key: &str,
    value: &str,
) -> Result<Edit, EditError> {
    parse_item(value)?;
    if value.contains(['\n', '\r']) {
        return Err(EditError::Item(
            "a value set on one key is written on one line".into(),
        ));
    }
    let map = walk(root, path)?;
    let Value::Map(entries) = &map.value else {
        return Err(kind(path, "a mapping", map.value.kind_name(), map));
    };
    if let Some((k, v)) = entries.iter().find(|(k, _)| k.name == key) {
        return match &v.value {
            Value::Seq(_) | Value::Map(_) => {
                let mut full: Vec<Step> = path.to_vec();
                full.push(Step::Key(key));
                Err(kind(&full, "a scalar", v.value.kind_name(), v))
            }
            _ if v.span.end > v.span.start => Ok(Edit {
                range: v.span.start as usize..v.span.end as usize,
                text: value.to_string(),
            }),
            _ => {
                let colon =
                    colon_after(src, k.span.end as usize).ok_or_else(|| EditError::Layout {
                        path: show(path),
                        what: format!("no `:` after the key `{key}`"),
                    })?;
                Ok(Edit {
                    range: colon + 1..colon + 1,
                    text: format!(" {value}"),
                })
            }
        };
    }
    if flow_open(src, map).is_some() {
        return flow_entry(src, map, entries, path, format!("{}: {value}", scalar(key)));
    }
    let eol = line_ending(src);
    let col = entries
        .first()
        .map_or(0, |(k, _)| column(src, k.span.start as usize));
    let text = format!("{}{}: {value}{eol}", " ".repeat(col), scalar(key));
    Ok(insertion(
        src,
        after_block(src, subtree_end(map)),
        text,
        eol,
    ))
}

/// Parses `item` alone, so that nothing invalid is ever written.
fn parse_item(item: &str) -> Result<Node, EditError> {
    let file = SourceFile::new(
        "<edit>".into(),
        "<edit>".into(),
        "<edit>".into(),
        item.to_string(),
    );
    crate::node::parse(&file, FileId(u32::MAX), &Limits::default())
        .map_err(|d| EditError::Item(d.message))
}

/// The node at `path`.
fn walk<'n>(root: &'n Node, path: &[Step]) -> Result<&'n Node, EditError> {
    let mut node = root;
    for (i, step) in path.iter().enumerate() {
        node = child(node, *step)
            .map(|(_, n)| n)
            .ok_or_else(|| EditError::Missing {
                path: show(&path[..=i]),
            })?;
    }
    Ok(node)
}

/// One step down: the key (for a mapping) and the value.
fn child<'n>(node: &'n Node, step: Step) -> Option<(Option<&'n Key>, &'n Node)> {
    match (&node.value, step) {
        (Value::Map(entries), Step::Key(name)) => entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (Some(k), v)),
        (Value::Seq(items), Step::Index(i)) => items.get(i).map(|n| (None, n)),
        _ => None,
    }
}

fn show(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    if s.is_empty() {
        "(the document)".into()
    } else {
        s
    }
}

fn kind(path: &[Step], expected: &'static str, found: &'static str, node: &Node) -> EditError {
    EditError::Kind {
        path: show(path),
        expected,
        found,
        line: node.span.line,
        column: node.span.column,
    }
}

fn unclosed(path: &[Step]) -> EditError {
    EditError::Layout {
        path: show(path),
        what: "its flow list is not closed where expected".into(),
    }
}

/// `{` or `[` when the collection is written in flow style.
fn flow_open(src: &str, node: &Node) -> Option<u8> {
    match (&node.value, src.as_bytes().get(node.span.start as usize)) {
        (Value::Map(_), Some(b'{')) => Some(b'{'),
        (Value::Seq(_), Some(b'[')) => Some(b'['),
        _ => None,
    }
}

/// Adds an entry to a flow mapping, before its `}`.
fn flow_entry(
    src: &str,
    map: &Node,
    entries: &[(Key, Node)],
    path: &[Step],
    text: String,
) -> Result<Edit, EditError> {
    let from = entries
        .last()
        .map_or(map.span.start as usize + 1, |(k, v)| {
            subtree_end(v).max(k.span.end as usize)
        });
    let (close, comma) = closing(src, from, '}').ok_or_else(|| EditError::Layout {
        path: show(path),
        what: "its flow mapping is not closed where expected".into(),
    })?;
    let sep = match (entries.is_empty(), comma) {
        (true, _) => "",
        (false, true) => " ",
        (false, false) => ", ",
    };
    Ok(Edit {
        range: close..close,
        text: format!("{sep}{text}"),
    })
}

/// The byte just after everything under `node` (keys included).
fn subtree_end(node: &Node) -> usize {
    let own = node.span.end.max(node.span.start) as usize;
    match &node.value {
        Value::Seq(items) => items.iter().map(subtree_end).fold(own, usize::max),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| subtree_end(v).max(k.span.end as usize))
            .fold(own, usize::max),
        _ => own,
    }
}

/// Where the text of a list item starts (its first key for a mapping).
fn first_content(src: &str, item: &Node) -> usize {
    match &item.value {
        Value::Map(entries) if !entries.is_empty() && flow_open(src, item).is_none() => {
            entries[0].0.span.start as usize
        }
        _ => item.span.start as usize,
    }
}

/// The column of the `-` of a block list item whose content starts at `at`.
fn dash_column(src: &str, at: usize) -> Option<usize> {
    let line = line_start(src, at);
    let before = &src[line..at];
    let trimmed = before.trim_end_matches(' ');
    trimmed
        .ends_with('-')
        .then(|| column(src, line + trimmed.len() - 1))
}

/// The first `close` after `from`, skipping blanks, comments and one comma;
/// `true` when a comma was skipped.
fn closing(src: &str, from: usize, close: char) -> Option<(usize, bool)> {
    let mut comma = false;
    let mut chars = src.get(from..)?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == close => return Some((from + i, comma)),
            ' ' | '\t' | '\r' | '\n' => {}
            ',' if !comma => comma = true,
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            _ => return None,
        }
    }
    None
}

/// The `:` that follows a key (spaces between allowed).
fn colon_after(src: &str, from: usize) -> Option<usize> {
    let rest = src.get(from..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '"', '\'']).len();
    (rest.as_bytes().get(skipped) == Some(&b':')).then_some(from + skipped)
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Characters from the start of the line to `at`.
fn column(src: &str, at: usize) -> usize {
    src[line_start(src, at)..at].chars().count()
}

/// Where a line may be inserted after a block value ending at `end`: the
/// start of the next line.
fn after_block(src: &str, end: usize) -> usize {
    if end > 0 && src.as_bytes().get(end - 1) == Some(&b'\n') {
        return end;
    }
    src[end..].find('\n').map_or(src.len(), |i| end + i + 1)
}

fn line_ending(src: &str) -> &'static str {
    if src.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Inserts whole lines at `at` (the start of a line, or the end of a file
/// without a final newline).
fn insertion(src: &str, at: usize, text: String, eol: &str) -> Edit {
    let text = if at == src.len() && !src.is_empty() && !src.ends_with('\n') {
        format!("{eol}{text}")
    } else {
        text
    };
    Edit {
        range: at..at,
        text,
    }
}

/// Replaces `value` (an empty flow list, or a null) by a block list: the
/// rest of its line (a comment) is kept, the items follow on new lines. The
/// range replaced runs from the blanks before the value to the end of its
/// line.
fn to_block(src: &str, value: Range<usize>, items: &str, eol: &str) -> Edit {
    let line_end = src[value.end..]
        .find('\n')
        .map_or(src.len(), |i| value.end + i + 1);
    let comment = src[value.end..line_end].trim();
    let start = src[..value.start].trim_end_matches([' ', '\t']).len();
    let text = if comment.is_empty() {
        format!("{eol}{items}")
    } else {
        format!(" {comment}{eol}{items}")
    };
    Edit {
        range: start..line_end,
        text,
    }
}

/// An item as block list lines: `-` at column `dash`, its text at `content`.
fn block_item(item: &str, dash: usize, content: usize, eol: &str) -> String {
    let mut out = String::new();
    let body = item.trim_end_matches(['\n', '\r']);
    for (i, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i == 0 {
            out.push_str(&" ".repeat(dash));
            out.push('-');
            out.push_str(&" ".repeat(content.saturating_sub(dash + 1).max(1)));
        } else if !line.is_empty() {
            out.push_str(&" ".repeat(content));
        }
        out.push_str(line);
        out.push_str(eol);
    }
    out
}

/// A value in flow style (for a flow list or mapping).
fn flow(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => scalar(s),
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(&k.name), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(src: &str) -> Node {
        let file = SourceFile::new(
            "m.yaml".into(),
            "m.yaml".into(),
            "m.yaml".into(),
            src.to_string(),
        );
        crate::node::parse(&file, FileId(0), &Limits::default()).expect("valid YAML")
    }

    /// Applies the edit, checks that the bytes outside the inserted text are
    /// the original's and that the result parses.
    fn edited(src: &str, edit: &Edit) -> String {
        let out = apply(src, std::slice::from_ref(edit)).expect("applies");
        assert_eq!(
            &out[..edit.range.start],
            &src[..edit.range.start],
            "prefix kept"
        );
        assert_eq!(
            &out[edit.range.start + edit.text.len()..],
            &src[edit.range.end..],
            "suffix kept"
        );
        tree(&out);
        out
    }

    fn at<'n>(root: &'n Node, path: &[Step]) -> &'n Node {
        walk(root, path).expect("path")
    }

    fn ids(root: &Node, path: &[Step]) -> Vec<String> {
        match &at(root, path).value {
            Value::Seq(items) => items
                .iter()
                .map(|i| match &i.value {
                    Value::Map(e) => match &e[0].1.value {
                        Value::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    },
                    Value::Str(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => panic!("not a list: {other:?}"),
        }
    }

    const THREAT: &str = "id: t9\ntitle: \"New: one\"\ncategories: [spoofing]\n";

    #[test]
    fn appends_to_a_block_list_keeping_comments_and_indentation() {
        let src = "title: M # the model\nthreats:\n    # first\n    -   id: t1\n        title: One   # kept\n    -   id: t2\n        title: Two\n\n# trailing comment\nassets: []\n";
        let root = tree(src);
        let e = append_item(src, &root, &[Step::Key("threats")], THREAT).unwrap();
        let out = edited(src, &e);
        assert!(e.range.is_empty());
        assert!(out.contains("        title: Two\n    -   id: t9\n        title: \"New: one\"\n        categories: [spoofing]\n\n# trailing"), "{out}");
        assert_eq!(
            ids(&tree(&out), &[Step::Key("threats")]),
            ["t1", "t2", "t9"]
        );
    }

    #[test]
    fn appends_to_an_indentless_list_in_a_nested_mapping_with_crlf() {
        let src = "analysis:\r\n  entries:\r\n  - id: a\r\n    text: |\r\n      two\r\n      lines\r\nend: 1";
        let root = tree(src);
        let e = append_item(
            src,
            &root,
            &[Step::Key("analysis"), Step::Key("entries")],
            "id: b\n",
        )
        .unwrap();
        let out = edited(src, &e);
        assert!(
            out.contains("      lines\r\n  - id: b\r\nend: 1"),
            "{out:?}"
        );
        assert_eq!(
            ids(&tree(&out), &[Step::Key("analysis"), Step::Key("entries")]),
            ["a", "b"]
        );
    }

    #[test]
    fn an_empty_flow_list_or_a_null_becomes_a_block_list() {
        for src in [
            "threats: []\nassets: []\n",
            "threats: [ ] # none yet\nassets: []\n",
            "threats:\nassets: []\n",
            "threats: ~\nassets: []\n",
            "threats: null   \nassets: []\n",
        ] {
            let root = tree(src);
            let e = append_item(src, &root, &[Step::Key("threats")], THREAT).unwrap();
            let out = apply(src, std::slice::from_ref(&e)).unwrap();
            assert!(out.starts_with("threats:"), "{out}");
            assert!(out.ends_with("\nassets: []\n"), "{out}");
            assert_eq!(
                out.contains("# none yet"),
                src.contains("# none yet"),
                "{out}"
            );
            let t = tree(&out);
            assert_eq!(ids(&t, &[Step::Key("threats")]), ["t9"], "{src:?} -> {out}");
            assert!(
                out.contains("  - id: t9\n    title: \"New: one\"\n"),
                "{out}"
            );
        }
    }

    #[test]
    fn appends_to_a_non_empty_flow_list_in_flow_style() {
        let src = "refs: [CWE-79, \"CAPEC-63\",  # c\n  ]\nx: 1\n";
        let root = tree(src);
        let e = append_item(src, &root, &[Step::Key("refs")], "T1190").unwrap();
        let out = edited(src, &e);
        assert_eq!(
            ids(&tree(&out), &[Step::Key("refs")]),
            ["CWE-79", "CAPEC-63", "T1190"]
        );
        let e = append_item(src, &root, &[Step::Key("refs")], "note: \"a, b\"\n").unwrap();
        let out = edited(src, &e);
        assert!(out.contains("{note: \"a, b\"}"), "{out}");
    }

    #[test]
    fn a_missing_list_is_added_after_the_last_entry() {
        let src = "title: M\nassets:\n  - id: a\n    kind: service";
        let root = tree(src);
        let e = append_item(src, &root, &[Step::Key("threats")], THREAT).unwrap();
        let out = edited(src, &e);
        assert!(out.starts_with(src), "{out}");
        assert!(out.ends_with("service\nthreats:\n  - id: t9\n    title: \"New: one\"\n    categories: [spoofing]\n"), "{out}");
        // In a list item's mapping, at its keys' column.
        let root = tree(&out);
        let e = append_item(
            &out,
            &root,
            &[Step::Key("assets"), Step::Index(0), Step::Key("tags")],
            "pii",
        )
        .unwrap();
        let again = edited(&out, &e);
        assert!(
            again.contains("    kind: service\n    tags:\n      - pii\nthreats:"),
            "{again}"
        );
    }

    #[test]
    fn sets_keys_in_block_and_flow_mappings() {
        let src = "threats:\n  - id: t1 # first\n    title: One\n  - {id: t2, title: Two}\n  - id: t3\n    ticket:\n    title: Three\n";
        let root = tree(src);
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0)],
            "ticket",
            &scalar("https://x/1"),
        )
        .unwrap();
        let out = edited(src, &e);
        assert!(
            out.contains("    title: One\n    ticket: \"https://x/1\"\n  - {id"),
            "{out}"
        );
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(1)],
            "ticket",
            "GH-2",
        )
        .unwrap();
        let out = edited(src, &e);
        assert!(out.contains("{id: t2, title: Two, ticket: GH-2}"), "{out}");
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(2)],
            "ticket",
            "GH-3",
        )
        .unwrap();
        let out = edited(src, &e);
        assert!(out.contains("    ticket: GH-3\n    title: Three"), "{out}");
        // Replacing a scalar value.
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0)],
            "title",
            "\"Renamed\"",
        )
        .unwrap();
        let out = apply(src, &[e]).unwrap();
        assert!(
            out.contains("  - id: t1 # first\n    title: \"Renamed\"\n"),
            "{out}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_edit_cleanly() {
        let src = "threats:\n  - id: t1\n    refs: [a]\n";
        let root = tree(src);
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0)],
            "refs",
            "b",
        )
        .unwrap_err();
        assert!(matches!(e, EditError::Kind { line: 3, .. }), "{e}");
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(4)],
            "x",
            "b",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "nothing at `threats[4]` to edit");
        let e = append_item(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0), Step::Key("id")],
            "x",
        )
        .unwrap_err();
        assert!(e.to_string().contains("expected a list"), "{e}");
        let e = append_item(src, &root, &[Step::Key("threats")], "a: [").unwrap_err();
        assert!(matches!(e, EditError::Item(_)), "{e}");
        let e = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0)],
            "x",
            "a\nb",
        )
        .unwrap_err();
        assert!(matches!(e, EditError::Item(_)), "{e}");
        let overlap = [
            Edit {
                range: 0..3,
                text: String::new(),
            },
            Edit {
                range: 2..4,
                text: String::new(),
            },
        ];
        assert_eq!(apply(src, &overlap), Err(EditError::Overlap));
    }

    #[test]
    fn edits_apply_together_in_any_order() {
        let src = "threats:\n  - id: t1\n  - id: t2\n";
        let root = tree(src);
        let a = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(1)],
            "ticket",
            "B",
        )
        .unwrap();
        let b = set_key(
            src,
            &root,
            &[Step::Key("threats"), Step::Index(0)],
            "ticket",
            "A",
        )
        .unwrap();
        let out = apply(src, &[a, b]).unwrap();
        assert_eq!(
            out,
            "threats:\n  - id: t1\n    ticket: A\n  - id: t2\n    ticket: B\n"
        );
    }

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "plain",
            "two words",
            "",
            " lead",
            "trail ",
            "true",
            "null",
            "12",
            "1.5",
            "-x",
            "a: b",
            "a #b",
            "#c",
            "'q'",
            "\"dq\"",
            "line\nbreak",
            "tab\there",
            "\u{7}bell",
            "\u{85}nel",
            "\u{2028}",
            "ünï",
            "🙂",
            "[x]",
            "{y}",
            "*a",
            "&a",
            "!t",
            "%p",
            "@at",
            "`b`",
            "|",
            ">",
            "? k",
            "a\\b",
            "CWE-79",
            "ASVS-4.0.3:V2.1.1",
        ] {
            let src = format!("k: {}\n", scalar(s));
            let root = tree(&src);
            let Value::Map(entries) = &root.value else {
                panic!()
            };
            assert_eq!(
                entries[0].1.value,
                Value::Str(s.to_string()),
                "{s:?} as {src:?}"
            );
        }
        assert_eq!(scalar("CWE-79"), "CWE-79");
        assert_eq!(scalar("yes no"), "yes no");
        assert_eq!(scalar("true"), "\"true\"");
    }

    /// Every list and every mapping of the bundled examples takes an item
    /// or a key, and only that changes.
    #[test]
    fn every_list_and_mapping_of_the_examples_can_be_extended() {
        fn paths(
            node: &Node,
            at: &mut Vec<(Vec<String>, Vec<usize>)>,
            keys: Vec<String>,
            idx: Vec<usize>,
        ) {
            at.push((keys.clone(), idx.clone()));
            match &node.value {
                Value::Map(entries) => {
                    for (k, v) in entries {
                        let mut keys = keys.clone();
                        keys.push(k.name.clone());
                        let mut idx = idx.clone();
                        idx.push(usize::MAX);
                        paths(v, at, keys, idx);
                    }
                }
                Value::Seq(items) => {
                    for (i, v) in items.iter().enumerate() {
                        let mut keys = keys.clone();
                        keys.push(String::new());
                        let mut idx = idx.clone();
                        idx.push(i);
                        paths(v, at, keys, idx);
                    }
                }
                _ => {}
            }
        }
        fn steps<'a>(keys: &'a [String], idx: &[usize]) -> Vec<Step<'a>> {
            keys.iter()
                .zip(idx)
                .map(|(k, &i)| {
                    if i == usize::MAX {
                        Step::Key(k)
                    } else {
                        Step::Index(i)
                    }
                })
                .collect()
        }
        let root_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
        let mut files = 0;
        let mut edits = 0;
        for dir in ["reference", "composed"] {
            let mut stack = vec![std::path::PathBuf::from(root_dir).join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).expect("examples") {
                    let p = entry.expect("entry").path();
                    if p.is_dir() {
                        stack.push(p);
                        continue;
                    }
                    if p.extension().is_none_or(|e| e != "yaml") {
                        continue;
                    }
                    files += 1;
                    let src = std::fs::read_to_string(&p).expect("read");
                    let root = tree(&src);
                    let mut all = Vec::new();
                    paths(&root, &mut all, Vec::new(), Vec::new());
                    for (keys, idx) in &all {
                        let path = steps(keys, idx);
                        let node = at(&root, &path);
                        match &node.value {
                            Value::Seq(items) => {
                                let e = append_item(&src, &root, &path, "id: zz-new\n")
                                    .expect("append");
                                let out = apply(&src, std::slice::from_ref(&e)).expect("applies");
                                if crate::node::parse(
                                    &SourceFile::new(
                                        "m".into(),
                                        "m".into(),
                                        "m".into(),
                                        out.clone(),
                                    ),
                                    FileId(0),
                                    &Limits::default(),
                                )
                                .is_err()
                                {
                                    panic!(
                                        "{p:?} {keys:?} {e:?}\n{}",
                                        &out[e.range.start.saturating_sub(300)
                                            ..(e.range.start + e.text.len() + 200).min(out.len())]
                                    );
                                }
                                let t = tree(&edited(&src, &e));
                                let Value::Seq(now) = &at(&t, &path).value else {
                                    panic!("{p:?} {keys:?}")
                                };
                                assert_eq!(now.len(), items.len() + 1, "{p:?} {keys:?}");
                                assert_eq!(&now[..items.len()].len(), &items.len());
                                assert!(
                                    matches!(&now[items.len()].value, Value::Map(m) if m[0].0.name == "id")
                                );
                                edits += 1;
                            }
                            Value::Map(entries) => {
                                let e = set_key(&src, &root, &path, "zz_key", "v").expect("set");
                                let t = tree(&edited(&src, &e));
                                let Value::Map(now) = &at(&t, &path).value else {
                                    panic!("{p:?} {keys:?}")
                                };
                                assert_eq!(now.len(), entries.len() + 1, "{p:?} {keys:?}");
                                assert!(now.iter().any(|(k, v)| k.name == "zz_key"
                                    && v.value == Value::Str("v".into())));
                                edits += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        assert!(files >= 3 && edits > 100, "{files} files, {edits} edits");
    }
}
