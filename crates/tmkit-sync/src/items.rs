//! What the model asks of a tracker: one [`Item`] per threat or per
//! mitigation, with the ticket text it should have. Pure: model and
//! analysis in, items out.

use crate::marker;
use std::collections::BTreeMap;
use tmkit_analysis::{Analysis, Rating, Status};
use tmkit_model::{ElementRef, Mitigation, Model, ModelIndexTable, Threat};
use tmkit_render::escape::escape_md;
use tmkit_syntax::text::escape_controls;

/// What one ticket stands for (as `tmkit export --format csv --rows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rows {
    /// One ticket per unmitigated or partial threat.
    #[default]
    Threats,
    /// One ticket per mitigation not in place.
    Mitigations,
}

/// One threat or mitigation as the tracker should see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Qualified id (the marker's value).
    pub qid: String,
    /// The ticket's title.
    pub title: String,
    /// The ticket's body (Markdown, with the marker).
    pub body: String,
    /// The severity label (`severity:high`, `severity:unscored`).
    pub severity_label: String,
    /// Still to do: an unmitigated or partial threat, a planned mitigation.
    pub open: bool,
    /// The `ticket:` written in the model.
    pub ticket: Option<String>,
    /// The mitigations that `--accept-closed` marks in place when the
    /// ticket is closed: the item itself for a mitigation, the planned
    /// mitigations of a threat.
    pub planned: Vec<String>,
}

/// The label every ticket of tmkit carries.
pub const LABEL: &str = "threat-model";

/// The label of a ticket tmkit proposed to close (commented once).
pub const PROPOSED_LABEL: &str = "threat-model:mitigated";

/// The severity label for a rating.
pub fn severity_label(rating: Option<Rating>) -> String {
    format!("severity:{}", rating.map_or("unscored", |r| r.as_str()))
}

/// The items of `model`, in model order. Threats: every threat that is
/// unmitigated or partial, or that has a ticket (to update or close it).
/// Mitigations: every mitigation not in place, or that has a ticket.
pub fn items(model: &Model, analysis: &Analysis, rows: Rows) -> Vec<Item> {
    let index = model.index();
    let mut out = Vec::new();
    match rows {
        Rows::Threats => {
            for t in model.models.iter().flat_map(|m| &m.threats) {
                let Some(info) = analysis.threat(&t.qid) else {
                    continue;
                };
                let open = matches!(info.status, Status::Unmitigated | Status::Partial);
                let planned: Vec<String> = mitigations(model, &index, t)
                    .filter(|m| !m.in_place)
                    .map(|m| m.qid.to_string())
                    .collect();
                out.push(Item {
                    qid: t.qid.to_string(),
                    title: format!("{}: {}", t.qid, one_line(&t.title)),
                    body: threat_body(model, &index, t, analysis),
                    severity_label: severity_label(info.severity),
                    open,
                    ticket: t.ticket.clone(),
                    planned,
                });
            }
        }
        Rows::Mitigations => {
            let answers = answered_by(model);
            for m in model.models.iter().flat_map(|m| &m.mitigations) {
                let threats = answers.get(m.qid.as_str()).cloned().unwrap_or_default();
                let worst = threats
                    .iter()
                    .filter_map(|t| analysis.threat(&t.qid))
                    .filter_map(|i| i.cvss.as_ref().map(|c| (c.score, i.severity)))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .and_then(|(_, s)| s);
                out.push(Item {
                    qid: m.qid.to_string(),
                    title: format!("{}: {}", m.qid, one_line(&m.title)),
                    body: mitigation_body(m, &threats, analysis),
                    severity_label: severity_label(worst),
                    open: !m.in_place,
                    ticket: m.ticket.clone(),
                    planned: if m.in_place {
                        Vec::new()
                    } else {
                        vec![m.qid.to_string()]
                    },
                });
            }
        }
    }
    out
}

/// A title is one line of plain text: control characters shown escaped.
fn one_line(s: &str) -> String {
    escape_controls(&s.replace(['\n', '\r', '\t'], " ")).into_owned()
}

fn mitigations<'a>(
    model: &'a Model,
    index: &'a ModelIndexTable,
    t: &'a Threat,
) -> impl Iterator<Item = &'a Mitigation> + 'a {
    t.mitigations
        .iter()
        .filter_map(move |q| match index.get(q) {
            Some(ElementRef::Mitigation(m, i)) => Some(&model.models[m].mitigations[i]),
            _ => None,
        })
}

fn answered_by(model: &Model) -> BTreeMap<&str, Vec<&Threat>> {
    let mut answers: BTreeMap<&str, Vec<&Threat>> = BTreeMap::new();
    for t in model.models.iter().flat_map(|m| &m.threats) {
        for q in &t.mitigations {
            let list = answers.entry(q.as_str()).or_default();
            if !list.iter().any(|x| x.qid == t.qid) {
                list.push(t);
            }
        }
    }
    answers
}

fn title_of(model: &Model, index: &ModelIndexTable, qid: &str) -> String {
    match index.get(qid) {
        Some(ElementRef::Asset(m, i)) => model.models[m].assets[i].title.clone(),
        Some(ElementRef::DataFlow(m, i)) => model.models[m].dataflows[i].title.clone(),
        Some(ElementRef::Attacker(m, i)) => model.models[m].attackers[i].title.clone(),
        _ => qid.to_string(),
    }
}

fn score(analysis: &Analysis, qid: &str) -> String {
    match analysis.threat(qid).and_then(|i| i.cvss.as_ref()) {
        Some(c) => format!(
            "{:.1} {} (`{}`)",
            c.score,
            c.rating.as_str(),
            escape_md(&c.vector)
        ),
        None => "unscored".into(),
    }
}

/// An element as `title (qid)`, both escaped for Markdown.
fn named(model: &Model, index: &ModelIndexTable, qid: &str) -> String {
    format!(
        "{} ({})",
        escape_md(&title_of(model, index, qid)),
        escape_md(qid)
    )
}

/// The body of a threat's ticket. Every text of the model goes through
/// [`escape_md`]: the tracker renders Markdown.
fn threat_body(model: &Model, index: &ModelIndexTable, t: &Threat, analysis: &Analysis) -> String {
    let info = analysis.threat(&t.qid);
    let mut b = String::new();
    b.push_str(&format!(
        "**Threat** {}: {}\n\n",
        escape_md(&t.qid),
        escape_md(&t.title)
    ));
    if let Some(d) = &t.description {
        b.push_str(&escape_md(d.trim()));
        b.push_str("\n\n");
    }
    let status = info.map_or("unknown", |i| i.status.as_str());
    b.push_str(&format!("- Status: {status}\n"));
    b.push_str(&format!("- Score: {}\n", score(analysis, &t.qid)));
    let cats: Vec<String> = t.categories.iter().map(|c| escape_md(c)).collect();
    b.push_str(&format!("- Categories: {}\n", cats.join(", ")));
    let targets: Vec<String> = t.targets.iter().map(|q| named(model, index, q)).collect();
    b.push_str(&format!("- Targets: {}\n", targets.join(", ")));
    let attackers = match info.and_then(|i| i.attackers.as_ref()) {
        Some(a) => a
            .iter()
            .map(|q| named(model, index, q))
            .collect::<Vec<_>>()
            .join(", "),
        None => "every in-scope attacker".into(),
    };
    b.push_str(&format!("- Attackers: {attackers}\n"));
    let mits: Vec<&Mitigation> = mitigations(model, index, t).collect();
    if !mits.is_empty() {
        b.push_str("\n**Mitigations**\n\n");
        for m in mits {
            let state = if m.in_place { "x" } else { " " };
            b.push_str(&format!(
                "- [{state}] {}: {} ({})\n",
                escape_md(&m.qid),
                escape_md(&m.title),
                m.kind.as_str()
            ));
        }
    }
    b.push('\n');
    b.push_str(&marker::marker(&t.qid));
    b.push('\n');
    b
}

/// The body of a mitigation's ticket: the threats it answers.
fn mitigation_body(m: &Mitigation, threats: &[&Threat], analysis: &Analysis) -> String {
    let mut b = String::new();
    b.push_str(&format!(
        "**Mitigation** {}: {}\n\n",
        escape_md(&m.qid),
        escape_md(&m.title)
    ));
    if let Some(d) = &m.description {
        b.push_str(&escape_md(d.trim()));
        b.push_str("\n\n");
    }
    let state = if m.in_place { "in place" } else { "planned" };
    b.push_str(&format!("- Status: {state}\n- Kind: {}\n", m.kind.as_str()));
    if !threats.is_empty() {
        b.push_str("\n**Answers**\n\n");
        for t in threats {
            let status = analysis
                .threat(&t.qid)
                .map_or("unknown", |i| i.status.as_str());
            b.push_str(&format!(
                "- {}: {} ({status}, {})\n",
                escape_md(&t.qid),
                escape_md(&t.title),
                score(analysis, &t.qid)
            ));
        }
    }
    b.push('\n');
    b.push_str(&marker::marker(&m.qid));
    b.push('\n');
    b
}
