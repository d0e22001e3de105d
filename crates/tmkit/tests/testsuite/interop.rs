//! `tmkit export` (sarif, csv, otm) and `tmkit import` (otm, tmyaml).

use crate::support::{Test, repo_root};

fn example(name: &str) -> String {
    repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

/// `tmkit export --format sarif` of the reference example copied to `dir`
/// of a fresh project (with a `.git` at its root when `git` is true): the
/// artifact URI of the one result, and the result.
fn reference_sarif_in(dir: &str, git: bool) -> (String, serde_json::Value) {
    let text =
        std::fs::read_to_string(repo_root().join("examples/reference/threatmodel.yaml")).unwrap();
    let mut t = Test::new().file(&format!("{dir}/threatmodel.yaml"), &text);
    if git {
        // A worktree or submodule checkout has a `.git` file, not a directory.
        t = t.file(".git", "gitdir: /elsewhere\n");
    }
    let mut t = t.args(["export", dir, "--format", "sarif"]).status(0);
    let doc = t.json();
    let result = doc["runs"][0]["results"][0].clone();
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    (uri, result)
}

#[test]
fn export_sarif_points_at_the_threat_line_relative_to_the_repository() {
    let (uri, result) = reference_sarif_in("security/threat model", true);
    assert_eq!(
        result["partialFingerprints"]["tmkitQualifiedId/v1"],
        "CCC.VULN_001"
    );
    assert_eq!(uri, "security/threat%20model/threatmodel.yaml");
    let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap() as usize;
    let text =
        std::fs::read_to_string(repo_root().join("examples/reference/threatmodel.yaml")).unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("VULN_001"));
    assert_eq!(result["level"], "warning");
    assert_eq!(result["properties"]["security-severity"], "6.5");
}

#[test]
fn export_sarif_outside_a_repository_is_relative_to_the_model() {
    // No `.git` anywhere above (a source tarball, a temporary directory):
    // URIs are relative to the root model's directory.
    let (uri, _) = reference_sarif_in("security/model", false);
    assert_eq!(uri, "threatmodel.yaml");
}

#[test]
fn export_csv_to_a_file() {
    let t = Test::new()
        .args([
            "export",
            &example("reference"),
            "--format",
            "csv",
            "--rows",
            "mitigations",
            "-o",
            "work.csv",
        ])
        .stdout_empty()
        .status(0);
    let text = std::fs::read_to_string(t.path().join("work.csv")).unwrap();
    assert!(text.starts_with("Qualified ID,Summary,"), "{text}");
    let rows: Vec<&str> = text
        .split("\r\n")
        .filter(|l| l.starts_with("CCC."))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].starts_with("CCC.VULN_001/m1,[medium] Mitigation"),
        "{text}"
    );
}

#[test]
fn export_otm_then_import_it_back_without_overwriting() {
    let t = Test::new()
        .args([
            "export",
            &example("composed"),
            "--format",
            "otm",
            "-o",
            "model.otm.json",
        ])
        .status(0);
    let dir = t.path().to_path_buf();
    Test::new()
        .cwd(&dir)
        .args(["import", "otm", "model.otm.json", "-o", "back"])
        .stderr_contains("imported 4 files, ")
        .status(0);
    Test::new().cwd(dir.join("back")).args(["check"]).status(0);
    let before = std::fs::read_to_string(dir.join("back/threatmodel.yaml")).unwrap();
    Test::new()
        .cwd(&dir)
        .args(["import", "otm", "model.otm.json", "-o", "back"])
        .stderr_contains("already exists (use --force to overwrite)")
        .status(3);
    assert_eq!(
        std::fs::read_to_string(dir.join("back/threatmodel.yaml")).unwrap(),
        before
    );
    Test::new()
        .cwd(&dir)
        .args(["import", "otm", "model.otm.json", "-o", "back", "--force"])
        .status(0);
}

#[test]
fn import_tmyaml_reports_counts_and_warnings_with_lines() {
    let src = repo_root().join("crates/tmkit-interop/tests/fixtures/tmyaml/SHOP");
    let t = Test::new()
        .args(["import", "tmyaml", &src.display().to_string(), "-o", "out"])
        .stderr_contains("9 threats (4 mitigated, ")
        .stderr_contains("SHOP.yaml:120: field `pentestTestable`")
        .status(0);
    assert!(t.path().join("out/PAYMENTS/threatmodel.yaml").exists());
}

#[test]
fn malformed_input_fails_with_file_and_line() {
    Test::new()
        .file(
            "X/X.yaml",
            "ID: X\ntitle: t\nthreats:\n  - ID: T\n    title: [oops\n",
        )
        .args(["import", "tmyaml", "X", "-o", "out"])
        .stderr_contains("X/X.yaml:")
        .status(2);
    Test::new()
        .file("bad.json", "{\n \"otmVersion\": 1,\n}")
        .args(["import", "otm", "bad.json", "-o", "out"])
        .stderr_contains("bad.json:")
        .status(2);
}

/// Imports `fixture` with `tmkit import ARGS...` and asserts that the summary
/// line counts what `tmkit metrics` counts on the result.
fn import_summary_agrees_with_metrics(args: &[&str], fixture: &str) {
    let src = repo_root().join(fixture).display().to_string();
    let mut all: Vec<&str> = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[src.as_str(), "-o", "out"]);
    let mut t = Test::new().args(all).status(0);
    let stderr = t.stderr();
    let dir = t.path().join("out");
    let m = Test::new()
        .args(["metrics", &dir.display().to_string(), "--format", "json"])
        .status(0)
        .json();
    let th = &m["threats"];
    let expected = format!(
        "{} threat{} ({} mitigated, {} accepted, {} partial, {} unmitigated)",
        th["total"],
        if th["total"] == 1 { "" } else { "s" },
        th["mitigated"],
        th["accepted"],
        th["partial"],
        th["unmitigated"]
    );
    assert!(stderr.contains(&expected), "{expected} not in\n{stderr}");
    Test::new()
        .args(["check", &dir.display().to_string()])
        .status(0);
}

#[test]
fn import_summaries_agree_with_metrics() {
    import_summary_agrees_with_metrics(
        &["threat-dragon"],
        "crates/tmkit-interop/tests/fixtures/threat-dragon/v2-shop.json",
    );
    import_summary_agrees_with_metrics(
        &["threat-dragon"],
        "crates/tmkit-interop/tests/fixtures/tmbom/library.json",
    );
    import_summary_agrees_with_metrics(
        &["tmyaml"],
        "crates/tmkit-interop/tests/fixtures/tmyaml/SHOP",
    );
}

#[test]
fn import_threat_dragon_warns_with_lines() {
    let src = repo_root().join("crates/tmkit-interop/tests/fixtures/threat-dragon/v2-shop.json");
    Test::new()
        .args([
            "import",
            "threat-dragon",
            &src.display().to_string(),
            "-o",
            "out",
        ])
        .stderr_contains(
            "v2-shop.json:157: data flow `Reporting export` has no element at its source",
        )
        .stderr_contains("2 proposed attackers added")
        .status(0);
    Test::new()
        .file(
            "bad.json",
            "{\"version\": \"9.1\", \"summary\": {}, \"detail\": {\"diagrams\": []}}",
        )
        .args(["import", "threat-dragon", "bad.json", "-o", "out"])
        .stderr_contains("Threat Dragon version 9.1 is not supported")
        .status(2);
}

#[test]
fn import_tm7_summary_agrees_with_metrics_and_refuses_dtds() {
    import_summary_agrees_with_metrics(
        &["tm7"],
        "crates/tmkit-interop/tests/fixtures/tm7/orders.tm7",
    );
    let bomb = repo_root().join("crates/tmkit-interop/tests/fixtures/tm7/billion-laughs.tm7");
    let t = Test::new()
        .args(["import", "tm7", &bomb.display().to_string(), "-o", "out"])
        .stderr_contains("DTD detected")
        .status(2);
    assert!(!t.path().join("out").exists());
}

#[test]
fn import_file_recognises_the_format_and_says_which() {
    for (fixture, said) in [
        (
            "threat-dragon/v2-shop.json",
            "recognised as OWASP Threat Dragon",
        ),
        ("tmbom/library.json", "recognised as TM-BOM"),
        (
            "tm7/orders.tm7",
            "recognised as Microsoft Threat Modeling Tool",
        ),
        ("tmyaml/SHOP", "recognised as tmyaml"),
        ("threagile/clinic.yaml", "recognised as Threagile"),
        ("pytm/chatbot.json", "recognised as pytm JSON"),
    ] {
        let src = repo_root()
            .join("crates/tmkit-interop/tests/fixtures")
            .join(fixture);
        Test::new()
            .args(["import", &src.display().to_string(), "-o", "out"])
            .stderr_contains(said)
            .status(0);
    }
    // The same result as naming the format.
    import_summary_agrees_with_metrics(&[], "crates/tmkit-interop/tests/fixtures/tm7/orders.tm7");
    import_summary_agrees_with_metrics(
        &[],
        "crates/tmkit-interop/tests/fixtures/threagile/clinic.yaml",
    );
    import_summary_agrees_with_metrics(
        &["threagile"],
        "crates/tmkit-interop/tests/fixtures/threagile/clinic.yaml",
    );
    Test::new()
        .file("tm.yaml", "tmkit: 1\nid: X\ntitle: x\n")
        .args(["import", "tm.yaml", "-o", "out"])
        .stderr_contains("already a tmkit model")
        .status(2);
    Test::new()
        .file("x.json", "{\"hello\": 1}")
        .args(["import", "x.json", "-o", "out"])
        .stderr_contains("unknown format")
        .status(2);
    Test::new()
        .file("x.xml", "<svg/>")
        .args(["import", "x.xml", "-o", "out"])
        .stderr_contains("not a Microsoft Threat Modeling Tool model")
        .status(2);
    Test::new()
        .file(
            "td.json",
            "{\"version\": \"3.0\", \"summary\": {}, \"detail\": {\"diagrams\": []}}",
        )
        .args(["import", "td.json", "-o", "out"])
        .stderr_contains("Threat Dragon version 3.0 is not supported")
        .status(2);
}

#[test]
fn a_model_without_attackers_fails_a_coverage_gate_and_an_import_does_not() {
    // What an import would give without proposed attackers: no question.
    Test::new()
        .model("tmkit: 1\nid: N\ntitle: n\nscope:\n  assets: [{ id: x, title: X }]\n")
        .args(["check", "--fail-on", "coverage:<0.5"])
        .stderr_contains("coverage of N is undefined")
        .status(1);
    // The proposed attackers make the imported model ask questions.
    let src = repo_root().join("crates/tmkit-interop/tests/fixtures/threat-dragon/v1-legacy.json");
    let t = Test::new()
        .args([
            "import",
            "threat-dragon",
            &src.display().to_string(),
            "-o",
            "out",
        ])
        .status(0);
    let dir = t.path().join("out").display().to_string();
    let m = Test::new()
        .args(["metrics", &dir, "--format", "json"])
        .status(0)
        .json();
    assert!(m["questions"]["total"].as_u64().unwrap() > 0, "{m}");
}
