//! `tmkit report`: the extractions of a model (full, unmitigated, public,
//! checklist) as Markdown, self-contained HTML or JSON.

use clap::ValueEnum;
use std::path::PathBuf;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_render::report::{ReportFormat, ReportOptions, date_from_epoch, is_date, render};

/// Which extraction.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ViewArg {
    /// Everything (confidential).
    Full,
    /// Every threat not mitigated, worst first (confidential: "the jewels").
    Unmitigated,
    /// The non-confidential, distributable version.
    Public,
    /// Requirements and assumptions as a review task list.
    Checklist,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    /// GitHub-flavoured Markdown.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML file (no network request, strict CSP).
    Html,
    /// The resolved model and every derived value (schema: `tmkit schema --output report`).
    Json,
}

/// Arguments of `tmkit report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// Which extraction.
    #[arg(long, value_enum, default_value_t = ViewArg::Full)]
    pub view: ViewArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Md)]
    pub format: FormatArg,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
    /// Date printed on the report (YYYY-MM-DD). Default: none, or the date
    /// of SOURCE_DATE_EPOCH when it is set; reports carry no clock otherwise.
    #[arg(long)]
    pub date: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> u8 {
    let date = match &args.date {
        Some(d) if is_date(d) => Some(d.clone()),
        Some(d) => {
            eprintln_escaped!("error: --date expects YYYY-MM-DD, got {d:?}");
            return super::EXIT_INVALID;
        }
        None => std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|e| date_from_epoch(&e)),
    };
    let (model, checked) = match super::load_valid(args.path.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let kind = match args.view {
        ViewArg::Full => ViewKind::Full,
        ViewArg::Unmitigated => ViewKind::Unmitigated,
        ViewArg::Public => ViewKind::Public,
        ViewArg::Checklist => ViewKind::Checklist,
    };
    let format = match args.format {
        FormatArg::Md => ReportFormat::Markdown,
        FormatArg::Html => ReportFormat::Html,
        FormatArg::Json => ReportFormat::Json,
    };
    let view = View::new(&model, kind);
    let text = render(&view, format, &ReportOptions::new().with_date(date));
    match super::write_output(args.out.as_deref(), text.as_bytes(), &checked.files) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            super::EXIT_INVALID
        }
    }
}
