//! Fuzz target `import_diagrams`: arbitrary bytes as a Threat Dragon or
//! TM-BOM document (JSON) and as a TMT `.tm7` file (XML). The importers must
//! never panic, and what they import must pass `tmkit check`
//! (tmkit_interop::oracles::imported).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let results = [
        tmkit_interop::threat_dragon::import(&text, "fuzz.json"),
        tmkit_interop::tm7::import(&text, "fuzz.tm7"),
    ];
    for out in results.into_iter().flatten() {
        if let Err(e) = tmkit_interop::oracles::imported(&out) {
            panic!("{e}\n--- input ---\n{text}");
        }
    }
});
