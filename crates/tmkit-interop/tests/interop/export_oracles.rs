//! The invariant oracles (`tmkit_interop::oracles`, shared with the fuzz
//! targets of fuzz/) on the exports of models whose every free-text field
//! carries hostile text: CSV neutralises formulas and holds no NUL, SARIF is
//! valid JSON with percent-encoded URIs (the root model lives in a
//! directory named by user text, the repository prefix is user text), and
//! the OTM export is valid JSON that imports back into a model that checks.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use tmkit_render::oracles::model::{self, Spec};

/// The exports of `spec`'s model whose name starts with `family` pass their
/// oracles.
fn family(spec: &Spec, family: &str) -> Result<(), TestCaseError> {
    let checked = model::check(spec);
    let prefix = spec.texts.last().cloned().unwrap_or_default();
    for output in tmkit_interop::oracles::exports(&checked, &prefix) {
        if output.name.starts_with(family) {
            if let Err(e) = output.verify() {
                let yaml = model::yaml(spec);
                let path = model::root_path(spec);
                return Err(TestCaseError::fail(format!("{e}\n--- {path} ---\n{yaml}")));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x746d_6b69_7424),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    #[test]
    fn csv_exports_keep_user_text_inert(spec in model::strategy()) {
        family(&spec, "csv")?;
    }

    #[test]
    fn sarif_exports_are_valid_with_encoded_uris(spec in model::strategy()) {
        family(&spec, "sarif")?;
    }

    #[test]
    fn otm_exports_are_valid_and_import_back_clean(spec in model::strategy()) {
        family(&spec, "otm")?;
    }
}
