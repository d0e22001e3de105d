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

/// Checks an import with tmkit's own loader (in memory, as `tmkit import`
/// does before writing), failing the test on any error diagnostic.
pub fn check_import(out: &ImportOutput) -> Checked {
    let checked = out.check();
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
    checked
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

/// Each asset's local id and kind, in model order.
#[allow(dead_code)]
pub fn asset_kinds(model: &tmkit_model::Model) -> Vec<(&str, &str)> {
    (model.root().assets.iter())
        .map(|a| (a.id.as_str(), a.kind.as_str()))
        .collect()
}

/// import -> check -> export otm -> import otm keeps the same zones,
/// assets, flows and threats, and the threats' statuses.
#[allow(dead_code)]
pub fn assert_otm_round_trip(model: &tmkit_model::Model) {
    use tmkit_analysis::Analysis;
    let parts = |m: &tmkit_model::Model| {
        let r = m.root();
        let mut v: Vec<String> = r.zones.iter().map(|z| z.qid.to_string()).collect();
        v.extend(r.assets.iter().map(|a| a.qid.to_string()));
        v.extend(r.dataflows.iter().map(|f| f.qid.to_string()));
        v.extend(r.threats.iter().map(|t| t.qid.to_string()));
        let statuses: Vec<_> = Analysis::new(m).threats.iter().map(|t| t.status).collect();
        (v, statuses)
    };
    let json = tmkit_interop::otm::to_json(model, &Analysis::new(model));
    let back = check_import(&tmkit_interop::otm::import(&json, "round.otm.json").unwrap());
    assert_eq!(parts(&back.model.unwrap()), parts(model));
}
