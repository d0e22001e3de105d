//! `tmkit matrix`: the analysis matrix (targets x categories), or the open
//! questions as sentences.

use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;
use tmkit_analysis::Analysis;
use tmkit_render::matrix::{DEFAULT_WIDTH, MatrixFormat, MatrixOptions, render};

/// Output format of the matrix.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A table that fits the terminal (100 columns when not a terminal).
    Text,
    /// Markdown tables.
    Markdown,
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
    let mut options = MatrixOptions::new(match args.format {
        Format::Text => MatrixFormat::Text,
        Format::Markdown => MatrixFormat::Markdown,
        Format::Csv => MatrixFormat::Csv,
        Format::Json => MatrixFormat::Json,
    });
    options.open_only = args.open;
    options.width = text_width();
    let text = render(&analysis, &model, &options);
    match super::write_output(None, text.as_bytes(), &checked.files) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            super::EXIT_INVALID
        }
    }
}

/// The width of text tables: the terminal's when stdout is one (or
/// `COLUMNS` when its size cannot be read), else [`DEFAULT_WIDTH`], so piped
/// output does not depend on the terminal it was run from. Never below 40.
pub fn text_width() -> usize {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return DEFAULT_WIDTH;
    }
    let columns = terminal_size::terminal_size_of(&stdout)
        .map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok());
    columns.unwrap_or(DEFAULT_WIDTH).max(40)
}
