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

/// What a suggestion shares with the other suggestions of its pattern on
/// its target (the same why): serialised once per run of the target.
#[derive(Debug, Serialize)]
struct JsonTail<'a> {
    title: &'a str,
    why: Vec<String>,
    refs: Vec<String>,
    mitigations: Vec<JsonMitigation<'a>>,
    rank: u32,
    library: &'a str,
}

fn json(suggestions: &[Suggestion]) -> String {
    // One suggestion per line: readable, diffable, and a third of the
    // pretty-printed size on large models. The part after `pattern` is the
    // same for every attacker and category of a (target, pattern, why): it
    // is serialised once (the suggestions of a target are contiguous).
    let str_json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = String::from("{\"suggestions\": [");
    let mut tails: std::collections::HashMap<(&str, *const [Fact]), String> =
        std::collections::HashMap::new();
    let mut target: Option<&str> = None;
    for (i, s) in suggestions.iter().enumerate() {
        if target != Some(s.target.qid.as_str()) {
            tails.clear();
            target = Some(&s.target.qid);
        }
        let key = (s.entry.pattern.id.as_str(), std::sync::Arc::as_ptr(&s.why));
        let tail = tails.entry(key).or_insert_with(|| {
            let t = JsonTail {
                title: &s.entry.pattern.title,
                why: s.why.iter().map(fact_text).collect(),
                refs: refs(s),
                mitigations: mitigations(s),
                rank: s.rank,
                library: &s.entry.origin.library,
            };
            let full = serde_json::to_string(&t).unwrap_or_default();
            full.strip_prefix('{').unwrap_or(&full).to_string()
        });
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let _ = write!(
            out,
            "{{\"target\":{},\"attacker\":{},\"category\":{},\"pattern\":{},{tail}",
            str_json(&s.target.qid),
            str_json(s.attacker),
            str_json(s.category),
            str_json(&s.entry.pattern.id),
        );
    }
    out.push_str(if suggestions.is_empty() {
        "]}\n"
    } else {
        "\n]}\n"
    });
    out
}

/// Groups of suggestions of one question (they are contiguous).
fn questions<'s, 'a>(suggestions: &'s [Suggestion<'a>]) -> Vec<&'s [Suggestion<'a>]> {
    contiguous(suggestions, |a, b| {
        a.target.qid == b.target.qid && a.attacker == b.attacker && a.category == b.category
    })
}

/// Runs of `items` where `same` holds between the first and each next.
fn contiguous<T>(items: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        if i == items.len() || !same(&items[start], &items[i]) {
            if start < i {
                out.push(&items[start..i]);
            }
            start = i;
        }
    }
    out
}

/// One pattern suggested for one target: the categories and attackers of
/// the open questions it answers, and the distinct facts of its why.
struct PatternRow<'s, 'a> {
    first: &'s Suggestion<'a>,
    rank: u32,
    categories: Vec<&'a str>,
    attackers: Vec<&'a str>,
    why: Vec<&'s Fact>,
}

/// The suggestions of one target (contiguous) per pattern, ranked (highest
/// rank first, then pattern id).
fn per_pattern<'s, 'a>(target: &'s [Suggestion<'a>]) -> Vec<PatternRow<'s, 'a>> {
    let mut rows: Vec<PatternRow> = Vec::new();
    for s in target {
        let row = match rows
            .iter_mut()
            .position(|r| r.first.entry.pattern.id == s.entry.pattern.id)
        {
            Some(i) => &mut rows[i],
            None => {
                rows.push(PatternRow {
                    first: s,
                    rank: s.rank,
                    categories: Vec::new(),
                    attackers: Vec::new(),
                    why: Vec::new(),
                });
                rows.last_mut().expect("pushed")
            }
        };
        if !row.categories.contains(&s.category) {
            row.categories.push(s.category);
        }
        if !row.attackers.contains(&s.attacker) {
            row.attackers.push(s.attacker);
        }
        for f in s.why.iter() {
            if !row.why.contains(&f) {
                row.why.push(f);
            }
        }
    }
    rows.sort_by(|a, b| {
        (b.rank.cmp(&a.rank)).then_with(|| a.first.entry.pattern.id.cmp(&b.first.entry.pattern.id))
    });
    rows
}

fn refs_suffix(refs: &[String], open: &str, close: &str) -> String {
    if refs.is_empty() {
        String::new()
    } else {
        format!("{open}{}{close}", refs.join(", "))
    }
}

/// Text: one block per target, each pattern once with the categories and
/// attackers of the open questions it answers.
fn text(suggestions: &[Suggestion]) -> String {
    let mut out = String::new();
    let targets = contiguous(suggestions, |a, b| a.target.qid == b.target.qid);
    for t in &targets {
        let _ = writeln!(
            out,
            "{}  {}",
            escape_controls(&t[0].target.qid),
            escape_controls(&t[0].target.title)
        );
        for row in per_pattern(t) {
            let p = &row.first.entry.pattern;
            let r = refs(row.first);
            let _ = writeln!(
                out,
                "  {}  {}{}",
                escape_controls(&p.id),
                escape_controls(&p.title),
                refs_suffix(&r, "  [", "]")
            );
            let _ = writeln!(
                out,
                "    answers: {} / {}",
                row.categories.join(", "),
                escape_controls(&row.attackers.join(", "))
            );
            for f in &row.why {
                let _ = writeln!(out, "    why: {}", escape_controls(&fact_text(f)));
            }
            for m in mitigations(row.first) {
                let _ = writeln!(
                    out,
                    "    mitigate: {}{}",
                    escape_controls(m.title),
                    escape_controls(&refs_suffix(&m.refs, " (", ")"))
                );
            }
        }
    }
    let n = questions(suggestions).len();
    let _ = writeln!(
        out,
        "{} suggestion{} for {} open question{} of {} target{}",
        suggestions.len(),
        if suggestions.len() == 1 { "" } else { "s" },
        n,
        if n == 1 { "" } else { "s" },
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
    );
    out
}

/// Markdown: a section per target, a subsection per pattern.
fn markdown(suggestions: &[Suggestion]) -> String {
    let mut out = String::from("# Suggested threats\n\n");
    let targets = contiguous(suggestions, |a, b| a.target.qid == b.target.qid);
    if targets.is_empty() {
        out.push_str(
            "No suggestion: every open question is answered, suppressed or matches no pattern.\n",
        );
    }
    for t in &targets {
        let _ = writeln!(
            out,
            "## {}: {}\n",
            escape_md(&t[0].target.qid),
            escape_md(&t[0].target.title)
        );
        for row in per_pattern(t) {
            let p = &row.first.entry.pattern;
            let _ = writeln!(out, "### {}: {}\n", escape_md(&p.id), escape_md(&p.title));
            let _ = writeln!(out, "{}\n", escape_md(&p.description));
            let _ = writeln!(
                out,
                "Answers {} for {}.\n",
                escape_md(&row.categories.join(", ")),
                escape_md(&row.attackers.join(", "))
            );
            out.push_str("Why it applies:\n\n");
            for f in &row.why {
                let _ = writeln!(out, "- {}", escape_md(&fact_text(f)));
            }
            let r = refs(row.first);
            if !r.is_empty() {
                let _ = writeln!(out, "\nReferences: {}", escape_md(&r.join(", ")));
            }
            out.push_str("\nTypical mitigations:\n\n");
            for m in mitigations(row.first) {
                let line = format!("{}{}", m.title, refs_suffix(&m.refs, " (", ")"));
                let _ = writeln!(out, "- {}", escape_md(&line));
            }
            out.push('\n');
        }
    }
    out
}
