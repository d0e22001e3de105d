//! Fuzz target `report`: a model whose free-text fields (and some ids) are
//! arbitrary user strings, rendered in every report view as Markdown, HTML
//! and JSON; each output must pass its oracle (tmkit_render::oracles).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit_render::oracles::{check, model};

#[path = "model_input.rs"]
mod model_input;

fuzz_target!(|input: (Vec<String>, Vec<u8>)| {
    let spec = model_input::spec(input);
    if let Some(m) = model::load(&spec) {
        model_input::assert_ok(&spec, check::verify(&check::reports(&m)));
    }
});
