//! A spanned YAML/JSON tree, parsed within hard limits.
//!
//! The document is first read into this generic tree (every node keeps its
//! file, line and column) and only then decoded into the format's types, so
//! that every problem in a file can be reported, not just the first.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, SourceFile, Span};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

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
    /// Most files (root + components + imports).
    pub max_files: usize,
    /// Most bytes read for one project, all files together.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 500_000,
            max_aliases: 10_000,
            max_alias_expansion: 100_000,
            max_files: 1_000,
            max_total_bytes: 64 * 1024 * 1024,
        }
    }
}

// serde glue: the generic value as serde-saphyr sees it.
struct RawNode(Spanned<RawValue>);
enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<RawNode>),
    Map(Vec<(RawNode, RawNode)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<RawValue>::deserialize(d).map(RawNode)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
        Ok(i64::try_from(v).map_or(RawValue::Float(v as f64), RawValue::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawNode>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<RawNode>()? {
            let v = map.next_value::<RawNode>()?;
            entries.push((k, v));
        }
        Ok(RawValue::Map(entries))
    }
}

fn to_span(file: &SourceFile, id: FileId, loc: &serde_saphyr::Location) -> Span {
    let line = loc.line().max(1) as u32;
    let column = loc.column().max(1) as u32;
    let sp = loc.span();
    let start = sp
        .byte_offset()
        .map_or_else(|| file.offset(line, column), |b| b as usize);
    let len = sp.byte_len().unwrap_or(0) as usize;
    Span {
        file: id,
        start,
        end: start + len,
        line,
        column,
    }
}

fn convert(file: &SourceFile, id: FileId, raw: RawNode) -> Node {
    let span = to_span(file, id, &raw.0.referenced);
    let value = match raw.0.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => {
            Value::Seq(items.into_iter().map(|n| convert(file, id, n)).collect())
        }
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let kn = convert(file, id, k);
                    let name = match kn.value {
                        Value::Str(s) => s,
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => "<complex key>".to_string(),
                    };
                    (
                        Key {
                            name,
                            span: kn.span,
                        },
                        convert(file, id, v),
                    )
                })
                .collect(),
        ),
    };
    Node { value, span }
}

/// Decodes the bytes of a file to text: UTF-8 only (a byte-order mark is
/// dropped), with the exact position of the first invalid byte otherwise.
pub fn decode_text(bytes: &[u8], id: FileId, display: &str) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // The valid prefix is UTF-8 by construction.
            let prefix = String::from_utf8_lossy(good);
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            let span = Span {
                file: id,
                start: e.valid_up_to(),
                end: e.valid_up_to(),
                line,
                column,
            };
            Err(Diagnostic::new(
                Code::InvalidUtf8,
                format!(
                    "{display} is not valid UTF-8: byte 0x{:02X} at offset {}",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
            )
            .at(span, "invalid byte here")
            .help("save the file as UTF-8"))
        }
    }
}

/// Parses one YAML (or JSON) document into a [`Node`] tree.
pub fn parse(file: &SourceFile, id: FileId, limits: &Limits) -> Result<Node, Diagnostic> {
    let text = file.text.as_str();
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::new(
            Code::EmptyDocument,
            format!("{} holds no document", file.display),
        )
        .at(Span::file_start(id), "empty file")
        .help(
            "a threat model starts with `tmkit: 1`, an `id` and a `title`; `tmkit init` writes one",
        ));
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_nodes;
    budget.max_aliases = limits.max_aliases;
    budget.max_anchors = limits.max_aliases;
    budget.max_events = limits.max_nodes.saturating_mul(2);
    budget.max_recorded_anchor_events = limits.max_alias_expansion;
    budget.max_total_scalar_bytes = limits.max_file_bytes as usize;
    budget.max_reader_input_bytes = Some(limits.max_file_bytes as usize);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
    options.alias_limits.max_total_replayed_events = limits.max_alias_expansion;
    options.alias_limits.max_replay_stack_depth = 32;
    options.strict_booleans = true;
    match serde_saphyr::from_str_with_options::<RawNode>(text, options) {
        Ok(raw) => Ok(convert(file, id, raw)),
        Err(e) => Err(yaml_error(file, id, &e, limits)),
    }
}

/// The place of the second document's `---` marker, if the file has one.
fn second_document(file: &SourceFile, id: FileId) -> Option<Span> {
    let mut seen_content = false;
    for (i, line) in file.text.lines().enumerate() {
        let t = line.trim_end();
        let marker = t == "---" || t.starts_with("--- ");
        if marker && seen_content {
            let line_no = i as u32 + 1;
            let start = file.line_start(line_no)?;
            return Some(Span {
                file: id,
                start,
                end: start + 3,
                line: line_no,
                column: 1,
            });
        }
        let rest = if marker { t[3..].trim() } else { t.trim() };
        if !rest.is_empty() && !rest.starts_with('#') && !rest.starts_with('%') {
            seen_content = true;
        }
    }
    None
}

fn yaml_error(
    file: &SourceFile,
    id: FileId,
    e: &serde_saphyr::Error,
    limits: &Limits,
) -> Diagnostic {
    use serde_saphyr::budget::BudgetBreach;
    let mut inner = e.without_snippet();
    // An error met while expanding an alias is shown at the alias (`*name`)
    // that led there, not inside the anchored value.
    let mut alias_at = None;
    while let serde_saphyr::Error::AliasError {
        error, locations, ..
    } = inner
    {
        if alias_at.is_none() && locations.reference_location != serde_saphyr::Location::UNKNOWN {
            alias_at = Some(locations.reference_location);
        }
        inner = error.without_snippet();
    }
    let loc = alias_at
        .or_else(|| inner.location())
        .or_else(|| e.location());
    let mut span = loc.map_or(Span::file_start(id), |l| to_span(file, id, &l));
    let raw_msg = inner.to_string();
    // serde-saphyr appends " at line X column Y"; we show the place ourselves.
    let msg = raw_msg
        .split(" at line ")
        .next()
        .unwrap_or(&raw_msg)
        .trim()
        .to_string();
    // A tab in the indentation of the offending line (or the line before it) is
    // the usual cause of "found character that cannot start any token".
    for line in [span.line, span.line.saturating_sub(1)] {
        if let Some(text) = file.line_text(line) {
            let indent: String = text.chars().take_while(|c| c.is_whitespace()).collect();
            if let Some(pos) = indent.find('\t') {
                let col = indent[..pos].chars().count() as u32 + 1;
                let start = file.line_start(line).unwrap_or(0) + pos;
                return Diagnostic::new(
                    Code::TabIndentation,
                    format!("tab character used for indentation in {}", file.display),
                )
                .at(
                    Span {
                        file: id,
                        start,
                        end: start + 1,
                        line,
                        column: col,
                    },
                    "tab here",
                )
                .help("YAML indentation must use spaces; replace the tab with spaces");
            }
        }
    }
    let too_deep = || {
        Diagnostic::new(
            Code::TooDeep,
            format!(
                "{} nests deeper than the limit of {} levels",
                file.display, limits.max_depth
            ),
        )
        .help("flatten the structure; threat models need only a few levels")
    };
    let expansion = |what: String| {
        Diagnostic::new(
            Code::TooManyAliases,
            format!("{} expands to more than the limit allows: {what}", file.display),
        )
        .help("avoid aliases that expand into huge documents (a \"billion laughs\" pattern); split very large models into components")
    };
    let special = match inner {
        serde_saphyr::Error::Budget { breach, .. } => Some(match breach {
            BudgetBreach::Depth { .. } => too_deep().at(span, "too deep here"),
            BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
                expansion(format!("more than {} YAML nodes", limits.max_nodes))
                    .at(span, "node limit reached here")
            }
            BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => expansion(format!(
                "more than {} aliases or anchors",
                limits.max_aliases
            ))
            .at(span, "alias limit reached here"),
            BudgetBreach::AliasAnchorRatio { aliases, anchors } => {
                expansion(format!("{aliases} aliases for only {anchors} anchors"))
                    .at(span, "too many aliases")
            }
            BudgetBreach::RecordedAnchorEvents { .. }
            | BudgetBreach::RecordedAnchorBytes { .. } => expansion(format!(
                "anchors copy more than {} nodes",
                limits.max_alias_expansion
            ))
            .at(span, "expansion limit reached here"),
            BudgetBreach::ScalarBytes { .. } | BudgetBreach::InputBytes { .. } => Diagnostic::new(
                Code::FileTooLarge,
                format!(
                    "{} holds more than {} bytes of text",
                    file.display, limits.max_file_bytes
                ),
            )
            .at(span, "size limit reached here")
            .help("split the model into components"),
            other => expansion(format!("{other:?}")).at(span, "limit reached here"),
        }),
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayCounterOverflow { .. } => Some(
            expansion(format!(
                "aliases copy more than {} nodes",
                limits.max_alias_expansion
            ))
            .at(span, "expansion limit reached here"),
        ),
        serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => {
            Some(too_deep().at(span, "aliases nest too deep here"))
        }
        serde_saphyr::Error::MultipleDocuments { .. } => {
            let at = second_document(file, id).unwrap_or(span);
            Some(
                Diagnostic::new(
                    Code::YamlSyntax,
                    format!("invalid YAML in {}: more than one YAML document", file.display),
                )
                .at(at, "a second document starts here")
                .help("a file holds one model; put other models in their own files and list them under `components:`"),
            )
        }
        _ => None,
    };
    if let Some(d) = special {
        return d;
    }
    let lower = msg.to_ascii_lowercase();
    if lower.contains("depth") || lower.contains("nesting") {
        return too_deep().at(span, "too deep here").note(msg);
    }
    if span.end <= span.start {
        span.end = span.start;
    }
    Diagnostic::new(Code::YamlSyntax, format!("invalid YAML in {}: {msg}", file.display))
        .at(span, "here")
        .help("fix the YAML syntax at this place (quote strings containing `: ` or starting with special characters)")
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
