//! The `tmkit` command line: a thin shell over the library crates.
//!
//! Exit codes: 0 = valid (warnings allowed), 1 = valid but a policy gate
//! failed, 2 = invalid model, unreadable input or usage error.

mod cmd;

// Loading a model allocates many small nodes; mimalloc makes that about a
// fifth faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Threat models as code: check, analyse and report YAML threat models.
#[derive(Debug, Parser)]
#[command(name = "tmkit", version, about, long_about = None, propagate_version = true)]
struct Cli {
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
    /// Load, resolve and check a model; print every problem.
    Check(cmd::check::Args),
    /// Write a small valid model to start from.
    Init(cmd::init::Args),
    /// Print the analysis matrix (targets x categories) or, with --open, the open questions.
    Matrix(cmd::matrix::Args),
    /// Draw the data-flow diagram with trust zones (SVG, Mermaid, DOT, PlantUML).
    Diagram(cmd::diagram::Args),
    /// Print coverage, counts and the worst open items.
    Metrics(cmd::metrics::Args),
    /// Render a report (full, unmitigated, public, checklist) as Markdown, HTML or JSON.
    Report(cmd::report::Args),
    /// Print the JSON Schema of the model format (or of the JSON report).
    Schema(cmd::schema::Args),
    /// Export to other tools' formats: SARIF, CSV for trackers, Open Threat Model.
    Export(cmd::export::Args),
    /// Import another tool's threat model (Open Threat Model, tmyaml) into tmkit's format.
    Import(cmd::import::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cmd::clean_up_on_signals();
    let mut limits = tmkit_syntax::node::Limits::default();
    for l in &cli.limit {
        if let Err(e) = limits.set(l) {
            eprintln!(
                "error: invalid value '{}' for '--limit <NAME=VALUE>': {e}",
                tmkit_syntax::text::escape_controls(l)
            );
            return ExitCode::from(2);
        }
    }
    cmd::set_limits(limits);
    let code = match cli.command {
        Command::Check(a) => cmd::check::run(a),
        Command::Init(a) => cmd::init::run(a),
        Command::Matrix(a) => cmd::matrix::run(a),
        Command::Diagram(a) => cmd::diagram::run(a),
        Command::Metrics(a) => cmd::metrics::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Schema(a) => cmd::schema::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Import(a) => cmd::import::run(a),
    };
    ExitCode::from(code)
}
