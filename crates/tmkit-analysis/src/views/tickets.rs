//! Tickets as their tracker last reported them, read back into a report
//! (`tmkit report --tickets FILE`, the JSON written by `tmkit sync -f json`).
//!
//! A report never calls a tracker: `tmkit sync` reads the tickets, and its
//! JSON output carries each linked ticket's state (open or closed,
//! assignees, due date). The view keeps the states of the tickets its model
//! names, and derives what needs attention: an open ticket past its due
//! date, and a ticket closed in the tracker while its element is still open
//! in the model. The public view shows no tickets, so it keeps none.

use super::{View, ViewKind};
use crate::treatment::Calendar;
use std::collections::{BTreeMap, HashMap};
use tmkit_model::{Date, Model};

/// One ticket's state in its tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketState {
    /// The ticket as the model's `ticket:` holds it (key or URL).
    pub ticket: String,
    /// The tracker's name (`GitHub`, `GitLab`, `Jira`).
    pub tracker: String,
    /// Open in the tracker (false: closed / done).
    pub open: bool,
    /// Assignees (logins or names), as the tracker gives them.
    pub assignees: Vec<String>,
    /// Due date, from the ticket (or its milestone).
    pub due: Option<Date>,
    /// The day the tracker was read.
    pub as_of: Option<Date>,
}

/// Where a ticket's element stands, against its state in the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TicketFlag {
    /// Open and past its due date on the report's date.
    Overdue,
    /// Closed in the tracker while the element is still open in the model
    /// (an open threat, or a mitigation not in place).
    ClosedNotDone,
}

/// The tickets of a view with their states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tickets {
    /// Each ticket the view's model names, by its `ticket:` value.
    pub states: BTreeMap<String, TicketState>,
    /// For each ticket, whether its element is done in the model (a
    /// mitigated threat, a mitigation in place); a ticket named by several
    /// elements is done when all are.
    done: HashMap<String, bool>,
}

impl Tickets {
    /// The state of `ticket`, if the tracker reported it.
    pub fn get(&self, ticket: &str) -> Option<&TicketState> {
        self.states.get(ticket)
    }

    /// What needs attention about `ticket` on the calendar's date (overdue
    /// needs a date; without one, only a closed ticket of an open element
    /// is flagged).
    pub fn flags(&self, ticket: &str, cal: Option<&Calendar>) -> Vec<TicketFlag> {
        let Some(s) = self.states.get(ticket) else {
            return Vec::new();
        };
        let mut flags = Vec::new();
        if s.open
            && let (Some(due), Some(cal)) = (s.due, cal)
            && cal.days_left(due) < 0
        {
            flags.push(TicketFlag::Overdue);
        }
        if !s.open && self.done.get(ticket) == Some(&false) {
            flags.push(TicketFlag::ClosedNotDone);
        }
        flags
    }

    /// Is nothing known?
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}

/// Every `ticket:` of the model with whether its element is done.
fn named_tickets(model: &Model, analysis: &crate::Analysis) -> HashMap<String, bool> {
    let mut done: HashMap<String, bool> = HashMap::new();
    let mut note = |t: &Option<String>, is_done: bool| {
        if let Some(t) = t {
            let e = done.entry(t.clone()).or_insert(true);
            *e &= is_done;
        }
    };
    for tm in &model.models {
        for m in &tm.mitigations {
            note(&m.ticket, m.in_place);
        }
    }
    for t in &analysis.threats {
        let threat = &model.models[t.model].threats[t.index];
        note(&threat.ticket, !t.status.is_open());
    }
    done
}

impl View {
    /// The view with the tickets' states as the tracker reported them:
    /// those the view's model names are kept (none in the public view).
    /// When two states name the same ticket, the later one wins.
    pub fn with_tickets(mut self, states: Vec<TicketState>) -> View {
        if self.kind == ViewKind::Public {
            return self;
        }
        let done = named_tickets(&self.model, &self.analysis);
        let mut tickets = Tickets::default();
        for s in states {
            if let Some(&d) = done.get(&s.ticket) {
                tickets.done.insert(s.ticket.clone(), d);
                tickets.states.insert(s.ticket.clone(), s);
            }
        }
        self.tickets = tickets;
        self
    }
}
