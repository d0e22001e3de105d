//! Fuzz target `export`: a model of arbitrary user strings (in a directory
//! named by user text) exported as CSV, SARIF (threats and diagnostics) and
//! OTM; each output must pass its oracle, and the OTM must import back into
//! a model that checks (tmkit_interop::oracles).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit_render::oracles::{check, model};

#[path = "model_input.rs"]
mod model_input;

fuzz_target!(|input: (Vec<String>, Vec<u8>)| {
    let spec = model_input::spec(input);
    let checked = model::check(&spec);
    let prefix = spec.texts.last().cloned().unwrap_or_default();
    let outputs = tmkit_interop::oracles::exports(&checked, &prefix);
    model_input::assert_ok(&spec, check::verify(&outputs));
});
