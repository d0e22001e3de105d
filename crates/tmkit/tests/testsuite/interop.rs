//! `tmkit export` (sarif, csv, otm) and `tmkit import` (otm, tmyaml).

use crate::support::{Test, repo_root};

fn example(name: &str) -> String {
    repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn export_sarif_points_at_the_threat_line_relative_to_the_repository() {
    let mut t = Test::new()
        .args(["export", &example("reference"), "--format", "sarif"])
        .status(0);
    let doc = t.json();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["tmkitQualifiedId/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, ["CCC.VULN_001"]);
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/reference/threatmodel.yaml"
    );
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let text =
        std::fs::read_to_string(repo_root().join("examples/reference/threatmodel.yaml")).unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("VULN_001"));
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(results[0]["properties"]["security-severity"], "6.5");
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
        .stderr_contains("imported 4 file(s)")
        .status(0);
    Test::new().cwd(dir.join("back")).args(["check"]).status(0);
    let before = std::fs::read_to_string(dir.join("back/threatmodel.yaml")).unwrap();
    Test::new()
        .cwd(&dir)
        .args(["import", "otm", "model.otm.json", "-o", "back"])
        .stderr_contains("already exists (use --force to overwrite)")
        .status(2);
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
        .stderr_contains("9 threat(s) (5 not mitigated)")
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
