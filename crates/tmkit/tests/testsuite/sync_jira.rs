//! `tmkit sync jira` against the local fake Jira, Cloud (REST v3) and
//! Server (REST v2), no network: plan, --apply, write-back byte for byte,
//! idempotence by marker, a lost write-back, a closed ticket and
//! --accept-closed, a failure half-way, missing and wrong credentials,
//! hostile text.

use crate::support::Test;
use crate::support::sync::{self as shared, mitigate, only_lines_added, read};
use serde_json::Value;
use tmkit_testtools::fake_jira::FakeJira;

const USER: &str = "bot@acme.example";
const TOKEN: &str = "atl_cli_secret_789";
const PAT: &str = "pat_cli_secret_321";

/// A model with `n` untracked threats (block style, each with one planned
/// inline mitigation and hostile text), one mitigated threat and one
/// tracked in another tracker.
fn model(n: usize) -> String {
    let mut s = String::from(
        "tmkit: 1\nid: SHOP\ntitle: Web shop\nscope:\n  assets:\n    - { id: web, title: Storefront, kind: service }\n  attackers:\n    - { id: anon, title: Anonymous, zone: internet }\n  zones:\n    - { id: internet, title: Internet, trust: 0 }\nmitigations:\n  - id: tls\n    title: TLS\n    kind: design\n    in_place: true\nthreats:\n  - { id: DONE, title: Done, categories: [confidentiality], targets: [web], mitigations: [tls] }\n  - id: ELSE\n    title: Tracked on GitHub\n    categories: [integrity]\n    targets: [web]\n    ticket: acme/shop#4   # elsewhere\n",
    );
    for i in 1..=n {
        s.push_str(&format!(
            "  - id: T{i}\n    title: \"Threat <{i}> *bold* {{color:red}}[x|http://evil]\"   # a comment\n    description: \"h1. {{noformat}} tmkit:id=SHOP.DONE\"\n    categories: [availability]\n    targets: [web]\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n    mitigations:\n      - title: Rate limit {i}\n        kind: design\n        in_place: false\n"
        ));
    }
    s
}

fn fakes() -> [FakeJira; 2] {
    [
        FakeJira::cloud("SEC", USER, TOKEN),
        FakeJira::server("SEC", PAT),
    ]
}

/// `tmkit sync jira`, the site and API version in the model (`--api-url`
/// alone would pick v2 for a localhost site), credentials in the env.
fn with_site(yaml: &str, fake: &FakeJira) -> String {
    shared::with_sync(
        yaml,
        &format!(
            "  jira:\n    project: SEC\n    url: \"{}\"\n    api: {}\n",
            fake.url, fake.version
        ),
    )
}

fn sync(t: Test, fake: &FakeJira, extra: &[&str]) -> Test {
    let mut args = vec!["sync", "jira"];
    args.extend_from_slice(extra);
    let t = t.args(args);
    if fake.version == 3 {
        t.env("JIRA_USER", USER)
            .env("JIRA_API_TOKEN", TOKEN)
            .env("JIRA_PAT", "")
    } else {
        t.env("JIRA_PAT", PAT)
            .env("JIRA_USER", "")
            .env("JIRA_API_TOKEN", "")
    }
}

/// `tmkit sync jira --apply` of a model with `n` threats and the site:
/// every ticket created.
fn applied(fake: &FakeJira, n: usize) -> Test {
    sync(
        Test::new().model(&with_site(&model(n), fake)),
        fake,
        &["--apply"],
    )
    .status(0)
}

/// The plain text of a stored description.
fn text(d: &Value) -> String {
    match d {
        Value::String(s) => s.clone(),
        v => tmkit_sync::jira::doc::adf_text(v),
    }
}

#[test]
fn plan_apply_and_a_second_run_that_creates_nothing() {
    for fake in fakes() {
        fake.state().max_results = 4;
        let run = |t, extra: &[&str]| sync(t, &fake, extra);
        // The plan changes nothing; --apply goes through a rate limit and
        // a server error.
        let (t, after) = shared::plan_then_apply(
            &run,
            &fake,
            &with_site(&model(10), &fake),
            10,
            &["Jira: 10 to create", "elsewhere SHOP.ELSE: acme/shop#4"],
        );
        assert!(
            after.contains(&format!("ticket: \"{}/browse/SEC-1\"\n", fake.url)),
            "{after}"
        );
        // The description: the threat, the score, the visible marker.
        let issue = fake.issue("SEC-1").unwrap();
        let d = text(&issue["fields"]["description"]);
        assert!(d.contains("7") && d.contains("high"), "{d}");
        assert!(
            d.trim_end().ends_with(if fake.version == 3 {
                "tmkit:id=SHOP.T1"
            } else {
                "tmkit:id=SHOP\\.T1"
            }),
            "{d}"
        );
        assert_eq!(
            issue["fields"]["labels"],
            serde_json::json!(["threat-model", "severity:high"])
        );
        shared::a_second_run_changes_nothing(&run, &fake, t.path(), &after);
    }
}

#[test]
fn hostile_text_reaches_adf_and_wiki_markup_as_text() {
    for fake in fakes() {
        let t = applied(&fake, 1);
        let issue = fake.issue("SEC-1").unwrap();
        let f = &issue["fields"];
        assert_eq!(
            f["summary"],
            "SHOP.T1: Threat <1> *bold* {color:red}[x|http://evil]"
        );
        let d = &f["description"];
        if fake.version == 3 {
            // Every text in a text node; marks only where tmkit put them.
            let title = &d["content"][0]["content"][1];
            assert_eq!(
                title["text"],
                " SHOP.T1: Threat <1> *bold* {color:red}[x|http://evil]"
            );
            assert!(title.get("marks").is_none());
            let s = d.to_string();
            assert!(!s.contains("\"link\"") && !s.contains("\"em\""), "{s}");
            assert_eq!(
                d["content"][1]["content"][0]["text"],
                "h1. {noformat} tmkit:id=SHOP.DONE"
            );
        } else {
            let w = d.as_str().unwrap();
            assert!(
                w.contains("Threat <1> \\*bold\\* \\{color\\:red\\}\\[x\\|http\\://evil\\]"),
                "{w}"
            );
            assert!(
                w.contains("\n\nh1\\. \\{noformat\\} tmkit\\:id\\=SHOP\\.DONE\n\n"),
                "{w}"
            );
        }
        // The forged marker in the description does not link SHOP.DONE.
        let dir = t.path().to_path_buf();
        std::fs::write(dir.join("threatmodel.yaml"), with_site(&model(1), &fake)).unwrap();
        let mut t = sync(Test::new().cwd(&dir), &fake, &["-f", "json"]).status(0);
        let plan = t.json();
        let links: Vec<&str> = plan["plan"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["action"] == "link")
            .map(|a| a["qid"].as_str().unwrap())
            .collect();
        assert_eq!(links, ["SHOP.T1"], "v{}: {plan}", fake.version);
    }
}

#[test]
fn a_lost_write_back_is_found_again_by_the_marker() {
    for fake in fakes() {
        shared::a_lost_write_back_is_found_again(
            &|t, extra| sync(t, &fake, extra),
            &fake,
            &with_site(&model(3), &fake),
            &|| fake.edit("SEC-2", |f| f["summary"] = "Renamed by triage".into()),
        );
    }
}

#[test]
fn a_closed_ticket_is_reported_and_accepted_only_when_asked() {
    for fake in fakes() {
        shared::a_closed_ticket_is_accepted_only_when_asked(
            &|t, extra| sync(t, &fake, extra),
            &with_site(&model(2), &fake),
            &|| {
                fake.close("SEC-1");
                fake.edit("SEC-1", |f| {
                    f["assignee"] = serde_json::json!({"displayName": "Ann Lee"});
                    f["duedate"] = "2027-03-31".into();
                })
            },
            "assigned to Ann Lee, due 2027-03-31",
            &format!("{}/browse/SEC-1", fake.url),
        );
    }
}

#[test]
fn a_failure_half_way_writes_back_what_was_created_and_the_next_run_resumes() {
    for fake in fakes() {
        shared::a_failure_half_way_then_resumed(
            &|t, extra| sync(t, &fake, extra),
            &fake,
            &with_site(&model(6), &fake),
            (3, 6),
            "/browse/SEC-",
        );
    }
}

#[test]
fn missing_or_wrong_credentials_are_exit_3_and_never_printed() {
    let [cloud, server] = fakes();
    let args = |fake: &FakeJira| {
        vec![
            "sync".to_string(),
            "jira".into(),
            "--project".into(),
            "SEC".into(),
            "--api-url".into(),
            fake.url.clone(),
        ]
    };
    // --api-url on localhost picks REST v2: the Server fake.
    Test::new()
        .model(&model(1))
        .args(args(&server))
        .env("JIRA_PAT", "")
        .env("JIRA_USER", "")
        .env("JIRA_API_TOKEN", "")
        .status(3)
        .stderr_contains("JIRA_PAT is not set")
        .stderr_contains("Create issues");
    Test::new()
        .model(&with_site(&model(1), &cloud))
        .args(["sync", "jira"])
        .env("JIRA_USER", USER)
        .env("JIRA_API_TOKEN", "")
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("JIRA_USER and JIRA_API_TOKEN are not set")
        .stderr_contains("Browse projects");
    let mut t = Test::new()
        .model(&model(1))
        .args(
            args(&server)
                .iter()
                .map(String::as_str)
                .chain(["--apply", "-f", "json"]),
        )
        .env("JIRA_PAT", "pat_wrong_000")
        .status(3)
        .stderr_contains("HTTP 401")
        .stderr_contains("JIRA_PAT");
    let all = format!("{}{}", t.stdout(), t.stderr());
    assert!(!all.contains("pat_wrong_000"), "{all}");
    let mut t = Test::new()
        .model(&with_site(&model(1), &cloud))
        .args(["sync", "jira", "--apply"])
        .env("JIRA_USER", USER)
        .env("JIRA_API_TOKEN", "atl_wrong_111")
        .status(3)
        .stderr_contains("HTTP 401")
        .stderr_contains("JIRA_API_TOKEN");
    let all = format!("{}{}{}", t.stdout(), t.stderr(), read(t.path()));
    assert!(
        !all.contains("atl_wrong_111") && !all.contains(TOKEN),
        "{all}"
    );
    // An unknown project is a 404 naming it; no token over plain HTTP.
    Test::new()
        .model(&model(1))
        .args([
            "sync",
            "jira",
            "--project",
            "NOPE",
            "--api-url",
            &server.url,
        ])
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("HTTP 404")
        .stderr_contains("project NOPE not found");
    Test::new()
        .model(&model(1))
        .args([
            "sync",
            "jira",
            "--project",
            "SEC",
            "--api-url",
            "http://jira.example.com",
        ])
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("only sent over HTTPS");
}

#[test]
fn the_sync_section_is_checked_and_flags_override_it() {
    let [cloud, _] = fakes();
    // No project anywhere: a usage error naming both ways.
    Test::new()
        .model(&model(1))
        .args(["sync", "jira"])
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("--project KEY")
        .stderr_contains("sync:");
    Test::new()
        .model(&model(1))
        .args(["sync", "jira", "--project", "SEC"])
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("--api-url https://SITE");
    Test::new()
        .model(&with_site(&model(1), &cloud).replace("api: 3", "api: 4"))
        .args(["sync", "jira"])
        .env("JIRA_PAT", PAT)
        .status(3)
        .stderr_contains("`api: 4`");
    // A misspelt key is an error of the model.
    Test::new()
        .model(&with_site(&model(1), &cloud).replace("project: SEC", "key: SEC"))
        .args(["check"])
        .status(2)
        .stderr_contains("key");
    // --project overrides the model's.
    Test::new()
        .model(&with_site(&model(1), &cloud))
        .args(["sync", "jira", "--project", "OTHER"])
        .env("JIRA_USER", USER)
        .env("JIRA_API_TOKEN", TOKEN)
        .status(3)
        .stderr_contains("project OTHER not found");
}

#[test]
fn rows_mitigations_makes_one_ticket_per_planned_mitigation() {
    for fake in fakes() {
        let original = with_site(&model(3), &fake);
        let t = sync(
            Test::new().model(&original),
            &fake,
            &["--apply", "--rows", "mitigations"],
        )
        .status(0);
        assert_eq!(fake.state().issues.len(), 3);
        let d = text(&fake.issue("SEC-1").unwrap()["fields"]["description"]);
        assert!(d.contains("SHOP") && d.trim_end().ends_with("m1"), "{d}");
        let dir = t.path().to_path_buf();
        only_lines_added(&original, &read(&dir));
        Test::new().cwd(&dir).args(["check"]).status(0);
    }
}

#[test]
fn close_transitions_done_tickets_and_explains_a_workflow_without_done() {
    for fake in fakes() {
        let t = applied(&fake, 3);
        let dir = t.path().to_path_buf();
        mitigate(&dir, 1);
        let browse = |n: u32| format!("{}/browse/SEC-{n}", fake.url);
        let mut t = sync(Test::new().cwd(&dir), &fake, &["--close"]).status(0);
        let out = t.stdout();
        assert!(
            out.contains(&format!(
                "would close   SHOP.T1: {} (done in the model)",
                browse(1)
            )),
            "{out}"
        );
        let mut t = sync(Test::new().cwd(&dir), &fake, &["--apply", "--close"]).status(0);
        let out = t.stdout();
        assert!(
            out.contains("proposed closing 0, closed 1;"),
            "v{}: {out}",
            fake.version
        );
        let status = |key: &str| fake.issue(key).unwrap()["fields"]["status"].clone();
        assert_eq!(status("SEC-1")["statusCategory"]["key"], "done");
        assert_eq!(status("SEC-2")["statusCategory"]["key"], "new");
        assert_eq!(fake.state().comments.len(), 1);
        let mut t = sync(Test::new().cwd(&dir), &fake, &["--apply", "--close"]).status(0);
        assert!(
            t.stdout()
                .contains(&format!("ticket  SHOP.T1: {} closed", browse(1))),
            "{}",
            t.describe()
        );
        assert_eq!(fake.state().comments.len(), 1);
    }
    // A workflow that offers no way to Done: commented, reported, exit 0.
    let fake = FakeJira::server("SEC", PAT);
    fake.state().workflow = tmkit_testtools::fake_jira::Workflow::without_done();
    let t = applied(&fake, 2);
    let dir = t.path().to_path_buf();
    mitigate(&dir, 1);
    fake.move_to("SEC-1", "In Review");
    let mut t = sync(Test::new().cwd(&dir), &fake, &["--apply", "--close"]).status(0);
    let out = t.stdout();
    assert!(
        out.contains(&format!(
            "not closed SHOP.T1: {}/browse/SEC-1: the workflow offers no transition to a status in the Done category from its current status \"In Review\"",
            fake.url
        )) && out.contains("Transition issues"),
        "{out}"
    );
    assert!(out.contains("proposed closing 1, closed 0;"), "{out}");
    assert_eq!(fake.state().comments.len(), 1);
    assert_eq!(
        fake.issue("SEC-1").unwrap()["fields"]["status"]["name"],
        "In Review"
    );
    // In JSON, listed apart, and said on stderr too.
    let mut t = sync(
        Test::new().cwd(&dir),
        &fake,
        &["--apply", "--close", "-f", "json"],
    )
    .status(0);
    let v = t.json();
    assert_eq!(v["applied"]["not_closed"][0]["qid"], "SHOP.T1", "{v}");
    assert!(
        v["applied"]["not_closed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("\"In Review\""),
        "{v}"
    );
    assert!(
        t.stderr().contains("warning: SHOP.T1:") && t.stderr().contains("was not closed"),
        "{}",
        t.describe()
    );
    assert_eq!(fake.state().comments.len(), 1, "never commented twice");
}
