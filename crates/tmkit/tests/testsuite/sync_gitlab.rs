//! `tmkit sync gitlab` against the local fake GitLab (no network): plan,
//! --apply, write-back byte for byte, idempotence by marker, a lost
//! write-back, a closed ticket and --accept-closed, a failure half-way,
//! missing and wrong tokens, the `sync.gitlab` section, --rows mitigations.

use crate::support::Test;
use crate::support::sync::{self as shared, mitigate, model, only_lines_added, read};
use tmkit_testtools::fake_gitlab::FakeGitLab;

const TOKEN: &str = "glpat-cli_secret_789";
const URL1: &str = "ticket: \"https://gitlab.example/acme/platform/shop/-/issues/1\"\n";

fn sync(t: Test, fake: &FakeGitLab, extra: &[&str]) -> Test {
    let mut args = vec![
        "sync",
        "gitlab",
        "--project",
        &fake.project,
        "--api-url",
        &fake.url,
    ];
    args.extend_from_slice(extra);
    t.args(args).env("GITLAB_TOKEN", &fake.token)
}

fn start() -> FakeGitLab {
    FakeGitLab::start("acme/platform/shop", TOKEN)
}

#[test]
fn plan_apply_and_a_second_run_that_creates_nothing() {
    let fake = start();
    fake.state().max_per_page = 10;
    let run = |t, extra: &[&str]| sync(t, &fake, extra);
    // The plan changes nothing; --apply goes through a rate limit and a
    // server error.
    let (t, after) = shared::plan_then_apply(
        &run,
        &fake,
        &model(30),
        30,
        &["elsewhere SHOP.ELSE: SEC-1", "GitLab: 30 to create"],
    );
    assert!(after.contains(URL1), "{after}");
    // The description: escaped Markdown, score, marker; labels for severity.
    let issue = fake.issue(1).unwrap();
    let body = issue["description"].as_str().unwrap();
    assert!(body.contains("Threat &lt;1&gt; \\*bold\\*"), "{body}");
    assert!(
        body.contains("7.5 high") && body.contains("<!-- tmkit:id=SHOP.T1 -->"),
        "{body}"
    );
    assert_eq!(
        issue["labels"],
        serde_json::json!(["threat-model", "severity:high"])
    );
    // The model still checks; a second run creates nothing and changes nothing.
    shared::a_second_run_changes_nothing(&run, &fake, t.path(), &after);
}

#[test]
fn a_lost_write_back_is_found_again_by_the_marker() {
    let fake = start();
    // The write-back is lost and a title renamed in the tracker.
    shared::a_lost_write_back_is_found_again(
        &|t, extra| sync(t, &fake, extra),
        &fake,
        &model(3),
        &|| fake.edit(2, |i| i["title"] = "Renamed by triage".into()),
    );
}

#[test]
fn a_ticket_written_as_a_short_reference_is_the_same_ticket() {
    let fake = start();
    let t = sync(Test::new().model(&model(2)), &fake, &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    // A user wrote the references GitLab shows instead of the URLs.
    let short = read(t.path()).replace(URL1, "ticket: \"#1\"\n").replace(
        "ticket: \"https://gitlab.example/acme/platform/shop/-/issues/2\"\n",
        "ticket: acme/platform/shop#2\n",
    );
    std::fs::write(dir.join("threatmodel.yaml"), &short).unwrap();
    let mut t = sync(Test::new().cwd(&dir), &fake, &[]).status(0);
    let out = t.stdout();
    assert!(out.contains("in sync"), "{out}");
    assert!(
        out.contains("ticket  SHOP.T2: https://gitlab.example/acme/platform/shop/-/issues/2 open"),
        "{out}"
    );
}

#[test]
fn a_closed_ticket_is_reported_and_accepted_only_when_asked() {
    let fake = start();
    shared::a_closed_ticket_is_accepted_only_when_asked(
        &|t, extra| sync(t, &fake, extra),
        &model(2),
        &|| {
            fake.edit(1, |i| {
                i["state"] = "closed".into();
                i["assignees"] = serde_json::json!([{"id": 3, "username": "ann", "name": "Ann"}]);
                i["milestone"] =
                    serde_json::json!({"id": 1, "title": "Q1", "due_date": "2027-03-31"});
            })
        },
        "assigned to ann, due 2027-03-31",
        "https://gitlab.example/acme/platform/shop/-/issues/1",
    );
}

#[test]
fn a_failure_half_way_writes_back_what_was_created_and_the_next_run_resumes() {
    let fake = start();
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
    let fake = start();
    let args = [
        "sync",
        "gitlab",
        "--project",
        "acme/platform/shop",
        "--api-url",
        &fake.url,
    ];
    shared::no_token(&args, "GITLAB_TOKEN", "`api` scope");
    assert!(fake.state().seen.is_empty(), "nothing sent without a token");
    shared::a_wrong_token(&args, "GITLAB_TOKEN", "glpat-wrong_000");
    // An unknown project: 404 naming the project and --project.
    let mut t = Test::new()
        .model(&model(1))
        .args([
            "sync",
            "gitlab",
            "--project",
            "acme/nope",
            "--api-url",
            &fake.url,
        ])
        .env("GITLAB_TOKEN", TOKEN)
        .status(3)
        .stderr_contains("HTTP 404")
        .stderr_contains("--project");
    assert!(!t.stderr().contains(TOKEN), "{}", t.describe());
}

#[test]
fn the_root_models_sync_section_names_the_project() {
    let fake = start();
    let with_sync = shared::the_sync_section_names_the_place(
        ("gitlab", &fake),
        ("GITLAB_TOKEN", TOKEN),
        &format!(
            "  gitlab:\n    project: acme/platform/shop\n    api_url: \"{}\"\n",
            fake.url
        ),
        "--project GROUP/NAME",
        ("  gitlab:\n    repo: acme/shop\n", "repo"),
    );
    // GitHub's --repo is not silently ignored.
    Test::new()
        .model(&with_sync)
        .args(["sync", "gitlab", "--repo", "acme/shop"])
        .env("GITLAB_TOKEN", TOKEN)
        .status(3)
        .stderr_contains("GitLab takes --project");
}

#[test]
fn rows_mitigations_makes_one_ticket_per_planned_mitigation() {
    let fake = start();
    let original = model(3);
    let t = sync(
        Test::new().model(&original),
        &fake,
        &["--apply", "--rows", "mitigations"],
    )
    .status(0);
    assert_eq!(fake.state().issues.len(), 3);
    let body = fake.issue(1).unwrap()["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.contains("<!-- tmkit:id=SHOP.T1/m1 -->") && body.contains("SHOP.T1"),
        "{body}"
    );
    let after = read(t.path());
    only_lines_added(&original, &after);
    assert_eq!(after.matches("ticket: \"https://").count(), 3, "{after}");
    let dir = t.path().to_path_buf();
    Test::new().cwd(&dir).args(["check"]).status(0);
}

#[test]
fn gitlab_ticket_states_reach_the_report() {
    let fake = start();
    let t = sync(Test::new().model(&model(2)), &fake, &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    // T1: an own due date and an assignee; T2: closed, due by its milestone.
    fake.edit(1, |i| {
        i["assignees"] = serde_json::json!([{"id": 3, "username": "ann", "name": "Ann"}]);
        i["due_date"] = "2027-01-15".into();
    });
    fake.edit(2, |i| {
        i["state"] = "closed".into();
        i["milestone"] = serde_json::json!({"id": 1, "title": "Q1", "due_date": "2027-03-31"});
    });
    let tickets = dir.join("tickets.json");
    sync(
        Test::new().cwd(&dir).env("SOURCE_DATE_EPOCH", "1796083200"),
        &fake,
        &["-f", "json", "-o", tickets.to_str().unwrap()],
    )
    .status(0);
    let sync_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&tickets).unwrap()).unwrap();
    assert_eq!(sync_json["tracker"], "GitLab");
    let md = Test::new()
        .cwd(&dir)
        .args(["report", "--tickets", tickets.to_str().unwrap()])
        .args(["--date", "2027-02-01"])
        .status(0)
        .stdout();
    assert!(
        md.contains("(open in GitLab on 2026-12-01, assigned to ann, **due 2027-01-15, overdue**)"),
        "{md}"
    );
    assert!(
        md.contains("(**closed in GitLab on 2026-12-01, not done in the model**, due 2027-03-31)"),
        "{md}"
    );
}

#[test]
fn close_closes_the_tickets_of_done_threats_only_when_asked() {
    let fake = start();
    let t = sync(Test::new().model(&model(3)), &fake, &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    mitigate(&dir, 1);
    // --close without --apply: the plan, in JSON, says close.
    let mut t = sync(Test::new().cwd(&dir), &fake, &["--close", "-f", "json"]).status(0);
    let v = t.json();
    let closing: Vec<&serde_json::Value> = v["plan"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] != "update")
        .collect();
    assert_eq!(
        closing,
        [
            &serde_json::json!({"action": "close", "qid": "SHOP.T1", "ticket": "https://gitlab.example/acme/platform/shop/-/issues/1"})
        ],
        "{v}"
    );
    assert!(v.get("applied").is_none());
    assert_eq!(fake.issue(1).unwrap()["state"], "opened");
    // --apply --close: one note, then closed; reported apart from proposals.
    let mut t = sync(
        Test::new().cwd(&dir),
        &fake,
        &["--apply", "--close", "-f", "json"],
    )
    .status(0);
    let v = t.json();
    assert_eq!(
        (&v["applied"]["closed"], &v["applied"]["proposed"]),
        (&1.into(), &0.into()),
        "{v}"
    );
    assert_eq!(fake.issue(1).unwrap()["state"], "closed");
    assert_eq!(fake.issue(2).unwrap()["state"], "opened");
    assert_eq!(fake.state().notes.len(), 1);
    // The second run: in sync, and the ticket read back as closed.
    let mut t = sync(Test::new().cwd(&dir), &fake, &["--apply", "--close"]).status(0);
    let out = t.stdout();
    assert!(out.contains("closed 0;"), "{out}");
    assert!(
        out.contains(
            "ticket  SHOP.T1: https://gitlab.example/acme/platform/shop/-/issues/1 closed"
        ),
        "{out}"
    );
    assert_eq!(fake.state().notes.len(), 1);
}
