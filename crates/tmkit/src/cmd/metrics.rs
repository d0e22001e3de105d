//! `tmkit metrics`: coverage, counts and the worst open items.

use clap::ValueEnum;
use std::path::PathBuf;
use tmkit_analysis::Analysis;
use tmkit_render::metrics::{MetricsFormat, MetricsOptions, render};

/// Output format of the metrics.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A human summary.
    Text,
    /// The metrics object (root rolled up, with its components).
    Json,
}

/// Arguments of `tmkit metrics`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> u8 {
    let (model, checked) = match super::load_valid(args.path.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let analysis = Analysis::new(&model);
    let format = match args.format {
        Format::Text => MetricsFormat::Text,
        Format::Json => MetricsFormat::Json,
    };
    let mut options = MetricsOptions::new(format);
    options.width = super::matrix::text_width();
    let text = render(&analysis, &model, &options);
    match super::write_output(None, text.as_bytes(), &checked.files) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            super::EXIT_INVALID
        }
    }
}
