//! `tmkit matrix`: the analysis matrix (targets x categories), or the open
//! questions as sentences.

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_analysis::matrix::{MatrixFormat, MatrixOptions, render};
use tmkit_syntax::node::Limits;

/// Output format of the matrix.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A table for a terminal (100 columns).
    Text,
    /// Markdown tables.
    #[value(alias = "markdown")]
    Md,
    /// One row per question.
    Csv,
    /// Questions and threats, for scripts and dashboards.
    Json,
}

/// Arguments of `tmkit matrix`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// Only the unanswered questions, as full sentences.
    #[arg(long)]
    pub open: bool,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let mut options = MatrixOptions::new(match args.format {
        Format::Text => MatrixFormat::Text,
        Format::Md => MatrixFormat::Markdown,
        Format::Csv => MatrixFormat::Csv,
        Format::Json => MatrixFormat::Json,
    });
    options.open_only = args.open;
    let path = args.path.as_deref();
    super::render_analysed(path, limits, &args.output, |model, analysis, _| {
        render(analysis, model, &options)
    })
}
