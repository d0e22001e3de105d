//! `tmkit diff`: what a change did to the posture (docs/history.md).

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::{DiffError, DiffOptions, DiffSource, ExitStatus};
use tmkit_analysis::diff::DiffPolicy;
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::node::Limits;

/// Output format of the diff.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// A summary for a terminal.
    Text,
    /// Markdown sized for a pull-request comment: the verdict and the
    /// numbers, then collapsed details.
    #[value(alias = "markdown")]
    Md,
    /// The diff object (`tmkit schema diff`).
    Json,
}

/// Arguments of `tmkit diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model in the working tree: a file, or a directory holding
    /// threatmodel.yaml (default: found by walking up).
    #[arg(conflicts_with = "dirs")]
    pub path: Option<PathBuf>,
    /// Base revision (default: the merge-base of HEAD with the default
    /// branch: origin/HEAD's target, else main, else master).
    #[arg(long, value_name = "REV", conflicts_with = "dirs")]
    pub base: Option<String>,
    /// Head revision (default: the working tree).
    #[arg(long, value_name = "REV", conflicts_with = "dirs")]
    pub head: Option<String>,
    /// Compare two folders (or model files) instead of git revisions.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    pub dirs: Option<Vec<PathBuf>>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Compare the public views of both sides (nothing confidential).
    #[arg(long)]
    pub public: bool,
    /// Gate, repeatable: `new-unmitigated:high`, `coverage-drop:0.05`, `new-unanswered-crossing`.
    #[arg(long = "fail-on", value_name = "POLICY")]
    pub fail_on: Vec<DiffPolicy>,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let source = match &args.dirs {
        Some(d) if d.len() == 2 => DiffSource::Dirs(d[0].clone(), d[1].clone()),
        _ => match super::find_model(args.path.as_deref()) {
            Ok(path) => DiffSource::Git {
                path,
                base: args.base.clone(),
                head: args.head.clone(),
            },
            Err(status) => return status,
        },
    };
    let mut options = DiffOptions::default();
    options.limits = *limits;
    options.public = args.public;
    options.fail_on = args.fail_on.clone();
    let outcome = match tmkit::diff(&source, &options) {
        Ok(o) => o,
        Err(e) => {
            match &e {
                DiffError::Invalid(side) => {
                    eprintln_escaped!(
                        "error: the model is invalid at {} ({}):",
                        side.side,
                        side.label
                    );
                    let o = &side.outcome;
                    eprint!(
                        "{}",
                        render_human(&o.diagnostics, &o.files, super::stderr_color())
                    );
                }
                DiffError::Git(g) => eprintln_escaped!("error: {g}"),
            }
            return e.status();
        }
    };
    let text = match args.format {
        Format::Text => tmkit_render::posture::text(&outcome.diff),
        Format::Md => tmkit_render::posture::markdown(&outcome.diff),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&outcome).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let written = super::write_text(&args.output, &tmkit_syntax::Files::new(), &text);
    super::print_failed_gates(&outcome.gates);
    outcome.status.max(written)
}
