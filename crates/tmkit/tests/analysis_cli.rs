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
        serde_json::json!({"total": 45, "answered": 6, "open": 39, "coverage": 0.1333, "with_suggestions": 39})
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
        err.contains("CCC.VULN_001 is unmitigated (6.5 medium)"),
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

#[test]
fn piped_text_tables_are_100_columns_whatever_the_terminal() {
    // Not a terminal: the documented default width, so files and pipes do
    // not depend on where they were made (COLUMNS is for terminals only).
    let path = reference();
    let p = path.to_str().unwrap();
    for command in ["matrix", "metrics"] {
        let widest = |columns: Option<&str>| {
            let mut cmd = Command::cargo_bin("tmkit").unwrap();
            if let Some(c) = columns {
                cmd.env("COLUMNS", c);
            }
            let out = cmd.args([command, p]).assert().success();
            let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
            text.lines().map(|l| l.chars().count()).max().unwrap()
        };
        let default = widest(None);
        assert!(default <= 100, "{command}: {default}");
        assert_eq!(widest(Some("200")), default, "{command}");
        assert_eq!(widest(Some("50")), default, "{command}");
    }
}

/// util-linux `script`: runs a command on a pseudo-terminal.
const SCRIPT: tmkit_testtools::Tool = tmkit_testtools::Tool {
    name: "util-linux `script`",
    candidates: &["script"],
    install: "apt-get install bsdutils",
};

#[test]
fn text_tables_fit_the_terminal() {
    let Some(script) = tmkit_testtools::require(&SCRIPT, "text_tables_fit_the_terminal") else {
        return;
    };
    let bin = assert_cmd::cargo::cargo_bin("tmkit");
    let path = reference();
    // On a terminal of `cols` columns: the widest line of `tmkit matrix`.
    let widest = |cols: usize| {
        let inner = format!(
            "stty rows 24 cols {cols}; '{}' matrix '{}'",
            bin.display(),
            path.display()
        );
        let out = std::process::Command::new(&script)
            .args(["-qec", &inner, "/dev/null"])
            // `script` forwards its stdin to the terminal: give it none,
            // so it never reads the test runner's.
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("dataflow.1"), "{text}");
        text.lines()
            .map(|l| l.trim_end_matches('\r').chars().count())
            .max()
            .unwrap()
    };
    let (narrow, wide) = (widest(70), widest(150));
    assert!(narrow <= 70, "{narrow}");
    // The reference's matrix needs more than 100 columns to show in full.
    assert!(wide > 100 && wide <= 150, "{wide}");

    // Written to a file from that terminal: the default 100 columns.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("matrix.txt");
    let inner = format!(
        "stty rows 24 cols 70; '{}' matrix '{}' -o '{}'",
        bin.display(),
        path.display(),
        file.display()
    );
    let status = std::process::Command::new(&script)
        .args(["-qec", &inner, "/dev/null"])
        // `script` forwards its stdin to the terminal: give it none,
        // so it never reads the test runner's.
        .stdin(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest > 70 && widest <= 100, "{widest}");
}
