//! Integration tests of tmkit-interop: one binary, a module per format.
//! Fixtures live in `tests/fixtures/<format>/`, official schemas in
//! `tests/schemas/` (see `tests/schemas/README.md` for their origin).

mod csv;
mod export_oracles;
mod import_fuzz;
mod otm;
mod otm_roundtrip;
mod pytm;
mod sarif;
mod schemas;
mod support;
mod threagile;
mod threat_dragon;
mod tm7;
mod tmyaml;
