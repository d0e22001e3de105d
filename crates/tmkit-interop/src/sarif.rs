//! SARIF 2.1.0: threats that are not mitigated, and check diagnostics, as
//! results for code-scanning dashboards.
//!
//! Threats ([`threats_to_sarif`]): one result per threat whose status is not
//! `mitigated` (unmitigated, partial or accepted), under one rule per threat
//! category (a threat with several categories is filed under its first, the
//! others are tags). The level follows the severity: critical and high are
//! `error`, medium is `warning`, low, none and unscored are `note`.
//! `properties.security-severity` is the CVSS score as a string, on the result
//! and, as the highest score of its results, on the rule (where GitHub reads
//! it). The location is the line and column of the threat's `id` in its YAML
//! file; `partialFingerprints` holds the qualified id, so an alert follows its
//! threat when lines move.
//!
//! Diagnostics ([`diagnostics_to_sarif`]): one rule per diagnostic code, one
//! result per diagnostic, with its primary span as location and its secondary
//! spans as related locations.
//!
//! Artifact URIs are the files' paths relative to the root model's
//! directory, prefixed by [`SarifOptions::uri_prefix`] (the model directory's
//! path relative to the repository root; see [`repo_prefix`]), with
//! `uriBaseId` `%SRCROOT%`, percent-encoded per RFC 3986 ([`path_to_uri`]).
//! Output is deterministic.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use tmkit_analysis::{Analysis, Rating, Status, ThreatInfo};
use tmkit_model::{Model, SpanTable, Threat};
use tmkit_syntax::fs::FileSystem;
use tmkit_syntax::{Diagnostics, Files, Severity, Span};

/// The JSON Schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The fingerprint key of a threat's qualified id.
pub const FINGERPRINT_KEY: &str = "tmkitQualifiedId/v1";

/// Options of the SARIF writers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SarifOptions {
    /// Prepended to every artifact path (`security/threatmodel/`), so that
    /// URIs are relative to the repository root. Empty: relative to the root
    /// model's directory.
    pub uri_prefix: String,
}

impl SarifOptions {
    /// Options that make URIs relative to the git repository holding the
    /// root model (the first file the loader registers), or to the model's
    /// directory when it is in no repository.
    /// The repository is looked for through `fs` (the file system the model
    /// was read from).
    pub fn for_files(fs: &dyn FileSystem, files: &Files) -> Self {
        let prefix = files
            .iter()
            .next()
            .and_then(|(_, f)| f.path.parent().map(|dir| repo_prefix(fs, dir)))
            .unwrap_or_default();
        SarifOptions::with_prefix(&prefix)
    }

    /// Options with a URI prefix (a `/` is added when missing).
    pub fn with_prefix(prefix: &str) -> Self {
        let p = prefix.trim_matches('/');
        SarifOptions {
            uri_prefix: if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            },
        }
    }
}

/// The path of `model_dir` relative to the enclosing git repository (the
/// nearest ancestor holding `.git`), with `/` separators; empty when the
/// directory is the repository root or is not inside a repository. `.git`
/// may be a directory or (in a worktree) a file.
pub fn repo_prefix(fs: &dyn FileSystem, model_dir: &Path) -> String {
    let Ok(dir) = fs.canonicalize(model_dir) else {
        return String::new();
    };
    let mut cur: Option<&Path> = Some(&dir);
    while let Some(c) = cur {
        if fs.canonicalize(&c.join(".git")).is_ok() {
            let rel = dir.strip_prefix(c).unwrap_or(Path::new(""));
            let parts: Vec<String> = rel
                .components()
                .map(|p| p.as_os_str().to_string_lossy().into_owned())
                .collect();
            return parts.join("/");
        }
        cur = c.parent();
    }
    String::new()
}

/// The SARIF level of a threat of that severity (None = unscored).
pub fn level_for(severity: Option<Rating>) -> &'static str {
    match severity {
        Some(Rating::Critical | Rating::High) => "error",
        Some(Rating::Medium) => "warning",
        _ => "note",
    }
}

fn driver(tool_version: &str, rules: Vec<Value>) -> Value {
    json!({
        "name": "tmkit",
        "version": tool_version,
        "semanticVersion": semver_or_none(tool_version),
        "rules": rules,
    })
}

/// `semanticVersion` must be SemVer; drop it otherwise.
fn semver_or_none(v: &str) -> Value {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let ok = core.split('.').count() == 3
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Value::String(v.to_string())
    } else {
        Value::Null
    }
}

fn log(run: Value) -> String {
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&strip_nulls(doc)).unwrap_or_default();
    s.push('\n');
    s
}

/// Removes `null` members (SARIF wants absent properties, not nulls).
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Bytes kept as they are in a URI path segment: RFC 3986 `unreserved`
/// (letters, digits, `-`, `.`, `_`, `~`); everything else is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A relative `/`-separated path as an RFC 3986 relative reference: each
/// segment percent-encoded (UTF-8), so spaces, `#`, `%`, `?` and non-ASCII
/// survive and decoding gives the path back.
pub fn path_to_uri(path: &str) -> String {
    path.split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn artifact(files: &Files, span: &Span, opts: &SarifOptions) -> Value {
    let file = files.get(span.file);
    let rel = if file.relative.is_empty() {
        file.display.replace('\\', "/")
    } else {
        file.relative.clone()
    };
    let uri = path_to_uri(&format!("{}{}", opts.uri_prefix, rel));
    json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
}

fn region(files: &Files, span: &Span) -> Value {
    let file = files.get(span.file);
    let mut r = Map::new();
    r.insert("startLine".into(), json!(span.line.max(1)));
    r.insert("startColumn".into(), json!(span.column.max(1)));
    if span.end > span.start {
        let (el, ec) = file.position(span.end as usize);
        if (el, ec) > (span.line, span.column) {
            r.insert("endLine".into(), json!(el));
            r.insert("endColumn".into(), json!(ec));
        }
    }
    Value::Object(r)
}

fn physical(files: &Files, span: &Span, opts: &SarifOptions) -> Value {
    json!({ "artifactLocation": artifact(files, span, opts), "region": region(files, span) })
}

/// A rule id's display name: `information-disclosure` -> `InformationDisclosure`.
fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// SARIF for every threat that is not mitigated (see the module docs).
pub fn threats_to_sarif(
    model: &Model,
    analysis: &Analysis,
    spans: &SpanTable,
    files: &Files,
    tool_version: &str,
    opts: &SarifOptions,
) -> String {
    // rule id -> highest score among its results
    let mut rules: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut results = Vec::new();
    for threat in model.models.iter().flat_map(|tm| &tm.threats) {
        let Some(info) = analysis.threat(&threat.qid) else {
            continue;
        };
        if info.status == Status::Mitigated {
            continue;
        }
        let rule = threat
            .categories
            .first()
            .cloned()
            .unwrap_or_else(|| "other".into());
        let entry = rules.entry(rule.clone()).or_insert(None);
        if let Some(s) = info.cvss.as_ref().map(|c| c.score) {
            *entry = Some(entry.map_or(s, |e: f64| e.max(s)));
        }
        let location = match spans.get(&threat.qid) {
            Some(span) => json!({
                "physicalLocation": physical(files, &span, opts),
                "logicalLocations": [{ "fullyQualifiedName": threat.qid, "kind": "object" }],
            }),
            None => {
                json!({ "logicalLocations": [{ "fullyQualifiedName": threat.qid, "kind": "object" }] })
            }
        };
        results.push(threat_result(threat, info, rule, location));
    }
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(id, max)| threat_rule(id, *max))
        .collect();
    log(json!({
        "tool": { "driver": driver(tool_version, rule_values) },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }))
}

/// The result of one threat that is not mitigated, under rule `rule`.
fn threat_result(threat: &Threat, info: &ThreatInfo, rule: String, location: Value) -> Value {
    let score = info.cvss.as_ref().map(|c| c.score);
    let severity = info.severity.map_or("unscored", Rating::as_str);
    let score_text = score.map(|s| format!(" {s:.1}")).unwrap_or_default();
    let text = format!(
        "{} threat {}: {} (severity {}{}).",
        capitalise(info.status.as_str()),
        threat.qid,
        threat.title,
        severity,
        score_text
    );
    let mut props = Map::new();
    if let Some(s) = score {
        props.insert("security-severity".into(), json!(format!("{s:.1}")));
    }
    props.insert("status".into(), json!(info.status.as_str()));
    props.insert("severity".into(), json!(severity));
    if let Some(c) = &info.cvss {
        props.insert("cvss".into(), json!(c.vector));
    }
    if let Some(t) = &threat.ticket {
        props.insert("ticket".into(), json!(t));
    }
    props.insert("targets".into(), json!(threat.targets));
    let mut tags = vec!["security".to_string(), "threat-model".to_string()];
    tags.extend(threat.categories.iter().cloned());
    props.insert("tags".into(), json!(tags));
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(rule));
    result.insert("level".into(), json!(level_for(info.severity)));
    result.insert("message".into(), json!({ "text": text }));
    result.insert("locations".into(), json!([location]));
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: threat.qid }),
    );
    result.insert("properties".into(), Value::Object(props));
    Value::Object(result)
}

/// The rule of a threat category, with the highest score of its results.
fn threat_rule(id: &str, max: Option<f64>) -> Value {
    let mut props = Map::new();
    props.insert("tags".into(), json!(["security", "threat-model"]));
    if let Some(m) = max {
        props.insert("security-severity".into(), json!(format!("{m:.1}")));
    }
    json!({
        "id": id,
        "name": pascal(id),
        "shortDescription": { "text": format!("Threat of category {id} that is not mitigated") },
        "fullDescription": { "text": format!(
            "A threat of the threat model in category {id} whose status is unmitigated, partial or accepted: \
             some of its controls are not in place yet.") },
        "help": { "text": "Put the planned mitigations in place (or accept the residual risk explicitly), then set `in_place: true` in the threat model." },
        "properties": Value::Object(props),
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// SARIF for check diagnostics, artifact URIs relative to the root model's
/// directory.
pub fn diagnostics_to_sarif(diags: &Diagnostics, files: &Files, tool_version: &str) -> String {
    diagnostics_to_sarif_with(diags, files, tool_version, &SarifOptions::default())
}

/// [`diagnostics_to_sarif`] with options. Diagnostics past the cap are
/// one last result (E0020) saying how many were omitted.
pub fn diagnostics_to_sarif_with(
    diags: &Diagnostics,
    files: &Files,
    tool_version: &str,
    opts: &SarifOptions,
) -> String {
    let mut codes = BTreeMap::new();
    let mut results = Vec::new();
    for d in diags.shown() {
        codes.insert(d.code.as_str(), d.code);
        let mut result = Map::new();
        result.insert("ruleId".into(), json!(d.code.as_str()));
        result.insert(
            "level".into(),
            json!(if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            }),
        );
        let mut text = d.message.clone();
        for n in &d.notes {
            text.push_str(&format!("\nnote: {n}"));
        }
        if let Some(h) = &d.help {
            text.push_str(&format!("\nhelp: {h}"));
        }
        result.insert("message".into(), json!({ "text": text }));
        if let Some(p) = &d.primary {
            let mut loc = Map::new();
            loc.insert("physicalLocation".into(), physical(files, &p.span, opts));
            if !p.message.is_empty() {
                loc.insert("message".into(), json!({ "text": p.message }));
            }
            result.insert("locations".into(), json!([Value::Object(loc)]));
        } else if let Some((id, _)) = files.iter().next() {
            // Code-scanning services want a location on every result: a
            // problem of the whole model points at the root file.
            let span = Span::file_start(id);
            result.insert(
                "locations".into(),
                json!([{ "physicalLocation": physical(files, &span, opts) }]),
            );
        }
        if !d.secondary.is_empty() {
            let related: Vec<Value> = d
                .secondary
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = Map::new();
                    loc.insert("id".into(), json!(i));
                    loc.insert("physicalLocation".into(), physical(files, &l.span, opts));
                    if !l.message.is_empty() {
                        loc.insert("message".into(), json!({ "text": l.message }));
                    }
                    Value::Object(loc)
                })
                .collect();
            result.insert("relatedLocations".into(), json!(related));
        }
        results.push(Value::Object(result));
    }
    let rules: Vec<Value> = codes
        .values()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "defaultConfiguration": { "level": if c.severity() == Severity::Error { "error" } else { "warning" } },
            })
        })
        .collect();
    log(json!({
        "tool": { "driver": driver(tool_version, rules) },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level_for(Some(Rating::Critical)), "error");
        assert_eq!(level_for(Some(Rating::High)), "error");
        assert_eq!(level_for(Some(Rating::Medium)), "warning");
        assert_eq!(level_for(Some(Rating::Low)), "note");
        assert_eq!(level_for(Some(Rating::None)), "note");
        assert_eq!(level_for(None), "note");
    }

    #[test]
    fn names_and_versions() {
        assert_eq!(pascal("information-disclosure"), "InformationDisclosure");
        assert_eq!(semver_or_none("0.1.0"), json!("0.1.0"));
        assert_eq!(semver_or_none("dev"), Value::Null);
        assert_eq!(SarifOptions::with_prefix("/a/b/").uri_prefix, "a/b/");
        assert_eq!(SarifOptions::with_prefix("").uri_prefix, "");
    }
}
