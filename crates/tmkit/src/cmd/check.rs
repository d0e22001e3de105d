//! `tmkit check`: load, resolve and check; print every problem; apply gates.

use clap::ValueEnum;
use std::path::PathBuf;
use tmkit_analysis::Analysis;
use tmkit_analysis::crossing::crossing_diagnostics;
use tmkit_analysis::gate::Policy;
use tmkit_syntax::diagnostic::{self, DEFAULT_MAX_DIAGNOSTICS, render_human, render_json};
use tmkit_syntax::{Diagnostics, Files};

/// Output format of diagnostics.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// rustc-style text on stderr.
    Human,
    /// A JSON array on stdout.
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
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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
pub fn run(args: Args) -> u8 {
    let path = match super::model_path(args.path.as_deref()) {
        Ok(p) => p,
        Err(d) => return print(&args, &vec![d].into(), &Files::new(), super::EXIT_INVALID),
    };
    let checked = super::check_path_with(&path, |l| l.max_diagnostics = args.max_diagnostics);
    let mut diags = checked.diagnostics.clone();
    let mut violations = Vec::new();
    if let Some(model) = &checked.model {
        let analysis = Analysis::new(model);
        diags.extend(crossing_diagnostics(&analysis.crossings, &checked.spans));
        diagnostic::sort(&mut diags);
        for p in &args.fail_on {
            violations.extend(p.evaluate(&analysis, model));
        }
    }
    let has_errors = diags.has_errors();
    let warnings = diags.warnings();
    let code = if has_errors {
        super::EXIT_INVALID
    } else if !violations.is_empty() || (args.deny.contains(&Deny::Warnings) && warnings > 0) {
        super::EXIT_GATE
    } else {
        super::EXIT_OK
    };
    let code = print(&args, &diags, &checked.files, code);
    for v in &violations {
        eprintln_escaped!("gate failed [{}]: {}", v.policy, v.message);
    }
    if args.deny.contains(&Deny::Warnings) && warnings > 0 && !has_errors {
        eprintln_escaped!(
            "gate failed [deny warnings]: {warnings} warning{}",
            if warnings == 1 { "" } else { "s" }
        );
    }
    if code == super::EXIT_OK && args.format == Format::Human {
        if let Some(m) = &checked.model {
            let r = m.root();
            eprintln_escaped!(
                "ok: {} ({}) is valid: {} model file{}",
                r.qid,
                r.title,
                checked.files.len(),
                if checked.files.len() == 1 { "" } else { "s" }
            );
        }
    }
    code
}

fn print(args: &Args, diags: &Diagnostics, files: &Files, code: u8) -> u8 {
    match args.format {
        Format::Human => eprint!("{}", render_human(diags, files, super::stderr_color())),
        Format::Json => print!("{}", render_json(diags, files)),
        Format::Sarif => {
            let opts =
                tmkit_interop::sarif::SarifOptions::for_files(&tmkit_syntax::fs::RealFs, files);
            print!(
                "{}",
                tmkit_interop::sarif::diagnostics_to_sarif_with(
                    diags,
                    files,
                    env!("CARGO_PKG_VERSION"),
                    &opts
                )
            );
        }
    }
    code
}
