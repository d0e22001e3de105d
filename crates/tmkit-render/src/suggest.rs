//! `tmkit suggest` outputs: text, Markdown and JSON of the suggestions of
//! [`tmkit_analysis::suggest`], and the one wording of their *why* facts.
//!
//! Every piece of user text (ids, protocols) goes through the escaping
//! function of the output's language: `escape_controls` for the terminal,
//! `escape_md` for Markdown, serde_json for JSON.

use crate::escape::escape_md;
use serde::Serialize;
use std::fmt::Write as _;
use tmkit_analysis::Direction;
use tmkit_analysis::library::Position;
use tmkit_analysis::suggest::{Encryption, Fact, Relation, Suggestion, ZoneFact};
use tmkit_syntax::text::escape_controls;

/// The output formats of `tmkit suggest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestFormat {
    /// Grouped per question, for a terminal.
    Text,
    /// A Markdown document.
    Markdown,
    /// `{"suggestions": [...]}`.
    Json,
}

fn zone(z: &Option<ZoneFact>) -> String {
    match z {
        Some(z) => format!("zone {} (trust {})", z.zone, z.trust),
        None => "no zone".to_string(),
    }
}

/// One fact as a phrase: "datastore in zone P.cde (trust 5)", "reached by
/// flow P.pay from zone P.internet (trust 0) to zone P.cde (trust 5) over
/// HTTP, not encrypted, crossing inbound". Plain text: the caller escapes.
pub fn fact_text(f: &Fact) -> String {
    match f {
        Fact::Target { kind, zone: z } => match z {
            Some(_) => format!("{} in {}", kind.as_str(), zone(z)),
            None => kind.as_str().to_string(),
        },
        Fact::Flow {
            relation,
            flow,
            from,
            to,
            direction,
            protocol,
            encryption,
            mutual,
        } => {
            let verb = match relation {
                Relation::Is => "flow",
                Relation::Carries => "carried by flow",
                Relation::Reaches => "reached by flow",
            };
            let over = match protocol.as_deref().filter(|p| !p.trim().is_empty()) {
                Some(p) => format!(" over {p}"),
                None => String::new(),
            };
            let enc = match encryption {
                Encryption::Encrypted => "encrypted",
                Encryption::Clear => "not encrypted",
                Encryption::Unknown => "not known to be encrypted",
                Encryption::Unstated => "no protocol stated, so not known to be encrypted",
            };
            let auth = if *mutual {
                ", both ends authenticated"
            } else {
                ""
            };
            let crossing = match direction {
                Direction::None => "crossing no trust boundary".to_string(),
                d => format!("crossing {d}"),
            };
            format!(
                "{verb} {flow} from {} to {}{over}, {enc}{auth}, {crossing}",
                zone(from),
                zone(to)
            )
        }
        Fact::Attacker {
            attacker,
            zone: z,
            position,
        } => {
            let rel = match position {
                Position::Outside => "less trusted than the target's",
                Position::Inside => "at least as trusted as the target's",
            };
            format!(
                "attacker {attacker} acts from zone {} (trust {}), {rel}",
                z.zone, z.trust
            )
        }
    }
}

/// One suggestion as the JSON output writes it.
#[derive(Debug, Serialize)]
struct JsonSuggestion<'a> {
    target: &'a str,
    attacker: &'a str,
    category: &'a str,
    pattern: &'a str,
    title: &'a str,
    why: Vec<String>,
    refs: Vec<String>,
    mitigations: Vec<JsonMitigation<'a>>,
    rank: u32,
    library: &'a str,
}

#[derive(Debug, Serialize)]
struct JsonMitigation<'a> {
    title: &'a str,
    refs: Vec<String>,
}

fn refs(s: &Suggestion) -> Vec<String> {
    s.entry.refs.iter().map(ToString::to_string).collect()
}

fn mitigations<'a>(s: &Suggestion<'a>) -> Vec<JsonMitigation<'a>> {
    let e = s.entry;
    (e.pattern.mitigations.iter().zip(&e.mitigation_refs))
        .map(|(m, r)| JsonMitigation {
            title: &m.title,
            refs: r.iter().map(ToString::to_string).collect(),
        })
        .collect()
}

/// Renders the suggestions (in the order given: question order, ranked).
pub fn render(suggestions: &[Suggestion], format: SuggestFormat) -> String {
    match format {
        SuggestFormat::Json => json(suggestions),
        SuggestFormat::Text => text(suggestions),
        SuggestFormat::Markdown => markdown(suggestions),
    }
}

fn json(suggestions: &[Suggestion]) -> String {
    let list: Vec<JsonSuggestion> = suggestions
        .iter()
        .map(|s| JsonSuggestion {
            target: &s.target.qid,
            attacker: s.attacker,
            category: s.category,
            pattern: &s.entry.pattern.id,
            title: &s.entry.pattern.title,
            why: s.why.iter().map(fact_text).collect(),
            refs: refs(s),
            mitigations: mitigations(s),
            rank: s.rank,
            library: &s.entry.origin.library,
        })
        .collect();
    let doc = serde_json::json!({ "suggestions": list });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Groups of suggestions of one question (they are contiguous).
fn questions<'s, 'a>(suggestions: &'s [Suggestion<'a>]) -> Vec<&'s [Suggestion<'a>]> {
    let key = |s: &Suggestion| {
        (
            s.target.qid.clone(),
            s.attacker.to_string(),
            s.category.to_string(),
        )
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=suggestions.len() {
        if i == suggestions.len() || key(&suggestions[i]) != key(&suggestions[start]) {
            if start < i {
                out.push(&suggestions[start..i]);
            }
            start = i;
        }
    }
    out
}

fn text(suggestions: &[Suggestion]) -> String {
    let mut out = String::new();
    let groups = questions(suggestions);
    for g in &groups {
        let q = &g[0];
        let _ = writeln!(
            out,
            "{} / {} / {}",
            escape_controls(&q.target.qid),
            escape_controls(q.attacker),
            q.category
        );
        for s in g.iter() {
            let p = &s.entry.pattern;
            let r = refs(s);
            let r = if r.is_empty() {
                String::new()
            } else {
                format!("  [{}]", r.join(", "))
            };
            let _ = writeln!(
                out,
                "  {}  {}{r}",
                escape_controls(&p.id),
                escape_controls(&p.title)
            );
            for f in s.why.iter() {
                let _ = writeln!(out, "    why: {}", escape_controls(&fact_text(f)));
            }
            for m in mitigations(s) {
                let refs = if m.refs.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", m.refs.join(", "))
                };
                let _ = writeln!(
                    out,
                    "    mitigate: {}{}",
                    escape_controls(m.title),
                    escape_controls(&refs)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{} suggestion{} for {} open question{}",
        suggestions.len(),
        if suggestions.len() == 1 { "" } else { "s" },
        groups.len(),
        if groups.len() == 1 { "" } else { "s" },
    );
    out
}

fn markdown(suggestions: &[Suggestion]) -> String {
    let mut out = String::from("# Suggested threats\n\n");
    let groups = questions(suggestions);
    if groups.is_empty() {
        out.push_str(
            "No suggestion: every open question is answered, suppressed or matches no pattern.\n",
        );
    }
    for g in &groups {
        let q = &g[0];
        let _ = writeln!(
            out,
            "## {} / {} / {}\n",
            escape_md(&q.target.qid),
            escape_md(q.attacker),
            escape_md(q.category)
        );
        for s in g.iter() {
            let p = &s.entry.pattern;
            let _ = writeln!(out, "### {}: {}\n", escape_md(&p.id), escape_md(&p.title));
            let _ = writeln!(out, "{}\n", escape_md(&p.description));
            let _ = writeln!(out, "Why it applies:\n");
            for f in s.why.iter() {
                let _ = writeln!(out, "- {}", escape_md(&fact_text(f)));
            }
            let r = refs(s);
            if !r.is_empty() {
                let _ = writeln!(out, "\nReferences: {}", escape_md(&r.join(", ")));
            }
            out.push_str("\nTypical mitigations:\n\n");
            for m in mitigations(s) {
                let refs = if m.refs.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", m.refs.join(", "))
                };
                let _ = writeln!(out, "- {}", escape_md(&format!("{}{refs}", m.title)));
            }
            out.push('\n');
        }
    }
    out
}
