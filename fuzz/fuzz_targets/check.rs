//! Fuzz target `check`: arbitrary bytes as the root model (and, after a
//! 0xFF 0x00 separator, a component file it may include) through the whole
//! loader and checker, in memory. It must never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tmkit_syntax::fs::MemoryFs;
use tmkit_syntax::node::Limits;

fuzz_target!(|data: &[u8]| {
    let (root, component) = match data.windows(2).position(|w| w == [0xFF, 0x00]) {
        Some(i) => (&data[..i], Some(&data[i + 2..])),
        None => (data, None),
    };
    let mut fs = MemoryFs::new();
    fs.insert("threatmodel.yaml", root.to_vec());
    if let Some(c) = component {
        // Reachable as `components: [c]`, `[c/threatmodel.yaml]` or `imports: [c.yaml]`.
        fs.insert("c/threatmodel.yaml", c.to_vec());
        fs.insert("c.yaml", c.to_vec());
    }
    let checked = tmkit_model::check_with(&fs, Path::new("threatmodel.yaml"), &Limits::default());
    // Rendering is part of what users see: it must not panic either.
    // Diagnostics go to a terminal: no control character from the input.
    let human = tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false);
    if let Err(e) = tmkit_render::oracles::terminal(&human) {
        panic!("diagnostics: {e}");
    }
    let _ = tmkit_syntax::diagnostic::render_json(&checked.diagnostics, &checked.files);
    // An error-free check yields a model; any error withholds it.
    assert_eq!(checked.model.is_some(), !checked.has_errors());
});
