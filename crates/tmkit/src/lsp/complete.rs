//! Completion in context: the keys of the mapping being written, and the
//! values of the key being written (ids of the kind it names, asset and
//! mitigation kinds, categories of the model's taxonomy, taxonomy names),
//! found from the text around the cursor by indentation, so that it works
//! while the document does not parse.

use super::features::model_of_file;
use crate::Outcome;
use lsp_types::{CompletionItem, CompletionItemKind};
use std::collections::BTreeMap;
use tmkit_model::taxonomy::Taxonomy;
use tmkit_model::{AssetKind, MitigationKind};
use tmkit_syntax::FileId;
use tmkit_syntax::raw::*;
use tmkit_syntax::text::escape_controls;

/// The completions at byte `off` of `file`.
pub(super) fn complete(o: &Outcome, file: FileId, off: usize) -> Vec<CompletionItem> {
    let text = &o.files.get(file).text;
    let off = off.min(text.len());
    let line_start = text[..off].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let prefix = &text[line_start..off];
    let column = content_column(prefix);
    let path = parents(&text[..line_start], column);
    match value_key(prefix) {
        Some(key) => values(o, file, &path, key),
        None => {
            let item = prefix.trim_start();
            let in_list = item.starts_with('-');
            // `- web` under `targets:` is a value of `targets`.
            if in_list {
                if let Some(key) = path.last().map(String::as_str) {
                    let vals = values(o, file, &path[..path.len() - 1], key);
                    if !vals.is_empty() {
                        return vals;
                    }
                }
            }
            keys(&path)
        }
    }
}

/// The column where the content of a line starts (after spaces and `- `).
fn content_column(line: &str) -> usize {
    let mut col = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        col += rest.len() - trimmed.len();
        match trimmed.strip_prefix('-') {
            Some(r) if r.starts_with(' ') || r.is_empty() => {
                col += 1;
                rest = r;
            }
            _ => return col,
        }
    }
}

/// The keys of the mappings enclosing a line whose content starts at
/// `column`, outermost first, read upwards from `before` (the text above).
fn parents(before: &str, mut column: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in before.lines().rev().take(10_000) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let c = content_column(line);
        if c < column {
            let content = &line[c.min(line.len())..];
            if let Some(key) = content.split(':').next().filter(|k| is_key(k)) {
                out.push(key.to_string());
            }
            column = c;
            if column == 0 {
                break;
            }
        }
    }
    out.reverse();
    out
}

fn is_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The key whose value the cursor is in (`zone` in `zone: d`, `targets`
/// in `targets: [web, `), None when a key is being written.
fn value_key(prefix: &str) -> Option<&str> {
    let colon = prefix
        .rfind(": ")
        .or_else(|| prefix.ends_with(':').then(|| prefix.len() - 1))?;
    let after = &prefix[colon + 1..];
    // In a flow mapping after a comma, a key is being written.
    let open_list = after.rfind('[') > after.rfind(']');
    if after.contains(',') && !open_list {
        return None;
    }
    let head = &prefix[..colon];
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let key = &head[start..];
    is_key(key).then_some(key)
}

/// The keys of the mapping at `path`.
fn keys(path: &[String]) -> Vec<CompletionItem> {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    let fields: &[&str] = match names.as_slice() {
        [] => RawDocument::FIELDS,
        ["scope"] => RawScope::FIELDS,
        ["scope", "abstraction"] => RawAbstraction::FIELDS,
        ["scope", "requirements"] => RawRequirement::FIELDS,
        ["scope", "zones"] => RawZone::FIELDS,
        ["scope", "assets"] => RawAsset::FIELDS,
        ["scope", "dataflows"] => RawDataFlow::FIELDS,
        ["scope", "attackers"] => RawAttacker::FIELDS,
        ["scope", "assumptions"] => RawAssumption::FIELDS,
        ["analysis"] => RawVerdict::FIELDS,
        ["mitigations"] | ["threats", "mitigations"] => RawMitigation::FIELDS,
        [.., "evidence"] => RawEvidence::FIELDS,
        ["threats"] => RawThreat::FIELDS,
        ["components"] | ["imports"] => RawInclude::FIELDS,
        _ => &[],
    };
    fields
        .iter()
        .map(|f| item(f, CompletionItemKind::FIELD, None))
        .collect()
}

/// The values of `key` in the mapping at `path`.
fn values(o: &Outcome, file: FileId, path: &[String], key: &str) -> Vec<CompletionItem> {
    let within = path.last().map(String::as_str);
    let ids = |kinds: &[&str]| ids(o, kinds);
    match (within, key) {
        (_, "targets" | "target") => ids(&["asset", "data flow"]),
        (_, "attackers" | "attacker") => ids(&["attacker"]),
        (_, "assumptions") => ids(&["assumption"]),
        (_, "requirements") => ids(&["requirement"]),
        (Some("threats"), "mitigations") => ids(&["mitigation"]),
        (_, "zone" | "within") => ids(&["zone"]),
        (_, "from" | "to" | "carries") => ids(&["asset"]),
        (Some("assets"), "kind") => AssetKind::ALL
            .iter()
            .map(|k| item(k.as_str(), CompletionItemKind::ENUM_MEMBER, None))
            .collect(),
        (Some("mitigations"), "kind") => [
            MitigationKind::Design,
            MitigationKind::Operational,
            MitigationKind::RiskAcceptance,
            MitigationKind::Transfer,
            MitigationKind::Avoid,
        ]
        .iter()
        .map(|k| item(k.as_str(), CompletionItemKind::ENUM_MEMBER, None))
        .collect(),
        (_, "categories" | "category") => categories(o, file),
        (_, "taxonomy") => Taxonomy::builtin_names()
            .into_iter()
            .map(|n| item(n, CompletionItemKind::ENUM_MEMBER, None))
            .collect(),
        (_, "verdict") => ["no-threat", "not-applicable"]
            .iter()
            .map(|n| item(n, CompletionItemKind::ENUM_MEMBER, None))
            .collect(),
        _ => Vec::new(),
    }
}

/// The ids of the elements of these kinds: the local id, qualified when
/// two models declare the same local id.
fn ids(o: &Outcome, kinds: &[&str]) -> Vec<CompletionItem> {
    let models = super::features::models_by_file(o);
    let mut by_label: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (q, k) in &o.spans.kinds {
        if kinds.contains(k) {
            let local = super::features::local_id(o, &models, q);
            by_label.entry(local).or_default().push(q);
        }
    }
    let mut out = Vec::new();
    for (label, mut qids) in by_label {
        qids.sort_unstable();
        if qids.len() == 1 {
            let kind = o.spans.kind(qids[0]).map(str::to_string);
            out.push(item(
                &label,
                CompletionItemKind::REFERENCE,
                kind.map(|k| format!("{k} {}", qids[0])),
            ));
        } else {
            for q in qids {
                let kind = o.spans.kind(q).unwrap_or("element");
                out.push(item(
                    q,
                    CompletionItemKind::REFERENCE,
                    Some(kind.to_string()),
                ));
            }
        }
    }
    out
}

/// The categories of the taxonomy of the file's model (CIA until the
/// model checks).
fn categories(o: &Outcome, file: FileId) -> Vec<CompletionItem> {
    let own = model_of_file(o, file);
    let taxonomy = o
        .model
        .as_ref()
        .and_then(|m| {
            m.models
                .iter()
                .find(|tm| Some(tm.qid.as_str()) == own.as_deref())
        })
        .map(|tm| tm.abstraction.taxonomy.clone())
        .unwrap_or_default();
    let mut out: Vec<CompletionItem> = taxonomy
        .categories()
        .iter()
        .map(|c| {
            item(
                c,
                CompletionItemKind::ENUM_MEMBER,
                Some(taxonomy.name().to_string()),
            )
        })
        .collect();
    out.push(item("other", CompletionItemKind::ENUM_MEMBER, None));
    out
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    // Ids are checked text, but a broken model may hold any: escaped as
    // for a terminal (terminal editors print them as they are).
    CompletionItem {
        label: escape_controls(label).into_owned(),
        kind: Some(kind),
        detail: detail.map(|d| escape_controls(&d).into_owned()),
        ..CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_read_from_indentation_and_the_line() {
        let text = "scope:\n  assets:\n    - id: web\n      zo";
        let line_start = text.rfind('\n').expect("line") + 1;
        let prefix = &text[line_start..];
        assert_eq!(value_key(prefix), None);
        assert_eq!(
            parents(&text[..line_start], content_column(prefix)),
            ["scope", "assets"]
        );
        assert_eq!(value_key("    - { id: web, zone: d"), Some("zone"));
        assert_eq!(value_key("    targets: [web, "), Some("targets"));
        assert_eq!(value_key("  - { id: web, "), None);
        assert_eq!(value_key("    kind:"), Some("kind"));
        assert_eq!(content_column("  - - x"), 6);
    }
}
