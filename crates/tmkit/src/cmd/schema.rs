//! `tmkit schema`: the JSON Schema of the format, generated from the Rust types.

use super::OutputArg;
use clap::ValueEnum;
use tmkit::ExitStatus;

/// Which schema to print.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Which {
    /// The threat model file format (for editors: yaml-language-server).
    Model,
    /// The JSON report (`tmkit report --format json`).
    Report,
    /// The posture diff (`tmkit diff --format json`).
    Diff,
    /// The history rows (`tmkit history --format json`).
    History,
    /// Threat library files (docs/library.md).
    Library,
}

/// Arguments of `tmkit schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which schema (default: model).
    #[arg(value_enum)]
    pub which: Option<Which>,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args) -> ExitStatus {
    // `--output` used to name the schema; now it names the file. Refuse the
    // old spelling rather than write a file called `report`.
    if let (None, Some(old)) = (args.which, args.output.output.as_deref()) {
        if let Some(which) = old.to_str().filter(|s| matches!(*s, "model" | "report")) {
            eprintln_escaped!(
                "error: `--output` names the file to write; the schema is a positional argument: `tmkit schema {which}` (add `-o FILE` to write a file)"
            );
            return ExitStatus::UsageOrIo;
        }
    }
    let schema = match args.which.unwrap_or(Which::Model) {
        Which::Model => tmkit_syntax::raw::schema(),
        Which::Report => tmkit_render::json::schema(),
        Which::Diff => tmkit::diff_schema(),
        Which::History => tmkit::history_schema(),
        Which::Library => tmkit_analysis::library::schema(),
    };
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    super::write_text(&args.output, &tmkit_syntax::Files::new(), &text)
}
