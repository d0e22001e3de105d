//! `tmkit export`: the model in other tools' formats (SARIF, CSV, OTM).

use clap::ValueEnum;
use std::path::PathBuf;
use tmkit_analysis::Analysis;
use tmkit_interop::csv_export::{self, Rows};
use tmkit_interop::{otm, sarif};

/// Export format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// SARIF 2.1.0: threats that are not mitigated, for code-scanning dashboards.
    Sarif,
    /// CSV for issue trackers (one row per threat, or per planned mitigation).
    Csv,
    /// Open Threat Model 0.2.0 (JSON).
    Otm,
}

/// What a CSV row stands for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RowKind {
    /// One row per threat.
    Threats,
    /// One row per mitigation not yet in place.
    Mitigations,
}

/// Arguments of `tmkit export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum)]
    pub format: Format,
    /// CSV only: one row per threat or per planned mitigation.
    #[arg(long, value_enum, default_value_t = RowKind::Threats)]
    pub rows: RowKind,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> u8 {
    let (model, checked) = match super::load_valid(args.path.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let analysis = Analysis::new(&model);
    let text = match args.format {
        Format::Sarif => {
            let opts = sarif::SarifOptions::for_files(&tmkit_syntax::fs::RealFs, &checked.files);
            sarif::threats_to_sarif(
                &model,
                &analysis,
                &checked.spans,
                &checked.files,
                env!("CARGO_PKG_VERSION"),
                &opts,
            )
        }
        Format::Csv => {
            let rows = match args.rows {
                RowKind::Threats => Rows::Threats,
                RowKind::Mitigations => Rows::Mitigations,
            };
            csv_export::to_csv(&model, &analysis, rows)
        }
        Format::Otm => otm::to_json(&model, &analysis),
    };
    if args.rows != RowKind::Threats && args.format != Format::Csv {
        eprintln_escaped!("warning: --rows only applies to --format csv");
    }
    match super::write_output(args.output.as_deref(), text.as_bytes(), &checked.files) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            super::EXIT_INVALID
        }
    }
}
