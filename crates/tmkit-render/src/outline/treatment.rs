//! The report's risk treatment: the acceptance register section, and the
//! treatment and evidence notes after each mitigation (both languages).

use super::{Block, Inline, Line, Row, opt_text, raw, table, text};
use std::borrow::Cow;
use tmkit_analysis::treatment::{Calendar, RegisterEntry, days_text};
use tmkit_analysis::views::{TicketFlag, Tickets, View};
use tmkit_model::{Evidence, EvidenceKind, Mitigation, MitigationKind};

fn owned(s: String) -> Inline<'static> {
    Inline::Raw(Cow::Owned(s))
}

/// The acceptance register: one row per threat and acceptance (or
/// transfer) in place, soonest expiry first.
pub(crate) fn register<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    out(Block::Legend(vec![raw(
        "Risks accepted or transferred, soonest expiry first. Days left count from the report's date.",
    )]));
    let rows = view.register.iter().map(register_row).collect();
    out(table(
        &[
            "Threat",
            "Treatment",
            "Owner",
            "Accepted",
            "Expires",
            "Days left",
            "Rationale",
        ],
        rows,
    ));
}

fn register_row(r: &RegisterEntry) -> Row<'_> {
    let mut treatment = vec![Inline::QidLink(&r.mitigation)];
    if r.kind == MitigationKind::Transfer {
        treatment.push(raw(" transferred to "));
        treatment.extend(opt_text(r.party.as_deref()));
    }
    let expires = match (r.expires, r.permanent) {
        (Some(d), _) => vec![owned(d.to_string())],
        (None, true) => vec![raw("permanent")],
        (None, false) if r.kind == MitigationKind::RiskAcceptance => {
            vec![Inline::Warn(vec![raw("none")])]
        }
        (None, false) => Vec::new(),
    };
    let days = match r.days_left {
        Some(d) if d < 0 => vec![Inline::Warn(vec![owned(format!(
            "expired, {}",
            days_text(d)
        ))])],
        Some(d) => vec![owned(d.to_string())],
        None => Vec::new(),
    };
    Row {
        anchor: None,
        cells: vec![
            vec![Inline::QidLink(&r.threat), raw(" "), text(&r.threat_title)],
            treatment,
            opt_text(r.owner.as_deref()),
            r.accepted
                .map(|d| vec![owned(d.to_string())])
                .unwrap_or_default(),
            expires,
            days,
            opt_text(r.rationale.as_deref()),
        ],
    }
}

/// What follows a mitigation in a threat's list: its treatment (owner,
/// expiry, party, due date) and its evidence, each part after `; `. The
/// public view has cleared the treatment and kept only the public
/// evidence; the rest of the evidence shows as a count.
pub(crate) fn mitigation_notes<'a>(
    m: &'a Mitigation,
    cal: Option<&Calendar>,
    tickets: &'a Tickets,
) -> Line<'a> {
    let t = &m.treatment;
    let mut parts: Vec<Line<'a>> = Vec::new();
    if let Some(state) = m
        .ticket
        .as_deref()
        .and_then(|t| ticket_state(tickets, t, cal))
    {
        parts.push(state);
    }
    if let Some(o) = m
        .owner
        .as_deref()
        .filter(|_| m.kind == MitigationKind::RiskAcceptance)
    {
        parts.push(vec![raw("accepted by "), text(o)]);
    }
    match (t.expires, t.permanent) {
        (Some(d), _) => {
            let mut p = vec![owned(format!("expires {d}"))];
            if let Some(c) = cal {
                p.push(owned(format!(" ({})", days_text(c.days_left(d)))));
            }
            parts.push(p);
        }
        (None, true) => parts.push(vec![raw("permanent")]),
        _ => {}
    }
    if let Some(p) = t.party.as_deref() {
        let mut line = vec![raw("transferred to "), text(p)];
        if let Some(r) = t.reference.as_deref() {
            line.extend([raw(" ("), text(r), raw(")")]);
        }
        parts.push(line);
    }
    if let Some(d) = t.due {
        let overdue = !m.in_place && cal.is_some_and(|c| c.days_left(d) < 0);
        let due = owned(format!("due {d}"));
        parts.push(vec![if overdue {
            Inline::Warn(vec![due, raw(", overdue")])
        } else {
            due
        }]);
    }
    if let Some(e) = evidence(m) {
        parts.push(e);
    }
    let mut out = Vec::new();
    for p in parts {
        out.push(raw("; "));
        out.extend(p);
    }
    out
}

/// A ticket's state as its tracker last reported it (`open in GitHub,
/// assigned to alice, due 2027-01-10`), with what needs attention marked:
/// an open ticket past its due date, a closed ticket whose element is still
/// open in the model. None when the tracker did not report the ticket.
pub(crate) fn ticket_state<'a>(
    tickets: &'a Tickets,
    ticket: &str,
    cal: Option<&Calendar>,
) -> Option<Line<'a>> {
    let s = tickets.get(ticket)?;
    let flags = tickets.flags(ticket, cal);
    let mut line = Vec::new();
    let mut state = vec![
        raw(if s.open { "open in " } else { "closed in " }),
        text(&s.tracker),
    ];
    if let Some(d) = s.as_of {
        state.push(owned(format!(" on {d}")));
    }
    if flags.contains(&TicketFlag::ClosedNotDone) {
        state.push(raw(", not done in the model"));
        line.push(Inline::Warn(state));
    } else {
        line.extend(state);
    }
    if !s.assignees.is_empty() {
        line.push(raw(", assigned to "));
        for (i, a) in s.assignees.iter().enumerate() {
            if i > 0 {
                line.push(raw(", "));
            }
            line.push(text(a));
        }
    }
    if let Some(d) = s.due {
        line.push(raw(", "));
        let due = owned(format!("due {d}"));
        if flags.contains(&TicketFlag::Overdue) {
            line.push(Inline::Warn(vec![due, raw(", overdue")]));
        } else {
            line.push(due);
        }
    }
    Some(line)
}

/// `evidence: test `a.rs::b` (note), url LINK, 2 withheld`, or None
/// without evidence.
fn evidence(m: &Mitigation) -> Option<Line<'_>> {
    if m.evidence.is_empty() && m.evidence_withheld == 0 {
        return None;
    }
    let mut items: Vec<Line<'_>> = m.evidence.iter().map(evidence_item).collect();
    if m.evidence_withheld > 0 {
        items.push(vec![owned(format!("{} withheld", m.evidence_withheld))]);
    }
    let mut line = vec![raw("evidence: ")];
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            line.push(raw(", "));
        }
        line.extend(item);
    }
    Some(line)
}

fn evidence_item(e: &Evidence) -> Line<'_> {
    let mut line = vec![raw(e.kind.as_str()), raw(" ")];
    line.push(match e.kind {
        EvidenceKind::Url | EvidenceKind::Ticket => Inline::Ticket(&e.target),
        _ => Inline::Code(&e.target),
    });
    if let Some(n) = &e.note {
        line.extend([raw(" ("), text(n), raw(")")]);
    }
    line
}
