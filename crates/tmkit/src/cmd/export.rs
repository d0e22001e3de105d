//! `tmkit export`: the model in other tools' formats (SARIF, CSV, OTM).

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_interop::csv_export::{self, Rows};
use tmkit_interop::{otm, sarif};
use tmkit_syntax::node::Limits;

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
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum)]
    pub format: Format,
    /// CSV only: one row per threat or per planned mitigation.
    #[arg(long, value_enum, default_value_t = RowKind::Threats)]
    pub rows: RowKind,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let rows = match args.rows {
        RowKind::Threats => Rows::Threats,
        RowKind::Mitigations => Rows::Mitigations,
    };
    let path = args.path.as_deref();
    super::render_analysed(
        path,
        limits,
        &Default::default(),
        &args.output,
        |model, analysis, checked| {
            if args.rows != RowKind::Threats && args.format != Format::Csv {
                eprintln_escaped!("warning: --rows only applies to --format csv");
            }
            match args.format {
                Format::Sarif => sarif::threats_to_sarif(
                    model,
                    analysis,
                    &checked.spans,
                    &checked.files,
                    env!("CARGO_PKG_VERSION"),
                    &sarif::SarifOptions::for_files(&tmkit_syntax::fs::RealFs, &checked.files),
                ),
                Format::Csv => csv_export::to_csv(model, analysis, rows),
                Format::Otm => otm::to_json(model, analysis),
            }
        },
    )
}
