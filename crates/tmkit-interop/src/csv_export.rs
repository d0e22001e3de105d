//! CSV for issue trackers: one row per threat, or one row per planned
//! (not yet in place) mitigation.
//!
//! The file is UTF-8, RFC 4180 (comma separated, fields quoted when they hold
//! a comma, a quote or a line break, quotes doubled, CRLF line ends), with a
//! header row whose names match common tracker fields (`Summary`,
//! `Description`, `Priority`, `Labels`). Every cell that a spreadsheet could
//! read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return) is prefixed with `'`, so opening the file never runs anything.
//! Rows follow the model order (root first, then components), so the output is
//! deterministic.

use std::collections::{BTreeSet, HashMap};
use tmkit_analysis::{Analysis, Rating, ThreatInfo};
use tmkit_model::Qid;
use tmkit_model::{ElementRef, Mitigation, Model, ModelIndexTable, Threat};

/// What one row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Rows {
    /// One row per threat (every status).
    #[default]
    Threats,
    /// One row per mitigation not in place, with the threats it answers.
    Mitigations,
}

impl Rows {
    /// Parses `threats` or `mitigations`.
    pub fn parse(s: &str) -> Option<Rows> {
        match s {
            "threats" => Some(Rows::Threats),
            "mitigations" => Some(Rows::Mitigations),
            _ => None,
        }
    }
}

/// A header: the columns both kinds of rows share, then `$last`.
macro_rules! header {
    ($($last:literal),*) => {
        [
            "Qualified ID",
            "Summary",
            "Title",
            "Status",
            "Severity",
            "Score",
            "CVSS Vector",
            "Priority",
            "Labels",
            "Targets",
            "Attackers",
            "Ticket",
            "Model",
            "Confidential",
            $($last),*
        ]
    };
}

/// Header of the threat rows.
pub const THREAT_HEADER: [&str; 17] =
    header!("Mitigations In Place", "Mitigations Planned", "Description");

/// Header of the mitigation rows.
pub const MITIGATION_HEADER: [&str; 17] = header!("Kind", "Threats", "Description");

/// Neutralises a cell that a spreadsheet would evaluate as a formula.
pub use tmkit_render::escape::neutralise;

/// A tracker priority for a severity (Jira's default scheme).
pub fn priority(severity: Option<Rating>) -> &'static str {
    match severity {
        Some(Rating::Critical) => "Highest",
        Some(Rating::High) => "High",
        Some(Rating::Medium) => "Medium",
        Some(Rating::Low) => "Low",
        _ => "Lowest",
    }
}

/// The CSV text for `rows`.
pub fn to_csv(model: &Model, analysis: &Analysis, rows: Rows) -> String {
    let index = model.index();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut write = |cells: Vec<String>| {
        let cells: Vec<String> = cells.iter().map(|c| neutralise(c)).collect();
        // Writing to memory cannot fail.
        let _ = w.write_record(&cells);
    };
    match rows {
        Rows::Threats => {
            write(THREAT_HEADER.iter().map(|s| s.to_string()).collect());
            for tm in &model.models {
                for t in &tm.threats {
                    let Some(info) = analysis.threat(&t.qid) else {
                        continue;
                    };
                    write(threat_row(model, &index, t, info));
                }
            }
        }
        Rows::Mitigations => {
            write(MITIGATION_HEADER.iter().map(|s| s.to_string()).collect());
            // Mitigation -> the threats it answers, in model order.
            let mut answers: HashMap<&str, Vec<&Threat>> = HashMap::new();
            for t in model.models.iter().flat_map(|tm| tm.threats.iter()) {
                for q in &t.mitigations {
                    let list = answers.entry(q.as_str()).or_default();
                    if !list.iter().any(|x| x.qid == t.qid) {
                        list.push(t);
                    }
                }
            }
            for tm in &model.models {
                for m in tm.mitigations.iter().filter(|m| !m.in_place) {
                    write(mitigation_row(model, &index, analysis, &answers, m));
                }
            }
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn title_of(model: &Model, index: &ModelIndexTable, qid: &str) -> String {
    let t = match index.get(qid) {
        Some(ElementRef::Asset(m, i)) => &model.models[m].assets[i].title,
        Some(ElementRef::DataFlow(m, i)) => &model.models[m].dataflows[i].title,
        Some(ElementRef::Attacker(m, i)) => &model.models[m].attackers[i].title,
        Some(ElementRef::Mitigation(m, i)) => &model.models[m].mitigations[i].title,
        Some(ElementRef::Threat(m, i)) => &model.models[m].threats[i].title,
        _ => return qid.to_string(),
    };
    t.clone()
}

fn mitigation(model: &Model, index: &ModelIndexTable, qid: &str) -> Option<Mitigation> {
    match index.get(qid) {
        Some(ElementRef::Mitigation(m, i)) => Some(model.models[m].mitigations[i].clone()),
        _ => None,
    }
}

fn attackers_text(info: &ThreatInfo) -> String {
    match &info.attackers {
        Some(a) => a.join(", "),
        None => "(every in-scope attacker)".into(),
    }
}

/// Confidential itself, or declared in a confidential model (or below one).
fn withheld(model: &Model, index: &ModelIndexTable, qid: &str, own: bool) -> bool {
    own || index
        .get(qid)
        .is_some_and(|r| model.in_confidential_model(r.model()))
}

fn model_of(model: &Model, index: &ModelIndexTable, qid: &str) -> String {
    index
        .get(qid)
        .map(|r| model.models[r.model()].qid.to_string())
        .unwrap_or_default()
}

fn score_text(info: &ThreatInfo) -> (String, String, String) {
    match &info.cvss {
        Some(c) => (
            c.rating.as_str().to_string(),
            format!("{:.1}", c.score),
            c.vector.clone(),
        ),
        None => ("unscored".into(), String::new(), String::new()),
    }
}

fn threat_row(
    model: &Model,
    index: &ModelIndexTable,
    t: &Threat,
    info: &ThreatInfo,
) -> Vec<String> {
    let (severity, score, vector) = score_text(info);
    let mits: Vec<Mitigation> = t
        .mitigations
        .iter()
        .filter_map(|q| mitigation(model, index, q))
        .collect();
    let in_place: Vec<String> = mits
        .iter()
        .filter(|m| m.in_place)
        .map(|m| m.title.clone())
        .collect();
    let planned: Vec<String> = mits
        .iter()
        .filter(|m| !m.in_place)
        .map(|m| m.title.clone())
        .collect();
    let targets: Vec<String> = t
        .targets
        .iter()
        .map(|q| format!("{} ({q})", title_of(model, index, q)))
        .collect();
    let mut labels = vec!["threat-model".to_string()];
    labels.extend(t.categories.iter().cloned());
    let summary = format!("[{}] {}: {}", severity, t.qid, t.title);
    let mut d = String::new();
    if let Some(desc) = &t.description {
        d.push_str(desc.trim_end());
        d.push_str("\n\n");
    }
    d.push_str(&format!("Threat {} is {}", t.qid, info.status.as_str()));
    if !score.is_empty() {
        d.push_str(&format!(", CVSS {score} ({severity}) {vector}"));
    }
    d.push_str(".\n");
    d.push_str(&format!("Categories: {}\n", t.categories.join(", ")));
    if !targets.is_empty() {
        d.push_str(&format!("Targets: {}\n", targets.join(", ")));
    }
    d.push_str(&format!("Attackers: {}\n", attackers_text(info)));
    if !in_place.is_empty() {
        d.push_str(&format!("In place: {}\n", in_place.join("; ")));
    }
    if !planned.is_empty() {
        d.push_str(&format!("Planned: {}\n", planned.join("; ")));
    }
    vec![
        t.qid.to_string(),
        summary,
        t.title.clone(),
        info.status.as_str().to_string(),
        severity,
        score,
        vector,
        priority(info.severity).to_string(),
        labels.join(" "),
        t.targets.join(", "),
        attackers_text(info),
        t.ticket.clone().unwrap_or_default(),
        model_of(model, index, &t.qid),
        withheld(model, index, &t.qid, t.confidential).to_string(),
        in_place.join("; "),
        planned.join("; "),
        d.trim_end().to_string(),
    ]
}

/// What the threats a mitigation answers have in common.
struct Answered {
    targets: Vec<String>,
    attackers: Vec<String>,
    labels: Vec<String>,
}

/// The targets, attackers and labels of `threats`, each once, in order.
fn answered(threats: &[(&Threat, &ThreatInfo)]) -> Answered {
    let mut targets: Vec<Qid> = Vec::new();
    let mut attackers: BTreeSet<Qid> = BTreeSet::new();
    let mut every_attacker = false;
    let mut labels = vec!["threat-model".to_string(), "mitigation".to_string()];
    for (t, i) in threats {
        for q in &t.targets {
            if !targets.contains(q) {
                targets.push(q.clone());
            }
        }
        match &i.attackers {
            Some(a) => attackers.extend(a.iter().cloned()),
            None => every_attacker = true,
        }
        for c in &t.categories {
            if !labels.contains(c) {
                labels.push(c.clone());
            }
        }
    }
    let mut attackers: Vec<String> = attackers.iter().map(Qid::to_string).collect();
    if every_attacker {
        attackers.push("(every in-scope attacker)".into());
    }
    Answered {
        targets: targets.iter().map(Qid::to_string).collect(),
        attackers,
        labels,
    }
}

/// A planned mitigation's description, then the threats it answers.
fn mitigation_description(m: &Mitigation, threats: &[(&Threat, &ThreatInfo)]) -> String {
    let mut d = String::new();
    if let Some(desc) = &m.description {
        d.push_str(desc.trim_end());
        d.push_str("\n\n");
    }
    d.push_str(&format!(
        "Planned {} mitigation {}, not in place yet.\n",
        m.kind.as_str(),
        m.qid
    ));
    if let Some(op) = &m.operator {
        d.push_str(&format!("Operator: {op}\n"));
    }
    for (t, i) in threats {
        let s = i
            .cvss
            .as_ref()
            .map(|c| format!(", CVSS {:.1} ({})", c.score, c.rating.as_str()))
            .unwrap_or_default();
        d.push_str(&format!(
            "Answers threat {} ({}{}): {}\n",
            t.qid,
            i.status.as_str(),
            s,
            t.title
        ));
    }
    d.trim_end().to_string()
}

fn mitigation_row(
    model: &Model,
    index: &ModelIndexTable,
    analysis: &Analysis,
    answers: &HashMap<&str, Vec<&Threat>>,
    m: &Mitigation,
) -> Vec<String> {
    // The threats it answers, in model order.
    let threats: Vec<(&Threat, &ThreatInfo)> = answers
        .get(m.qid.as_str())
        .into_iter()
        .flatten()
        .copied()
        .filter_map(|t| analysis.threat(&t.qid).map(|i| (t, i)))
        .collect();
    // The most severe threat sets severity, score and vector.
    let worst = threats
        .iter()
        .max_by(|a, b| {
            let sa = a.1.cvss.as_ref().map_or(-1.0, |c| c.score);
            let sb = b.1.cvss.as_ref().map_or(-1.0, |c| c.score);
            sa.total_cmp(&sb)
        })
        .map(|(_, i)| *i);
    let (severity, score, vector) =
        worst
            .map(score_text)
            .unwrap_or(("unscored".into(), String::new(), String::new()));
    let Answered {
        targets,
        attackers,
        labels,
    } = answered(&threats);
    let threat_ids: Vec<String> = threats.iter().map(|(t, _)| t.qid.to_string()).collect();
    let summary = format!("[{}] Mitigation {}: {}", severity, m.qid, m.title);
    let confidential = withheld(model, index, &m.qid, m.confidential)
        || threats
            .iter()
            .any(|(t, _)| withheld(model, index, &t.qid, t.confidential));
    vec![
        m.qid.to_string(),
        summary,
        m.title.clone(),
        "planned".into(),
        severity,
        score,
        vector,
        priority(worst.and_then(|w| w.severity)).to_string(),
        labels.join(" "),
        targets.join(", "),
        attackers.join(", "),
        m.ticket.clone().unwrap_or_default(),
        model_of(model, index, &m.qid),
        confidential.to_string(),
        m.kind.as_str().to_string(),
        threat_ids.join(", "),
        mitigation_description(m, &threats),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for ok in ["plain", "1.5", "a=b", " =x", "", "two\nlines"] {
            assert_eq!(neutralise(ok), ok);
        }
        // Control characters are shown escaped: a cell no longer starts
        // with a raw tab or CR, and NUL never reaches the file.
        assert_eq!(neutralise("\tx"), "\\u{9}x");
        assert_eq!(neutralise("\rx"), "\\u{d}x");
        assert_eq!(neutralise("a\0b\u{1b}[2J"), "a\\u{0}b\\u{1b}[2J");
        assert_eq!(neutralise("=\0"), "'=\\u{0}");
    }

    #[test]
    fn priorities() {
        assert_eq!(priority(Some(Rating::Critical)), "Highest");
        assert_eq!(priority(None), "Lowest");
        assert_eq!(Rows::parse("mitigations"), Some(Rows::Mitigations));
        assert_eq!(Rows::parse("x"), None);
    }
}
