//! `tmkit metrics`: coverage, counts and the worst open items.

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_render::metrics::{MetricsFormat, MetricsOptions, render};
use tmkit_syntax::node::Limits;

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
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub calendar: super::CalendarArg,
    #[command(flatten)]
    pub effort: super::effort::EffortArg,
    #[command(flatten)]
    pub component: super::ComponentArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let format = match args.format {
        Format::Text => MetricsFormat::Text,
        Format::Json => MetricsFormat::Json,
    };
    let mut options = MetricsOptions::new(format);
    options.width = super::matrix::text_width(&args.output);
    options.calendar = Some(args.calendar.calendar());
    options.minutes_per_question = args.effort.minutes_per_question;
    let path = args.path.as_deref();
    let (model, checked) = match super::load_valid(path, limits, &args.component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let analysis = tmkit_analysis::Analysis::new(&model);
    let root_file = checked.files.get(tmkit_syntax::FileId(0)).path.clone();
    let mut lib_files = tmkit_syntax::Files::new();
    let (library, diags) = tmkit::suggest::load_library(
        &tmkit_syntax::fs::RealFs,
        &root_file,
        &model,
        &mut lib_files,
        limits,
    );
    let diags: tmkit_syntax::Diagnostics = diags.into();
    if !diags.is_empty() {
        eprint!(
            "{}",
            tmkit_syntax::diagnostic::render_human(&diags, &lib_files, super::stderr_color())
        );
    }
    if diags.has_errors() {
        return ExitStatus::InvalidModel;
    }
    options.suggested = Some(tmkit_analysis::suggest::questions_with_suggestions(
        &model, &analysis, &library,
    ));
    let text = render(&analysis, &model, &options);
    super::write_text(&args.output, &checked.files, &text)
}
