//! Shared helpers: fixture paths, checking imported trees, schemas.

use std::path::{Path, PathBuf};
use tmkit_interop::ImportOutput;
use tmkit_model::Checked;

/// Absolute path of a file under `tests/`.
pub fn test_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

/// Writes an import into a fresh directory and checks it with tmkit's own
/// loader, failing the test on any error diagnostic.
pub fn check_import(out: &ImportOutput) -> (tempfile::TempDir, Checked) {
    let dir = tempfile::tempdir().unwrap();
    for f in &out.files {
        let path = dir.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.contents).unwrap();
    }
    let checked = tmkit_model::check_path(dir.path());
    if checked.has_errors() || checked.model.is_none() {
        let mut listing = String::new();
        for f in &out.files {
            listing.push_str(&format!("--- {}\n{}\n", f.path, f.contents));
        }
        panic!(
            "imported model does not check:\n{}\n{listing}",
            tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false)
        );
    }
    (dir, checked)
}

/// A validator for one of the vendored official schemas.
#[allow(dead_code)]
pub fn validator(schema_file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(test_path(&format!("schemas/{schema_file}"))).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Asserts that `instance` is valid, listing every violation otherwise.
#[allow(dead_code)]
pub fn assert_valid(validator: &jsonschema::Validator, instance: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

/// Loads and checks a fixture model, failing on errors.
#[allow(dead_code)]
pub fn load(rel: &str) -> (tmkit_model::Model, Checked) {
    let checked = tmkit_model::check_path(&test_path(rel));
    assert!(
        !checked.has_errors(),
        "{}",
        tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false)
    );
    (checked.model.clone().expect("a model"), checked)
}
