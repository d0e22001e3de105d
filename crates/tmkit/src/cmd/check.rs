//! `tmkit check`: load, resolve and check; print every problem; apply gates.

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::progress::{Progress, ProgressFs};
use tmkit::text::count;
use tmkit::{CheckOptions, ExitStatus, Outcome};
use tmkit_analysis::gate::Policy;
use tmkit_syntax::diagnostic::{DEFAULT_MAX_DIAGNOSTICS, render_human, render_json};
use tmkit_syntax::fs::RealFs;
use tmkit_syntax::node::Limits;

/// Output format of diagnostics.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// rustc-style text on stderr.
    Human,
    /// One JSON object on stdout: the diagnostics and the gates.
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning dashboards.
    Sarif,
}

/// What `--deny` turns into a failure.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Deny {
    /// Any warning fails the check (exit code 1).
    Warnings,
}

/// Arguments of `tmkit check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// How to print diagnostics (human on stderr; json and sarif on stdout).
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    /// Fail (exit code 1) when there is any warning.
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
    /// CI gate, repeatable: `unmitigated:high`, `unmitigated`, `coverage:<0.8`, `untracked`.
    #[arg(long = "fail-on", value_name = "POLICY")]
    pub fail_on: Vec<Policy>,
    /// Keep and print at most N diagnostics; the rest are counted in the
    /// summary and one last note (E0020).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DIAGNOSTICS)]
    pub max_diagnostics: usize,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let outcome = match tmkit::find_model(args.path.as_deref()) {
        Ok(path) => {
            let mut limits = *limits;
            limits.max_diagnostics = args.max_diagnostics;
            let options = CheckOptions::new()
                .with_limits(limits)
                .with_fail_on(args.fail_on.clone())
                .with_deny_warnings(args.deny.contains(&Deny::Warnings));
            let progress = Progress::stderr();
            let outcome = tmkit::check_with(&ProgressFs::new(RealFs, &progress), &path, &options);
            progress.finish();
            outcome
        }
        Err(d) => Outcome::from_diagnostic(d),
    };
    let written = print(&args, &outcome);
    super::print_failed_gates(&outcome.gates);
    if outcome.status == ExitStatus::Ok && args.format == Format::Human {
        if let Some(m) = &outcome.model {
            let r = m.root();
            eprintln_escaped!(
                "ok: {} ({}) is valid: {}",
                r.qid,
                r.title,
                count(outcome.files.len(), "model file")
            );
        }
    }
    outcome.status.max(written)
}

/// Prints the diagnostics (and, in JSON, the gates) in the chosen format.
fn print(args: &Args, outcome: &Outcome) -> ExitStatus {
    let (diags, files) = (&outcome.diagnostics, &outcome.files);
    let text = match args.format {
        Format::Human if args.output.path().is_none() => {
            eprint!("{}", render_human(diags, files, super::stderr_color()));
            return ExitStatus::Ok;
        }
        Format::Human => render_human(diags, files, false),
        Format::Json => json(outcome),
        Format::Sarif => {
            let opts =
                tmkit_interop::sarif::SarifOptions::for_files(&tmkit_syntax::fs::RealFs, files);
            tmkit_interop::sarif::diagnostics_to_sarif_with(
                diags,
                files,
                env!("CARGO_PKG_VERSION"),
                &opts,
            )
        }
    };
    super::write_text(&args.output, files, &text)
}

/// `--format json`: `{"diagnostics": [...], "gates": [...]}`, the
/// diagnostics exactly as [`render_json`] writes them.
fn json(outcome: &Outcome) -> String {
    let diagnostics: serde_json::Value =
        serde_json::from_str(&render_json(&outcome.diagnostics, &outcome.files))
            .unwrap_or_default();
    let value = serde_json::json!({
        "diagnostics": diagnostics,
        "gates": outcome.gates,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
