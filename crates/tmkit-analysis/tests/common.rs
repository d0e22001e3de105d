//! Helpers shared by the integration tests.
#![allow(dead_code)]

use tmkit_model::Model;

/// Loads an in-memory single-file model, panicking with the diagnostics if it
/// does not check.
pub fn model(yaml: &str) -> Model {
    let checked = tmkit_model::check_str(yaml);
    checked
        .model
        .unwrap_or_else(|| panic!("model does not check: {:#?}", checked.diagnostics))
}

/// Loads an in-memory project of several files.
pub fn project(files: &[(&str, &str)]) -> Model {
    let checked = tmkit_model::check_files(files, files[0].0);
    checked
        .model
        .unwrap_or_else(|| panic!("model does not check: {:#?}", checked.diagnostics))
}
