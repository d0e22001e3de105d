//! Decoding a [`Node`] tree into the [`raw`](crate::raw) types, reporting
//! every unknown field (with a suggestion), wrong type and missing field.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::node::{Key, Node, Value};
use crate::raw::*;
use crate::span::Span;

mod treatment;
pub use treatment::split_test;

/// Decodes documents, collecting diagnostics.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Every problem found so far (up to the cap).
    pub diagnostics: Diagnostics,
}

/// Mappings up to this many entries are checked for duplicate keys by
/// comparing them (no hash map per element).
const SMALL_MAP: usize = 16;

/// A mapping being read field by field.
struct MapReader<'a> {
    entries: Vec<(&'a Key, &'a Node)>,
    span: Span,
    what: &'static str,
}

/// True when `s` follows the id syntax of docs/format.md#ids.
pub fn is_valid_id(s: &str) -> bool {
    let mut segments = s.split('.');
    let first = segments.next().unwrap_or("");
    let mut chars = first.chars();
    let head_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    head_ok
        && segments.all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// The marker `tmkit init` writes where the user has something to fill in.
pub const PLACEHOLDER: &str = "TODO";

/// True when a text starts with the word [`PLACEHOLDER`]: `TODO`, `TODO name
/// of the system`, `TODO-1`, but not `TODOS` or `TODO_list`.
pub fn is_placeholder(s: &str) -> bool {
    s.trim_start()
        .strip_prefix(PLACEHOLDER)
        .is_some_and(|rest| {
            rest.chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
}

impl Decoder {
    /// A new decoder, keeping the default number of diagnostics.
    pub fn new() -> Self {
        Decoder::default()
    }

    /// A new decoder keeping at most `cap` diagnostics.
    pub fn with_cap(cap: usize) -> Self {
        Decoder {
            diagnostics: Diagnostics::with_cap(cap),
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn wrong_type(&mut self, node: &Node, field: &str, expected: &str) {
        let found = match &node.value {
            Value::Str(s) => format!("the string '{}'", truncate(s)),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the number {f}"),
            Value::Bool(b) => format!("the boolean {b}"),
            other => other.kind_name().to_string(),
        };
        self.push(
            Diagnostic::new(
                Code::WrongType,
                format!("`{field}` must be {expected}, found {found}"),
            )
            .at(node.span, format!("expected {expected}")),
        );
    }

    fn map<'a>(&mut self, node: &'a Node, what: &'static str) -> Option<MapReader<'a>> {
        match &node.value {
            Value::Map(entries) => {
                // Duplicate keys: report every repeat with the first place.
                // A hash map keeps hostile mappings with millions of keys
                // linear; the few keys of an ordinary element are compared.
                let mut seen: std::collections::HashMap<&str, &Key> =
                    std::collections::HashMap::new();
                let mut kept: Vec<(&Key, &Node)> = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let first = if entries.len() <= SMALL_MAP {
                        kept.iter().find(|(f, _)| f.name == k.name).map(|(f, _)| *f)
                    } else {
                        seen.get(k.name.as_str()).copied()
                    };
                    if let Some(first) = first {
                        self.push(
                            Diagnostic::new(
                                Code::DuplicateKey,
                                format!("duplicate key '{}' in {what}", k.name),
                            )
                            .at(k.span, "repeated here")
                            .also(first.span, "first written here")
                            .help("a mapping may hold each key once; remove or rename one of them"),
                        );
                        continue;
                    }
                    if entries.len() > SMALL_MAP {
                        seen.insert(k.name.as_str(), k);
                    }
                    kept.push((k, v));
                }
                Some(MapReader {
                    entries: kept,
                    span: node.span,
                    what,
                })
            }
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    fn finish(&mut self, r: &MapReader<'_>, fields: &[&str]) {
        for (k, _) in &r.entries {
            if !fields.contains(&k.name.as_str()) {
                let mut d = Diagnostic::new(
                    Code::UnknownField,
                    format!("unknown field '{}' in {}", k.name, r.what),
                )
                .at(k.span, "not part of the format");
                if let Some(s) = did_you_mean(&k.name, fields.iter().copied()) {
                    d = d.help(format!("did you mean '{s}'?"));
                } else {
                    d = d.help(format!("{} fields are: {}", r.what, fields.join(", ")));
                }
                self.push(d);
            }
        }
    }

    fn get<'a>(r: &MapReader<'a>, key: &str) -> Option<&'a Node> {
        r.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| *v)
    }

    fn missing(&mut self, r: &MapReader<'_>, key: &str) {
        // A misspelt key (`titel`) already gets "did you mean 'title'?" as
        // an unknown field; a second error for the missing field is noise.
        let fields = fields_of(r.what);
        let misspelt = r.entries.iter().any(|(k, _)| {
            k.name != key
                && !fields.contains(&k.name.as_str())
                && did_you_mean(&k.name, fields.iter().copied()) == Some(key)
        });
        if misspelt {
            return;
        }
        self.push(
            Diagnostic::new(
                Code::MissingField,
                format!("{} is missing the required field `{key}`", r.what),
            )
            .at(r.span, format!("`{key}` missing here"))
            .help(format!("add `{key}:` to this {}", r.what)),
        );
    }

    /// A free-text scalar; numbers and booleans are accepted as their text.
    fn opt_str(&mut self, r: &MapReader<'_>, key: &str) -> Option<Sp<String>> {
        let node = Self::get(r, key)?;
        match &node.value {
            Value::Str(s) => {
                self.check_placeholder(s, node.span);
                Some(Sp::new(s.clone(), node.span))
            }
            Value::Int(i) => Some(Sp::new(i.to_string(), node.span)),
            // `{:?}` keeps the decimal point: `version: 1.0` stays "1.0".
            Value::Float(f) => Some(Sp::new(format!("{f:?}"), node.span)),
            Value::Bool(b) => Some(Sp::new(b.to_string(), node.span)),
            Value::Null => None,
            _ => {
                self.wrong_type(node, key, "a string");
                None
            }
        }
    }

    /// W0305 for a text still holding a `tmkit init` placeholder.
    fn check_placeholder(&mut self, s: &str, span: Span) {
        if is_placeholder(s) {
            self.push(
                Diagnostic::new(
                    Code::PlaceholderLeft,
                    format!("placeholder left from tmkit init: '{}'", truncate(s.trim())),
                )
                .at(span, "still a TODO")
                .help("replace it with the real value, or remove the optional field"),
            );
        }
    }

    fn req_str(&mut self, r: &MapReader<'_>, key: &str) -> Sp<String> {
        match self.opt_str(r, key) {
            Some(s) => s,
            None => {
                if Self::get(r, key).is_none_or(|n| n.value == Value::Null) {
                    self.missing(r, key);
                }
                Sp::new(String::new(), r.span)
            }
        }
    }

    fn check_id(&mut self, s: &Sp<String>) {
        if !s.value.is_empty() && !is_valid_id(&s.value) {
            self.push(
                Diagnostic::new(Code::InvalidId, format!("invalid id '{}'", truncate(&s.value)))
                    .at(s.span, "not a valid id")
                    .help("an id starts with a letter, then letters, digits, `_` or `-`, optionally followed by `.`-separated segments (`VULN_001`, `dataflow.1`)"),
            );
        }
    }

    fn req_id(&mut self, r: &MapReader<'_>) -> Sp<Id> {
        let s = self.req_str(r, "id");
        self.check_id(&s);
        Sp::new(Id(s.value), s.span)
    }

    fn opt_id(&mut self, r: &MapReader<'_>) -> Option<Sp<Id>> {
        let s = self.opt_str(r, "id")?;
        self.check_id(&s);
        Some(Sp::new(Id(s.value), s.span))
    }

    fn opt_bool(&mut self, r: &MapReader<'_>, key: &str) -> Option<Sp<bool>> {
        let node = Self::get(r, key)?;
        match &node.value {
            Value::Bool(b) => Some(Sp::new(*b, node.span)),
            Value::Null => None,
            _ => {
                self.wrong_type(node, key, "true or false");
                None
            }
        }
    }

    fn req_bool(&mut self, r: &MapReader<'_>, key: &str) -> Sp<bool> {
        match self.opt_bool(r, key) {
            Some(b) => b,
            None => {
                if Self::get(r, key).is_none_or(|n| n.value == Value::Null) {
                    self.missing(r, key);
                }
                Sp::new(false, r.span)
            }
        }
    }

    fn opt_num(&mut self, r: &MapReader<'_>, key: &str) -> Option<Sp<f64>> {
        let node = Self::get(r, key)?;
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i as f64, node.span)),
            Value::Float(f) if f.is_finite() => Some(Sp::new(*f, node.span)),
            Value::Null => None,
            _ => {
                self.wrong_type(node, key, "a number");
                None
            }
        }
    }

    fn str_list(&mut self, r: &MapReader<'_>, key: &str) -> Option<Vec<Sp<String>>> {
        let node = Self::get(r, key)?;
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Value::Str(s) => out.push(Sp::new(s.clone(), item.span)),
                        Value::Int(i) => out.push(Sp::new(i.to_string(), item.span)),
                        _ => self.wrong_type(item, key, "a list of strings"),
                    }
                }
                Some(out)
            }
            Value::Null => Some(Vec::new()),
            Value::Str(s) => {
                self.push(
                    Diagnostic::new(
                        Code::WrongType,
                        format!("`{key}` must be a list, found the string '{}'", truncate(s)),
                    )
                    .at(node.span, "expected a list")
                    .help(format!("write `{key}: [{s}]`")),
                );
                None
            }
            _ => {
                self.wrong_type(node, key, "a list of strings");
                None
            }
        }
    }

    fn list<'a, T>(
        &mut self,
        r: &MapReader<'a>,
        key: &str,
        mut item: impl FnMut(&mut Self, &'a Node) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = Self::get(r, key) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                out.extend(items.iter().filter_map(|n| item(self, n)));
                out
            }
            Value::Null => Vec::new(),
            _ => {
                self.wrong_type(node, key, "a list");
                Vec::new()
            }
        }
    }

    /// Decodes a whole document. Returns None only when the top level is not a mapping.
    pub fn document(&mut self, node: &Node) -> Option<RawDocument> {
        if !matches!(node.value, Value::Map(_)) {
            self.push(
                Diagnostic::new(
                    Code::NotAMapping,
                    format!(
                        "a threat model must be a mapping, found {}",
                        node.value.kind_name()
                    ),
                )
                .at(node.span, "expected `key: value` pairs")
                .help("start the file with `tmkit: 1`, `id: ...` and `title: ...`"),
            );
            return None;
        }
        let r = self.map(node, "threat model")?;
        let tmkit = match Self::get(&r, "tmkit") {
            None => {
                self.missing(&r, "tmkit");
                Sp::new(1, r.span)
            }
            Some(n) => match &n.value {
                Value::Int(1) => Sp::new(1, n.span),
                Value::Int(v) => {
                    self.push(
                        Diagnostic::new(
                            Code::UnsupportedVersion,
                            format!("unsupported format version {v}"),
                        )
                        .at(n.span, "this tmkit supports version 1")
                        .help("write `tmkit: 1`, or upgrade tmkit"),
                    );
                    Sp::new(*v, n.span)
                }
                other => {
                    // `{:?}` keeps the decimal point: `1.0` stays "1.0".
                    let shown = match other {
                        Value::Str(s) => format!("the string '{}'", truncate(s)),
                        Value::Float(f) => format!("{f:?}"),
                        o => o.kind_name().to_string(),
                    };
                    self.push(
                        Diagnostic::new(
                            Code::UnsupportedVersion,
                            format!("the format version is the integer 1, not {shown}"),
                        )
                        .at(n.span, "expected the integer 1")
                        .help("write `tmkit: 1`"),
                    );
                    Sp::new(0, n.span)
                }
            },
        };
        let doc = RawDocument {
            tmkit,
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            version: self.opt_str(&r, "version"),
            owner: self.opt_str(&r, "owner"),
            authors: self.str_list(&r, "authors").unwrap_or_default(),
            description: self.opt_str(&r, "description"),
            confidential: self.opt_bool(&r, "confidential"),
            scope: Self::get(&r, "scope").and_then(|n| {
                if n.value == Value::Null {
                    None
                } else {
                    self.scope(n)
                }
            }),
            analysis: self.list(&r, "analysis", Self::verdict),
            mitigations: self.list(&r, "mitigations", |d, n| d.mitigation(n, true)),
            threats: self.list(&r, "threats", Self::threat),
            components: self.list(&r, "components", |d, n| d.include(n, "component")),
            imports: self.list(&r, "imports", |d, n| d.include(n, "import")),
            libraries: self.str_list(&r, "libraries").unwrap_or_default(),
            sync: Self::get(&r, "sync").and_then(|n| self.sync(n)),
        };
        self.finish(&r, RawDocument::FIELDS);
        Some(doc)
    }

    fn scope(&mut self, node: &Node) -> Option<RawScope> {
        let r = self.map(node, "scope")?;
        let abstraction = Self::get(&r, "abstraction").and_then(|n| self.abstraction(n));
        let s = RawScope {
            abstraction,
            requirements: self.list(&r, "requirements", Self::requirement),
            zones: self.list(&r, "zones", Self::zone),
            assets: self.list(&r, "assets", Self::asset),
            dataflows: self.list(&r, "dataflows", Self::dataflow),
            attackers: self.list(&r, "attackers", Self::attacker),
            assumptions: self.list(&r, "assumptions", Self::assumption),
        };
        self.finish(&r, RawScope::FIELDS);
        Some(s)
    }

    fn sync(&mut self, node: &Node) -> Option<RawSync> {
        let r = self.map(node, "sync")?;
        let github = Self::get(&r, "github").and_then(|n| {
            let g = self.map(n, "sync.github")?;
            let v = RawSyncGitHub {
                repo: self.req_str(&g, "repo"),
                api_url: self.opt_str(&g, "api_url"),
            };
            self.finish(&g, RawSyncGitHub::FIELDS);
            Some(v)
        });
        let s = RawSync { github };
        self.finish(&r, RawSync::FIELDS);
        Some(s)
    }

    fn abstraction(&mut self, node: &Node) -> Option<RawAbstraction> {
        let r = self.map(node, "abstraction")?;
        let taxonomy = Self::get(&r, "taxonomy").and_then(|n| match &n.value {
            Value::Str(s) => Some(Sp::new(RawTaxonomy::Named(s.clone()), n.span)),
            Value::Seq(_) => {
                let list = self.str_list(&r, "taxonomy")?;
                Some(Sp::new(RawTaxonomy::Custom(list), n.span))
            }
            Value::Null => None,
            _ => {
                self.wrong_type(n, "taxonomy", "a taxonomy name or a list of categories");
                None
            }
        });
        let a = RawAbstraction {
            level: self.opt_str(&r, "level"),
            taxonomy,
            notes: self.opt_str(&r, "notes"),
        };
        self.finish(&r, RawAbstraction::FIELDS);
        Some(a)
    }

    fn requirement(&mut self, node: &Node) -> Option<RawRequirement> {
        let r = self.map(node, "requirement")?;
        let v = RawRequirement {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            kind: self.opt_str(&r, "kind"),
            reference: self.opt_str(&r, "ref"),
            refs: self.str_list(&r, "refs").unwrap_or_default(),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawRequirement::FIELDS);
        Some(v)
    }

    fn zone(&mut self, node: &Node) -> Option<RawZone> {
        let r = self.map(node, "zone")?;
        let trust = match self.opt_num(&r, "trust") {
            Some(t) => t,
            None => {
                if Self::get(&r, "trust").is_none_or(|n| n.value == Value::Null) {
                    self.missing(&r, "trust");
                }
                Sp::new(0.0, r.span)
            }
        };
        let v = RawZone {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            trust,
            within: self.opt_str(&r, "within"),
            source: self.opt_str(&r, "source"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawZone::FIELDS);
        Some(v)
    }

    fn asset(&mut self, node: &Node) -> Option<RawAsset> {
        let r = self.map(node, "asset")?;
        let v = RawAsset {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            kind: self.opt_str(&r, "kind"),
            zone: self.opt_str(&r, "zone"),
            in_scope: self.opt_bool(&r, "in_scope"),
            reason: self.opt_str(&r, "reason"),
            source: self.opt_str(&r, "source"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawAsset::FIELDS);
        Some(v)
    }

    fn dataflow(&mut self, node: &Node) -> Option<RawDataFlow> {
        let r = self.map(node, "data flow")?;
        let v = RawDataFlow {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            from: self.req_str(&r, "from"),
            to: self.req_str(&r, "to"),
            protocol: self.opt_str(&r, "protocol"),
            carries: self.str_list(&r, "carries").unwrap_or_default(),
            bidirectional: self.opt_bool(&r, "bidirectional"),
            in_scope: self.opt_bool(&r, "in_scope"),
            reason: self.opt_str(&r, "reason"),
            source: self.opt_str(&r, "source"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawDataFlow::FIELDS);
        Some(v)
    }

    fn attacker(&mut self, node: &Node) -> Option<RawAttacker> {
        let r = self.map(node, "attacker")?;
        let v = RawAttacker {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            zone: self.opt_str(&r, "zone"),
            in_scope: self.opt_bool(&r, "in_scope"),
            reason: self.opt_str(&r, "reason"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawAttacker::FIELDS);
        Some(v)
    }

    fn assumption(&mut self, node: &Node) -> Option<RawAssumption> {
        let r = self.map(node, "assumption")?;
        let v = RawAssumption {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawAssumption::FIELDS);
        Some(v)
    }

    fn verdict(&mut self, node: &Node) -> Option<RawVerdict> {
        let r = self.map(node, "analysis entry")?;
        let pattern = self.opt_str(&r, "pattern");
        let rationale = match self.opt_str(&r, "rationale") {
            Some(s) if !s.value.trim().is_empty() => s,
            other => {
                let span = other.map_or(r.span, |s| s.span);
                let d = match &pattern {
                    Some(p) => Diagnostic::new(
                        Code::SuppressionWithoutRationale,
                        format!("the suppression of pattern `{}` has no rationale", p.value),
                    )
                    .at(span, "`rationale` missing or empty")
                    .help("say why the pattern does not apply to this target in `rationale:`"),
                    None => Diagnostic::new(Code::MissingRationale, "analysis verdict has no rationale")
                        .at(span, "`rationale` missing or empty")
                        .help("say why nothing can go wrong here (or why the question does not apply) in `rationale:`"),
                };
                self.push(d);
                Sp::new(String::new(), span)
            }
        };
        let v = RawVerdict {
            target: self.req_str(&r, "target"),
            attacker: self.opt_str(&r, "attacker"),
            category: self.opt_str(&r, "category"),
            verdict: self.req_str(&r, "verdict"),
            rationale,
            pattern,
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawVerdict::FIELDS);
        Some(v)
    }

    fn mitigation(&mut self, node: &Node, shared: bool) -> Option<RawMitigation> {
        let r = self.map(node, "mitigation")?;
        let id = if shared {
            Some(self.req_id(&r))
        } else {
            self.opt_id(&r)
        };
        let v = RawMitigation {
            id,
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            kind: self.req_str(&r, "kind"),
            in_place: self.req_bool(&r, "in_place"),
            operator: self.opt_str(&r, "operator"),
            owner: self.opt_str(&r, "owner"),
            ticket: self.opt_str(&r, "ticket"),
            accepted: self.opt_date(&r, "accepted"),
            expires: self.opt_date(&r, "expires"),
            permanent: self.opt_bool(&r, "permanent"),
            rationale: self.opt_str(&r, "rationale"),
            party: self.opt_str(&r, "party"),
            reference: self.opt_str(&r, "reference"),
            due: self.opt_date(&r, "due"),
            evidence: self.list(&r, "evidence", |d, n| d.evidence(n)),
            requirements: self.str_list(&r, "requirements").unwrap_or_default(),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawMitigation::FIELDS);
        Some(v)
    }

    fn threat(&mut self, node: &Node) -> Option<RawThreat> {
        let r = self.map(node, "threat")?;
        let categories = match self.str_list(&r, "categories") {
            Some(c) if !c.is_empty() => c,
            Some(_) => {
                self.push(
                    Diagnostic::new(Code::MissingField, "threat has an empty `categories` list")
                        .at(
                            Self::get(&r, "categories").map_or(r.span, |n| n.span),
                            "no category",
                        )
                        .help("give at least one category of the taxonomy, or `other`"),
                );
                Vec::new()
            }
            None => {
                if Self::get(&r, "categories").is_none() {
                    self.missing(&r, "categories");
                }
                Vec::new()
            }
        };
        let mitigations = self.list(&r, "mitigations", |d, n| match &n.value {
            Value::Str(s) => Some(RawThreatMitigation::Ref(Sp::new(s.clone(), n.span))),
            Value::Map(_) => d.mitigation(n, false).map(RawThreatMitigation::Inline),
            _ => {
                d.wrong_type(n, "mitigations", "a mitigation id or an inline mitigation");
                None
            }
        });
        let v = RawThreat {
            id: self.req_id(&r),
            title: self.req_str(&r, "title"),
            description: self.opt_str(&r, "description"),
            categories,
            targets: self.str_list(&r, "targets").unwrap_or_default(),
            attackers: self.str_list(&r, "attackers"),
            assumptions: self.str_list(&r, "assumptions").unwrap_or_default(),
            cvss: self.opt_str(&r, "cvss"),
            score: self.opt_num(&r, "score"),
            ticket: self.opt_str(&r, "ticket"),
            mitigations,
            requirements: self.str_list(&r, "requirements").unwrap_or_default(),
            refs: self.str_list(&r, "refs").unwrap_or_default(),
            source: self.opt_str(&r, "source"),
            confidential: self.opt_bool(&r, "confidential"),
        };
        self.finish(&r, RawThreat::FIELDS);
        Some(v)
    }

    fn include(&mut self, node: &Node, what: &'static str) -> Option<RawInclude> {
        let path = if let Value::Str(s) = &node.value {
            Sp::new(s.clone(), node.span)
        } else {
            let r = self.map(node, what)?;
            let missing = Self::get(&r, "path").is_none_or(|n| n.value == Value::Null);
            let path = self.req_str(&r, "path");
            self.finish(&r, RawInclude::FIELDS);
            if missing {
                // Already reported as a missing field.
                return None;
            }
            path
        };
        if path.value.trim().is_empty() {
            self.push(
                Diagnostic::new(Code::EmptyIncludePath, format!("empty {what} path"))
                    .at(path.span, "names no file")
                    .help(format!(
                        "write the path of the {what} file or directory, or remove the entry"
                    )),
            );
            return None;
        }
        Some(RawInclude { path })
    }
}

/// The fields of a mapping, by the name `map` was given for it.
fn fields_of(what: &str) -> &'static [&'static str] {
    match what {
        "threat model" => RawDocument::FIELDS,
        "scope" => RawScope::FIELDS,
        "abstraction" => RawAbstraction::FIELDS,
        "sync" => RawSync::FIELDS,
        "sync.github" => RawSyncGitHub::FIELDS,
        "requirement" => RawRequirement::FIELDS,
        "zone" => RawZone::FIELDS,
        "asset" => RawAsset::FIELDS,
        "data flow" => RawDataFlow::FIELDS,
        "attacker" => RawAttacker::FIELDS,
        "assumption" => RawAssumption::FIELDS,
        "analysis entry" => RawVerdict::FIELDS,
        "mitigation" => RawMitigation::FIELDS,
        "evidence" => RawEvidence::FIELDS,
        "threat" => RawThreat::FIELDS,
        _ => RawInclude::FIELDS,
    }
}

/// Shortens a user string for a message.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Limits, parse};
    use crate::span::{FileId, SourceFile};

    fn decode(text: &str) -> (Option<RawDocument>, Vec<Diagnostic>) {
        let f = SourceFile::new(
            "t.yaml".into(),
            "t.yaml".into(),
            "t.yaml".into(),
            text.into(),
        );
        let n = parse(&f, FileId(0), &Limits::default()).expect("parses");
        let mut d = Decoder::new();
        let doc = d.document(&n);
        (doc, d.diagnostics.to_vec())
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("VULN_001"));
        assert!(is_valid_id("dataflow.1"));
        assert!(is_valid_id("edit-api"));
        assert!(!is_valid_id("1abc"));
        assert!(!is_valid_id("a..b"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("a/b"));
    }

    #[test]
    fn reports_every_problem() {
        let (doc, diags) = decode(
            "tmkit: 1\nid: X\ntitle: t\nscope:\n  assets:\n    - id: a\n      titel: A\n    - id: b\n      title: B\n      in_scope: maybe\n    - id: c\n",
        );
        assert!(doc.is_some());
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::UnknownField), "{codes:?}");
        assert!(codes.contains(&Code::MissingField), "{codes:?}");
        assert!(codes.contains(&Code::WrongType), "{codes:?}");
        let unknown = diags.iter().find(|d| d.code == Code::UnknownField).unwrap();
        assert_eq!(unknown.help.as_deref(), Some("did you mean 'title'?"));
        assert_eq!(unknown.primary.as_ref().unwrap().span.line, 7);
        // The misspelt `titel` is not also reported as a missing `title`;
        // asset `c`, which has no title at all, is.
        let missing: Vec<_> = diags
            .iter()
            .filter(|d| d.code == Code::MissingField)
            .map(|d| d.primary.as_ref().unwrap().span.line)
            .collect();
        assert_eq!(missing, [11]);
    }

    #[test]
    fn placeholders() {
        for yes in ["TODO", "TODO name of the system", "  TODO: later", "TODO-1"] {
            assert!(is_placeholder(yes), "{yes:?}");
        }
        for no in ["TODOS", "TODO_list", "todo later", "Fix TODO items", ""] {
            assert!(!is_placeholder(no), "{no:?}");
        }
        let (_, diags) = decode("tmkit: 1\nid: X\ntitle: TODO name\nowner: TODO-1\n");
        let lines: Vec<_> = diags
            .iter()
            .filter(|d| d.code == Code::PlaceholderLeft)
            .map(|d| d.primary.as_ref().unwrap().span.line)
            .collect();
        assert_eq!(lines, [3, 4]);
    }
}
