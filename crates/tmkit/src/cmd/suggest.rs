//! `tmkit suggest`: for each open question, the library patterns that
//! apply, ranked, with why, references and typical mitigations
//! (docs/library.md).

use super::{ComponentArg, OutputArg, load_valid, stderr_color, write_text};
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_analysis::Analysis;
use tmkit_analysis::suggest::{Filter, suggest};
use tmkit_render::suggest::{SuggestFormat, render};
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::fs::RealFs;
use tmkit_syntax::node::Limits;
use tmkit_syntax::{Diagnostics, FileId};

/// Output format of the suggestions.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Grouped per open question, for a terminal.
    Text,
    /// A Markdown document.
    Md,
    /// `{"suggestions": [...]}`.
    Json,
}

/// Arguments of `tmkit suggest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Only this target: its qualified id (`SHOP.db`) or its id as written.
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    /// Only this category (a name or letter of the model's taxonomy).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    #[command(flatten)]
    pub component: ComponentArg,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let (model, mut checked) = match load_valid(args.path.as_deref(), limits, &args.component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let root_file = checked.files.get(FileId(0)).path.clone();
    let (library, diags) =
        tmkit::suggest::load_library(&RealFs, &root_file, &model, &mut checked.files, limits);
    let diags: Diagnostics = diags.into();
    if !diags.is_empty() {
        eprint!("{}", render_human(&diags, &checked.files, stderr_color()));
    }
    if diags.has_errors() {
        return ExitStatus::InvalidModel;
    }
    let category = match &args.category {
        None => None,
        Some(c) => match model.root().abstraction.taxonomy.normalise(c) {
            Some(c) => Some(c),
            None => {
                let known = model.root().abstraction.taxonomy.categories().join(", ");
                eprintln_escaped!(
                    "error: invalid value for '--category <CATEGORY>': `{c}` is not a category of the model's taxonomy ({known})"
                );
                return ExitStatus::UsageOrIo;
            }
        },
    };
    let analysis = Analysis::new(&model);
    if let Some(t) = &args.target {
        if !analysis.targets.iter().any(|x| x.qid == *t || x.id == *t) {
            eprintln_escaped!(
                "error: invalid value for '--target <ID>': `{t}` is no in-scope asset or data flow of the model"
            );
            return ExitStatus::UsageOrIo;
        }
    }
    let filter = Filter::default()
        .with_target(args.target.clone())
        .with_category(category);
    let suggestions = suggest(&model, &analysis, &library, &filter);
    let format = match args.format {
        Format::Text => SuggestFormat::Text,
        Format::Md => SuggestFormat::Markdown,
        Format::Json => SuggestFormat::Json,
    };
    write_text(&args.output, &checked.files, &render(&suggestions, format))
}
