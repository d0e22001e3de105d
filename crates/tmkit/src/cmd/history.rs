//! `tmkit history`: the model's numbers at each commit that changed it
//! (docs/history.md#tmkit-history).

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_syntax::node::Limits;

/// Output format of the history.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One line per commit.
    Csv,
    /// The rows (`tmkit schema history`).
    Json,
    /// A self-contained page with charts (coverage; open threats by severity).
    Html,
}

/// Arguments of `tmkit history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// Only commits after this revision (default: the whole first-parent history of HEAD).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let path = match super::find_model(args.path.as_deref()) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let history = match tmkit::history(&path, args.since.as_deref(), limits) {
        Ok(h) => h,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            return ExitStatus::UsageOrIo;
        }
    };
    let text = match args.format {
        Format::Csv => tmkit_render::history::csv(&history),
        Format::Html => tmkit_render::history::html(&history),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&history).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    super::write_text(&args.output, &tmkit_syntax::Files::new(), &text)
}
