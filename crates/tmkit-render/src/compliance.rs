//! The compliance section of the report (`report --view compliance`): each
//! requirement with its status, the threats that concern it and the
//! mitigations that implement it, as one table that Markdown and HTML print.

use crate::outline::{Block, Inline, Line, element_row, raw, references, table, text};
use std::borrow::Cow;
use tmkit_analysis::views::{
    ComplianceEntry, RequirementStatus, TracedMitigation, TracedThreat, View,
};
use tmkit_model::Requirement;

/// The blocks of the compliance section.
pub(crate) fn build<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    if view.compliance.is_empty() {
        out(Block::Para(vec![raw("The model declares no requirement.")]));
        return;
    }
    out(Block::Legend(vec![raw(
        "A requirement is met when every control implementing it is in place and every threat concerning it is mitigated; partly met when some control is in place but not all, or a threat concerning it is not mitigated; not met when no control implementing it is in place; no evidence when no control lists it.",
    )]));
    let counts: Vec<String> = RequirementStatus::ALL
        .iter()
        .map(|&s| {
            let n = view.compliance.iter().filter(|e| e.status == s).count();
            format!("{n} {}", s.label())
        })
        .collect();
    let summary = format!(
        "{}: {}.",
        crate::table::count(view.compliance.len(), "requirement"),
        counts.join(", ")
    );
    out(Block::Para(vec![Inline::Raw(Cow::Owned(summary))]));
    let requirements: Vec<&Requirement> = (view.model.models.iter())
        .flat_map(|tm| &tm.requirements)
        .collect();
    let rows = view
        .compliance
        .iter()
        .map(|e| {
            let refs = requirements
                .iter()
                .find(|r| r.qid == e.qid)
                .map(|r| references(r))
                .unwrap_or_default();
            element_row(
                &e.qid,
                vec![
                    vec![text(&e.title)],
                    e.kind.as_deref().map(|k| vec![text(k)]).unwrap_or_default(),
                    refs,
                    status(e),
                    threats(e),
                    mitigations(e),
                ],
            )
        })
        .collect();
    out(table(
        &[
            "ID",
            "Requirement",
            "Kind",
            "References",
            "Status",
            "Threats concerning it",
            "Mitigations implementing it",
        ],
        rows,
    ));
}

fn status(e: &ComplianceEntry) -> Line<'_> {
    let label = raw(e.status.label());
    match e.status {
        RequirementStatus::Met => vec![label],
        _ => vec![Inline::Warn(vec![label])],
    }
}

fn threats(e: &ComplianceEntry) -> Line<'_> {
    traced(
        e.threats
            .iter()
            .map(|t: &TracedThreat| (t.qid.as_str(), t.status.as_str())),
    )
}

fn mitigations(e: &ComplianceEntry) -> Line<'_> {
    traced(e.mitigations.iter().map(|m: &TracedMitigation| {
        let state = if !m.kind.is_control() {
            "risk acceptance"
        } else if m.in_place {
            "in place"
        } else {
            "planned"
        };
        (m.qid.as_str(), state)
    }))
}

/// `QID (state); QID (state)`, or `none`.
fn traced<'a>(items: impl Iterator<Item = (&'a str, &'static str)>) -> Line<'a> {
    let mut line = Vec::new();
    for (qid, state) in items {
        if !line.is_empty() {
            line.push(raw("; "));
        }
        line.push(Inline::Qid(qid));
        line.push(Inline::Raw(Cow::Owned(format!(" ({state})"))));
    }
    if line.is_empty() {
        line.push(raw("none"));
    }
    line
}
