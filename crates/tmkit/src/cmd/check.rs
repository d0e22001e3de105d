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
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// How to print diagnostics (human on stderr; json and sarif on stdout).
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    /// Fail (exit code 1) when there is any warning.
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
    /// CI gate, repeatable: `unmitigated:high`, `unmitigated`, `coverage:<0.8`,
    /// `untracked`, `expired`, `expiring:30d`, `overdue`, `unevidenced`.
    #[arg(long = "fail-on", value_name = "POLICY")]
    pub fail_on: Vec<Policy>,
    #[command(flatten)]
    pub calendar: super::CalendarArg,
    /// Check that each `file` and `test` evidence exists in the repository
    /// (the nearest directory above the model holding `.git`) and that each
    /// test's name appears in its file.
    #[arg(long)]
    pub verify_evidence: bool,
    /// Keep and print at most N diagnostics; the rest are counted in the
    /// summary and one last note (E0020).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DIAGNOSTICS)]
    pub max_diagnostics: usize,
    /// When PATH (or the current directory) is a component of a model
    /// above it: print the diagnostics of the whole model, not only the
    /// component's (the others are counted). JSON and SARIF always hold all.
    #[arg(long)]
    pub all: bool,
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
                .with_deny_warnings(args.deny.contains(&Deny::Warnings))
                .with_verify_evidence(args.verify_evidence);
            let options = args.calendar.apply(options);
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
            let files = count(outcome.files.len(), "model file");
            match outcome.component.as_ref().and_then(|c| c.qid.as_ref()) {
                Some(c) => eprintln_escaped!(
                    "ok: {c} is valid, checked with the whole of {} ({}): {files}",
                    r.qid,
                    r.title
                ),
                None => eprintln_escaped!("ok: {} ({}) is valid: {files}", r.qid, r.title),
            }
        }
    }
    outcome.status.max(written)
}

/// Prints the diagnostics (and, in JSON, the gates) in the chosen format.
fn print(args: &Args, outcome: &Outcome) -> ExitStatus {
    let (diags, files) = (&outcome.diagnostics, &outcome.files);
    let text = match args.format {
        Format::Human if args.output.path().is_none() => {
            eprint!("{}", human(args, outcome, super::stderr_color()));
            return ExitStatus::Ok;
        }
        Format::Human => human(args, outcome, false),
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

/// The human text: every diagnostic or, when PATH is a component of a
/// larger model and `--all` is not given, the component's and a count of
/// the rest.
fn human(args: &Args, outcome: &Outcome, color: bool) -> String {
    let files = &outcome.files;
    let split = outcome.split().filter(|_| !args.all);
    let Some((own, others)) = split else {
        return render_human(&outcome.diagnostics, files, color);
    };
    let mut text = render_human(&own, files, color);
    if others > 0 {
        let (errors, warnings) = (outcome.diagnostics.errors(), outcome.diagnostics.warnings());
        text.push_str(&format!(
            "and {} in other files of the model ({} in all; `--all` prints them)\n",
            count(others, "diagnostic"),
            [count(errors, "error"), count(warnings, "warning")].join(", ")
        ));
    }
    text
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
