//! Builds the [`Node`] tree straight from the YAML parser's events.
//!
//! tmkit reads YAML through `granit-parser`, the parser under serde-saphyr,
//! and resolves scalars itself (YAML 1.2 core schema, strict booleans).
//! Going through serde with a `Spanned` wrapper on every node cost about
//! 2.5 times the parse itself; building the tree from events keeps loading
//! linear and cheap, with the same limits: depth, node count, alias count and
//! the number of nodes aliases may copy.

use crate::diagnostic::{Code, Diagnostic};
use crate::node::{Key, Limits, Node, Value};
use crate::span::{FileId, SourceFile, Span};
use granit_parser::{Event, Parser, ScalarStyle, ScanError};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// What a subtree costs: its nodes and the bytes of its scalars and keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn since(self, first: Size) -> Size {
        Size {
            nodes: self.nodes - first.nodes + 1,
            bytes: self.bytes - first.bytes,
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
        first: Size,
    },
    Map {
        entries: Vec<(Key, Node)>,
        /// Built at the first merge key (`<<`): each key's first entry, and
        /// whether it came from a merge (a key written later replaces it).
        index: Option<HashMap<String, (usize, bool)>>,
        key: Option<Key>,
        span: Span,
        anchor: usize,
        first: Size,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    id: FileId,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Anchored nodes with their size.
    anchors: HashMap<usize, (Node, Size)>,
    /// Nodes and scalar bytes of the tree so far, copies included.
    total: Size,
    aliases: usize,
    /// What aliases copied so far.
    copied: Size,
    root: Option<Node>,
    documents: usize,
}

/// The span of an event, from the parser's markers: byte offsets, line and
/// column come with them, so a span costs O(1) however long its line is (no
/// counting of characters from the start of the line).
fn span_of(file: &SourceFile, id: FileId, s: &granit_parser::Span) -> Span {
    let mut span = point(file, id, &s.start);
    span.end = Span::offset(byte_offset(file, &s.end)).max(span.start);
    span
}

/// An empty span at a marker.
fn point(file: &SourceFile, id: FileId, m: &granit_parser::Marker) -> Span {
    let start = Span::offset(byte_offset(file, m));
    Span {
        file: id,
        start,
        end: start,
        line: u32::try_from(m.line()).unwrap_or(u32::MAX).max(1),
        column: u32::try_from(m.col()).unwrap_or(u32::MAX - 1) + 1,
    }
}

fn byte_offset(file: &SourceFile, m: &granit_parser::Marker) -> usize {
    m.byte_offset()
        .unwrap_or_else(|| char_to_byte(&file.text, m.index()))
        .min(file.text.len())
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// Resolves a plain scalar by the YAML 1.2 core schema (booleans only as
/// `true`/`false` in their three spellings; `.inf`/`.nan` stay strings).
pub(crate) fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let bytes = s.as_bytes();
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => s
                .parse::<f64>()
                .map_or_else(|_| Value::Str(s.to_string()), Value::Float),
        };
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(i) = i64::from_str_radix(hex, 16) {
                return Value::Int(i);
            }
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            if let Ok(i) = i64::from_str_radix(oct, 8) {
                return Value::Int(i);
            }
        }
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let first = bytes.first().copied().unwrap_or(b'x');
    if (first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.'))
        && digits.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        && is_core_float(s)
    {
        if let Ok(f) = s.parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    Value::Str(s.to_string())
}

fn is_core_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exp_ok
}

impl<'a> Builder<'a> {
    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::new(
            Code::TooDeep,
            format!(
                "{} nests deeper than the limit of {} levels",
                self.file.display, self.limits.max_depth
            ),
        )
        .at(span, "too deep here")
        .help("flatten the structure; threat models need only a few levels")
    }

    /// E0008; `limit` is the name `--limit NAME=VALUE` raises it with.
    fn expansion(&self, what: String, span: Span, label: &str, limit: &str) -> Diagnostic {
        Diagnostic::new(
            Code::TooManyAliases,
            format!("{} expands to more than the limit allows: {what}", self.file.display),
        )
        .at(span, label)
        .help(format!("avoid aliases that expand into huge documents (a \"billion laughs\" pattern) and split very large models into components; a trusted file may raise the limit with `--limit {limit}=N`"))
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.total.nodes += n;
        if self.total.nodes > self.limits.max_nodes {
            return Err(self.expansion(
                format!("more than {} YAML nodes", self.limits.max_nodes),
                span,
                "node limit reached here",
                "nodes",
            ));
        }
        Ok(())
    }

    /// Counts what an alias copies against the expansion limits (nodes and
    /// bytes of text), before anything is copied.
    fn copy(&mut self, size: Size, span: Span) -> Result<(), Diagnostic> {
        self.copied.nodes += size.nodes;
        self.copied.bytes = self.copied.bytes.saturating_add(size.bytes);
        let (what, limit) = if self.copied.nodes > self.limits.max_alias_expansion {
            let what = format!(
                "aliases copy more than {} nodes",
                self.limits.max_alias_expansion
            );
            (what, "alias-nodes")
        } else if self.copied.bytes > self.limits.max_alias_bytes {
            let what = format!(
                "aliases copy more than {} of text ({} with this one)",
                crate::node::human_bytes(self.limits.max_alias_bytes as u64),
                crate::node::human_bytes(self.copied.bytes as u64)
            );
            (what, "alias-bytes")
        } else {
            return Ok(());
        };
        Err(self.expansion(what, span, "expansion limit reached here", limit))
    }

    /// Places a finished node in its parent (or as the root).
    fn emit(&mut self, node: Node, size: Size, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                index,
                key,
                ..
            }) => match key.take() {
                None => {
                    let span = node.span;
                    let name = match node.value {
                        Value::Str(s) => s,
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => format!("{f:?}"),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => "<complex key>".to_string(),
                    };
                    *key = Some(Key { name, span });
                }
                Some(k) if k.name == "<<" => merge(entries, index, k, node),
                Some(k) => {
                    if let Some(index) = index {
                        match index.entry(k.name.clone()) {
                            // A key written in the mapping wins over a merged one.
                            Entry::Occupied(mut e) if e.get().1 => {
                                let pos = e.get().0;
                                e.insert((pos, false));
                                entries[pos] = (k, node);
                                return;
                            }
                            Entry::Occupied(_) => {}
                            Entry::Vacant(e) => {
                                e.insert((entries.len(), false));
                            }
                        }
                    }
                    entries.push((k, node));
                }
            },
        }
    }

    fn event(&mut self, ev: Event<'_>, sp: &granit_parser::Span) -> Result<(), Diagnostic> {
        match ev {
            Event::DocumentStart(..) => self.document_start(sp),
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag
                    .as_ref()
                    .is_some_and(|t| t.to_string().ends_with(":str") || t.to_string() == "!!str");
                let plain = style == ScalarStyle::Plain && !is_str_tag;
                self.scalar(text, plain, anchor, sp)
            }
            Event::SequenceStart(_, anchor, _) => self.start(false, anchor, sp),
            Event::MappingStart(_, anchor, _) => self.start(true, anchor, sp),
            Event::SequenceEnd | Event::MappingEnd => {
                self.end();
                Ok(())
            }
            Event::Alias(anchor) => self.alias(anchor, sp),
            _ => Ok(()),
        }
    }

    fn document_start(&mut self, sp: &granit_parser::Span) -> Result<(), Diagnostic> {
        self.documents += 1;
        if self.documents == 1 {
            return Ok(());
        }
        let span = span_of(self.file, self.id, sp);
        Err(Diagnostic::new(
            Code::YamlSyntax,
            format!("invalid YAML in {}: more than one YAML document", self.file.display),
        )
        .at(span, "a second document starts here")
        .help("a file holds one model; put other models in their own files and list them under `components:`"))
    }

    /// A scalar; `plain` ones are resolved by the core schema.
    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        plain: bool,
        anchor: usize,
        sp: &granit_parser::Span,
    ) -> Result<(), Diagnostic> {
        let span = span_of(self.file, self.id, sp);
        self.count(1, span)?;
        let size = Size {
            nodes: 1,
            bytes: text.len(),
        };
        self.total.bytes += size.bytes;
        let value = if plain {
            resolve_plain(&text)
        } else {
            Value::Str(text.into_owned())
        };
        self.emit(Node { value, span }, size, anchor);
        Ok(())
    }

    /// The start of a mapping (`map`) or a sequence.
    fn start(
        &mut self,
        map: bool,
        anchor: usize,
        sp: &granit_parser::Span,
    ) -> Result<(), Diagnostic> {
        let span = span_of(self.file, self.id, sp);
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        self.count(1, span)?;
        let first = self.total;
        self.stack.push(if map {
            Frame::Map {
                entries: Vec::new(),
                index: None,
                key: None,
                span,
                anchor,
                first,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                span,
                anchor,
                first,
            }
        });
        Ok(())
    }

    /// The end of the innermost collection.
    fn end(&mut self) {
        let (value, span, anchor, first) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                span,
                anchor,
                first,
            }) => (Value::Seq(items), span, anchor, first),
            Some(Frame::Map {
                entries,
                span,
                anchor,
                first,
                ..
            }) => (Value::Map(entries), span, anchor, first),
            None => return,
        };
        let size = self.total.since(first);
        self.emit(Node { value, span }, size, anchor);
    }

    fn alias(&mut self, anchor: usize, sp: &granit_parser::Span) -> Result<(), Diagnostic> {
        let span = span_of(self.file, self.id, sp);
        self.aliases += 1;
        if self.aliases > self.limits.max_aliases {
            return Err(self.expansion(
                format!("more than {} aliases or anchors", self.limits.max_aliases),
                span,
                "alias limit reached here",
                "aliases",
            ));
        }
        let Some(size) = self.anchors.get(&anchor).map(|(_, size)| *size) else {
            return Err(Diagnostic::new(
                Code::YamlSyntax,
                format!(
                    "invalid YAML in {}: alias to an unknown anchor",
                    self.file.display
                ),
            )
            .at(span, "no anchor with this name before here")
            .help("define the anchor (`&name`) before using the alias (`*name`)"));
        };
        self.copy(size, span)?;
        // Checked before cloning, so a bomb never allocates.
        self.count(size.nodes, span)?;
        self.total.bytes += size.bytes;
        let mut copy = self.anchors[&anchor].0.clone();
        copy.span = span;
        self.emit(copy, size, 0);
        Ok(())
    }
}

/// `<<: *base` (or a list of them): entries not written in the mapping itself
/// are taken from the merged mappings (the first one that has a key wins).
/// Linear in the merged entries: `index` maps each key of the mapping to its
/// first entry once the mapping has a merge key.
fn merge(
    entries: &mut Vec<(Key, Node)>,
    index: &mut Option<HashMap<String, (usize, bool)>>,
    key: Key,
    value: Node,
) {
    let sources: Vec<Node> = match value.value {
        Value::Map(_) => vec![value],
        Value::Seq(items) => items,
        _ => {
            entries.push((key, value));
            return;
        }
    };
    let index = index.get_or_insert_with(|| {
        let mut index = HashMap::with_capacity(entries.len());
        for (i, (k, _)) in entries.iter().enumerate() {
            index.entry(k.name.clone()).or_insert((i, false));
        }
        index
    });
    for src in sources {
        if let Value::Map(src_entries) = src.value {
            for (k, v) in src_entries {
                if let Entry::Vacant(e) = index.entry(k.name.clone()) {
                    e.insert((entries.len(), true));
                    entries.push((k, v));
                }
            }
        }
    }
}

fn scan_error(file: &SourceFile, id: FileId, e: &ScanError) -> Diagnostic {
    let span = point(file, id, e.marker());
    let line = span.line;
    // A tab in the indentation of the offending line (or the line before it)
    // is the usual cause of "found character that cannot start any token".
    for l in [line, line.saturating_sub(1)] {
        if let Some(text) = file.line_text(l) {
            let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
            if let Some(pos) = indent.find('\t') {
                let col = indent[..pos].chars().count() as u32 + 1;
                let s = file.line_start(l).unwrap_or(0) + pos;
                return Diagnostic::new(
                    Code::TabIndentation,
                    format!("tab character used for indentation in {}", file.display),
                )
                .at(
                    Span {
                        file: id,
                        start: Span::offset(s),
                        end: Span::offset(s + 1),
                        line: l,
                        column: col,
                    },
                    "tab here",
                )
                .help("YAML indentation must use spaces; replace the tab with spaces");
            }
        }
    }
    let msg = e.info();
    let lower = msg.to_ascii_lowercase();
    if lower.contains("recursion") || lower.contains("nesting") || lower.contains("depth") {
        return Diagnostic::new(
            Code::TooDeep,
            format!(
                "{} nests deeper than the limit of {} levels",
                file.display,
                Limits::default().max_depth
            ),
        )
        .at(span, "too deep here")
        .note(msg)
        .help("flatten the structure; threat models need only a few levels");
    }
    Diagnostic::new(Code::YamlSyntax, format!("invalid YAML in {}: {msg}", file.display))
        .at(span, "here")
        .help("fix the YAML syntax at this place (quote strings containing `: ` or starting with special characters)")
}

/// Parses the text of `file` into a tree, within `limits`.
pub fn build(file: &SourceFile, id: FileId, limits: &Limits) -> Result<Node, Diagnostic> {
    let mut b = Builder {
        file,
        id,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: Size::default(),
        aliases: 0,
        copied: Size::default(),
        root: None,
        documents: 0,
    };
    let mut options = granit_parser::Options::default();
    // The scanner reads flow collections ahead of the events, so it enforces
    // the depth limit there itself (same limit, same message).
    options.flow_nesting_limit = limits.max_depth;
    options.block_nesting_limit = limits.max_depth;
    for item in Parser::new_from_str_with_options(&file.text, options) {
        match item {
            Ok((ev, sp)) => b.event(ev, &sp)?,
            Err(e) => return Err(scan_error(file, id, &e)),
        }
    }
    b.root.ok_or_else(|| {
        Diagnostic::new(
            Code::EmptyDocument,
            format!("{} holds no document", file.display),
        )
        .at(Span::file_start(id), "empty file")
        .help(
            "a threat model starts with `tmkit: 1`, an `id` and a `title`; `tmkit init` writes one",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_scalars() {
        assert_eq!(resolve_plain("1"), Value::Int(1));
        assert_eq!(resolve_plain("-7"), Value::Int(-7));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("2.5"), Value::Float(2.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Value::Float(0.5));
        assert_eq!(resolve_plain("true"), Value::Bool(true));
        assert_eq!(resolve_plain("yes"), Value::Str("yes".into()));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(
            resolve_plain("CVSS:3.1/AV:N"),
            Value::Str("CVSS:3.1/AV:N".into())
        );
        assert_eq!(resolve_plain(".inf"), Value::Str(".inf".into()));
        assert_eq!(resolve_plain("e5"), Value::Str("e5".into()));
        assert_eq!(resolve_plain("-"), Value::Str("-".into()));
    }

    fn parse(text: &str) -> Result<Node, Diagnostic> {
        let f = SourceFile::new(
            "t.yaml".into(),
            "t.yaml".into(),
            "t.yaml".into(),
            text.into(),
        );
        build(&f, FileId(0), &Limits::default())
    }

    fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
        match &n.value {
            Value::Map(e) => e.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let n =
            parse("base: &b {kind: service, zone: dmz}\na:\n  <<: *b\n  zone: internal\nb: *b\n")
                .expect("parses");
        let a = get(&n, "a").expect("a");
        assert_eq!(
            get(a, "kind").map(|v| &v.value),
            Some(&Value::Str("service".into()))
        );
        assert_eq!(
            get(a, "zone").map(|v| &v.value),
            Some(&Value::Str("internal".into())),
            "own key wins"
        );
        let b = get(&n, "b").expect("b");
        assert_eq!(
            get(b, "zone").map(|v| &v.value),
            Some(&Value::Str("dmz".into()))
        );
        assert_eq!(b.span.line, 5, "an alias is placed where it is used");
    }

    #[test]
    fn alias_bomb_stops_before_allocating() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let e = parse(&text).expect_err("limit");
        assert_eq!(e.code, Code::TooManyAliases);
        assert!(
            e.message.contains("aliases copy more than"),
            "{}",
            e.message
        );
    }

    #[test]
    fn spans_on_a_one_megabyte_line_are_exact() {
        // One line of flow mapping entries with multi-byte text, so byte
        // offsets and character columns differ; the last key is ~1 MB in.
        let mut text = String::from("{");
        let mut i = 0;
        while text.len() < 1 << 20 {
            text.push_str(&format!("k{i}: \"é€ {i}\", "));
            i += 1;
        }
        text.push_str("last: end}");
        let f = SourceFile::new(
            "t.json".into(),
            "t.json".into(),
            "t.json".into(),
            text.clone(),
        );
        let n = build(&f, FileId(0), &Limits::default()).expect("parses");
        let Value::Map(entries) = &n.value else {
            panic!("not a map")
        };
        let (key, value) = entries.last().expect("entries");
        assert_eq!(key.name, "last");
        let at = text.rfind("last").expect("written");
        let chars = text[..at].chars().count() as u32;
        assert_eq!(
            (key.span.line, key.span.column, key.span.start),
            (1, chars + 1, at as u32)
        );
        assert_eq!(value.span.column, chars + 7);
        assert_eq!(&text[value.span.range()], "end");
        // The same as the (slow) position computed from the text.
        assert_eq!(f.position(value.span.start as usize), (1, chars + 7));
    }

    #[test]
    fn syntax_error_at_the_end_of_a_long_line_has_its_column() {
        let text = format!("[a, \"{}\", @]", "ü".repeat(500_000));
        let e = parse(&text).expect_err("invalid");
        let p = e.primary.expect("place").span;
        let at = text.rfind('@').expect("written");
        assert_eq!(p.start as usize, at);
        assert_eq!(
            (p.line, p.column),
            (1, text[..at].chars().count() as u32 + 1)
        );
    }

    #[test]
    fn a_lone_carriage_return_breaks_lines_as_in_yaml() {
        let text = "a: 1\rb: x\r";
        let f = SourceFile::new(
            "t.yaml".into(),
            "t.yaml".into(),
            "t.yaml".into(),
            text.into(),
        );
        let n = build(&f, FileId(0), &Limits::default()).expect("parses");
        let b = get(&n, "b").expect("b");
        assert_eq!((b.span.line, b.span.column), (2, 4));
        assert_eq!(f.line_text(2), Some("b: x"), "the snippet shows that line");
        assert_eq!(f.position(b.span.start as usize), (2, 4));
    }

    /// A model whose first asset holds `desc_bytes` of description under an
    /// anchor, merged into `merges` more assets, one per line from line 4.
    fn merged_description(desc_bytes: usize, merges: usize) -> String {
        let mut text = format!(
            "assets:\n  - &d {{id: a0, description: \"{}\"}}\n  - {{<<: *d, id: x}}\n",
            "x".repeat(desc_bytes)
        );
        for i in 1..=merges {
            text.push_str(&format!("  - {{<<: *d, id: a{i}}}\n"));
        }
        text
    }

    #[test]
    fn alias_expansion_counts_bytes_of_text() {
        // 270 KB merged 100 times would copy 27 MB of text in only 200 nodes.
        let e = parse(&merged_description(270_000, 100)).expect_err("limit");
        assert_eq!(e.code, Code::TooManyAliases);
        assert!(
            e.message.contains("aliases copy more than 16 MiB of text"),
            "{}",
            e.message
        );
        // Each copy is 270,015 bytes (text, keys and `a0`): the 63rd crosses
        // 16 MiB; it is on line 3 + 62, at the `*d`.
        let place = e.primary.expect("place").span;
        assert_eq!((place.line, place.column), (65, 10));
        // Below the limit, the same shape is fine.
        let n = parse(&merged_description(1_000, 100)).expect("small merges");
        let Value::Map(top) = &n.value else { panic!() };
        let Value::Seq(assets) = &top[0].1.value else {
            panic!()
        };
        assert_eq!(assets.len(), 102);
        assert_eq!(
            get(&assets[101], "id").map(|v| &v.value),
            Some(&Value::Str("a100".into()))
        );
        assert_eq!(
            get(&assets[101], "description").map(|v| &v.value),
            Some(&Value::Str("x".repeat(1_000)))
        );
    }

    #[test]
    fn merge_precedence_with_many_keys() {
        // A mapping merging two 5,000-key mappings: own keys win wherever
        // they are written, then the first merged mapping.
        let keys = |p: &str| {
            (0..5_000)
                .map(|i| format!("k{i}: {p}{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "a: &a {{{}}}\nb: &b {{{}, only_b: 1}}\nc: {{k1: own, <<: [*a, *b], k2: own, k1: dup}}\n",
            keys("a"),
            keys("b")
        );
        let n = parse(&text).expect("parses");
        let c = get(&n, "c").expect("c");
        let Value::Map(entries) = &c.value else {
            panic!()
        };
        // k0..k4999 once each, only_b, and the duplicate `k1` kept for E0009.
        assert_eq!(entries.len(), 5_002);
        let value = |k: &str| {
            entries
                .iter()
                .filter(|(e, _)| e.name == k)
                .map(|(_, v)| v.value.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(value("k0"), vec![Value::Str("a0".into())]);
        assert_eq!(value("k2"), vec![Value::Str("own".into())]);
        assert_eq!(
            value("k1"),
            vec![Value::Str("own".into()), Value::Str("dup".into())]
        );
        assert_eq!(value("only_b"), vec![Value::Int(1)]);
        assert_eq!(value("k4999"), vec![Value::Str("a4999".into())]);
    }

    #[test]
    fn second_document_and_unknown_alias_are_errors() {
        let e = parse("a: 1\n---\nb: 2\n").expect_err("two documents");
        assert!(e.message.contains("more than one YAML document"));
        assert_eq!(e.primary.expect("place").span.line, 2);
        assert_eq!(
            parse("a: *nope\n").expect_err("alias").code,
            Code::YamlSyntax
        );
    }
}
