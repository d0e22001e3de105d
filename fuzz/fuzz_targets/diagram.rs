//! Fuzz target `diagram`: a model of arbitrary user strings drawn as SVG,
//! Mermaid, DOT and PlantUML (expanded with attackers, and collapsed); each
//! output must pass its oracle (tmkit_render::oracles).
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
        model_input::assert_ok(&spec, check::verify(&check::diagrams(&m, &analysis)));
    }
});
