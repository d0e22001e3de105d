//! The answers to requests: definition, references, hover, document
//! symbols, completion and rename, all read from the last check's
//! [`Outcome`] (its files, span table, model and analysis).

use super::position::{Encoding, offset, path_of, range, uri_of};
use super::{Failure, Server};
use crate::Outcome;
use lsp_server::{ErrorCode, Request};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, References, Rename,
    Request as _,
};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, Hover, HoverContents,
    Location, MarkupContent, MarkupKind, NumberOrString, Position, SymbolKind,
    TextDocumentIdentifier, TextEdit, WorkspaceEdit,
};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tmkit_model::{ElementRef, Model};
use tmkit_render::escape::{code_span, escape_md};
use tmkit_syntax::text::escape_controls;
use tmkit_syntax::{Diagnostic, FileId, Files, Severity, SourceFile, Span};

/// What a position is on.
enum Thing {
    /// An element: its definition or a reference to it.
    Element(Arc<str>),
    /// A component or import path: where it is written, and its text.
    Include(Span, String),
}

/// Answers one request.
pub(super) fn answer(server: &mut Server, req: Request) -> Result<Value, Failure> {
    let enc = server.enc;
    let params = req.params;
    let bad = |e: serde_json::Error| (ErrorCode::InvalidParams, e.to_string());
    match req.method.as_str() {
        GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams = serde_json::from_value(params).map_err(bad)?;
            let at = p.text_document_position_params;
            let found = at_position(server, &at.text_document, at.position, |o, f, off| {
                definition(o, f, off, enc)
            });
            Ok(serde_json::to_value(found.flatten()).unwrap_or(Value::Null))
        }
        References::METHOD => {
            let p: lsp_types::ReferenceParams = serde_json::from_value(params).map_err(bad)?;
            let at = p.text_document_position;
            let decl = p.context.include_declaration;
            let found = at_position(server, &at.text_document, at.position, |o, f, off| {
                references(o, f, off, decl, enc)
            });
            Ok(serde_json::to_value(found.unwrap_or_default()).unwrap_or(Value::Null))
        }
        HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = serde_json::from_value(params).map_err(bad)?;
            let at = p.text_document_position_params;
            let found = at_position(server, &at.text_document, at.position, |o, f, off| {
                hover(o, f, off, enc)
            });
            Ok(serde_json::to_value(found.flatten()).unwrap_or(Value::Null))
        }
        DocumentSymbolRequest::METHOD => {
            let p: lsp_types::DocumentSymbolParams = serde_json::from_value(params).map_err(bad)?;
            let path = doc_path(&p.text_document)?;
            let found = server.file(&path).map(|(o, f)| symbols(o, f, enc));
            Ok(serde_json::to_value(found.unwrap_or_default()).unwrap_or(Value::Null))
        }
        Completion::METHOD => {
            let p: lsp_types::CompletionParams = serde_json::from_value(params).map_err(bad)?;
            let at = p.text_document_position;
            let found = at_position(server, &at.text_document, at.position, |o, f, off| {
                super::complete::complete(o, f, off)
            });
            Ok(serde_json::to_value(found.unwrap_or_default()).unwrap_or(Value::Null))
        }
        Rename::METHOD => {
            let p: lsp_types::RenameParams = serde_json::from_value(params).map_err(bad)?;
            let at = p.text_document_position;
            let new_name = p.new_name;
            let found = at_position(server, &at.text_document, at.position, |o, f, off| {
                rename(o, f, off, &new_name, enc)
            });
            match found {
                Some(Ok(edit)) => Ok(serde_json::to_value(edit).unwrap_or(Value::Null)),
                Some(Err(message)) => Err((ErrorCode::InvalidParams, message)),
                None => Ok(Value::Null),
            }
        }
        other => Err((
            ErrorCode::MethodNotFound,
            format!("tmkit lsp does not answer `{other}`"),
        )),
    }
}

fn doc_path(doc: &TextDocumentIdentifier) -> Result<PathBuf, Failure> {
    path_of(&doc.uri).ok_or_else(|| {
        (
            ErrorCode::InvalidParams,
            "tmkit lsp reads `file:` documents only".to_string(),
        )
    })
}

/// Runs `f` on the outcome of the document's model at the byte offset of `pos`.
fn at_position<T>(
    server: &mut Server,
    doc: &TextDocumentIdentifier,
    pos: Position,
    f: impl FnOnce(&Outcome, FileId, usize) -> T,
) -> Option<T> {
    let path = path_of(&doc.uri)?;
    let enc = server.enc;
    let (outcome, file) = server.file(&path)?;
    let off = offset(outcome.files.get(file), pos, enc);
    Some(f(outcome, file, off))
}

fn contains(span: Span, file: FileId, off: usize) -> bool {
    span.file == file && (span.start as usize) <= off && off <= (span.end as usize)
}

/// The element or path at `off` in `file`.
fn thing_at(o: &Outcome, file: FileId, off: usize) -> Option<Thing> {
    let spans = &o.spans;
    if let Some((q, _)) = spans
        .references
        .iter()
        .find(|(_, s)| contains(*s, file, off))
    {
        return Some(Thing::Element(q.clone()));
    }
    if let Some((q, _)) = spans.spans.iter().find(|(_, s)| contains(**s, file, off)) {
        return Some(Thing::Element(q.clone()));
    }
    spans
        .includes
        .iter()
        .find(|(s, _)| contains(*s, file, off))
        .map(|(s, t)| Thing::Include(*s, t.clone()))
}

fn location(files: &Files, span: Span, enc: Encoding) -> Option<Location> {
    let f = files.get(span.file);
    Some(Location::new(uri_of(&f.path)?, range(f, span, enc)))
}

fn definition(o: &Outcome, file: FileId, off: usize, enc: Encoding) -> Option<Location> {
    match thing_at(o, file, off)? {
        Thing::Element(q) => location(&o.files, o.spans.get(&q)?, enc),
        Thing::Include(span, text) => {
            let target = include_target(o.files.get(span.file), &text)?;
            let start = lsp_types::Range::default();
            Some(Location::new(uri_of(&target)?, start))
        }
    }
}

/// The file a component or import path written in `from` names (a
/// directory stands for its `threatmodel.yaml`), when it exists.
fn include_target(from: &SourceFile, written: &str) -> Option<PathBuf> {
    let dir = from.path.parent()?;
    let mut p = dir.join(written.trim());
    if p.is_dir() {
        p = p.join("threatmodel.yaml");
    }
    std::fs::canonicalize(p).ok()
}

fn references(
    o: &Outcome,
    file: FileId,
    off: usize,
    include_declaration: bool,
    enc: Encoding,
) -> Vec<Location> {
    let mut spans: Vec<Span> = Vec::new();
    match thing_at(o, file, off) {
        Some(Thing::Element(q)) => {
            if include_declaration {
                spans.extend(o.spans.get(&q));
            }
            let refs = o.spans.references.iter().filter(|(r, _)| **r == *q);
            spans.extend(refs.map(|(_, s)| *s));
        }
        // A component or catalogue file: every path that includes it.
        Some(Thing::Include(span, text)) => {
            let target = include_target(o.files.get(span.file), &text);
            let same = o.spans.includes.iter().filter(|(s, t)| {
                target.is_some() && include_target(o.files.get(s.file), t) == target
            });
            spans.extend(same.map(|(s, _)| *s));
        }
        None => {}
    }
    spans.sort_by_key(|s| (s.file, s.start));
    spans.dedup();
    spans
        .into_iter()
        .filter_map(|s| location(&o.files, s, enc))
        .collect()
}

/// The model's id that owns the file's definitions (`SHOP`, `SHOP.PAY`).
pub(super) fn model_of_file(o: &Outcome, file: FileId) -> Option<Arc<str>> {
    models_by_file(o).remove(&file)
}

/// The id of the model of each file, in one pass over the elements.
pub(super) fn models_by_file(o: &Outcome) -> HashMap<FileId, Arc<str>> {
    let models = o.spans.kinds.iter().filter(|(_, k)| **k == "model");
    models
        .filter_map(|(q, _)| Some((o.spans.get(q)?.file, q.clone())))
        .collect()
}

/// The local id of `qid` (as written in the file that defines it), given
/// the models of the files ([`models_by_file`]).
pub(super) fn local_id(o: &Outcome, models: &HashMap<FileId, Arc<str>>, qid: &str) -> String {
    let model = o.spans.get(qid).and_then(|s| models.get(&s.file));
    match model {
        Some(m) if o.spans.kind(qid) != Some("model") => qid
            .strip_prefix(&**m)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(qid)
            .to_string(),
        _ => qid.rsplit('.').next().unwrap_or(qid).to_string(),
    }
}

fn hover(o: &Outcome, file: FileId, off: usize, enc: Encoding) -> Option<Hover> {
    let Thing::Element(q) = thing_at(o, file, off)? else {
        return None;
    };
    let kind = o.spans.kind(&q).unwrap_or("element");
    let mut lines = vec![format!("**{kind}** {}", code_span(&q))];
    if let Some(model) = &o.model {
        if let Some(title) = title_of(model, &q) {
            lines.push(escape_md(title));
        }
    }
    lines.extend(derived(o, &q));
    if o.model.is_none() {
        lines.push("_derived values show once the model has no error_".to_string());
    }
    let on_reference = o
        .spans
        .references
        .iter()
        .find(|(_, s)| contains(*s, file, off));
    let span = on_reference.map(|(_, s)| *s).or_else(|| o.spans.get(&q));
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: lines.join("\n\n"),
        }),
        range: span
            .filter(|s| s.file == file)
            .map(|s| range(o.files.get(file), s, enc)),
    })
}

/// A threat's status and score, a target's answered questions.
fn derived(o: &Outcome, q: &str) -> Vec<String> {
    let Some(analysis) = &o.analysis else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(t) = analysis.threat(q) {
        let score =
            tmkit_analysis::severity::score_text(t.cvss.as_ref().map(|c| c.score), t.severity);
        out.push(format!("status: {} · score: {score}", t.status.as_str()));
        if let Some(c) = &t.cvss {
            out.push(format!("vector: {}", code_span(&c.vector)));
        }
    }
    if analysis.target(q).is_some() {
        let (mut asked, mut answered) = (0usize, 0usize);
        for question in analysis.questions().filter(|x| x.target == q) {
            asked += 1;
            answered += usize::from(question.answered);
        }
        out.push(format!("questions answered: {answered}/{asked}"));
    }
    out
}

/// The title of the element `qid`.
fn title_of<'m>(model: &'m Model, qid: &str) -> Option<&'m str> {
    let index = model.index();
    let ms = &model.models;
    Some(match index.get(qid)? {
        ElementRef::Model(m) => &ms[m].title,
        ElementRef::Requirement(m, i) => &ms[m].requirements[i].title,
        ElementRef::Zone(m, i) => &ms[m].zones[i].title,
        ElementRef::Asset(m, i) => &ms[m].assets[i].title,
        ElementRef::DataFlow(m, i) => &ms[m].dataflows[i].title,
        ElementRef::Attacker(m, i) => &ms[m].attackers[i].title,
        ElementRef::Assumption(m, i) => &ms[m].assumptions[i].title,
        ElementRef::Mitigation(m, i) => &ms[m].mitigations[i].title,
        ElementRef::Threat(m, i) => &ms[m].threats[i].title,
        _ => return None,
    })
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
fn symbols(o: &Outcome, file: FileId, enc: Encoding) -> Vec<DocumentSymbol> {
    let f = o.files.get(file);
    let mut defs: Vec<(&Arc<str>, Span)> = o
        .spans
        .spans
        .iter()
        .filter(|(_, s)| s.file == file)
        .map(|(q, s)| (q, *s))
        .collect();
    defs.sort_by_key(|(q, s)| (s.start, q.to_string()));
    let models = models_by_file(o);
    defs.into_iter()
        .map(|(q, s)| {
            let kind = o.spans.kind(q).unwrap_or("element");
            let r = range(f, s, enc);
            DocumentSymbol {
                name: escape_controls(&local_id(o, &models, q)).into_owned(),
                detail: Some(kind.to_string()),
                kind: symbol_kind(kind),
                tags: None,
                deprecated: None,
                range: r,
                selection_range: r,
                children: None,
            }
        })
        .collect()
}

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "model" => SymbolKind::MODULE,
        "zone" => SymbolKind::NAMESPACE,
        "asset" => SymbolKind::OBJECT,
        "data flow" => SymbolKind::EVENT,
        "attacker" => SymbolKind::CLASS,
        "threat" => SymbolKind::FUNCTION,
        "mitigation" => SymbolKind::INTERFACE,
        "requirement" => SymbolKind::CONSTANT,
        "assumption" => SymbolKind::PROPERTY,
        _ => SymbolKind::KEY,
    }
}

/// True for a valid local id: a letter, then letters, digits, `_`, `-`,
/// and `.`-separated segments of the same (docs/format.md#ids).
fn valid_id(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

// `WorkspaceEdit::changes` is keyed by `Uri`, whose cached parts clippy
// sees as interior mutability; a map built once and handed over is fine.
#[allow(clippy::mutable_key_type)]
fn rename(
    o: &Outcome,
    file: FileId,
    off: usize,
    new_name: &str,
    enc: Encoding,
) -> Result<WorkspaceEdit, String> {
    let Some(Thing::Element(q)) = thing_at(o, file, off) else {
        return Err("no element id here to rename".to_string());
    };
    if o.spans.kind(&q) == Some("model") {
        return Err("a model's id is renamed by hand (its qualified ids change)".to_string());
    }
    if !valid_id(new_name) {
        return Err(format!(
            "'{}' is not an id: a letter, then letters, digits, `_` or `-` (docs/format.md#ids)",
            new_name.escape_default()
        ));
    }
    let old = local_id(o, &models_by_file(o), &q);
    let mut spans: Vec<Span> = o.spans.get(&q).into_iter().collect();
    spans.extend(
        o.spans
            .references
            .iter()
            .filter(|(r, _)| **r == *q)
            .map(|(_, s)| *s),
    );
    spans.sort_by_key(|s| (s.file, s.start));
    spans.dedup();
    let mut changes: HashMap<lsp_types::Uri, Vec<TextEdit>> = HashMap::new();
    for s in spans {
        let f = o.files.get(s.file);
        let Some(sub) = id_in(f, s, &old) else {
            continue;
        };
        let Some(uri) = uri_of(&f.path) else { continue };
        let edit = TextEdit::new(range(f, sub, enc), new_name.to_string());
        changes.entry(uri).or_default().push(edit);
    }
    Ok(WorkspaceEdit::new(changes))
}

/// Where the local id `old` is written in the span of an id or a
/// reference (which may be quoted, or a qualified path ending in it).
fn id_in(f: &SourceFile, s: Span, old: &str) -> Option<Span> {
    let text = f.text.get(s.range())?;
    let trimmed = text.trim_end().trim_end_matches(['"', '\'']).trim_end();
    if !trimmed.ends_with(old) {
        return None;
    }
    let end = s.start as usize + trimmed.len();
    let start = end - old.len();
    let before = f.text[..start].chars().next_back();
    // The whole name or its last path segment, nothing shorter.
    if start > s.start as usize && !matches!(before, Some('.' | '"' | '\'' | ' ')) {
        return None;
    }
    Some(Span {
        start: Span::offset(start),
        end: Span::offset(end),
        ..s
    })
}

/// A tmkit diagnostic as LSP's: same code, place, message, notes and help.
pub(super) fn diagnostic(
    d: &Diagnostic,
    file: &SourceFile,
    files: &Files,
    enc: Encoding,
) -> lsp_types::Diagnostic {
    let span = d.primary.as_ref().map(|l| l.span);
    let r = span.map(|s| range(file, s, enc)).unwrap_or_default();
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: location(files, l.span, enc)?,
                message: escape_controls(&l.message).into_owned(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: r,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("tmkit".to_string()),
        message: message(d),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A diagnostic of no file, shown at the start of the document.
pub(super) fn diagnostic_nowhere(d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut out = lsp_types::Diagnostic::new_simple(lsp_types::Range::default(), message(d));
    out.code = Some(NumberOrString::String(d.code.as_str().to_string()));
    out.source = Some("tmkit".to_string());
    out.severity = Some(match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    });
    out
}

/// The headline, the primary label, then notes and help as `check` prints them.
/// Each piece goes through the terminal's escaping function: terminal
/// editors (Neovim, Helix) print these messages as they are.
fn message(d: &Diagnostic) -> String {
    let mut m = escape_controls(&d.message).into_owned();
    if let Some(l) = d.primary.as_ref().filter(|l| !l.message.is_empty()) {
        m.push_str(&format!(": {}", escape_controls(&l.message)));
    }
    for n in &d.notes {
        m.push_str(&format!("\nnote: {}", escape_controls(n)));
    }
    if let Some(h) = &d.help {
        m.push_str(&format!("\nhelp: {}", escape_controls(h)));
    }
    m
}
