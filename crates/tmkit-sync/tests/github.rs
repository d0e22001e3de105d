//! The GitHub tracker against the local fake GitHub (no network).

mod support;

use support::{create_all, fast, item};
use tmkit_sync::github::GitHub;
use tmkit_sync::items::Item;
use tmkit_sync::plan::{Action, plan};
use tmkit_sync::{Tracker, execute, marker};
use tmkit_testtools::fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_secret_token_123";

fn tracker(fake: &FakeGitHub, token: &str) -> GitHub {
    GitHub::new(Some(&fake.url), &fake.repo, token.into(), fast()).unwrap()
}

#[test]
fn creates_then_a_second_run_creates_nothing_across_pages() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    fake.state().max_per_page = 3;
    let gh = tracker(&fake, TOKEN);
    let items: Vec<Item> = (1..=8).map(item).collect();
    // The write-back is lost (items unchanged): found by marker over 3 pages.
    let done = support::created_then_found_by_marker(&gh, &items);
    assert_eq!(
        done.write_back[0].1,
        "https://github.example/acme/shop/issues/1"
    );
    let gets = fake
        .state()
        .seen
        .iter()
        .filter(|s| s.method == "GET")
        .count();
    assert_eq!(gets, 1 + 3, "one page at first, then three pages");
    // Every request carried the token; a renamed title does not matter.
    fake.edit(2, |i| i["title"] = "renamed".into());
    support::nothing_to_create(&gh, &items);
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    fake.state().faults.extend([
        Fault::TooManyRequests(1),
        Fault::ServerError,
        Fault::SecondaryLimit(1),
    ]);
    let gh = tracker(&fake, TOKEN);
    support::faults_are_waited_out(&fake, &gh, (2, 4), "Retry-After was honoured");
}

#[test]
fn a_rate_limit_longer_than_allowed_is_an_error() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    fake.state().faults.push_back(Fault::TooManyRequests(3600));
    let e = tracker(&fake, TOKEN).list().unwrap_err().to_string();
    assert!(e.contains("rate limited for 3600 s"), "{e}");
}

#[test]
fn persistent_server_errors_give_up_after_the_retries() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    support::persistent_server_errors_give_up(&fake, &tracker(&fake, TOKEN));
}

#[test]
fn a_bad_token_names_the_variable_and_is_never_printed() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let gh = tracker(&fake, "ghp_wrong_token_456");
    let e = gh.list().unwrap_err();
    let text = format!("{e} {e:?} {gh:?}");
    assert!(
        text.contains("HTTP 401") && text.contains("GITHUB_TOKEN"),
        "{text}"
    );
    assert!(!text.contains("ghp_wrong_token_456"), "{text}");
}

#[test]
fn an_unknown_repository_is_named() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let gh = GitHub::new(Some(&fake.url), "acme/other", TOKEN.into(), fast()).unwrap();
    let e = gh.list().unwrap_err().to_string();
    assert!(
        e.contains("HTTP 404") && e.contains("acme/other") && e.contains("--repo"),
        "{e}"
    );
    assert!(GitHub::new(None, "not-a-repo", TOKEN.into(), fast()).is_err());
}

#[test]
fn a_failure_half_way_returns_what_was_created_and_the_next_run_resumes() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let items: Vec<Item> = (1..=5).map(item).collect();
    support::a_failure_half_way_then_resumed(&fake, &tracker(&fake, TOKEN), &items);
}

#[test]
fn updates_proposals_and_closed_tickets() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let gh = tracker(&fake, TOKEN);
    let mut items: Vec<Item> = (1..=3).map(item).collect();
    create_all(&gh, &mut items);
    // T1's score changed, T2 is mitigated, T3's ticket was closed.
    items[0].severity_label = "severity:critical".into();
    items[0].body = format!("rescored\n\n{}\n", marker::marker("SHOP.T1"));
    items[1].open = false;
    fake.edit(3, |i| {
        i["state"] = "closed".into();
        i["assignees"] = serde_json::json!([{"login": "ann"}]);
        i["milestone"] = serde_json::json!({"title": "Q1", "due_on": "2027-03-31T07:00:00Z"});
    });
    fake.edit(1, |i| {
        i["labels"] = serde_json::json!([{"name": "threat-model"}, {"name": "severity:high"}, {"name": "team-a"}])
    });
    let p = support::update_propose_and_report_closed(&gh, &items);
    let t3 = p.linked.iter().find(|l| l.qid == "SHOP.T3").unwrap();
    assert_eq!(
        (t3.assignees.clone(), t3.due.clone()),
        (vec!["ann".to_string()], Some("2027-03-31".to_string()))
    );
    let t1 = fake.issue(1).unwrap();
    assert!(t1["body"].as_str().unwrap().starts_with("rescored"));
    let names: Vec<&str> = t1["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["threat-model", "team-a", "severity:critical"]);
    assert_eq!(fake.state().comments.len(), 1);
    assert_eq!(fake.state().comments[0].0, 2);
    // Proposed once: the next plan does not comment again.
    support::nothing_more_to_propose(&gh, &items);
}

#[test]
fn a_next_page_on_another_host_is_not_followed() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let gh = tracker(&fake, TOKEN);
    let items: Vec<Item> = (1..=2).map(item).collect();
    execute(&gh, &items, &[], &plan(&items, &[]), &mut |_| {});
    fake.state().max_per_page = 1;
    fake.state().link_base = Some("http://attacker.example".into());
    let e = gh.list().unwrap_err().to_string();
    assert!(e.contains("refusing to send the token"), "{e}");
    assert!(
        GitHub::new(
            Some("http://ghe.example/api/v3"),
            "a/b",
            TOKEN.into(),
            fast()
        )
        .is_err(),
        "no token over plain HTTP"
    );
}

#[test]
fn close_closes_exactly_the_done_tickets_and_a_second_run_does_nothing() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let gh = tracker(&fake, TOKEN);
    let mut items: Vec<Item> = (1..=4).map(item).collect();
    create_all(&gh, &mut items);
    // The default only proposes: T3 commented and labelled, still open.
    support::the_default_only_proposes(&gh, &mut items);
    assert_eq!(fake.issue(3).unwrap()["state"], "open");
    // T2 done too; T4 done and closed by hand as not planned.
    items[1].open = false;
    items[3].open = false;
    fake.edit(4, |i| {
        i["state"] = "closed".into();
        i["state_reason"] = "not_planned".into();
    });
    let (p, _) = support::close_closes_t2_and_t3(&fake, &gh, &items);
    let url = |n: u32| format!("https://github.example/acme/shop/issues/{n}");
    assert_eq!(
        p.actions,
        vec![
            Action::Close {
                qid: "SHOP.T2".into(),
                ticket: url(2)
            },
            Action::Close {
                qid: "SHOP.T3".into(),
                ticket: url(3)
            },
        ]
    );
    for n in [2, 3] {
        let i = fake.issue(n).unwrap();
        assert_eq!(
            (&i["state"], &i["state_reason"]),
            (&"closed".into(), &"completed".into())
        );
    }
    assert_eq!(
        fake.issue(1).unwrap()["state"],
        "open",
        "open work stays open"
    );
    assert_eq!(fake.issue(4).unwrap()["state_reason"], "not_planned");
    // One comment each: T3's proposal was not repeated.
    let comments = fake.state().comments.clone();
    assert_eq!(
        comments.iter().map(|c| c.0).collect::<Vec<_>>(),
        [3, 2],
        "{comments:?}"
    );
    assert!(comments.iter().all(|c| c.1.contains("can be closed")));
    // A second run finds them closed: only the list is read.
    support::a_second_close_run_does_nothing(&fake, &gh, &items, 1);
}
