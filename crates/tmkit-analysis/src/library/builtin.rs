//! The built-in library: the YAML files of `library/` at the repository
//! root, embedded in the binary. `tmkit library check` and the tests check
//! them like any user library.

use super::{Library, parse_library_str};
use tmkit_syntax::Files;
use tmkit_syntax::node::Limits;

/// The built-in library's files: (path shown, text), in layering order.
pub const FILES: &[(&str, &str)] = &[
    (
        "library/flows.yaml",
        include_str!("../../../../library/flows.yaml"),
    ),
    (
        "library/datastores.yaml",
        include_str!("../../../../library/datastores.yaml"),
    ),
    (
        "library/services.yaml",
        include_str!("../../../../library/services.yaml"),
    ),
    (
        "library/secrets.yaml",
        include_str!("../../../../library/secrets.yaml"),
    ),
    (
        "library/data.yaml",
        include_str!("../../../../library/data.yaml"),
    ),
    (
        "library/entities.yaml",
        include_str!("../../../../library/entities.yaml"),
    ),
];

/// The built-in library. Its files are checked by the tests, so a file
/// that does not parse is a build defect: it is left out, never a panic.
pub fn builtin() -> Library {
    let mut lib = Library::default();
    let mut files = Files::new();
    for (shown, text) in FILES {
        if let (Some(file), _) = parse_library_str(&mut files, shown, text, &Limits::default()) {
            lib.layer(&file, shown);
        }
    }
    lib
}

/// The built-in library's version (every file carries the same one; a test
/// asserts it).
pub fn version() -> String {
    builtin()
        .layers
        .first()
        .map(|o| o.version.clone())
        .unwrap_or_default()
}
