//! `tmkit init`: a starter model that checks clean, and never overwrites.

use crate::support::Test;

#[test]
fn writes_a_model_that_checks_clean_with_no_warning() {
    let t = Test::new()
        .args(["init", "model"])
        .stderr_contains("wrote")
        .status(0);
    let dir = t.path().join("model");
    let text = std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=./threatmodel.schema.json\n"),
        "{text}"
    );
    assert!(text.contains("TODO"), "{text}");
    let schema = std::fs::read_to_string(dir.join("threatmodel.schema.json")).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&schema).is_ok());
    Test::new()
        .cwd(&dir)
        .args(["check", "--deny", "warnings"])
        .stderr_lacks("warning")
        .stderr_contains("ok: APP")
        .status(0);
    let mut json = Test::new().cwd(&dir).args(["check", "--format", "json"]);
    assert_eq!(json.json(), serde_json::json!([]), "{}", json.describe());
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
        .status(2);
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
        .status(2);
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
        .status(2);
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
        .status(2);
    assert!(!t.path().join("threatmodel.yaml").exists());
}
