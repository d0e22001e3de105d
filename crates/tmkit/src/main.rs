//! The `tmkit` command line: parses arguments, calls the `tmkit` library
//! facade and prints. Exit codes: see [`tmkit::ExitStatus`].

mod cmd;

// Loading a model allocates many small nodes; mimalloc makes that about a
// fifth faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;
use tmkit::ExitStatus;

/// Threat models as code: check, analyse and report YAML threat models.
#[derive(Debug, Parser)]
#[command(name = "tmkit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Raise (or lower) a hard limit for this run, repeatable: `alias-bytes=67108864`.
    /// Names: file-bytes, total-bytes, depth, nodes, aliases, alias-nodes,
    /// alias-bytes, files (defaults in docs/fuzzing.md). Only for trusted input.
    #[arg(long = "limit", value_name = "NAME=VALUE", global = true)]
    limit: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load, resolve and check a model; print every problem; apply the gates.
    Check(cmd::check::Args),
    /// What a change did to the security posture: the model at two git revisions, or in two folders.
    Diff(cmd::diff::Args),
    /// The trend: the model's numbers at each commit that changed it (CSV, JSON, HTML with charts).
    History(cmd::history::Args),
    /// Write a small valid model to start from.
    Init(cmd::init::Args),
    /// Print the analysis matrix (targets x categories) or, with --open, the open questions.
    Matrix(cmd::matrix::Args),
    /// Draw the data-flow diagram with trust zones (SVG, Mermaid, DOT, PlantUML).
    Diagram(cmd::diagram::Args),
    /// Print coverage, counts and the worst open items.
    Metrics(cmd::metrics::Args),
    /// Render a report (full, unmitigated, public, checklist, compliance) as Markdown, HTML, JSON or PDF.
    Report(cmd::report::Args),
    /// Aggregate many models (folders or JSON reports) into one static site.
    Portfolio(cmd::portfolio::Args),
    /// Print the JSON Schema of the model format (or of the JSON report).
    Schema(cmd::schema::Args),
    /// For each open question, the threat library's patterns that apply, with why, references and mitigations.
    Suggest(cmd::suggest::Args),
    /// The threat library: list, show a pattern, check library files.
    Library(cmd::library::Args),
    /// Export to other tools' formats: SARIF, CSV for trackers, Open Threat Model.
    Export(cmd::export::Args),
    /// Import another tool's threat model (Threat Dragon, TM-BOM, TMT .tm7, Threagile, pytm, Open Threat Model, tmyaml) into tmkit's format; `tmkit import FILE` recognises the format.
    Import(cmd::import::Args),
    /// A language server for editors (LSP over stdio): diagnostics, definition, references, hover, symbols, completion, rename; see docs/editors.md.
    Lsp(cmd::lsp::Args),
    /// Live preview: the HTML report and the diagram on 127.0.0.1, rebuilt and reloaded when a file of the model changes; see docs/reports.md.
    Serve(cmd::serve::Args),
    /// Sync with an issue tracker: tickets for open threats, written back into the model (docs/trackers.md).
    Sync(cmd::sync::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(cmd::completions::Args),
    /// Print the manual page (roff), for `man -l -` or a man directory.
    Man(cmd::completions::ManArgs),
}

/// The command line's definition, with the exit codes after every help text.
pub fn cli_command() -> clap::Command {
    Cli::command()
        .after_help(tmkit::EXIT_CODES_HELP)
        .mut_subcommands(|s| s.after_help(tmkit::EXIT_CODES_HELP))
}

fn main() -> ExitCode {
    let cli = match cli_command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are not errors; every usage error is 3.
            let status = if e.use_stderr() {
                ExitStatus::UsageOrIo
            } else {
                ExitStatus::Ok
            };
            let _ = e.print();
            return status.into();
        }
    };
    tmkit::output::clean_up_on_signals();
    let mut limits = tmkit_syntax::node::Limits::default();
    for l in &cli.limit {
        if let Err(e) = limits.set(l) {
            eprintln!(
                "error: invalid value '{}' for '--limit <NAME=VALUE>': {e}",
                tmkit_syntax::text::escape_controls(l)
            );
            return ExitStatus::UsageOrIo.into();
        }
    }
    let status = match cli.command {
        Command::Check(a) => cmd::check::run(a, &limits),
        Command::Diff(a) => cmd::diff::run(a, &limits),
        Command::History(a) => cmd::history::run(a, &limits),
        Command::Init(a) => cmd::init::run(a),
        Command::Matrix(a) => cmd::matrix::run(a, &limits),
        Command::Diagram(a) => cmd::diagram::run(a, &limits),
        Command::Metrics(a) => cmd::metrics::run(a, &limits),
        Command::Report(a) => cmd::report::run(a, &limits),
        Command::Portfolio(a) => cmd::portfolio::run(a, &limits),
        Command::Schema(a) => cmd::schema::run(a),
        Command::Suggest(a) => cmd::suggest::run(a, &limits),
        Command::Library(a) => cmd::library::run(a, &limits),
        Command::Export(a) => cmd::export::run(a, &limits),
        Command::Import(a) => cmd::import::run(a),
        Command::Lsp(a) => cmd::lsp::run(a, &limits),
        Command::Serve(a) => cmd::serve::run(a, &limits),
        Command::Sync(a) => cmd::sync::run(a, &limits),
        Command::Completions(a) => cmd::completions::run(a),
        Command::Man(a) => cmd::completions::run_man(a),
    };
    status.into()
}
