//! `tmkit matrix`: the analysis matrix (targets x categories), or the open
//! questions as sentences.

use super::OutputArg;
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_render::matrix::{DEFAULT_WIDTH, MatrixFormat, MatrixOptions, render};
use tmkit_syntax::node::Limits;

/// Output format of the matrix.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A table that fits the terminal (100 columns when not a terminal).
    Text,
    /// Markdown tables.
    #[value(alias = "markdown")]
    Md,
    /// One row per question (with --open: per target x attacker).
    Csv,
    /// Questions and threats, for scripts and dashboards.
    Json,
}

/// Arguments of `tmkit matrix`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Only the unanswered questions, one entry per target x attacker naming
    /// its open categories (a sentence in text and Markdown).
    #[arg(long)]
    pub open: bool,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub component: super::ComponentArg,
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
    options.width = text_width(&args.output);
    let path = args.path.as_deref();
    super::render_analysed(
        path,
        limits,
        &args.component,
        &args.output,
        |model, analysis, _| render(analysis, model, &options),
    )
}

/// The width of text tables written to `out`: the terminal's when that is
/// stdout and stdout is a terminal (or `COLUMNS` when its size cannot be
/// read), else [`DEFAULT_WIDTH`], so files and piped output do not depend on
/// the terminal they were made from. Never below 40.
pub fn text_width(out: &OutputArg) -> usize {
    let stdout = std::io::stdout();
    if out.path().is_some() || !stdout.is_terminal() {
        return DEFAULT_WIDTH;
    }
    let columns = terminal_size::terminal_size_of(&stdout)
        .map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok());
    columns.unwrap_or(DEFAULT_WIDTH).max(40)
}
