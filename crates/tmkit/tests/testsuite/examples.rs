//! The bundled examples check clean: exit 0, no warning, also with --deny warnings.

use crate::support::{Test, repo_root};

fn clean(dir: &str, id: &str, files: usize) {
    let path = repo_root().join(dir);
    let path = path.to_str().unwrap();
    Test::new()
        .args(["check", path, "--deny", "warnings"])
        .stderr_lacks("warning")
        .stderr_lacks("error")
        .stderr_contains(&format!("ok: {id} "))
        .stderr_contains(&format!("{files} model file"))
        .status(0);
    let mut t = Test::new().args(["check", path, "--format", "json"]);
    assert_eq!(t.json(), serde_json::json!([]), "{}", t.describe());
    assert_eq!(t.output().status.code(), Some(0));
}

#[test]
fn reference_example_checks_clean() {
    clean("examples/reference", "CCC", 1);
}

#[test]
fn composed_example_checks_clean() {
    clean("examples/composed", "SHOP", 4);
}
