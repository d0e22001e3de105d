//! Fuzz target `import_tmyaml`: arbitrary bytes as the root file of a
//! "tmyaml" tree (`ROOT/ROOT.yaml`) and, after a `0xFF 0x00` separator, as
//! its child `KID` (`ROOT/KID/KID.yaml`, reachable as `children: [{REFID:
//! KID}]`). The importer must never panic, and what it writes must stay
//! below the output directory and pass `tmkit check`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tmkit_interop::tmyaml::import_from;
use tmkit_syntax::fs::MemoryFs;

fuzz_target!(|data: &[u8]| {
    let (root, child) = match data.windows(2).position(|w| w == [0xFF, 0x00]) {
        Some(i) => (&data[..i], Some(&data[i + 2..])),
        None => (data, None),
    };
    let mut src = MemoryFs::new();
    src.insert("ROOT/ROOT.yaml", root);
    if let Some(c) = child {
        src.insert("ROOT/KID/KID.yaml", c);
    }
    if let Ok(out) = import_from(&src, Path::new("ROOT")) {
        if let Err(e) = tmkit_interop::oracles::imported(&out) {
            panic!("{e}\n--- input ---\n{}", String::from_utf8_lossy(data));
        }
    }
});
