//! The plan: what to create, update, close or propose, from the items of
//! the model and the tickets of the tracker. Pure and deterministic.

use crate::items::{Item, LABEL, PROPOSED_LABEL};
use serde::Serialize;

/// A ticket as read from the tracker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remote {
    /// What the model's `ticket:` holds for it (the URL).
    pub key: String,
    /// Other spellings a user may have written (`#12`, `owner/repo#12`, `SEC-12`).
    #[serde(skip)]
    pub aliases: Vec<String>,
    /// The tracker's id of the ticket (issue number, iid or key).
    pub id: String,
    /// The qualified id of its marker.
    pub qid: Option<String>,
    /// Title.
    pub title: String,
    /// Body as stored.
    #[serde(skip)]
    pub body: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Open (false: closed / done).
    pub open: bool,
    /// Assignees (logins or names).
    pub assignees: Vec<String>,
    /// Due date (YYYY-MM-DD), from the ticket or its milestone.
    pub due: Option<String>,
    /// The status's name where the tracker has a workflow (Jira: `In
    /// Review`), for messages; None elsewhere.
    #[serde(skip)]
    pub status: Option<String>,
}

impl Remote {
    fn answers(&self, ticket: &str) -> bool {
        self.key == ticket || self.aliases.iter().any(|a| a == ticket)
    }
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Create a ticket for an open item with none.
    Create {
        /// The element.
        qid: String,
        /// Title of the new ticket.
        title: String,
    },
    /// Write the key of a ticket found by its marker into the model.
    Link {
        /// The element.
        qid: String,
        /// The ticket.
        ticket: String,
    },
    /// Update a linked ticket's body and severity label.
    Update {
        /// The element.
        qid: String,
        /// The ticket.
        ticket: String,
    },
    /// The element is done in the model, its ticket open: comment and
    /// propose to close it (once).
    ProposeClose {
        /// The element.
        qid: String,
        /// The ticket.
        ticket: String,
    },
    /// `--close`: the element is done in the model, its ticket (carrying
    /// its marker) open: comment (unless proposed before) and close it.
    Close {
        /// The element.
        qid: String,
        /// The ticket.
        ticket: String,
    },
    /// The ticket is closed, the work not in place in the model.
    ClosedNotInPlace {
        /// The element.
        qid: String,
        /// The ticket.
        ticket: String,
        /// The mitigations `--accept-closed` marks in place.
        mitigations: Vec<String>,
    },
}

impl Action {
    /// The element the action is about.
    pub fn qid(&self) -> &str {
        match self {
            Action::Create { qid, .. }
            | Action::Link { qid, .. }
            | Action::Update { qid, .. }
            | Action::ProposeClose { qid, .. }
            | Action::Close { qid, .. }
            | Action::ClosedNotInPlace { qid, .. } => qid,
        }
    }
}

/// A linked ticket's state, read back into the report.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Linked {
    /// The element.
    pub qid: String,
    /// The ticket.
    pub ticket: String,
    /// Open in the tracker.
    pub open: bool,
    /// Assignees.
    pub assignees: Vec<String>,
    /// Due date.
    pub due: Option<String>,
}

/// The plan of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// The steps, in model order.
    pub actions: Vec<Action>,
    /// Every element with a ticket in this tracker, with its state there.
    pub linked: Vec<Linked>,
    /// Elements whose `ticket:` names no ticket of this tracker (left alone).
    pub elsewhere: Vec<(String, String)>,
}

impl Plan {
    /// True when nothing would change (neither the tracker nor the model).
    pub fn is_empty(&self) -> bool {
        self.actions
            .iter()
            .all(|a| matches!(a, Action::ClosedNotInPlace { .. }))
    }
}

/// The labels a ticket of `item` should have, keeping the ticket's own:
/// its `severity:*` label replaced, [`LABEL`] added.
pub fn labels(item: &Item, current: &[String]) -> Vec<String> {
    let mut out: Vec<String> = current
        .iter()
        .filter(|l| !l.starts_with("severity:"))
        .cloned()
        .collect();
    if !out.iter().any(|l| l == LABEL) {
        out.insert(0, LABEL.to_string());
    }
    out.push(item.severity_label.clone());
    out
}

/// Labels are a set: their order is not a change.
fn same_labels(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// The body a ticket should have: the item's (the tracker may have turned
/// line ends into CRLF, which is not a change).
fn same_body(item: &str, remote: &str) -> bool {
    item.trim_end() == remote.replace("\r\n", "\n").trim_end()
}

/// What a plan may do besides the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `--close`: close the open tickets (carrying the marker) of elements
    /// done in the model, instead of only proposing it.
    pub close: bool,
}

/// The plan for `items` against the tracker's `remotes`, with the default
/// options (closing is only proposed).
pub fn plan(items: &[Item], remotes: &[Remote]) -> Plan {
    plan_with(items, remotes, Options::default())
}

/// The plan for `items` against the tracker's `remotes`. A ticket is the
/// item's when its marker names it, else when the model's `ticket:` names it;
/// with several, the first (oldest) ticket is used.
pub fn plan_with(items: &[Item], remotes: &[Remote], options: Options) -> Plan {
    let mut plan = Plan::default();
    for item in items {
        let by_marker = remotes.iter().find(|r| r.qid.as_deref() == Some(&item.qid));
        let by_ticket = item
            .ticket
            .as_deref()
            .and_then(|t| remotes.iter().find(|r| r.answers(t)));
        let Some(remote) = by_marker.or(by_ticket) else {
            match &item.ticket {
                Some(t) => plan.elsewhere.push((item.qid.clone(), t.clone())),
                None if item.open => plan.actions.push(Action::Create {
                    qid: item.qid.clone(),
                    title: item.title.clone(),
                }),
                None => {}
            }
            continue;
        };
        let qid = item.qid.clone();
        let ticket = remote.key.clone();
        // A `ticket:` naming something else (another tracker) is never
        // replaced: only a missing one is filled in.
        if item.ticket.is_none() {
            plan.actions.push(Action::Link {
                qid: qid.clone(),
                ticket: ticket.clone(),
            });
        }
        plan.linked.push(Linked {
            qid: qid.clone(),
            ticket: ticket.clone(),
            open: remote.open,
            assignees: remote.assignees.clone(),
            due: remote.due.clone(),
        });
        // Only tickets carrying this item's marker are tmkit's to edit.
        let ours = remote.qid.as_deref() == Some(&item.qid);
        if ours
            && (!same_body(&item.body, &remote.body)
                || !same_labels(&labels(item, &remote.labels), &remote.labels))
        {
            plan.actions.push(Action::Update {
                qid: qid.clone(),
                ticket: ticket.clone(),
            });
        }
        let proposed = remote.labels.iter().any(|l| l == PROPOSED_LABEL);
        // Closing is for tmkit's own tickets; one made by hand is at most
        // commented on, as without --close. A ticket proposed before is
        // still closed (without a second comment).
        if remote.open && !item.open && options.close && ours {
            plan.actions.push(Action::Close { qid, ticket });
        } else if remote.open && !item.open && !proposed {
            plan.actions.push(Action::ProposeClose { qid, ticket });
        } else if !remote.open && item.open {
            plan.actions.push(Action::ClosedNotInPlace {
                qid,
                ticket,
                mitigations: item.planned.clone(),
            });
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marker::marker;

    fn item(qid: &str, open: bool, ticket: Option<&str>) -> Item {
        Item {
            qid: qid.into(),
            title: format!("{qid}: title"),
            body: format!("body\n\n{}\n", marker(qid)),
            severity_label: "severity:high".into(),
            open,
            ticket: ticket.map(str::to_string),
            planned: vec![format!("{qid}/m1")],
        }
    }

    fn remote(n: u32, qid: Option<&str>, open: bool) -> Remote {
        Remote {
            key: format!("https://x/issues/{n}"),
            aliases: vec![format!("#{n}")],
            id: n.to_string(),
            qid: qid.map(str::to_string),
            title: "renamed by someone".into(),
            body: qid.map_or("other".into(), |q| format!("body\n\n{}\n", marker(q))),
            labels: vec![LABEL.into(), "severity:high".into()],
            open,
            assignees: vec!["ann".into()],
            due: Some("2027-01-31".into()),
            status: None,
        }
    }

    #[test]
    fn open_items_without_ticket_are_created_and_done_ones_are_not() {
        let p = plan(&[item("A", true, None), item("B", false, None)], &[]);
        assert_eq!(
            p.actions,
            vec![Action::Create {
                qid: "A".into(),
                title: "A: title".into()
            }]
        );
        assert!(!p.is_empty());
    }

    #[test]
    fn a_lost_write_back_is_linked_by_the_marker_not_created_again() {
        let p = plan(&[item("A", true, None)], &[remote(7, Some("A"), true)]);
        assert_eq!(
            p.actions,
            vec![Action::Link {
                qid: "A".into(),
                ticket: "https://x/issues/7".into()
            }]
        );
        assert_eq!(p.linked[0].assignees, vec!["ann".to_string()]);
        assert_eq!(p.linked[0].due.as_deref(), Some("2027-01-31"));
    }

    #[test]
    fn an_unchanged_linked_item_plans_nothing() {
        let p = plan(
            &[item("A", true, Some("https://x/issues/7"))],
            &[remote(7, Some("A"), true)],
        );
        assert!(p.is_empty(), "{p:?}");
        // `#7` as written by a user names the same ticket.
        let p = plan(
            &[item("A", true, Some("#7"))],
            &[remote(7, Some("A"), true)],
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn a_changed_item_updates_its_ticket() {
        let mut i = item("A", true, Some("#7"));
        i.severity_label = "severity:critical".into();
        let p = plan(&[i.clone()], &[remote(7, Some("A"), true)]);
        assert!(matches!(&p.actions[..], [Action::Update { .. }]), "{p:?}");
        i.severity_label = "severity:high".into();
        i.body = format!("new score\n\n{}\n", marker("A"));
        let p = plan(&[i], &[remote(7, Some("A"), true)]);
        assert!(matches!(&p.actions[..], [Action::Update { .. }]), "{p:?}");
    }

    #[test]
    fn a_done_item_proposes_closing_once() {
        let mut r = remote(7, Some("A"), true);
        r.body = format!("body\n\n{}\n", marker("A"));
        let p = plan(&[item("A", false, Some("#7"))], &[r.clone()]);
        assert!(
            p.actions
                .iter()
                .any(|a| matches!(a, Action::ProposeClose { .. }))
        );
        r.labels.push(PROPOSED_LABEL.into());
        let p = plan(&[item("A", false, Some("#7"))], &[r]);
        assert!(
            !p.actions
                .iter()
                .any(|a| matches!(a, Action::ProposeClose { .. }))
        );
    }

    #[test]
    fn close_closes_tmkits_done_tickets_even_when_proposed_before() {
        let close = Options { close: true };
        let mut r = remote(7, Some("A"), true);
        let done = [item("A", false, Some("#7"))];
        let ticket = "https://x/issues/7".to_string();
        let want = vec![Action::Close {
            qid: "A".into(),
            ticket: ticket.clone(),
        }];
        assert_eq!(plan_with(&done, &[r.clone()], close).actions, want);
        r.labels.push(PROPOSED_LABEL.into());
        assert_eq!(plan_with(&done, &[r.clone()], close).actions, want);
        // Closed already: nothing (never reopened); open work: never closed.
        r.open = false;
        assert!(plan_with(&done, &[r.clone()], close).actions.is_empty());
        r.open = true;
        let open = [item("A", true, Some("#7"))];
        assert!(plan_with(&open, &[r], close).actions.is_empty());
        // A ticket made by hand (no marker) is only proposed, as before.
        let p = plan_with(&done, &[remote(7, None, true)], close);
        assert_eq!(
            p.actions,
            vec![Action::ProposeClose {
                qid: "A".into(),
                ticket
            }]
        );
    }

    #[test]
    fn a_closed_ticket_of_open_work_is_reported_not_applied() {
        let p = plan(
            &[item("A", true, Some("#7"))],
            &[remote(7, Some("A"), false)],
        );
        assert_eq!(
            p.actions,
            vec![Action::ClosedNotInPlace {
                qid: "A".into(),
                ticket: "https://x/issues/7".into(),
                mitigations: vec!["A/m1".into()]
            }]
        );
        assert!(p.is_empty());
    }

    #[test]
    fn a_ticket_of_another_tracker_is_left_alone() {
        let p = plan(&[item("A", true, Some("VULN-1"))], &[remote(7, None, true)]);
        assert!(p.actions.is_empty());
        assert_eq!(p.elsewhere, vec![("A".into(), "VULN-1".into())]);
    }

    #[test]
    fn a_ticket_of_another_tracker_is_never_replaced_by_a_marker_match() {
        let p = plan(
            &[item("A", true, Some("SEC-1"))],
            &[remote(7, Some("A"), true)],
        );
        assert!(
            !p.actions.iter().any(|a| matches!(a, Action::Link { .. })),
            "{p:?}"
        );
        assert_eq!(p.linked.len(), 1);
    }

    #[test]
    fn a_ticket_named_by_the_model_without_marker_is_never_edited() {
        let p = plan(&[item("A", true, Some("#7"))], &[remote(7, None, true)]);
        assert!(p.actions.is_empty(), "{p:?}");
    }

    #[test]
    fn labels_keep_the_tickets_own() {
        let i = item("A", true, None);
        assert_eq!(
            labels(&i, &["bug".into(), "severity:low".into()]),
            vec![LABEL.to_string(), "bug".into(), "severity:high".into()]
        );
    }
}
