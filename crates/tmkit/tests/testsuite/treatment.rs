//! Risk treatment and evidence on the command line: `--date`,
//! `--expiring-within`, the dated gates, `--verify-evidence`, the
//! acceptance register and the public view.

use crate::support::Test;

/// An acceptance expiring on 2026-03-10, one expired on 2026-02-01, a
/// transfer, a control due on 2026-02-01 and not in place, a control in
/// place with evidence, with every internal value spelt to be searched for.
const TREATED: &str = r#"tmkit: 1
id: SHOP
title: Web shop
scope:
  assets:
    - { id: web, title: Storefront, kind: service }
mitigations:
  - id: acc
    title: Defacement accepted
    kind: risk-acceptance
    in_place: true
    owner: Owner-Secret
    accepted: 2026-01-01
    expires: 2026-03-10
    rationale: Rationale-Secret
  - id: old
    title: Old acceptance
    kind: risk-acceptance
    in_place: true
    owner: Owner-Two
    expires: 2026-02-01
  - id: ins
    title: Insured
    kind: transfer
    in_place: true
    party: Party-Secret
    reference: Reference-Secret
  - id: plan
    title: Rate limit
    kind: design
    in_place: false
    due: 2026-02-01
  - id: waf
    title: WAF
    kind: design
    in_place: true
    evidence:
      - {test: "tests/waf.rs::blocks_sqli"}
      - {file: deploy/waf.conf, note: Note-Secret}
      - {url: "https://public.example.com/waf", public: true}
threats:
  - { id: T1, title: Defacement, categories: [integrity], targets: [web], mitigations: [acc] }
  - { id: T2, title: Old, categories: [availability], targets: [web], mitigations: [old] }
  - { id: T3, title: Fraud, categories: [confidentiality], targets: [web], mitigations: [ins] }
  - { id: T4, title: Injection, categories: [integrity], targets: [web], mitigations: [waf] }
  - { id: T5, title: Flood, categories: [availability], targets: [web], mitigations: [plan] }
"#;

#[test]
fn check_warns_on_expired_expiring_and_overdue_on_the_date_given() {
    Test::new()
        .model(TREATED)
        .args(["check", "--date", "2026-03-01"])
        .status(0)
        .stderr_contains("warning[W0503]: risk acceptance SHOP.old expired on 2026-02-01 (28 days ago)")
        .stderr_contains("warning[W0504]: risk acceptance SHOP.acc expires on 2026-03-10 (9 days left, within 30 days)")
        .stderr_contains("warning[W0505]: mitigation SHOP.plan was due on 2026-02-01 (28 days ago)")
        .stderr_contains("threatmodel.yaml:14:14");
    // A narrower window: `acc` is no longer expiring; earlier: nothing is due.
    Test::new()
        .model(TREATED)
        .args(["check", "--date", "2026-03-01", "--expiring-within", "5d"])
        .status(0)
        .stderr_lacks("W0504");
    Test::new()
        .model(TREATED)
        .args(["check", "--date", "2025-06-01"])
        .status(0)
        .stderr_lacks("W050");
    Test::new()
        .model(TREATED)
        .args(["check", "--date", "2026-03-01", "--deny", "warnings"])
        .status(1);
}

#[test]
fn a_bad_date_is_a_usage_error() {
    Test::new()
        .model(TREATED)
        .args(["check", "--date", "2026-02-30"])
        .status(3)
        .stderr_contains("has no day 30");
    Test::new()
        .model(TREATED)
        .args(["check", "--expiring-within", "soon"])
        .status(3);
}

#[test]
fn dated_gates_fail_and_are_in_the_json_output() {
    let mut t = Test::new()
        .model(TREATED)
        .args([
            "check",
            "--date",
            "2026-03-01",
            "--format",
            "json",
            "--fail-on",
            "expired",
            "--fail-on",
            "expiring:30d",
            "--fail-on",
            "expiring:5d",
            "--fail-on",
            "overdue",
            "--fail-on",
            "unevidenced",
        ])
        .status(1);
    let v = t.json();
    let gates: Vec<(String, Vec<String>)> = v["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .map(|g| {
            let elements = g["violations"]
                .as_array()
                .expect("violations")
                .iter()
                .map(|x| x["element"].as_str().unwrap_or("").to_string())
                .collect();
            (g["policy"].as_str().unwrap_or("").to_string(), elements)
        })
        .collect();
    let expect = |p: &str, e: &[&str]| (p.to_string(), e.iter().map(|s| s.to_string()).collect());
    assert_eq!(
        gates,
        [
            expect("expired", &["SHOP.old"]),
            expect("expiring:30d", &["SHOP.acc", "SHOP.old"]),
            expect("expiring:5d", &["SHOP.old"]),
            expect("overdue", &["SHOP.plan"]),
            expect("unevidenced", &["SHOP.acc", "SHOP.old", "SHOP.ins"]),
        ]
    );
    // Before every date, the dated gates pass.
    Test::new()
        .model(TREATED)
        .args([
            "check",
            "--date",
            "2025-06-01",
            "--fail-on",
            "expired",
            "--fail-on",
            "overdue",
        ])
        .status(0);
}

/// `check` of the model in `model/`, verifying its evidence.
const VERIFY: [&str; 5] = [
    "check",
    "model",
    "--date",
    "2025-06-01",
    "--verify-evidence",
];

/// A repository (`.git`) with the model in a sub-directory.
fn repository(waf: &str) -> Test {
    Test::new()
        .dir(".git")
        .file("tests/waf.rs", waf)
        .file("deploy/waf.conf", "rules\n")
        .file("model/threatmodel.yaml", TREATED)
}

#[test]
fn evidence_is_verified_from_the_repository_root() {
    repository("#[test]\nfn blocks_sqli() {}\n")
        .args(VERIFY)
        .status(0);
    // Without --verify-evidence nothing is read.
    Test::new()
        .file("model/threatmodel.yaml", TREATED)
        .args(["check", "model", "--date", "2025-06-01"])
        .status(0);
    repository("fn blocks_sqli_more() {}\n")
        .args(VERIFY)
        .status(2)
        .stderr_contains(
            "error[E0510]: evidence of SHOP.waf: no test 'blocks_sqli' in 'tests/waf.rs'",
        )
        .stderr_contains("threatmodel.yaml:38:16");
    Test::new()
        .dir(".git")
        .file("tests/waf.rs", "fn blocks_sqli() {}")
        .file("model/threatmodel.yaml", TREATED)
        .args(VERIFY)
        .status(2)
        .stderr_contains("error[E0509]: evidence of SHOP.waf: 'deploy/waf.conf' does not exist")
        .stderr_contains("threatmodel.yaml:39:16");
}

#[test]
fn evidence_outside_the_repository_is_not_read() {
    let escaping = TREATED.replace("deploy/waf.conf", "../outside.conf");
    repository("fn blocks_sqli() {}")
        .file("outside.conf", "x")
        .file("model/threatmodel.yaml", &escaping)
        .args(VERIFY)
        .status(2)
        .stderr_contains("'../outside.conf' is not a path inside the repository");
    #[cfg(unix)]
    {
        let t = Test::new().dir("repo/.git").file("secret.conf", "x");
        let root = t.path().to_path_buf();
        std::os::unix::fs::symlink(root.join("secret.conf"), root.join("repo/link.conf"))
            .expect("symlink");
        let linked = TREATED
            .replace("deploy/waf.conf", "link.conf")
            .replace("\n      - {test: \"tests/waf.rs::blocks_sqli\"}", "");
        t.file("repo/threatmodel.yaml", &linked)
            .args(["check", "repo", "--date", "2025-06-01", "--verify-evidence"])
            .status(2)
            .stderr_contains("'link.conf' leads outside the repository");
    }
}

#[test]
fn the_register_shows_days_left_from_the_report_date() {
    let mut t = Test::new()
        .model(TREATED)
        .args(["report", "--date", "2026-03-01"])
        .status(0);
    let md = t.stdout();
    assert!(
        md.contains("## <a id=\"_register\"></a>Acceptance register"),
        "{md}"
    );
    assert!(
        md.contains("| Owner-Two |  | 2026-02-01 | **expired, 28 days ago** |"),
        "{md}"
    );
    assert!(
        md.contains("| Owner-Secret | 2026-01-01 | 2026-03-10 | 9 | Rationale-Secret |"),
        "{md}"
    );
    assert!(md.contains("transferred to Party-Secret"), "{md}");
    let mut t = Test::new()
        .model(TREATED)
        .args([
            "report",
            "--date",
            "2026-03-01",
            "--view",
            "unmitigated",
            "--format",
            "json",
        ])
        .status(0);
    let v = t.json();
    let register = v["register"].as_array().expect("register");
    let rows: Vec<(&str, i64)> = register
        .iter()
        .filter_map(|r| Some((r["mitigation"].as_str()?, r["days_left"].as_i64()?)))
        .collect();
    assert_eq!(rows, [("SHOP.old", -28), ("SHOP.acc", 9)]);
    assert_eq!(register[2]["party"], "Party-Secret");
    assert_eq!(v["metrics"]["deadlines"]["expired"], 1);
}

#[test]
fn the_public_view_shows_no_treatment_and_no_private_evidence() {
    for format in ["md", "html", "json"] {
        let mut t = Test::new()
            .model(TREATED)
            .args([
                "report",
                "--date",
                "2026-03-01",
                "--view",
                "public",
                "--format",
                format,
            ])
            .status(0);
        let out = t.stdout();
        for secret in [
            "Owner-Secret",
            "Owner-Two",
            "Rationale-Secret",
            "Party-Secret",
            "Reference-Secret",
            "Note-Secret",
            "2026-03-10",
            "2026-01-01",
            "2026-02-01",
            "waf.conf",
            "tests/waf.rs",
            "Acceptance register",
        ] {
            assert!(!out.contains(secret), "{format} shows {secret}");
        }
        assert!(out.contains("https://public.example.com/waf"), "{format}");
        if format != "json" {
            assert!(out.contains("2 withheld"), "{format}");
        }
    }
}

#[test]
fn metrics_count_deadlines_and_evidence() {
    Test::new()
        .model(TREATED)
        .args(["metrics", "--date", "2026-03-01"])
        .status(0)
        .stdout_contains("4 in place (1 evidenced, 3 claimed), 1 planned")
        .stdout_contains("deadlines    on 2026-03-01: 1 acceptance expired, 1 expiring within 30 days, 1 mitigation overdue");
    let mut t = Test::new()
        .model(TREATED)
        .args([
            "metrics",
            "--date",
            "2026-03-01",
            "--expiring-within",
            "5",
            "--format",
            "json",
        ])
        .status(0);
    let v = t.json();
    assert_eq!(v["deadlines"]["expiring"], 0);
    assert_eq!(v["deadlines"]["window_days"], 5);
    assert_eq!(v["mitigations"]["evidenced"], 1);
    assert_eq!(v["mitigations"]["claimed"], 3);
}

#[test]
fn an_evidence_url_is_linked_only_when_safe() {
    let hostile = TREATED.replace(
        "https://public.example.com/waf\", public: true",
        "javascript:alert(1)\", note: \"<b>x</b>\"",
    );
    let mut t = Test::new()
        .model(&hostile)
        .args(["report", "--date", "2026-03-01", "--format", "html"])
        .status(0);
    let html = t.stdout();
    assert!(html.contains("<code>javascript:alert(1)</code>"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
}

#[test]
fn a_report_without_a_date_shows_no_days_left() {
    let mut t = Test::new()
        .model(TREATED)
        .args(["report", "--format", "json"])
        .status(0);
    let v = t.json();
    assert!(v["register"][0]["days_left"].is_null(), "{v}");
    assert!(v["metrics"]["deadlines"].is_null(), "{v}");
    let mut t = Test::new()
        .model(TREATED)
        .args(["report", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", "1772323200")
        .status(0);
    let v = t.json();
    assert_eq!(v["date"], "2026-03-01");
    assert_eq!(v["register"][0]["days_left"], -28);
}
