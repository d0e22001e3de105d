//! `tmkit sync github` against the local fake GitHub (no network): plan,
//! --apply, write-back byte for byte, idempotence by marker, a lost
//! write-back, a closed ticket and --accept-closed, a failure half-way,
//! missing and wrong tokens.

use crate::support::Test;
use crate::support::sync::{self as shared, mitigate, model, only_lines_added, read};
use tmkit_testtools::fake_github::FakeGitHub;

const TOKEN: &str = "ghp_cli_secret_789";

fn sync(t: Test, fake: &FakeGitHub, extra: &[&str]) -> Test {
    let mut args = vec![
        "sync",
        "github",
        "--repo",
        &fake.repo,
        "--api-url",
        &fake.url,
    ];
    args.extend_from_slice(extra);
    t.args(args).env("GITHUB_TOKEN", &fake.token)
}

#[test]
fn plan_apply_and_a_second_run_that_creates_nothing() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    fake.state().max_per_page = 10;
    let run = |t, extra: &[&str]| sync(t, &fake, extra);
    // The plan changes nothing; --apply goes through a rate limit and a
    // server error.
    let (t, after) = shared::plan_then_apply(
        &run,
        &fake,
        &model(30),
        30,
        &["elsewhere SHOP.ELSE: SEC-1", "30 to create"],
    );
    assert!(
        after.contains("ticket: \"https://github.example/acme/shop/issues/1\"\n"),
        "{after}"
    );
    // The body: escaped Markdown, score, marker; labels for severity.
    let issue = fake.issue(1).unwrap();
    let body = issue["body"].as_str().unwrap();
    assert!(body.contains("Threat &lt;1&gt; \\*bold\\*"), "{body}");
    assert!(
        body.contains("7.5 high") && body.contains("<!-- tmkit:id=SHOP.T1 -->"),
        "{body}"
    );
    assert_eq!(issue["labels"][1]["name"], "severity:high");
    // The model still checks; a second run creates nothing and changes nothing.
    shared::a_second_run_changes_nothing(&run, &fake, t.path(), &after);
}

#[test]
fn a_lost_write_back_is_found_again_by_the_marker() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    // The write-back is lost and a title renamed in the tracker.
    shared::a_lost_write_back_is_found_again(
        &|t, extra| sync(t, &fake, extra),
        &fake,
        &model(3),
        &|| fake.edit(2, |i| i["title"] = "Renamed by triage".into()),
    );
}

#[test]
fn a_closed_ticket_is_reported_and_accepted_only_when_asked() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let accepted = shared::a_closed_ticket_is_accepted_only_when_asked(
        &|t, extra| sync(t, &fake, extra),
        &model(2),
        &|| {
            fake.edit(1, |i| {
                i["state"] = "closed".into();
                i["assignees"] = serde_json::json!([{"login": "ann"}]);
                i["milestone"] =
                    serde_json::json!({"title": "Q1", "due_on": "2027-03-31T08:00:00Z"});
            })
        },
        "assigned to ann, due 2027-03-31",
        "https://github.example/acme/shop/issues/1",
    );
    assert!(accepted.contains("ticket: \"https://github.example/acme/shop/issues/1\"\n"));
}

#[test]
fn a_failure_half_way_writes_back_what_was_created_and_the_next_run_resumes() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    shared::a_failure_half_way_then_resumed(
        &|t, extra| sync(t, &fake, extra),
        &fake,
        &model(10),
        (4, 10),
        "ticket: \"https://",
    );
}

#[test]
fn a_missing_or_wrong_token_is_exit_3_and_never_printed() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let args = [
        "sync",
        "github",
        "--repo",
        "acme/shop",
        "--api-url",
        &fake.url,
    ];
    shared::no_token(&args, "GITHUB_TOKEN", "Issues: read and write");
    shared::a_wrong_token(&args, "GITHUB_TOKEN", "ghp_wrong_000");
    assert!(
        fake.state()
            .seen
            .iter()
            .all(|s| s.auth.as_deref() != Some("Bearer ghp_cli_secret_789"))
    );
}

#[test]
fn the_root_models_sync_section_names_the_repository() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    shared::the_sync_section_names_the_place(
        ("github", &fake),
        ("GITHUB_TOKEN", TOKEN),
        &format!(
            "  github:\n    repo: acme/shop\n    api_url: \"{}\"\n",
            fake.url
        ),
        "--repo OWNER/NAME",
        ("  github:\n    repository: acme/shop\n", "repository"),
    );
}

#[test]
fn rows_mitigations_makes_one_ticket_per_planned_mitigation() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let original = model(3);
    let t = sync(
        Test::new().model(&original),
        &fake,
        &["--apply", "--rows", "mitigations"],
    )
    .status(0);
    // Three planned inline mitigations; the TLS one is in place.
    assert_eq!(fake.state().issues.len(), 3);
    let body = fake.issue(1).unwrap()["body"].as_str().unwrap().to_string();
    assert!(
        body.contains("<!-- tmkit:id=SHOP.T1/m1 -->") && body.contains("SHOP.T1"),
        "{body}"
    );
    let after = read(t.path());
    only_lines_added(&original, &after);
    assert_eq!(after.matches("ticket: \"https://").count(), 3, "{after}");
    let dir = t.path().to_path_buf();
    Test::new().cwd(&dir).args(["check"]).status(0);
    // The mitigations' tickets read back into the report, after each
    // planned mitigation of its threat.
    fake.edit(2, |i| i["assignees"] = serde_json::json!([{"login": "bo"}]));
    sync(
        Test::new().cwd(&dir),
        &fake,
        &["--rows", "mitigations", "-f", "json", "-o", "tickets.json"],
    )
    .status(0);
    let md = Test::new()
        .cwd(&dir)
        .args(["report", "--tickets", "tickets.json"])
        .status(0)
        .stdout();
    assert!(
        md.contains("issues/2); open in GitHub on ") && md.contains(", assigned to bo"),
        "{md}"
    );
}

#[test]
fn tickets_are_read_back_into_the_report_with_assignees_and_due_dates() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let t = sync(Test::new().model(&model(3)), &fake, &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    fake.edit(1, |i| {
        i["assignees"] =
            serde_json::json!([{"login": "ann"}, {"login": "<img src=x onerror=alert(1)>"}]);
        i["milestone"] = serde_json::json!({"title": "Q1", "due_on": "2027-01-15T08:00:00Z"});
    });
    fake.edit(2, |i| i["state"] = "closed".into());
    // The sync JSON carries its version, the tracker, the day it was read
    // and every linked ticket's state.
    let tickets = dir.join("tickets.json");
    let mut t = sync(
        Test::new().cwd(&dir).env("SOURCE_DATE_EPOCH", "1796083200"),
        &fake,
        &["-f", "json", "-o", tickets.to_str().unwrap()],
    )
    .status(0);
    assert!(t.stdout().is_empty(), "{}", t.describe());
    let sync_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&tickets).unwrap()).unwrap();
    assert_eq!(sync_json["tmkit_sync"], 1);
    assert_eq!(sync_json["tracker"], "GitHub");
    assert_eq!(sync_json["as_of"], "2026-12-01");
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "--tickets", tickets.to_str().unwrap()];
        args.extend_from_slice(extra);
        Test::new().cwd(&dir).args(args).status(0)
    };
    // Markdown: the state, the assignees (escaped), the due date, overdue on
    // the report's date; a closed ticket of an open threat is flagged.
    let md = report(&["--date", "2027-02-01"]).stdout();
    assert!(
        md.contains("(open in GitHub on 2026-12-01, assigned to ann, &lt;img src=x onerror=alert(1)&gt;, **due 2027-01-15, overdue**)"),
        "{md}"
    );
    assert!(!md.contains("<img"), "{md}");
    assert!(
        md.contains("(**closed in GitHub on 2026-12-01, not done in the model**)"),
        "{md}"
    );
    // Before the due date, nothing is overdue.
    let md = report(&["--date", "2027-01-01"]).stdout();
    assert!(
        md.contains("due 2027-01-15") && !md.contains("overdue"),
        "{md}"
    );
    // HTML escapes the tracker's text.
    let html = report(&["-f", "html", "--date", "2027-02-01"]).stdout();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(!html.contains("<img src=x"), "{html}");
    // JSON: one entry per ticket with the derived flags.
    let json = report(&["-f", "json", "--date", "2027-02-01"]).json();
    let list = json["tickets"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{json}");
    let one = &list[0];
    assert_eq!(one["ticket"], "https://github.example/acme/shop/issues/1");
    assert_eq!(one["due"], "2027-01-15");
    assert_eq!(one["overdue"], true);
    assert_eq!(one["closed_not_done"], false);
    assert_eq!(list[1]["open"], false);
    assert_eq!(list[1]["closed_not_done"], true);
    // The public view shows no ticket.
    let public = report(&["-f", "json", "--view", "public"]).json();
    assert_eq!(public["tickets"], serde_json::json!([]));
    assert!(!report(&["--view", "public"]).stdout().contains("ann"));
    // Without --tickets the report is as before.
    let plain = Test::new().cwd(&dir).args(["report"]).status(0).stdout();
    assert!(!plain.contains("open in GitHub"), "{plain}");
    // A file that is not sync JSON is a usage error naming it.
    std::fs::write(dir.join("other.json"), "{\"tmkit_report\": 3}").unwrap();
    Test::new()
        .cwd(&dir)
        .args(["report", "--tickets", "other.json"])
        .status(3)
        .stderr_contains("--tickets other.json: not the JSON of `tmkit sync -f json`");
}

#[test]
fn close_closes_the_tickets_of_done_threats_only_when_asked() {
    let fake = FakeGitHub::start("acme/shop", TOKEN);
    let t = sync(Test::new().model(&model(3)), &fake, &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    mitigate(&dir, 2);
    let yaml = read(t.path());
    let url = |n: u32| format!("https://github.example/acme/shop/issues/{n}");
    // --close without --apply: the plan says close; nothing is done.
    let mut t = sync(Test::new().cwd(&dir), &fake, &["--close"]).status(0);
    let out = t.stdout();
    assert!(
        out.contains(&format!(
            "would close   SHOP.T1: {} (done in the model)\n",
            url(1)
        )) && out.contains("would close   SHOP.T2:"),
        "{out}"
    );
    assert!(
        out.contains("0 to propose closing, 2 to close, 0 closed not in place"),
        "{out}"
    );
    // The default still only proposes.
    let mut t = sync(Test::new().cwd(&dir), &fake, &[]).status(0);
    assert!(
        t.stdout().contains("would propose closing SHOP.T1"),
        "{}",
        t.describe()
    );
    assert!(fake.state().comments.is_empty());
    assert_eq!(fake.issue(1).unwrap()["state"], "open");
    // --apply --close: commented and closed as completed.
    let mut t = sync(Test::new().cwd(&dir), &fake, &["--apply", "--close"]).status(0);
    let out = t.stdout();
    assert!(
        out.contains(&format!("close   SHOP.T2: {}", url(2))),
        "{out}"
    );
    assert!(
        out.contains("created 0, updated 2, proposed closing 0, closed 2;"),
        "{out}"
    );
    for n in [1, 2] {
        let i = fake.issue(n).unwrap();
        assert_eq!(
            (&i["state"], &i["state_reason"]),
            (&"closed".into(), &"completed".into())
        );
    }
    assert_eq!(
        fake.issue(3).unwrap()["state"],
        "open",
        "open work stays open"
    );
    assert_eq!(fake.state().comments.len(), 2);
    assert_eq!(read(&dir), yaml, "closing changes nothing in the model");
    // A second run finds them closed and does nothing.
    let mut t = sync(
        Test::new().cwd(&dir),
        &fake,
        &["--apply", "--close", "-f", "json"],
    )
    .status(0);
    let v = t.json();
    assert_eq!(v["applied"]["closed"], 0, "{v}");
    assert_eq!(v["applied"]["not_closed"], serde_json::json!([]), "{v}");
    assert_eq!(v["plan"]["actions"], serde_json::json!([]), "{v}");
    assert_eq!(fake.state().comments.len(), 2);
}
