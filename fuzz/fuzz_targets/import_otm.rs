//! Fuzz target `import_otm`: arbitrary bytes as an OTM document (JSON when
//! it starts with `{`, YAML otherwise). The importer must never panic, and
//! what it writes must stay below the output directory and pass `tmkit
//! check` (tmkit_interop::oracles::imported).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(out) = tmkit_interop::otm::import(&text, "fuzz.otm.json") {
        if let Err(e) = tmkit_interop::oracles::imported(&out) {
            panic!("{e}\n--- input ---\n{text}");
        }
    }
});
