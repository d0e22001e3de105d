//! `tmkit init`: a valid starter model whose placeholders are warnings, and
//! never overwrites.

use crate::support::Test;

#[test]
fn writes_a_valid_model_whose_placeholders_are_warnings() {
    let t = Test::new()
        .args(["init", "model"])
        .stderr_contains("wrote")
        .status(0);
    let dir = t.path().join("model");
    let path = dir.join("threatmodel.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=./threatmodel.schema.json\n"),
        "{text}"
    );
    let schema = std::fs::read_to_string(dir.join("threatmodel.schema.json")).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&schema).is_ok());
    // Valid as written, but every untouched placeholder is a W0305 warning...
    let placeholders = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains("TODO"))
        .count();
    assert!(placeholders >= 10, "{text}");
    let mut json = Test::new().cwd(&dir).args(["check", "--format", "json"]);
    assert_eq!(json.output().status.code(), Some(0), "{}", json.describe());
    let diags = json.diagnostics_json();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["W0305"; placeholders], "{}", json.describe());
    // ...so that `--deny warnings` fails until they are filled in.
    Test::new()
        .cwd(&dir)
        .args(["check", "--deny", "warnings"])
        .stderr_contains(
            "warning[W0305]: placeholder left from tmkit init: 'TODO name of the system'",
        )
        .status(1);
    std::fs::write(&path, text.replace("TODO", "Filled")).unwrap();
    Test::new()
        .cwd(&dir)
        .args(["check", "--deny", "warnings"])
        .stderr_lacks("warning")
        .stderr_contains("ok: APP")
        .status(0);
}

#[test]
fn writes_into_the_current_directory_by_default() {
    let t = Test::new().args(["init", "--id", "SHOP"]).status(0);
    let text = std::fs::read_to_string(t.path().join("threatmodel.yaml")).unwrap();
    assert!(text.contains("\nid: SHOP\n"), "{text}");
    Test::new()
        .cwd(t.path())
        .args(["check"])
        .stderr_contains("ok: SHOP")
        .status(0);
}

#[test]
fn refuses_to_overwrite_a_model() {
    let t = Test::new()
        .model("# mine, do not touch\n")
        .args(["init"])
        .stderr_contains("already exists")
        .status(3);
    let text = std::fs::read_to_string(t.path().join("threatmodel.yaml")).unwrap();
    assert_eq!(text, "# mine, do not touch\n");
    assert!(!t.path().join("threatmodel.schema.json").exists());
}

#[test]
fn refuses_to_overwrite_a_schema_file() {
    let t = Test::new()
        .file("threatmodel.schema.json", "{}")
        .args(["init"])
        .stderr_contains("already exists")
        .status(3);
    assert!(!t.path().join("threatmodel.yaml").exists());
    let text = std::fs::read_to_string(t.path().join("threatmodel.schema.json")).unwrap();
    assert_eq!(text, "{}");
}

#[test]
fn second_init_fails_and_keeps_the_first() {
    let first = Test::new().args(["init"]).status(0);
    let dir = first.path().to_path_buf();
    let before = std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap();
    Test::new()
        .cwd(&dir)
        .args(["init", "--id", "OTHER"])
        .stderr_contains("never overwrites")
        .status(3);
    assert_eq!(
        std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap(),
        before
    );
}

#[test]
fn rejects_an_invalid_id() {
    let t = Test::new()
        .args(["init", "--id", "1 bad"])
        .stderr_contains("invalid model id '1 bad'")
        .status(3);
    assert!(!t.path().join("threatmodel.yaml").exists());
}
