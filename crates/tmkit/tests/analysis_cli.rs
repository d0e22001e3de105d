//! `tmkit matrix`, `tmkit metrics` and `tmkit check --fail-on` on the reference example.

use assert_cmd::Command;
use std::path::PathBuf;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/reference/threatmodel.yaml")
}

fn tmkit(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("tmkit").unwrap().args(args).assert()
}

#[test]
fn metrics_json_of_the_reference() {
    let path = reference();
    let out = tmkit(&["metrics", path.to_str().unwrap(), "--format", "json"]).success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["model"], "CCC");
    assert_eq!(
        v["questions"],
        serde_json::json!({"total": 45, "answered": 6, "open": 39, "coverage": 0.1333})
    );
    assert_eq!(v["threats"]["unmitigated"], 1);
    assert_eq!(v["components"], serde_json::json!([]));
}

#[test]
fn metrics_text_and_matrix_open() {
    let path = reference();
    let out = tmkit(&["metrics", path.to_str().unwrap()]).success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("6 of 45 questions answered"), "{text}");
    let out = tmkit(&["matrix", path.to_str().unwrap(), "--open"]).success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // 39 open questions, listed one line per target x attacker (14 pairs
    // with an open category; dataflow.1 x installer is fully answered).
    assert!(text.contains("CCC: 39 open questions"), "{text}");
    assert_eq!(text.matches("What can go wrong for").count(), 14, "{text}");
    assert!(
        text.contains(
            "What can go wrong for CCC.dataflow.1 given an attack by CCC.editor for the aspect of confidentiality?"
        ),
        "{text}"
    );
    assert!(!text.contains("given an attack by CCC.installer for the aspect of confidentiality"));
    let out = tmkit(&["matrix", path.to_str().unwrap(), "--format", "csv"]).success();
    assert_eq!(
        out.get_output()
            .stdout
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        46
    );
}

#[test]
fn fail_on_gates_exit_1_with_a_message_per_violation() {
    let path = reference();
    let p = path.to_str().unwrap();
    let out = tmkit(&["check", p, "--fail-on", "unmitigated:medium"]).code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("CCC.VULN_001 is unmitigated (medium 6.5)"),
        "{err}"
    );
    tmkit(&["check", p, "--fail-on", "unmitigated:high"]).code(0);
    let out = tmkit(&["check", p, "--fail-on", "coverage:<0.8"]).code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("coverage of CCC is 13.3%"), "{err}");
    tmkit(&["check", p, "--fail-on", "coverage:<0.1"]).code(0);
    tmkit(&["check", p, "--fail-on", "untracked"]).code(0);
    tmkit(&["check", p, "--fail-on", "unmitigated:severe"]).code(3);
}

#[test]
fn matrix_of_an_invalid_model_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("threatmodel.yaml");
    std::fs::write(&file, "tmkit: 1\nid: X\n").unwrap();
    tmkit(&["matrix", file.to_str().unwrap()]).code(2);
    tmkit(&["metrics", file.to_str().unwrap()]).code(2);
}
