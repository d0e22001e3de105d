//! The GitLab tracker against the local fake GitLab (no network).

mod support;

use support::{create_all, fast, item};
use tmkit_sync::gitlab::GitLab;
use tmkit_sync::items::Item;
use tmkit_sync::plan::plan;
use tmkit_sync::{Tracker, execute, marker};
use tmkit_testtools::fake_gitlab::{FakeGitLab, Fault};

const TOKEN: &str = "glpat-secret_token_123";
const PROJECT: &str = "acme/platform/shop";

fn tracker(fake: &FakeGitLab, token: &str) -> GitLab {
    GitLab::new(Some(&fake.url), &fake.project, token.into(), fast()).unwrap()
}

#[test]
fn creates_then_a_second_run_creates_nothing_across_pages() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    fake.state().max_per_page = 3;
    let gl = tracker(&fake, TOKEN);
    let items: Vec<Item> = (1..=8).map(item).collect();
    // The write-back is lost (items unchanged): found by marker over 3 pages.
    let done = support::created_then_found_by_marker(&gl, &items);
    assert_eq!(
        done.write_back[0].1,
        "https://gitlab.example/acme/platform/shop/-/issues/1"
    );
    // The create request: the real shape (labels as one text).
    let st = fake.state();
    let post = st.seen.iter().find(|s| s.method == "POST").unwrap();
    assert_eq!(post.path, "/api/v4/projects/acme%2Fplatform%2Fshop/issues");
    assert_eq!(post.body["labels"], "threat-model,severity:high");
    assert_eq!(post.body["title"], "SHOP.T1: threat 1");
    assert!(
        post.body["description"]
            .as_str()
            .unwrap()
            .contains("<!-- tmkit:id=SHOP.T1 -->")
    );
    assert!(st.seen.iter().all(|s| s.authorization.is_none()));
    drop(st);
    let gets: Vec<String> = fake
        .state()
        .seen
        .iter()
        .filter(|s| s.method == "GET")
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(gets.len(), 1 + 3, "one page at first, then three pages");
    assert!(
        gets[3].ends_with("?scope=all&state=all&per_page=100&page=3"),
        "{gets:?}"
    );
    // A renamed title does not matter.
    fake.edit(2, |i| i["title"] = "renamed".into());
    support::nothing_to_create(&gl, &items);
}

#[test]
fn a_long_title_is_cut_not_refused() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, TOKEN);
    let mut long = item(1);
    long.title = format!("SHOP.T1: {}", "x".repeat(400));
    let items = vec![long];
    let done = execute(&gl, &items, &[], &plan(&items, &[]), &mut |_| {});
    assert_eq!((done.created, done.error), (1, None));
    let title = fake.issue(1).unwrap()["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(title.chars().count(), 255);
    assert!(title.starts_with("SHOP.T1: xxx"), "{title}");
}

#[test]
fn closed_issues_are_listed_too() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, TOKEN);
    let items: Vec<Item> = (1..=2).map(item).collect();
    execute(&gl, &items, &[], &plan(&items, &[]), &mut |_| {});
    fake.edit(1, |i| i["state"] = "closed".into());
    let remotes = gl.list().unwrap();
    assert_eq!(remotes.len(), 2);
    assert!(!remotes[0].open && remotes[1].open);
}

#[test]
fn a_link_header_alone_is_followed_under_the_api_only() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, TOKEN);
    let items: Vec<Item> = (1..=5).map(item).collect();
    execute(&gl, &items, &[], &plan(&items, &[]), &mut |_| {});
    fake.state().max_per_page = 2;
    fake.state().link_only_base = Some(fake.url.clone());
    assert_eq!(gl.list().unwrap().len(), 5);
    fake.state().link_only_base = Some("http://attacker.example/api/v4".into());
    let e = gl.list().unwrap_err().to_string();
    assert!(e.contains("refusing to send the token"), "{e}");
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    fake.state().faults.extend([
        Fault::TooManyRequests(1),
        Fault::ServerError,
        Fault::RateLimitReset(1),
    ]);
    let gl = tracker(&fake, TOKEN);
    support::faults_are_waited_out(
        &fake,
        &gl,
        (2, 4),
        "Retry-After and RateLimit-Reset were honoured",
    );
}

#[test]
fn a_rate_limit_longer_than_allowed_is_an_error() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    fake.state().faults.push_back(Fault::TooManyRequests(3600));
    let e = tracker(&fake, TOKEN).list().unwrap_err().to_string();
    assert!(e.contains("rate limited for 3600 s"), "{e}");
    fake.state().faults.push_back(Fault::RateLimitReset(3600));
    let e = tracker(&fake, TOKEN).list().unwrap_err().to_string();
    assert!(e.contains("rate limited for"), "{e}");
}

#[test]
fn persistent_server_errors_give_up_after_the_retries() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    support::persistent_server_errors_give_up(&fake, &tracker(&fake, TOKEN));
}

#[test]
fn a_bad_token_names_the_variable_and_scope_and_is_never_printed() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, "glpat-wrong_token_456");
    let e = gl.list().unwrap_err();
    let text = format!("{e} {e:?} {gl:?}");
    assert!(
        text.contains("HTTP 401: 401 Unauthorized")
            && text.contains("GITLAB_TOKEN")
            && text.contains("`api` scope"),
        "{text}"
    );
    assert!(!text.contains("glpat-wrong_token_456"), "{text}");
    assert_eq!(
        fake.state().seen[0].token.as_deref(),
        Some("glpat-wrong_token_456"),
        "sent as PRIVATE-TOKEN"
    );
}

#[test]
fn an_unknown_project_is_named() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = GitLab::new(Some(&fake.url), "acme/other", TOKEN.into(), fast()).unwrap();
    let e = gl.list().unwrap_err().to_string();
    assert!(
        e.contains("HTTP 404: 404 Project Not Found")
            && e.contains("acme/other")
            && e.contains("--project"),
        "{e}"
    );
    assert!(GitLab::new(None, "not-a-project", TOKEN.into(), fast()).is_err());
    assert!(
        GitLab::new(
            Some("http://gitlab.example/api/v4"),
            "a/b",
            TOKEN.into(),
            fast()
        )
        .is_err(),
        "no token over plain HTTP"
    );
}

#[test]
fn a_failure_half_way_returns_what_was_created_and_the_next_run_resumes() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let items: Vec<Item> = (1..=5).map(item).collect();
    support::a_failure_half_way_then_resumed(&fake, &tracker(&fake, TOKEN), &items);
}

#[test]
fn updates_proposals_and_closed_tickets() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, TOKEN);
    let mut items: Vec<Item> = (1..=4).map(item).collect();
    create_all(&gl, &mut items);
    // T1's score changed, T2 is mitigated, T3's ticket was closed, T4 has a
    // due date of its own (the milestone's is the fallback).
    items[0].severity_label = "severity:critical".into();
    items[0].body = format!("rescored\n\n{}\n", marker::marker("SHOP.T1"));
    items[1].open = false;
    fake.edit(3, |i| {
        i["state"] = "closed".into();
        i["assignees"] = serde_json::json!([{"id": 9, "username": "ann", "name": "Ann"}]);
        i["milestone"] = serde_json::json!({"title": "Q1", "due_date": "2027-03-31"});
    });
    fake.edit(4, |i| {
        i["due_date"] = "2027-01-15".into();
        i["milestone"] = serde_json::json!({"title": "Q1", "due_date": "2027-03-31"});
    });
    fake.edit(1, |i| {
        i["labels"] = serde_json::json!(["threat-model", "severity:high", "team-a"])
    });
    let p = support::update_propose_and_report_closed(&gl, &items);
    let due = |q: &str| {
        let l = p.linked.iter().find(|l| l.qid == q).unwrap();
        (l.assignees.clone(), l.due.clone())
    };
    assert_eq!(
        due("SHOP.T3"),
        (vec!["ann".to_string()], Some("2027-03-31".to_string()))
    );
    assert_eq!(due("SHOP.T4"), (vec![], Some("2027-01-15".to_string())));
    let t1 = fake.issue(1).unwrap();
    assert!(t1["description"].as_str().unwrap().starts_with("rescored"));
    assert_eq!(
        t1["labels"],
        serde_json::json!(["threat-model", "team-a", "severity:critical"])
    );
    assert_eq!(fake.state().notes.len(), 1);
    assert_eq!(fake.state().notes[0].0, 2);
    assert!(fake.state().notes[0].1.contains("SHOP.T2 is done"));
    assert_eq!(
        fake.issue(2).unwrap()["labels"],
        serde_json::json!(["threat-model", "severity:high", "threat-model:mitigated"])
    );
    let puts: Vec<String> = fake
        .state()
        .seen
        .iter()
        .filter(|s| s.method == "PUT")
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(
        puts,
        [
            "/api/v4/projects/acme%2Fplatform%2Fshop/issues/1",
            "/api/v4/projects/acme%2Fplatform%2Fshop/issues/2"
        ]
    );
    // Proposed once: the next plan does not comment again.
    support::nothing_more_to_propose(&gl, &items);
}

#[test]
fn close_closes_exactly_the_done_tickets_and_a_second_run_does_nothing() {
    let fake = FakeGitLab::start(PROJECT, TOKEN);
    let gl = tracker(&fake, TOKEN);
    let mut items: Vec<Item> = (1..=4).map(item).collect();
    create_all(&gl, &mut items);
    // The default only proposes: T3 noted and labelled, still open.
    support::the_default_only_proposes(&gl, &mut items);
    assert_eq!(fake.issue(3).unwrap()["state"], "opened");
    // T2 done too; T4 done and closed by hand.
    items[1].open = false;
    items[3].open = false;
    fake.edit(4, |i| i["state"] = "closed".into());
    let (_, seen_before) = support::close_closes_t2_and_t3(&fake, &gl, &items);
    for n in [2, 3] {
        assert_eq!(fake.issue(n).unwrap()["state"], "closed");
    }
    assert_eq!(
        fake.issue(1).unwrap()["state"],
        "opened",
        "open work stays open"
    );
    // The close is a PUT of `state_event=close`, as GitLab takes it.
    let st = fake.state();
    let puts: Vec<(&str, &serde_json::Value)> = st.seen[seen_before..]
        .iter()
        .filter(|s| s.method == "PUT")
        .map(|s| (s.path.as_str(), &s.body))
        .collect();
    assert_eq!(
        puts,
        [
            (
                "/api/v4/projects/acme%2Fplatform%2Fshop/issues/2",
                &serde_json::json!({"state_event": "close"})
            ),
            (
                "/api/v4/projects/acme%2Fplatform%2Fshop/issues/3",
                &serde_json::json!({"state_event": "close"})
            ),
        ]
    );
    // One note each: T3's proposal was not repeated.
    assert_eq!(st.notes.iter().map(|n| n.0).collect::<Vec<_>>(), [3, 2]);
    assert!(st.notes.iter().all(|n| n.1.contains("can be closed")));
    drop(st);
    // A second run finds them closed: only the list is read.
    support::a_second_close_run_does_nothing(&fake, &gl, &items, 1);
}
