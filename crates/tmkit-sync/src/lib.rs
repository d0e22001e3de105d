//! Two-way sync of a threat model with an issue tracker (`tmkit sync`).
//!
//! - [`items`]: the model's threats (or planned mitigations) as the tickets
//!   they should be;
//! - [`plan`]: what to create, update, link, propose to close (or close,
//!   with `--close`), and which closed tickets are not in place in the
//!   model (pure);
//! - [`http`]: the one HTTP client (timeout, retries, backoff, rate limits);
//! - `rest`: what the trackers' calls share (errors with the tracker's
//!   hints, pages of issues, the proposal's comment and label);
//! - [`github`]: the GitHub issues API behind the [`Tracker`] trait;
//! - [`gitlab`]: the GitLab issues API (v4) behind the same trait;
//! - [`jira`]: Jira Cloud (REST v3) and Server / Data Center (REST v2);
//! - [`state`]: the tickets' states in the sync JSON, read back by
//!   `tmkit report --tickets`;
//! - [`execute`]: runs a plan against a tracker, stopping at the first
//!   failure and returning what was done, so that only what was created is
//!   written back into the model (the facade writes it).
//!
//! The marker ([`marker`]) ties each ticket to its element, so a second run
//! creates nothing even when a write-back was lost.

pub mod github;
pub mod gitlab;
pub mod http;
pub mod items;
pub mod jira;
pub mod marker;
pub mod plan;
mod rest;
pub mod state;

use items::Item;
use plan::{Action, Plan, Remote};
use serde::Serialize;
use std::fmt;
use tmkit_render::escape::escape_md;

/// A failed sync step: what failed, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncError {
    /// The failure.
    pub message: String,
    /// What to fix (may be empty).
    pub hint: String,
}

impl SyncError {
    /// A usage problem (bad repository name, missing token).
    pub fn usage(message: String) -> SyncError {
        SyncError {
            message,
            hint: String::new(),
        }
    }

    /// An HTTP failure with a hint.
    pub fn http(e: http::HttpError, hint: String) -> SyncError {
        SyncError {
            message: e.to_string(),
            hint,
        }
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  help: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for SyncError {}

/// An issue tracker: the calls a sync needs.
pub trait Tracker {
    /// Its name in messages (`GitHub`).
    fn name(&self) -> &str;
    /// The items as this tracker stores them (body and labels in its own
    /// form), so that the plan compares like with like; `plan` and
    /// [`execute`] take the items this returns. Default: as they are
    /// (Markdown bodies).
    fn native(&self, items: Vec<Item>) -> Vec<Item> {
        items
    }
    /// Every ticket that may be tmkit's (all pages).
    fn list(&self) -> Result<Vec<Remote>, SyncError>;
    /// Creates the ticket of `item`.
    fn create(&self, item: &Item) -> Result<Remote, SyncError>;
    /// Sets the body and severity label of `item`'s ticket.
    fn update(&self, remote: &Remote, item: &Item) -> Result<(), SyncError>;
    /// Comments that `item` is done in the model and marks the proposal.
    fn propose_close(&self, remote: &Remote, item: &Item) -> Result<(), SyncError>;
    /// `--close`: comments as [`Tracker::propose_close`] does (unless the
    /// ticket carries the proposal label already) and closes the ticket.
    /// A tracker whose workflow may offer no way to close it (Jira) keeps
    /// the comment, marks the proposal and says why in [`Closing::NotClosed`].
    fn close(&self, remote: &Remote, item: &Item) -> Result<Closing, SyncError>;
}

/// What [`Tracker::close`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closing {
    /// The ticket is closed.
    Closed,
    /// The ticket stays open (commented and proposed): why, and what to do.
    NotClosed(String),
}

/// True when `remote` was commented on by an earlier run (its proposal label).
pub fn proposed_before(remote: &Remote) -> bool {
    remote.labels.iter().any(|l| l == items::PROPOSED_LABEL)
}

/// The comment proposing to close a ticket.
pub fn close_comment(item: &Item) -> String {
    format!(
        "tmkit: {} is done in the threat model (mitigated, or the mitigation is in place). This ticket can be closed.",
        escape_md(&item.qid)
    )
}

/// What [`execute`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    /// `ticket:` values to write into the model: created tickets and tickets
    /// found by their marker (qualified id, ticket), in plan order.
    pub write_back: Vec<(String, String)>,
    /// Tickets created.
    pub created: usize,
    /// Tickets updated.
    pub updated: usize,
    /// Tickets proposed for closing (with `--close`: also those the tracker
    /// would not close, listed in `not_closed`).
    pub proposed: usize,
    /// Tickets closed (`--close`).
    pub closed: usize,
    /// Tickets `--close` could not close: (qualified id, ticket, why and
    /// what to do). Each was commented and proposed instead.
    pub not_closed: Vec<(String, String, String)>,
    /// The failure that stopped the run, if any (later steps not done).
    #[serde(skip)]
    pub error: Option<SyncError>,
}

/// Runs `plan` against `tracker`: every step in order, up to the first
/// failure. `remotes` are the tickets the plan was made from.
pub fn execute(
    tracker: &dyn Tracker,
    items: &[Item],
    remotes: &[Remote],
    plan: &Plan,
    on_step: &mut dyn FnMut(&Action),
) -> Applied {
    let mut done = Applied::default();
    let item_of = |qid: &str| items.iter().find(|i| i.qid == qid);
    let remote_of = |key: &str| remotes.iter().find(|r| r.key == key);
    for action in &plan.actions {
        let Some(item) = item_of(action.qid()) else {
            continue;
        };
        on_step(action);
        let result = match action {
            Action::Create { .. } => tracker.create(item).map(|r| {
                done.created += 1;
                done.write_back.push((item.qid.clone(), r.key));
            }),
            Action::Link { ticket, .. } => {
                done.write_back.push((item.qid.clone(), ticket.clone()));
                Ok(())
            }
            Action::Update { ticket, .. } => match remote_of(ticket) {
                Some(r) => tracker.update(r, item).map(|()| done.updated += 1),
                None => Ok(()),
            },
            Action::ProposeClose { ticket, .. } => match remote_of(ticket) {
                Some(r) => tracker.propose_close(r, item).map(|()| done.proposed += 1),
                None => Ok(()),
            },
            Action::Close { ticket, .. } => match remote_of(ticket) {
                Some(r) => tracker.close(r, item).map(|c| match c {
                    Closing::Closed => done.closed += 1,
                    Closing::NotClosed(why) => {
                        done.proposed += 1;
                        done.not_closed
                            .push((item.qid.clone(), ticket.clone(), why));
                    }
                }),
                None => Ok(()),
            },
            Action::ClosedNotInPlace { .. } => Ok(()),
        };
        if let Err(e) = result {
            done.error = Some(e);
            break;
        }
    }
    done
}
