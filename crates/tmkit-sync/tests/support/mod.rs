//! What the tracker tests (`github.rs`, `gitlab.rs`, `jira.rs`) share:
//! fast settings, the items, the kinds of a plan's actions, and the
//! scenarios every tracker passes against its fake ([`Fake`]).

// Each test crate uses a part of it.
#![allow(dead_code)]

use std::time::Duration;
use tmkit_sync::http::Settings;
use tmkit_sync::items::Item;
use tmkit_sync::plan::{Action, Options, Plan, plan, plan_with};
use tmkit_sync::{Applied, Tracker, execute, marker};
use tmkit_testtools::fake_github::FakeGitHub;
use tmkit_testtools::fake_gitlab::FakeGitLab;
use tmkit_testtools::fake_jira::FakeJira;
use tmkit_testtools::{fake_github, fake_gitlab};

/// Short timeouts and backoffs: 3 retries.
pub fn fast() -> Settings {
    Settings {
        timeout: Duration::from_secs(10),
        retries: 3,
        backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(5),
    }
}

/// Threat `SHOP.T{n}`, open, with `body` and its marker.
pub fn item_with(n: usize, body: &str) -> Item {
    let qid = format!("SHOP.T{n}");
    Item {
        title: format!("{qid}: threat {n}"),
        body: format!("{body}\n\n{}\n", marker::marker(&qid)),
        qid,
        severity_label: "severity:high".into(),
        open: true,
        ticket: None,
        planned: vec![],
    }
}

/// Threat `SHOP.T{n}`, open, its body `body of {n}` and its marker.
pub fn item(n: usize) -> Item {
    item_with(n, &format!("body of {n}"))
}

/// An action's kind.
pub fn kind(a: &Action) -> &'static str {
    match a {
        Action::Create { .. } => "create",
        Action::Link { .. } => "link",
        Action::Update { .. } => "update",
        Action::ProposeClose { .. } => "propose",
        Action::Close { .. } => "close",
        Action::ClosedNotInPlace { .. } => "closed",
    }
}

/// Creates the tickets of `items` (nothing listed before) and writes
/// them into the items' `ticket`; returns what was done.
pub fn create_all(t: &dyn Tracker, items: &mut [Item]) -> Applied {
    let done = execute(t, items, &[], &plan(items, &[]), &mut |_| {});
    for (i, (_, ticket)) in items.iter_mut().zip(&done.write_back) {
        i.ticket = Some(ticket.clone());
    }
    done
}

/// A fake tracker as the shared scenarios drive it.
pub trait Fake {
    /// After `n` created issues, every create fails (None: never).
    fn fail_creates_after(&self, n: Option<usize>);
    /// `n` server errors, one per request.
    fn server_errors(&self, n: usize);
    /// The issues stored.
    fn issues(&self) -> usize;
    /// The requests received.
    fn requests(&self) -> usize;
}

macro_rules! fake {
    ($($t:ty: $fault:expr),*) => {$(
        impl Fake for $t {
            fn fail_creates_after(&self, n: Option<usize>) {
                self.state().fail_creates_after = n;
            }
            fn server_errors(&self, n: usize) {
                self.state().faults.extend(std::iter::repeat_n($fault, n));
            }
            fn issues(&self) -> usize {
                self.state().issues.len()
            }
            fn requests(&self) -> usize {
                self.state().seen.len()
            }
        }
    )*};
}

fake!(
    FakeGitHub: fake_github::Fault::ServerError,
    FakeGitLab: fake_gitlab::Fault::ServerError,
    FakeJira: fake_github::Fault::ServerError
);

/// Five items, creates failing after two: two created and written back,
/// the error said; the next run creates the other three.
pub fn a_failure_half_way_then_resumed(fake: &dyn Fake, t: &dyn Tracker, items: &[Item]) {
    assert_eq!(items.len(), 5);
    fake.fail_creates_after(Some(2));
    let p = plan(items, &t.list().unwrap());
    let done = execute(t, items, &[], &p, &mut |_| {});
    assert_eq!(done.created, 2);
    assert_eq!(done.write_back.len(), 2);
    assert!(done.error.unwrap().to_string().contains("HTTP 500"));
    fake.fail_creates_after(None);
    let remotes = t.list().unwrap();
    let p = plan(items, &remotes);
    assert_eq!(p.actions.iter().filter(|a| kind(a) == "create").count(), 3);
    let done = execute(t, items, &remotes, &p, &mut |_| {});
    assert_eq!((done.created, done.error), (3, None));
    assert_eq!(fake.issues(), 5);
}

/// The faults queued are waited out and retried: the (empty) list is read
/// after at least `secs` seconds (`why`), in `requests` requests.
pub fn faults_are_waited_out(
    fake: &dyn Fake,
    t: &dyn Tracker,
    (secs, requests): (u64, usize),
    why: &str,
) {
    let start = std::time::Instant::now();
    assert_eq!(t.list().unwrap().len(), 0);
    assert!(start.elapsed() >= Duration::from_secs(secs), "{why}");
    assert_eq!(fake.requests(), requests);
}

/// Persistent 500s: the first try and 3 retries, then the error (returned).
pub fn persistent_server_errors_give_up(fake: &dyn Fake, t: &dyn Tracker) -> String {
    fake.server_errors(10);
    let e = t.list().unwrap_err().to_string();
    assert!(e.contains("HTTP 500"), "{e}");
    assert_eq!(fake.requests(), 4, "the first try and 3 retries");
    e
}

/// Eight items created, then found again by their markers (the
/// write-back lost: items unchanged); returns what the first run did.
pub fn created_then_found_by_marker(t: &dyn Tracker, items: &[Item]) -> Applied {
    assert_eq!(items.len(), 8);
    let p = plan(items, &t.list().unwrap());
    assert_eq!(p.actions.len(), 8);
    let done = execute(t, items, &[], &p, &mut |_| {});
    assert_eq!(done.error, None);
    assert_eq!(done.created, 8);
    let remotes = t.list().unwrap();
    assert_eq!(remotes.len(), 8);
    let again = plan(items, &remotes);
    assert!(again.actions.iter().all(|a| kind(a) == "link"), "{again:?}");
    done
}

/// No create planned for `items` (a renamed title does not matter).
pub fn nothing_to_create(t: &dyn Tracker, items: &[Item]) {
    let again = plan(items, &t.list().unwrap());
    assert!(!again.actions.iter().any(|a| kind(a) == "create"));
}

/// T1 rescored, T2 mitigated in the model and T3's ticket closed in the
/// tracker: the plan updates T1, proposes closing T2 and reports T3, and
/// the run updates one and proposes one. Returns the plan.
pub fn update_propose_and_report_closed(t: &dyn Tracker, items: &[Item]) -> Plan {
    let remotes = t.list().unwrap();
    let p = plan(items, &remotes);
    let kinds: Vec<&str> = p.actions.iter().map(kind).collect();
    assert_eq!(kinds, ["update", "propose", "closed"]);
    let done = execute(t, items, &remotes, &p, &mut |_| {});
    assert_eq!(
        (done.updated, done.proposed, done.error.clone()),
        (1, 1, None)
    );
    p
}

/// Proposed once, updated once: the next plan proposes and updates
/// nothing more.
pub fn nothing_more_to_propose(t: &dyn Tracker, items: &[Item]) {
    let p = plan(items, &t.list().unwrap());
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(kind(a), "propose" | "update")),
        "{p:?}"
    );
}

/// Without `--close`, T3 done in the model is only proposed for closing
/// (commented and labelled): nothing closed.
pub fn the_default_only_proposes(t: &dyn Tracker, items: &mut [Item]) {
    items[2].open = false;
    let remotes = t.list().unwrap();
    let p = plan(items, &remotes);
    assert!(
        matches!(&p.actions[..], [Action::ProposeClose { qid, .. }] if qid == "SHOP.T3"),
        "{p:?}"
    );
    let d = execute(t, items, &remotes, &p, &mut |_| {});
    assert_eq!((d.proposed, d.closed, d.error), (1, 0, None));
}

/// With `--close`, T2 and T3 done in the model and open in the tracker:
/// the plan closes both, and the run closes both, proposing nothing.
/// Returns the plan and the requests received before its run.
pub fn close_closes_t2_and_t3(fake: &dyn Fake, t: &dyn Tracker, items: &[Item]) -> (Plan, usize) {
    let remotes = t.list().unwrap();
    let p = plan_with(items, &remotes, Options { close: true });
    let planned: Vec<(&str, &str)> = p.actions.iter().map(|a| (kind(a), a.qid())).collect();
    assert_eq!(planned, [("close", "SHOP.T2"), ("close", "SHOP.T3")]);
    let before = fake.requests();
    let d = execute(t, items, &remotes, &p, &mut |_| {});
    assert_eq!((d.closed, d.proposed, d.error), (2, 0, None));
    assert!(d.not_closed.is_empty());
    (p, before)
}

/// A second `--close` run finds the tickets closed: it plans nothing and
/// only lists (`list_calls` requests).
pub fn a_second_close_run_does_nothing(
    fake: &dyn Fake,
    t: &dyn Tracker,
    items: &[Item],
    list_calls: usize,
) {
    let before = fake.requests();
    let remotes = t.list().unwrap();
    let p = plan_with(items, &remotes, Options { close: true });
    assert!(p.actions.is_empty(), "{p:?}");
    execute(t, items, &remotes, &p, &mut |_| {});
    assert_eq!(fake.requests(), before + list_calls);
}
