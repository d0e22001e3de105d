//! Fuzz target `text`: a model of arbitrary user strings through `tmkit
//! metrics` (text, JSON) and `tmkit matrix` (text, Markdown, CSV, JSON);
//! each output must pass its oracle (no control character on a terminal...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tmkit_analysis::Analysis;
use tmkit_render::oracles::{check, model};

#[path = "model_input.rs"]
mod model_input;

fuzz_target!(|input: (Vec<String>, Vec<u8>)| {
    let spec = model_input::spec(input);
    if let Some(m) = model::load(&spec) {
        let analysis = Analysis::new(&m);
        model_input::assert_ok(&spec, check::verify(&check::text_outputs(&m, &analysis)));
    }
});
