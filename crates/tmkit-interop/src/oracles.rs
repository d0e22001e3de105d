//! Oracles for the exports and the importers (test support, not API; the
//! `oracles` feature). They reuse the language oracles of
//! `tmkit_render::oracles` and are shared by the fuzz targets of `fuzz/` and
//! the proptest tests (docs/fuzzing.md).

use crate::sarif::{self, SarifOptions};
use crate::{ImportOutput, csv_export, otm};
use std::path::{Component, Path};
use tmkit_analysis::Analysis;
use tmkit_model::Checked;
use tmkit_render::oracles::check::Output;
use tmkit_render::oracles::{self, Verdict};

/// Every export of a checked model: CSV (threat and mitigation rows), SARIF
/// (threats, with `uri_prefix` as the repository prefix, and the check
/// diagnostics) and OTM, each with the oracle of its language.
pub fn exports(checked: &Checked, uri_prefix: &str) -> Vec<Output> {
    let mut outputs = Vec::new();
    let opts = SarifOptions::with_prefix(uri_prefix);
    let diags = sarif::diagnostics_to_sarif_with(&checked.diagnostics, &checked.files, "0", &opts);
    outputs.push(Output::new(
        "sarif diagnostics".into(),
        diags,
        oracles::sarif,
    ));
    let Some(model) = &checked.model else {
        return outputs;
    };
    let analysis = Analysis::new(model);
    for rows in [csv_export::Rows::Threats, csv_export::Rows::Mitigations] {
        let text = csv_export::to_csv(model, &analysis, rows);
        outputs.push(Output::new(format!("csv {rows:?}"), text, oracles::csv));
    }
    let text =
        sarif::threats_to_sarif(model, &analysis, &checked.spans, &checked.files, "0", &opts);
    outputs.push(Output::new("sarif threats".into(), text, oracles::sarif));
    let text = otm::to_json(model, &analysis);
    outputs.push(Output::new("otm".into(), text, otm_roundtrip));
    outputs
}

/// An OTM export is valid JSON, imports back, and the imported model
/// passes `tmkit check` ([`imported`]).
pub fn otm_roundtrip(text: &str) -> Verdict {
    oracles::json(text)?;
    match otm::import(text, "export.otm.json") {
        Ok(out) => imported(&out),
        Err(e) => Err(format!("the OTM export does not import: {}", e.message)),
    }
}

/// What an importer wrote: every file at a relative path below the output
/// directory (no `..`, no root, no control character), and the model
/// passes `tmkit check` without error.
pub fn imported(out: &ImportOutput) -> Verdict {
    for f in &out.files {
        let p = Path::new(&f.path);
        let escapes = p
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes || f.path.is_empty() || f.path.chars().any(char::is_control) {
            return Err(format!("imported file at {:?}", f.path));
        }
    }
    let files: Vec<(&str, &str)> = out
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    let checked = tmkit_model::check_files(&files, "threatmodel.yaml");
    if !checked.has_errors() {
        return Ok(());
    }
    let listing: String = out
        .files
        .iter()
        .map(|f| format!("--- {}\n{}", f.path, f.contents))
        .collect();
    Err(format!(
        "the imported model does not check:\n{}\n{listing}",
        tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false)
    ))
}
