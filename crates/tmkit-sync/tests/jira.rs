//! The Jira tracker, Cloud (REST v3) and Server (REST v2), against the
//! local fake Jira (no network).

mod support;

use serde_json::Value;
use support::{create_all, fast, kind};
use tmkit_sync::items::Item;
use tmkit_sync::jira::{Api, Auth, Jira, doc};
use tmkit_sync::plan::{Options, plan, plan_with};
use tmkit_sync::{Tracker, execute, marker};
use tmkit_testtools::fake_jira::Workflow;
use tmkit_testtools::fake_jira::{FakeJira, Fault};

const USER: &str = "bot@acme.example";
const TOKEN: &str = "atlassian_secret_token_123";
const PAT: &str = "pat_secret_456";

/// Both fakes: Cloud and Server.
fn fakes() -> [FakeJira; 2] {
    [
        FakeJira::cloud("SEC", USER, TOKEN),
        FakeJira::server("SEC", PAT),
    ]
}

fn auth(fake: &FakeJira) -> Auth {
    if fake.version == 3 {
        Auth::Basic(USER.into(), TOKEN.into())
    } else {
        Auth::Bearer(PAT.into())
    }
}

fn tracker_with(fake: &FakeJira, project: &str, auth: Auth) -> Jira {
    let api = Api::from_version(fake.version).unwrap();
    Jira::new(&fake.url, project, api, auth, fast()).unwrap()
}

fn tracker(fake: &FakeJira) -> Jira {
    tracker_with(fake, "SEC", auth(fake))
}

fn item(n: usize) -> Item {
    support::item_with(
        n,
        &format!("**Threat** SHOP.T{n}: body of {n}\n\n- Status: unmitigated"),
    )
}

fn items(j: &Jira, range: std::ops::RangeInclusive<usize>) -> Vec<Item> {
    j.native(range.map(item).collect())
}

#[test]
fn creates_then_a_second_run_creates_nothing_across_pages() {
    for fake in fakes() {
        fake.state().max_results = 3;
        let j = tracker(&fake);
        let items = items(&j, 1..=8);
        // The write-back is lost (items unchanged): found by marker over 3 pages.
        let done = support::created_then_found_by_marker(&j, &items);
        assert_eq!(done.write_back[0].1, format!("{}/browse/SEC-1", fake.url));
        let searches: Vec<Value> = {
            let st = fake.state();
            st.seen
                .iter()
                .zip(&st.bodies)
                .filter(|(s, _)| s.path.contains("/search"))
                .map(|(_, b)| b.clone())
                .collect()
        };
        assert_eq!(searches.len(), 1 + 3, "one page at first, then three pages");
        if fake.version == 3 {
            assert_eq!(searches[2]["nextPageToken"], "tok-3");
            assert!(
                fake.state()
                    .seen
                    .iter()
                    .any(|s| s.path == "/rest/api/3/search/jql")
            );
        } else {
            assert_eq!(searches[3]["startAt"], 6);
        }
        assert!(
            searches[0]["jql"]
                .as_str()
                .unwrap()
                .contains("project = \"SEC\" AND labels = \"threat-model\"")
        );
        // A renamed summary does not matter; nothing to update either.
        fake.edit("SEC-2", |f| f["summary"] = "renamed by triage".into());
        let linked: Vec<Item> = items
            .iter()
            .zip(&done.write_back)
            .map(|(i, (_, t))| Item {
                ticket: Some(t.clone()),
                ..i.clone()
            })
            .collect();
        let again = plan(&linked, &j.list().unwrap());
        assert!(
            again.is_empty() && again.actions.is_empty(),
            "v{}: {again:?}",
            fake.version
        );
        assert_eq!(again.linked.len(), 8);
        // The key as a user writes it names the same ticket.
        let by_key = vec![Item {
            ticket: Some("SEC-3".into()),
            ..items[2].clone()
        }];
        assert!(plan(&by_key, &j.list().unwrap()).actions.is_empty());
    }
}

#[test]
fn descriptions_are_adf_on_cloud_and_wiki_markup_on_server() {
    for fake in fakes() {
        let j = tracker(&fake);
        let mut hostile = item(1);
        hostile.body = format!(
            "**Threat** SHOP.T1: x &lt;script&gt; \\*bold\\* \\{{panel\\}} \\[a\\|http://evil\\]\n\n\\# h1. {{noformat}}\n\n{}\n",
            marker::marker("SHOP.T1")
        );
        hostile.title = "SHOP.T1: {color:red}*big*[x|http://evil]".into();
        let native = j.native(vec![hostile]);
        execute(&j, &native, &[], &plan(&native, &[]), &mut |_| {});
        let issue = fake.issue("SEC-1").unwrap();
        let d = &issue["fields"]["description"];
        if fake.version == 3 {
            assert_eq!(d["type"], "doc");
            assert_eq!(d["content"][0]["content"][0]["marks"][0]["type"], "strong");
            assert_eq!(
                d["content"][0]["content"][1]["text"],
                " SHOP.T1: x <script> *bold* {panel} [a|http://evil]"
            );
            assert_eq!(d["content"][1]["content"][0]["text"], "# h1. {noformat}");
            assert!(d["content"][0]["content"][1].get("marks").is_none());
            assert!(doc::adf_text(d).ends_with("tmkit:id=SHOP.T1\n"));
        } else {
            let w = d.as_str().unwrap();
            assert_eq!(
                w,
                "*Threat* SHOP\\.T1\\: x <script> \\*bold\\* \\{panel\\} \\[a\\|http\\://evil\\]\n\n\\# h1\\. \\{noformat\\}\n\ntmkit:id=SHOP\\.T1\n"
            );
        }
        // The summary is a plain field, never rendered as markup.
        assert_eq!(
            issue["fields"]["summary"],
            "SHOP.T1: {color:red}*big*[x|http://evil]"
        );
        assert_eq!(
            issue["fields"]["labels"],
            serde_json::json!(["threat-model", "severity:high"])
        );
        let remotes = j.list().unwrap();
        assert_eq!(remotes[0].qid.as_deref(), Some("SHOP.T1"));
        assert!(
            plan(&native, &remotes)
                .actions
                .iter()
                .all(|a| kind(a) == "link")
        );
    }
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    for fake in fakes() {
        fake.state()
            .faults
            .extend([Fault::TooManyRequests(1), Fault::ServerError]);
        // 429, 500, then the project and one search.
        let j = tracker(&fake);
        support::faults_are_waited_out(&fake, &j, (1, 4), "Retry-After was honoured");
    }
}

#[test]
fn persistent_server_errors_give_up_after_the_retries() {
    let fake = FakeJira::cloud("SEC", USER, TOKEN);
    let e = support::persistent_server_errors_give_up(&fake, &tracker(&fake));
    assert!(
        e.contains("HTTP 500") && e.contains("Internal server error"),
        "{e}"
    );
}

#[test]
fn bad_credentials_name_the_variables_and_are_never_printed() {
    let cloud = FakeJira::cloud("SEC", USER, TOKEN);
    let j = tracker_with(
        &cloud,
        "SEC",
        Auth::Basic(USER.into(), "wrong_tok_789".into()),
    );
    let e = j.list().unwrap_err();
    let text = format!("{e} {e:?} {j:?}");
    assert!(
        text.contains("HTTP 401") && text.contains("JIRA_USER") && text.contains("JIRA_API_TOKEN"),
        "{text}"
    );
    assert!(!text.contains("wrong_tok_789"), "{text}");
    let server = FakeJira::server("SEC", PAT);
    let j = tracker_with(&server, "SEC", Auth::Bearer("wrong_pat_000".into()));
    let e = j.list().unwrap_err();
    let text = format!("{e} {e:?} {j:?}");
    assert!(
        text.contains("HTTP 401") && text.contains("JIRA_PAT"),
        "{text}"
    );
    assert!(!text.contains("wrong_pat_000"), "{text}");
    // The right ones were sent as Basic and Bearer.
    tracker(&cloud).list().unwrap();
    tracker(&server).list().unwrap();
    assert_eq!(
        cloud.state().seen.last().unwrap().auth.as_deref(),
        Some(cloud.authorization.as_str())
    );
    assert!(cloud.authorization.starts_with("Basic "));
    assert_eq!(
        server.state().seen.last().unwrap().auth.as_deref(),
        Some("Bearer pat_secret_456")
    );
}

#[test]
fn an_unknown_project_is_named() {
    for fake in fakes() {
        let j = tracker_with(&fake, "OTHER", auth(&fake));
        let e = j.list().unwrap_err().to_string();
        assert!(
            e.contains("HTTP 404")
                && e.contains("OTHER")
                && e.contains("--project")
                && e.contains("Browse projects"),
            "{e}"
        );
    }
}

#[test]
fn a_failure_half_way_returns_what_was_created_and_the_next_run_resumes() {
    for fake in fakes() {
        let j = tracker(&fake);
        support::a_failure_half_way_then_resumed(&fake, &j, &items(&j, 1..=5));
    }
}

#[test]
fn updates_proposals_and_closed_tickets() {
    for fake in fakes() {
        let j = tracker(&fake);
        let mut items = items(&j, 1..=3);
        create_all(&j, &mut items);
        // T1's score changed, T2 is mitigated, T3's ticket was closed.
        let mut changed = item(1);
        changed.body = changed.body.replace("unmitigated", "partial");
        changed.severity_label = "severity:critical".into();
        changed.ticket = items[0].ticket.clone();
        items[0] = j.native(vec![changed]).remove(0);
        items[1].open = false;
        fake.close("SEC-3");
        fake.edit("SEC-3", |f| {
            f["assignee"] = serde_json::json!({"accountId": "5b10", "displayName": "Ann Lee"});
            f["duedate"] = "2027-03-31".into();
        });
        fake.edit("SEC-1", |f| {
            f["labels"] = serde_json::json!(["threat-model", "severity:high", "team-a"])
        });
        let p = support::update_propose_and_report_closed(&j, &items);
        let t3 = p.linked.iter().find(|l| l.qid == "SHOP.T3").unwrap();
        assert_eq!(
            (t3.open, t3.assignees.clone(), t3.due.clone()),
            (
                false,
                vec!["Ann Lee".to_string()],
                Some("2027-03-31".to_string())
            )
        );
        let t1 = fake.issue("SEC-1").unwrap();
        assert_eq!(
            t1["fields"]["labels"],
            serde_json::json!(["threat-model", "team-a", "severity:critical"])
        );
        let text = match &t1["fields"]["description"] {
            Value::String(s) => s.clone(),
            v => doc::adf_text(v),
        };
        assert!(text.contains("partial"), "{text}");
        let comments = fake.state().comments.clone();
        assert_eq!(comments.len(), 1);
        assert_eq!(comments[0].0, "SEC-2");
        let comment = match &comments[0].1 {
            Value::String(s) => s.clone(),
            v => doc::adf_text(v),
        };
        assert!(comment.contains("can be closed"), "{comment}");
        assert!(
            fake.issue("SEC-2").unwrap()["fields"]["labels"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == "threat-model:mitigated")
        );
        // Proposed once, updated once: the next plan does nothing more.
        support::nothing_more_to_propose(&j, &items);
    }
}

#[test]
fn attributes_jira_adds_to_adf_are_not_a_change() {
    let fake = FakeJira::cloud("SEC", USER, TOKEN);
    let j = tracker(&fake);
    let items = items(&j, 1..=1);
    execute(&j, &items, &[], &plan(&items, &[]), &mut |_| {});
    fake.edit("SEC-1", |f| {
        f["description"]["content"][0]["attrs"] = serde_json::json!({"localId": "a1b2"});
    });
    let linked = vec![Item {
        ticket: Some("SEC-1".into()),
        ..items[0].clone()
    }];
    assert!(plan(&linked, &j.list().unwrap()).actions.is_empty());
}

#[test]
fn a_rejected_field_is_named_with_what_to_fix() {
    for fake in fakes() {
        fake.state().no_task_type = true;
        let j = tracker(&fake);
        let items = items(&j, 1..=1);
        let done = execute(&j, &items, &[], &plan(&items, &[]), &mut |_| {});
        let e = done.error.unwrap().to_string();
        assert!(
            e.contains("HTTP 400")
                && e.contains("Specify a valid issue type")
                && e.contains("issue type Task"),
            "{e}"
        );
        assert!(done.write_back.is_empty());
    }
}

/// Three linked tickets of `fake`: their items, with `ticket:` set.
fn linked(fake: &FakeJira, j: &Jira, n: usize) -> Vec<Item> {
    let mut items = items(j, 1..=n);
    let done = create_all(j, &mut items);
    assert_eq!(done.error, None, "v{}", fake.version);
    items
}

fn status(fake: &FakeJira, key: &str) -> (String, String) {
    let i = fake.issue(key).unwrap();
    let s = &i["fields"]["status"];
    (
        s["name"].as_str().unwrap().to_string(),
        s["statusCategory"]["key"].as_str().unwrap().to_string(),
    )
}

fn comments_on(fake: &FakeJira) -> Vec<String> {
    fake.state().comments.iter().map(|c| c.0.clone()).collect()
}

#[test]
fn close_transitions_exactly_the_done_tickets_and_a_second_run_does_nothing() {
    for fake in fakes() {
        let j = tracker(&fake);
        let mut items = linked(&fake, &j, 4);
        // The default only proposes: T3 commented and labelled, still open.
        support::the_default_only_proposes(&j, &mut items);
        assert_eq!(status(&fake, "SEC-3").1, "new");
        // T2 done and In Progress; T4 done and moved to Done by hand.
        items[1].open = false;
        items[3].open = false;
        fake.move_to("SEC-2", "In Progress");
        fake.close("SEC-4");
        let (_, seen_before) = support::close_closes_t2_and_t3(&fake, &j, &items);
        for key in ["SEC-2", "SEC-3"] {
            assert_eq!(status(&fake, key), ("Done".into(), "done".into()));
        }
        assert_eq!(status(&fake, "SEC-1"), ("To Do".into(), "new".into()));
        // The calls: the transitions offered, then the first to Done (id 31).
        let st = fake.state();
        let calls: Vec<(String, String)> = st.seen[seen_before..]
            .iter()
            .map(|s| (s.method.clone(), s.path.clone()))
            .collect();
        let v = fake.version;
        let path = |k: &str, tail: &str| format!("/rest/api/{v}/issue/{k}{tail}");
        assert_eq!(
            calls,
            [
                ("POST".into(), path("SEC-2", "/comment")),
                ("GET".into(), path("SEC-2", "/transitions")),
                ("POST".into(), path("SEC-2", "/transitions")),
                ("GET".into(), path("SEC-3", "/transitions")),
                ("POST".into(), path("SEC-3", "/transitions")),
            ]
        );
        assert_eq!(
            st.bodies[seen_before + 2],
            serde_json::json!({"transition": {"id": "31"}})
        );
        drop(st);
        // One comment each: T3's proposal was not repeated.
        assert_eq!(comments_on(&fake), ["SEC-3", "SEC-2"]);
        // The search now reads them done: a second run does nothing, the
        // project and the search read.
        let remotes = j.list().unwrap();
        assert!(remotes.iter().filter(|r| !r.open).count() == 3);
        support::a_second_close_run_does_nothing(&fake, &j, &items, 2);
    }
}

#[test]
fn without_a_transition_to_done_the_comment_stays_and_the_run_goes_on() {
    let close = Options { close: true };
    let cases = [(3, false), (3, true), (2, false), (2, true)];
    for (version, no_permission) in cases {
        let fake = if version == 3 {
            FakeJira::cloud("SEC", USER, TOKEN)
        } else {
            FakeJira::server("SEC", PAT)
        };
        if no_permission {
            fake.state().no_transition_permission = true;
        } else {
            fake.state().workflow = Workflow::without_done();
        }
        let j = tracker(&fake);
        let mut items = linked(&fake, &j, 3);
        items[0].open = false;
        items[1].open = false;
        if !no_permission {
            fake.move_to("SEC-2", "In Review");
        }
        // T3 changed: its update comes after the two that cannot close.
        items[2].severity_label = "severity:critical".into();
        let remotes = j.list().unwrap();
        let p = plan_with(&items, &remotes, close);
        assert_eq!(
            p.actions.iter().map(kind).collect::<Vec<_>>(),
            ["close", "close", "update"]
        );
        let d = execute(&j, &items, &remotes, &p, &mut |_| {});
        let case = format!("v{} no_permission={no_permission}", fake.version);
        assert_eq!(
            (d.closed, d.proposed, d.updated, d.error.clone()),
            (0, 2, 1, None),
            "{case}"
        );
        assert_eq!(d.not_closed.len(), 2);
        let (qid, ticket, why) = &d.not_closed[1];
        assert_eq!(qid, "SHOP.T2");
        assert_eq!(ticket, &format!("{}/browse/SEC-2", fake.url));
        let from = if no_permission { "To Do" } else { "In Review" };
        assert!(
            why.contains("no transition to a status in the Done category")
                && why.contains(&format!("current status \"{from}\""))
                && why.contains("Transition issues")
                && why.contains("Close it by hand"),
            "{case}: {why}"
        );
        if no_permission {
            assert!(why.contains("offered: none"), "{why}");
        } else {
            assert!(why.contains("\"Back to work\" to \"In Progress\""), "{why}");
        }
        // Commented and labelled, still open; no transition was tried.
        assert_eq!(comments_on(&fake), ["SEC-1", "SEC-2"], "{case}");
        for key in ["SEC-1", "SEC-2"] {
            assert_ne!(status(&fake, key).1, "done", "{case}");
            assert!(
                fake.issue(key).unwrap()["fields"]["labels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l == "threat-model:mitigated")
            );
        }
        assert!(
            !fake
                .state()
                .seen
                .iter()
                .any(|s| s.method == "POST" && s.path.ends_with("/transitions"))
        );
        // The next run tries again (the workflow may have been fixed) but
        // never comments twice.
        let remotes = j.list().unwrap();
        let p = plan_with(&items, &remotes, close);
        assert_eq!(
            p.actions.iter().map(kind).collect::<Vec<_>>(),
            ["close", "close"]
        );
        let d = execute(&j, &items, &remotes, &p, &mut |_| {});
        assert_eq!((d.closed, d.not_closed.len()), (0, 2));
        assert_eq!(comments_on(&fake).len(), 2, "{case}");
    }
}

#[test]
fn the_fake_refuses_a_transition_not_offered_as_jira_does() {
    use tmkit_sync::http::{Client, HttpError, Method, Secret};
    for fake in fakes() {
        let j = tracker(&fake);
        linked(&fake, &j, 1);
        let client = Client::new(
            fast(),
            Vec::new(),
            Some((
                "Authorization".into(),
                Secret::new(fake.authorization.clone()),
            )),
        );
        let url = format!(
            "{}/rest/api/{}/issue/SEC-1/transitions",
            fake.url, fake.version
        );
        // "Reopen" (41) leads from Done only; 999 does not exist.
        for id in ["41", "999"] {
            let body = serde_json::json!({"transition": {"id": id}});
            match client.send(Method::Post, &url, Some(&body)) {
                Err(HttpError::Status {
                    status: 400,
                    message,
                    ..
                }) => assert!(
                    message.contains(&format!(
                        "Transition id '{id}' is not valid for this issue."
                    )),
                    "{message}"
                ),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(status(&fake, "SEC-1").0, "To Do");
        let offered = client
            .send(Method::Get, &url, None)
            .unwrap()
            .json()
            .unwrap();
        let list = tmkit_sync::jira::transitions(&offered);
        let names: Vec<(&str, &str, &str)> = list
            .iter()
            .map(|t| (t.id.as_str(), t.to.as_str(), t.category.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("11", "In Progress", "indeterminate"),
                ("31", "Done", "done")
            ]
        );
        assert_eq!(tmkit_sync::jira::done_transition(&list).unwrap().id, "31");
    }
}

#[test]
fn a_done_transition_whose_screen_requires_a_field_leaves_the_ticket_open_and_says_why() {
    let close = Options { close: true };
    for fake in fakes() {
        fake.state().done_screen_requires = Some("resolution");
        let j = tracker(&fake);
        let mut items = linked(&fake, &j, 2);
        items[0].open = false;
        let remotes = j.list().unwrap();
        let p = plan_with(&items, &remotes, close);
        assert_eq!(p.actions.iter().map(kind).collect::<Vec<_>>(), ["close"]);
        let d = execute(&j, &items, &remotes, &p, &mut |_| {});
        let case = format!("v{}", fake.version);
        // Not closed, not a failure of the run: counted as proposed.
        assert_eq!(
            (d.closed, d.proposed, d.error.clone()),
            (0, 1, None),
            "{case}"
        );
        let (qid, _, why) = &d.not_closed[0];
        assert_eq!(qid, "SHOP.T1");
        assert!(
            why.contains("Jira refused the transition \"Done\" to \"Done\"")
                && why.contains("Resolution is required")
                && why.contains("the comment was kept"),
            "{case}: {why}"
        );
        // The transition was tried once, the issue is where it was, the
        // comment and the proposal label are on it.
        assert_eq!(status(&fake, "SEC-1"), ("To Do".into(), "new".into()));
        assert_eq!(comments_on(&fake), ["SEC-1"], "{case}");
        let labels = fake.issue("SEC-1").unwrap()["fields"]["labels"].clone();
        assert!(
            labels
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == tmkit_sync::items::PROPOSED_LABEL),
            "{case}: {labels}"
        );
        let posts = (fake.state().seen.iter())
            .filter(|s| s.method == "POST" && s.path.ends_with("/transitions"))
            .count();
        assert_eq!(posts, 1, "{case}");
    }
}
