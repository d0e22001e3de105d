//! `tmkit check`: exit codes, output formats, finding the model.

use crate::support::{Test, diagnostics};

/// A valid model with no warning.
pub const CLEAN: &str = "tmkit: 1
id: SHOP
title: Web shop
scope:
  assets:
    - { id: web, title: Storefront, kind: service }
  attackers:
    - { id: anon, title: Anonymous visitor }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
    targets: [web]
";

/// A valid model with exactly one warning (W0301: a threat without targets).
pub const WARNS: &str = "tmkit: 1
id: SHOP
title: Web shop
scope:
  assets:
    - { id: web, title: Storefront, kind: service }
  attackers:
    - { id: anon, title: Anonymous visitor }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
";

/// An invalid model with two errors in different places.
pub const BROKEN: &str = "tmkit: 1
id: SHOP
title: Web shop
scope:
  assets:
    - { id: web, title: Storefront, kind: servce }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
    targets: [webb]
";

#[test]
fn valid_model_exits_0() {
    Test::new()
        .model(CLEAN)
        .args(["check"])
        .stderr_contains("ok: SHOP (Web shop) is valid")
        .stderr_lacks("warning")
        .stdout_empty()
        .status(0);
}

#[test]
fn warnings_alone_exit_0() {
    Test::new()
        .model(WARNS)
        .args(["check"])
        .stderr_contains("warning[W0301]: threat 'T1' has no targets")
        .stderr_contains("--> threatmodel.yaml:10:9")
        .stderr_contains("0 errors, 1 warning")
        .status(0);
}

#[test]
fn deny_warnings_exits_1_on_a_warning() {
    Test::new()
        .model(WARNS)
        .args(["check", "--deny", "warnings"])
        .stderr_contains("warning[W0301]")
        .stderr_contains("gate failed [deny warnings]: 1 warning")
        .status(1);
}

#[test]
fn deny_warnings_exits_0_without_warnings() {
    Test::new()
        .model(CLEAN)
        .args(["check", "--deny", "warnings"])
        .stderr_lacks("gate failed")
        .status(0);
}

#[test]
fn errors_exit_2_even_with_deny_warnings() {
    Test::new()
        .model(BROKEN)
        .args(["check", "--deny", "warnings"])
        .stderr_lacks("gate failed")
        .status(2);
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    Test::new()
        .model(BROKEN)
        .args(["check"])
        .stderr_contains("error[E0107]: unknown asset kind 'servce'")
        .stderr_contains("--> threatmodel.yaml:6:43")
        .stderr_contains("help: did you mean 'service'?")
        .stderr_contains("error[E0201]: unresolved reference 'webb' in `targets`")
        .stderr_contains("--> threatmodel.yaml:11:15")
        .stderr_contains("help: did you mean 'web'?")
        .stderr_contains("2 errors, 0 warnings")
        .status(2);
}

#[test]
fn json_format_shape() {
    let mut t = Test::new()
        .model(BROKEN)
        .args(["check", "--format", "json"]);
    let json = t.diagnostics_json();
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 2, "{}", t.describe());
    // Sorted by position; every field present with the right type.
    let first = &items[0];
    assert_eq!(first["code"], "E0107");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["message"], "unknown asset kind 'servce'");
    assert_eq!(first["file"], "threatmodel.yaml");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(6), Some(43))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(6), Some(49))
    );
    assert!(first["label"].is_string());
    assert!(first["related"].as_array().is_some_and(|r| r.is_empty()));
    assert!(first["notes"].is_array());
    assert_eq!(first["help"], "did you mean 'service'?");
    assert_eq!(items[1]["code"], "E0201");
    // JSON on stdout, nothing on stderr.
    assert!(t.stderr().is_empty(), "{}", t.describe());
    assert_eq!(t.output().status.code(), Some(2));
}

#[test]
fn json_related_places() {
    let mut t = Test::new()
        .model("tmkit: 1\nid: X\ntitle: t\nscope:\n  assets:\n    - { id: a, title: A }\n    - { id: a, title: B }\n")
        .args(["check", "--format", "json"]);
    let json = t.diagnostics_json();
    let d = &json[0];
    assert_eq!(d["code"], "E0101");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(7), Some(13))
    );
    let related = d["related"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["file"], "threatmodel.yaml");
    assert_eq!(
        (related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some(6), Some(13))
    );
    assert_eq!(related[0]["message"], "first defined here");
}

#[test]
fn json_is_an_empty_array_when_clean() {
    let mut t = Test::new().model(CLEAN).args(["check", "--format", "json"]);
    assert_eq!(
        t.json(),
        serde_json::json!({"diagnostics": [], "gates": []})
    );
    assert_eq!(t.output().status.code(), Some(0));
}

#[test]
fn json_warnings_with_deny() {
    let mut t = Test::new()
        .model(WARNS)
        .args(["check", "--format", "json", "--deny", "warnings"]);
    let d = diagnostics(&t.json());
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].0.as_str(), d[0].2, d[0].3), ("W0301", 10, 9));
    assert_eq!(t.output().status.code(), Some(1));
}

#[test]
fn finds_the_model_walking_up() {
    Test::new()
        .model(CLEAN)
        .dir("docs/deep/er")
        .cwd("docs/deep/er")
        .args(["check"])
        .stderr_contains("ok: SHOP (Web shop) is valid")
        .status(0);
}

#[test]
fn walking_up_reports_errors_in_the_found_file() {
    let mut t = Test::new()
        .model(BROKEN)
        .dir("sub")
        .cwd("sub")
        .args(["check", "--format", "json"]);
    let d = diagnostics(&t.json());
    assert_eq!(t.output().status.code(), Some(2));
    assert!(d.iter().all(|x| x.1.ends_with("threatmodel.yaml")), "{d:?}");
}

#[test]
fn path_may_be_a_directory_or_a_file() {
    Test::new()
        .file("models/shop/threatmodel.yaml", CLEAN)
        .args(["check", "models/shop"])
        .status(0);
    Test::new()
        .file("models/shop.yaml", CLEAN)
        .args(["check", "models/shop.yaml"])
        .status(0);
}

#[test]
fn missing_path_exits_2() {
    Test::new()
        .args(["check", "nope.yaml"])
        .stderr_contains("nope.yaml")
        .status(2);
}

#[test]
fn usage_errors_exit_3() {
    Test::new()
        .model(CLEAN)
        .args(["check", "--format", "xml"])
        .stderr_contains("invalid value 'xml'")
        .status(3);
    Test::new().args(["frobnicate"]).status(3);
    Test::new()
        .model(CLEAN)
        .args(["check", "--limit", "nonsense=1"])
        .stderr_contains("invalid value 'nonsense=1' for '--limit <NAME=VALUE>'")
        .status(3);
    Test::new()
        .model(CLEAN)
        .args(["check", "--fail-on", "sometimes"])
        .stderr_contains("invalid --fail-on `sometimes`")
        .status(3);
}

#[test]
fn help_and_version_exit_0() {
    Test::new()
        .args(["--help"])
        .stdout_contains("check")
        .status(0);
    Test::new()
        .args(["--version"])
        .stdout_contains("tmkit")
        .status(0);
}

#[test]
fn valid_json_model() {
    Test::new()
        .file(
            "model.json",
            r#"{"tmkit": 1, "id": "SHOP", "title": "Web shop",
                "scope": {"assets": [{"id": "web", "title": "Storefront", "kind": "service"}]},
                "threats": [{"id": "T1", "title": "Defacement", "categories": ["integrity"], "targets": ["web"]}]}"#,
        )
        .args(["check", "model.json"])
        .stderr_contains("ok: SHOP (Web shop) is valid")
        .status(0);
}

#[test]
fn components_report_their_own_file() {
    Test::new()
        .model("tmkit: 1\nid: SHOP\ntitle: Web shop\ncomponents: [pay]\n")
        .file(
            "pay/threatmodel.yaml",
            "tmkit: 1\nid: PAY\ntitle: Payments\nscope:\n  assets:\n    - { id: psp, title: PSP, zone: nowhere }\n",
        )
        .args(["check"])
        .stderr_contains("error[E0205]: unresolved reference 'nowhere' in `zone`")
        .stderr_contains("--> pay/threatmodel.yaml:6:36")
        .status(2);
}

/// A model with `n` unknown top-level keys: `n` errors (E0102).
fn unknown_keys(n: usize) -> String {
    let mut s = String::from("tmkit: 1\nid: X\ntitle: t\n");
    for i in 0..n {
        s.push_str(&format!("k{i}: 1\n"));
    }
    s
}

#[test]
fn diagnostics_are_capped_in_every_format_with_the_total_kept() {
    let model = unknown_keys(50_000);
    // Human: 1,000 shown, one note for the rest, the summary counts all.
    let mut t = Test::new()
        .model(&model)
        .args(["check"])
        .stderr_contains("error[E0020]: 49000 more diagnostics omitted (49000 errors, 0 warnings): only the first 1000 are kept")
        .stderr_contains("--max-diagnostics")
        .stderr_contains("50000 errors, 0 warnings")
        .status(2);
    let err = t.stderr();
    assert_eq!(err.matches("error[E0102]").count(), 1000);
    assert!(err.len() < 1_000_000, "{} bytes", err.len());
    // JSON: the kept diagnostics, then the note.
    let mut t = Test::new()
        .model(&model)
        .args(["check", "--format", "json"])
        .status(2);
    assert!(t.stdout().len() < 1_000_000);
    let v = t.diagnostics_json();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1001);
    assert_eq!(items[1000]["code"], "E0020");
    assert_eq!(items[1000]["severity"], "error");
    assert!(
        items[1000]["message"]
            .as_str()
            .unwrap()
            .starts_with("49000 more diagnostics omitted")
    );
    // SARIF: the same, as results.
    let mut t = Test::new()
        .model(&model)
        .args(["check", "--format", "sarif"])
        .status(2);
    assert!(t.stdout().len() < 2_000_000);
    let v = t.json();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1001);
    assert_eq!(results[1000]["ruleId"], "E0020");
    // The flag lowers or raises the cap.
    let mut t = Test::new()
        .model(&model)
        .args(["check", "--format", "json", "--max-diagnostics", "10"])
        .status(2);
    assert_eq!(t.diagnostics_json().as_array().unwrap().len(), 11);
    let mut t = Test::new()
        .model(&unknown_keys(1_500))
        .args(["check", "--format", "json", "--max-diagnostics", "2000"])
        .status(2);
    assert_eq!(t.diagnostics_json().as_array().unwrap().len(), 1_500);
}

#[test]
fn omitted_warnings_alone_keep_exit_code_and_severity() {
    // 30 threats without targets: 30 warnings (W0301), valid model.
    let mut model = String::from(
        "tmkit: 1\nid: X\ntitle: t\nscope:\n  assets: [{id: a, title: A, kind: service}]\n  attackers: [{id: x, title: X}]\nthreats:\n",
    );
    for i in 0..30 {
        model.push_str(&format!(
            "  - {{ id: T{i}, title: t, categories: [integrity] }}\n"
        ));
    }
    Test::new()
        .model(&model)
        .args(["check", "--max-diagnostics", "5"])
        .stderr_contains("warning[E0020]: 25 more diagnostics omitted (0 errors, 25 warnings)")
        .stderr_contains("0 errors, 30 warnings")
        .stderr_contains("ok: X (t) is valid")
        .status(0);
    Test::new()
        .model(&model)
        .args(["check", "--max-diagnostics", "5", "--deny", "warnings"])
        .stderr_contains("gate failed [deny warnings]: 30 warnings")
        .status(1);
}

/// A model without attackers asks no question: W0901, coverage n/a in text,
/// null in JSON, and the coverage gate fails.
#[test]
fn a_model_without_attackers_has_no_coverage() {
    let model = "tmkit: 1\nid: SHOP\ntitle: Web shop\nscope:\n  assets:\n    - { id: web, title: Storefront, kind: service }\n";
    Test::new()
        .model(model)
        .args(["check", "--fail-on", "coverage:<0.8"])
        .stderr_contains("warning[W0901]: model SHOP asks no question: it has no in-scope attacker")
        .stderr_contains("coverage of SHOP is undefined")
        .status(1);
    Test::new()
        .model(model)
        .args(["metrics"])
        .stdout_contains("n/a")
        .status(0);
    let json = Test::new()
        .model(model)
        .args(["metrics", "--format", "json"])
        .status(0)
        .json();
    assert_eq!(json["questions"]["total"], 0);
    assert!(json["questions"]["coverage"].is_null(), "{json}");
    Test::new()
        .model(model)
        .args(["report", "--format", "md"])
        .stdout_contains("**Coverage: n/a**")
        .status(0);
}
