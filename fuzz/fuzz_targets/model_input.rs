//! Shared by the renderer targets: the structured input (user strings and
//! shape bytes, from `arbitrary`) and the model it yields through the real
//! loader (YAML text written by `tmkit_render::oracles::model`).

use tmkit_render::oracles::model::{self, Spec};

/// The spec of `(texts, shape)`.
pub fn spec((texts, shape): (Vec<String>, Vec<u8>)) -> Spec {
    Spec { texts, shape }
}

/// Panics with the violation, the model and where it was written.
pub fn assert_ok(spec: &Spec, verdict: Result<(), String>) {
    if let Err(e) = verdict {
        panic!("{e}\n--- {} ---\n{}", model::root_path(spec), model::yaml(spec));
    }
}
