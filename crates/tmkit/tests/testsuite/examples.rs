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
    assert_eq!(
        t.diagnostics_json(),
        serde_json::json!([]),
        "{}",
        t.describe()
    );
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

/// tmkit's own threat model (docs/threatmodel): every defect of the hardening
/// issue as a threat whose mitigation names its regression test.
#[test]
fn tmkits_own_threat_model_checks_clean() {
    clean("docs/threatmodel", "TMKIT", 1);
    let root = repo_root();
    let model = std::fs::read_to_string(root.join("docs/threatmodel/threatmodel.yaml")).unwrap();
    // Every named regression test exists: `path::name` pairs point at a file
    // that defines `fn name`.
    let mut named = 0;
    for part in model.split("crates/").skip(1) {
        let Some((path, rest)) = part.split_once("::") else {
            continue;
        };
        if path.contains(' ') || !path.ends_with(".rs") {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let src = std::fs::read_to_string(root.join("crates").join(path))
            .unwrap_or_else(|e| panic!("crates/{path}: {e}"));
        assert!(
            src.contains(&format!("fn {name}(")),
            "crates/{path} has no fn {name}"
        );
        named += 1;
    }
    assert!(named >= 20, "only {named} tests named");
}
