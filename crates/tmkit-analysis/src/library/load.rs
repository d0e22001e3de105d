//! Reading one library file: tmkit-syntax's tree (within its limits), then
//! the typed [`LibraryFile`], then the checks of its content. Every problem
//! is a diagnostic placed at the file, line and column it concerns.

use super::{LIBRARY_FORMAT, LibraryFile, Pattern, PatternCategories};
use std::collections::HashSet;
use tmkit_model::refs::{StandardRef, WeaknessRef};
use tmkit_model::taxonomy::Taxonomy;
use tmkit_syntax::node::{self, Limits, Node, Value};
use tmkit_syntax::{Code, Diagnostic, FileId, Files, SourceFile, Span};

/// Parses and checks library text named `shown` (registered in `files`, so
/// the diagnostics can be rendered with their source lines). Returns the
/// file when it has no error, and every diagnostic.
pub fn parse_library_str(
    files: &mut Files,
    shown: &str,
    text: &str,
    limits: &Limits,
) -> (Option<LibraryFile>, Vec<Diagnostic>) {
    let source = SourceFile::new(
        shown.to_string(),
        shown.to_string(),
        shown.into(),
        text.to_string(),
    );
    let id = files.add(source);
    parse_library(files.get(id), id, limits)
}

/// [`parse_library_str`] over a file already registered as `id`.
pub fn parse_library(
    file: &SourceFile,
    id: FileId,
    limits: &Limits,
) -> (Option<LibraryFile>, Vec<Diagnostic>) {
    let tree = match node::parse(file, id, limits) {
        Ok(t) => t,
        Err(d) => return (None, vec![d]),
    };
    let lib: LibraryFile = match serde_path_to_error::deserialize(to_json(&tree)) {
        Ok(l) => l,
        Err(e) => {
            let at = at_path(&tree, e.path());
            let what = e.inner().to_string();
            let d = Diagnostic::new(
                Code::LibraryInvalid,
                format!("{} is not a valid threat library: {what}", file.display),
            )
            .at(at.span, format!("at `{}`", e.path()));
            return (None, vec![d]);
        }
    };
    let diags = check(&lib, &tree, &file.display);
    let ok = !diags.iter().any(Diagnostic::is_error);
    (ok.then_some(lib), diags)
}

/// The tree as JSON, for the typed structures.
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        _ => None,
    }
}

fn item(node: &Node, index: usize) -> Option<&Node> {
    match &node.value {
        Value::Seq(items) => items.get(index),
        _ => None,
    }
}

/// The deepest node along a deserialisation error's path.
fn at_path<'a>(tree: &'a Node, path: &serde_path_to_error::Path) -> &'a Node {
    use serde_path_to_error::Segment;
    let mut node = tree;
    for segment in path.iter() {
        let next = match segment {
            Segment::Map { key } => get(node, key),
            Segment::Seq { index } => item(node, *index),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// The span of `patterns[i].key` (or of the pattern, or of the document).
fn span_of(tree: &Node, i: usize, keys: &[&str]) -> Span {
    let mut node = get(tree, "patterns")
        .and_then(|p| item(p, i))
        .unwrap_or(tree);
    for k in keys {
        match get(node, k) {
            Some(n) => node = n,
            None => break,
        }
    }
    node.span
}

/// True for an id of the model's id syntax (docs/format.md#ids), without `@`.
pub(crate) fn valid_id(id: &str) -> bool {
    let mut segments = id.split('.');
    let first = segments.next().unwrap_or_default();
    let part = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    first.starts_with(|c: char| c.is_ascii_alphabetic()) && part(first) && segments.all(part)
}

/// The checks a typed file cannot express: version, ids, categories of
/// their taxonomy, references, non-empty text.
fn check(lib: &LibraryFile, tree: &Node, shown: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |span: Span, msg: String, help: &str| {
        out.push(
            Diagnostic::new(Code::LibraryPattern, format!("{shown}: {msg}"))
                .at(span, "here")
                .help(help.to_string()),
        );
    };
    if lib.format != LIBRARY_FORMAT {
        let span = get(tree, "tmkit-library").map_or(tree.span, |n| n.span);
        bad(
            span,
            format!("library format {} is not supported", lib.format),
            "write `tmkit-library: 1`",
        );
    }
    if lib.name.trim().is_empty() || lib.version.trim().is_empty() {
        bad(
            tree.span,
            "the library has no name or no version".into(),
            "give `name:` and `version:`",
        );
    }
    let mut seen = HashSet::new();
    for (i, p) in lib.patterns.iter().enumerate() {
        if !seen.insert(p.id.as_str()) {
            bad(
                span_of(tree, i, &["id"]),
                format!("pattern id `{}` is repeated", p.id),
                "give each pattern of a file its own id",
            );
        }
        check_pattern(p, i, tree, &mut bad);
    }
    for (i, id) in lib.disable.iter().enumerate() {
        if !valid_id(id) {
            let span = get(tree, "disable").and_then(|d| item(d, i));
            bad(
                span.map_or(tree.span, |n| n.span),
                format!("`{id}` in `disable` is not a pattern id"),
                "list the ids of patterns to leave out",
            );
        }
    }
    out
}

/// The checks of one pattern (`i`-th of the file).
fn check_pattern(p: &Pattern, i: usize, tree: &Node, bad: &mut dyn FnMut(Span, String, &str)) {
    if !valid_id(&p.id) {
        bad(
            span_of(tree, i, &["id"]),
            format!("pattern id `{}` is not an id", p.id),
            "use letters, digits, `_`, `-` and `.`, starting with a letter (`sql-injection`)",
        );
    }
    for (key, text) in [("title", &p.title), ("description", &p.description)] {
        if text.trim().is_empty() {
            bad(
                span_of(tree, i, &[key]),
                format!("pattern `{}` has an empty {key}", p.id),
                "write it",
            );
        }
    }
    check_categories(&p.categories, &mut |key, msg| {
        bad(
            span_of(tree, i, &["categories", key]),
            format!("pattern `{}`: {msg}", p.id),
            "use the categories of that taxonomy (docs/format.md#taxonomies)",
        )
    });
    if p.applies.targets.is_empty() {
        bad(
            span_of(tree, i, &["applies", "targets"]),
            format!("pattern `{}` applies to no kind of target", p.id),
            "list the kinds in `applies.targets` (`[datastore]`, `[dataflow]`)",
        );
    }
    for r in &p.refs {
        if WeaknessRef::parse(r).is_none() {
            bad(
                span_of(tree, i, &["refs"]),
                format!("pattern `{}`: `{r}` is not a CWE, CAPEC or ATT&CK id", p.id),
                "write `CWE-89`, `CAPEC-66` or `T1190`",
            );
        }
    }
    for m in &p.mitigations {
        if m.title.trim().is_empty() {
            bad(
                span_of(tree, i, &["mitigations"]),
                format!("pattern `{}` has a mitigation without title", p.id),
                "write what to do in `title:`",
            );
        }
        for r in &m.refs {
            if let Err(e) = StandardRef::parse(r) {
                bad(
                    span_of(tree, i, &["mitigations"]),
                    format!("pattern `{}`: mitigation reference `{r}`: {e}", p.id),
                    "write `STANDARD:CLAUSE`, such as `ASVS-4.0.3:V5.3.4`",
                );
            }
        }
    }
}

/// Each list names only categories of its taxonomy, and at least one is given.
fn check_categories(c: &PatternCategories, bad: &mut dyn FnMut(&str, String)) {
    let lists = [
        ("cia", &c.cia, Taxonomy::Cia),
        ("stride", &c.stride, Taxonomy::Stride),
        ("linddun", &c.linddun, Taxonomy::Linddun),
    ];
    for (key, list, taxonomy) in lists {
        let known = taxonomy.categories();
        for cat in list {
            if !known.contains(&cat.as_str()) {
                bad(
                    key,
                    format!("`{cat}` is not a {} category", taxonomy.name()),
                );
            }
        }
    }
    if c.all().next().is_none() {
        bad("", "answers no category".to_string());
    }
}
