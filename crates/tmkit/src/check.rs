//! The facade's `check`: every rule and every gate, in one call.

use crate::ExitStatus;
use crate::locate::{Focus, focus, locate};
use crate::text::count;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tmkit_analysis::Analysis;
use tmkit_analysis::crossing::crossing_diagnostics;
use tmkit_analysis::gate::Policy;
use tmkit_analysis::treatment::{Calendar, deadline_diagnostics};
use tmkit_model::Date;
use tmkit_model::{Checked, Model, SpanTable};
use tmkit_syntax::diagnostic::{Code, Diagnostic, Diagnostics};
use tmkit_syntax::fs::{FileSystem, RealFs};
use tmkit_syntax::node::Limits;
use tmkit_syntax::{Files, diagnostic};

/// What [`check()`] does besides the rules: limits and gates.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CheckOptions {
    /// The hard limits of loading (`--limit`, `--max-diagnostics`).
    pub limits: Limits,
    /// The `--fail-on` policies, each evaluated on a valid model.
    pub fail_on: Vec<Policy>,
    /// `--deny warnings`: any warning fails the check.
    pub deny_warnings: bool,
    /// `--date`: "today" for expiries and due dates; None = today (UTC)
    /// from the clock.
    pub today: Option<Date>,
    /// `--expiring-within`: the window, in days, of W0504 and of a bare
    /// `--fail-on expiring` (default 30).
    pub expiring_within: Option<u32>,
    /// `--verify-evidence`: check that evidence files and tests exist.
    pub verify_evidence: bool,
}

impl CheckOptions {
    /// The defaults: default limits, no gate.
    pub fn new() -> Self {
        Self::default()
    }

    /// With these limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// With these `--fail-on` policies.
    pub fn with_fail_on(mut self, fail_on: Vec<Policy>) -> Self {
        self.fail_on = fail_on;
        self
    }

    /// With `--deny warnings` on or off.
    pub fn with_deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    /// With "today" (`--date`) instead of the clock.
    pub fn with_date(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }

    /// With the window of `--expiring-within`, in days.
    pub fn with_expiring_within(mut self, days: u32) -> Self {
        self.expiring_within = Some(days);
        self
    }

    /// With `--verify-evidence` on or off.
    pub fn with_verify_evidence(mut self, verify: bool) -> Self {
        self.verify_evidence = verify;
        self
    }

    /// The calendar of this run: `--date` (else today, UTC) and the window.
    pub fn calendar(&self) -> Calendar {
        let cal = Calendar::new(self.today.unwrap_or_else(Date::today_utc));
        match self.expiring_within {
            Some(days) => cal.with_window(days),
            None => cal,
        }
    }
}

/// One gate and whether the model passes it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct GateResult {
    /// The gate as written on the command line (`unmitigated:high`,
    /// `coverage:<0.8`), or `deny warnings`.
    pub policy: String,
    /// True when the model passes it.
    pub passed: bool,
    /// A summary: "no violation", "2 violations", "3 warnings".
    pub message: String,
    /// What fails it, one entry per offending element (none for `deny warnings`).
    pub violations: Vec<GateViolation>,
}

impl GateResult {
    /// The result of gate `policy` with these violations (passed when none).
    pub(crate) fn of(policy: String, violations: Vec<GateViolation>) -> GateResult {
        GateResult {
            policy,
            passed: violations.is_empty(),
            message: if violations.is_empty() {
                "no violation".to_string()
            } else {
                count(violations.len(), "violation")
            },
            violations,
        }
    }
}

/// One element that fails a gate.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct GateViolation {
    /// Qualified id of the offending threat (or of the model, for coverage).
    pub element: String,
    /// What is wrong with it, in a sentence.
    pub message: String,
}

/// Everything [`check()`] found.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Outcome {
    /// Every diagnostic of every rule, sorted by file and position.
    pub diagnostics: Diagnostics,
    /// Every file read.
    pub files: Files,
    /// The model, when it has no error.
    pub model: Option<Model>,
    /// Where each element was written.
    pub spans: SpanTable,
    /// The analysis of the model, when it has no error.
    pub analysis: Option<Analysis>,
    /// The gates, in the order given (`--fail-on` first, then `--deny
    /// warnings`); empty when the model has errors (nothing to gate).
    pub gates: Vec<GateResult>,
    /// What the run means for the shell.
    pub status: ExitStatus,
    /// The component the path named, when a model above it includes it
    /// (the whole model was checked: [`Outcome::split`] puts its
    /// diagnostics first).
    pub component: Option<Focus>,
}

impl Outcome {
    /// The gates that failed.
    pub fn failed_gates(&self) -> impl Iterator<Item = &GateResult> {
        self.gates.iter().filter(|g| !g.passed)
    }

    /// The diagnostics of [`Outcome::component`] (its files and those of
    /// its own components, any diagnostic of no file, and the note counting
    /// those over the cap) and how many more the rest of the model has;
    /// None when the path named the root.
    pub fn split(&self) -> Option<(Diagnostics, usize)> {
        let focus = self.component.as_ref()?;
        let mut own = Diagnostics::with_cap(self.diagnostics.cap() + 1);
        let mut others = 0;
        for d in self.diagnostics.iter() {
            match &d.primary {
                Some(l) if !focus.files.contains(&l.span.file) => others += 1,
                _ => own.push(d.clone()),
            }
        }
        // Those over the cap are of no known file: the note counting them
        // (E0020) is shown with the component's.
        own.extend(self.diagnostics.omission());
        Some((own, others))
    }

    /// An outcome that is only this diagnostic (the model could not even be found).
    pub fn from_diagnostic(d: Diagnostic) -> Outcome {
        Outcome {
            diagnostics: vec![d].into(),
            status: ExitStatus::InvalidModel,
            ..Outcome::default()
        }
    }
}

/// Resolves a model argument: the path given (a file, or a directory
/// holding `threatmodel.yaml`) or, when there is none, `threatmodel.yaml`
/// found by walking up from the current directory (E0014 when there is none).
pub fn find_model(path: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if let Some(p) = path {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    tmkit_syntax::load::find_root(&cwd).ok_or_else(|| {
        Diagnostic::new(
            Code::NoModelFound,
            format!(
                "no threatmodel.yaml in {} or any directory above it",
                cwd.display()
            ),
        )
        .help("give the model's path (`tmkit check path/to/threatmodel.yaml`) or create one with `tmkit init`")
    })
}

/// Loads and checks the model at `path` through `fs` (the real disk:
/// [`RealFs`]), within `limits`: the model's own rules only, for commands
/// that go on to render a valid model (they print no warning, so they skip
/// the analysis rules and the gates of [`check()`]).
///
/// A `path` that is a component of a model above it loads that model, the
/// whole ([`crate::locate()`]).
pub fn load(fs: &(dyn FileSystem + Sync), path: &Path, limits: &Limits) -> Checked {
    tmkit_model::check_loaded(locate(fs, path, limits).into_loaded(fs, limits))
}

/// Loads and checks the model at `path` (a file, or a directory holding
/// `threatmodel.yaml`) on the real disk: every rule, then every gate. A
/// `path` that is a component of a model above it checks that model, the
/// whole ([`crate::locate()`]), and sets [`Outcome::component`].
pub fn check(path: &Path, options: &CheckOptions) -> Outcome {
    check_with(&RealFs, path, options)
}

/// [`check()`] through any file system (in memory for tests, or one that
/// reports progress).
pub fn check_with(fs: &(dyn FileSystem + Sync), path: &Path, options: &CheckOptions) -> Outcome {
    let located = locate(fs, path, &options.limits);
    let component = located.component.clone();
    let loaded = located.into_loaded(fs, &options.limits);
    let component = component.map(|c| focus(&loaded, &c));
    let checked = tmkit_model::check_loaded(loaded);
    let mut diagnostics = checked.diagnostics;
    let cal = options.calendar();
    let analysis = checked.model.as_ref().map(|model| {
        let analysis = Analysis::new(model);
        // The rules that need the analysis (W0401: a crossing nobody answers).
        diagnostics.extend(crossing_diagnostics(&analysis.crossings, &checked.spans));
        // The rules that need a date (W0503-W0505) or the disk (E0509, E0510).
        diagnostics.extend(deadline_diagnostics(model, &checked.spans, &cal));
        if options.verify_evidence {
            let root = crate::evidence::repository_root(fs, path);
            let found = crate::evidence::verify(fs, &root, model, &checked.spans, &options.limits);
            diagnostics.extend(found);
        }
        diagnostic::sort(&mut diagnostics);
        analysis
    });
    let gates = match (&checked.model, &analysis) {
        _ if diagnostics.has_errors() => Vec::new(),
        (Some(model), Some(analysis)) => gates(model, analysis, &diagnostics, options, &cal),
        _ => Vec::new(),
    };
    let status = if diagnostics.has_errors() {
        ExitStatus::InvalidModel
    } else if gates.iter().any(|g| !g.passed) {
        ExitStatus::GateFailed
    } else {
        ExitStatus::Ok
    };
    Outcome {
        diagnostics,
        files: checked.files,
        model: checked.model,
        spans: checked.spans,
        analysis,
        gates,
        status,
        component,
    }
}

/// Evaluates the `--fail-on` policies, then `--deny warnings`.
fn gates(
    model: &Model,
    analysis: &Analysis,
    diagnostics: &Diagnostics,
    options: &CheckOptions,
    cal: &Calendar,
) -> Vec<GateResult> {
    let mut gates: Vec<GateResult> = options
        .fail_on
        .iter()
        .map(|p| {
            let violations: Vec<GateViolation> = p
                .evaluate_on(analysis, model, cal)
                .into_iter()
                .map(|v| GateViolation {
                    element: v.element,
                    message: v.message,
                })
                .collect();
            GateResult::of(p.to_string(), violations)
        })
        .collect();
    if options.deny_warnings {
        let warnings = diagnostics.warnings();
        gates.push(GateResult {
            policy: "deny warnings".to_string(),
            passed: warnings == 0,
            message: count(warnings, "warning"),
            violations: Vec::new(),
        });
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmkit_syntax::fs::MemoryFs;

    /// One unmitigated, high threat on a service reached from the internet
    /// by a flow nobody answers: W0401, and `unmitigated:high` fails.
    const MODEL: &str = r#"tmkit: 1
id: SHOP
title: Shop
scope:
  zones:
    - { id: internet, title: Internet, trust: 0 }
    - { id: dmz, title: DMZ, trust: 1 }
  assets:
    - { id: client, title: Client, kind: external, zone: internet }
    - { id: web, title: Web, kind: service, zone: dmz }
  dataflows:
    - { id: f1, title: Browse, from: client, to: web }
  attackers:
    - { id: anon, title: Anonymous, zone: internet }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
    targets: [web]
    attackers: [anon]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
"#;

    fn run(options: &CheckOptions) -> Outcome {
        let mut fs = MemoryFs::new();
        fs.insert("threatmodel.yaml", MODEL);
        check_with(&fs, Path::new("threatmodel.yaml"), options)
    }

    #[test]
    fn the_library_check_runs_the_analysis_rules_too() {
        let outcome = run(&CheckOptions::new());
        let codes: Vec<&str> = outcome
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(codes.contains(&"W0401"), "{codes:?}");
        assert!(outcome.analysis.is_some() && outcome.model.is_some());
        assert!(outcome.gates.is_empty());
        assert_eq!(outcome.status, ExitStatus::Ok);
    }

    #[test]
    fn gates_are_evaluated_and_set_the_status() {
        let options = CheckOptions::new()
            .with_fail_on(vec![
                "unmitigated:high".parse().expect("policy"),
                "unmitigated:critical".parse().expect("policy"),
            ])
            .with_deny_warnings(true);
        let outcome = run(&options);
        let summary: Vec<(&str, bool, &str)> = outcome
            .gates
            .iter()
            .map(|g| (g.policy.as_str(), g.passed, g.message.as_str()))
            .collect();
        let warnings = outcome.diagnostics.warnings();
        assert!(warnings > 0);
        let warning_text = count(warnings, "warning");
        assert_eq!(
            summary,
            [
                ("unmitigated:high", false, "1 violation"),
                ("unmitigated:critical", true, "no violation"),
                ("deny warnings", false, warning_text.as_str()),
            ]
        );
        assert_eq!(outcome.gates[0].violations[0].element, "SHOP.T1");
        assert_eq!(outcome.status, ExitStatus::GateFailed);
        assert_eq!(outcome.status.code(), 1);
    }

    #[test]
    fn the_date_of_the_options_drives_the_dated_warnings_and_gates() {
        let model = format!(
            "{MODEL}    mitigations:\n      - {{ title: Accepted, kind: risk-acceptance, in_place: true, owner: CISO, expires: 2026-03-10 }}\n"
        );
        let mut fs = MemoryFs::new();
        fs.insert("threatmodel.yaml", model.as_str());
        let run = |day: &str| {
            let options = CheckOptions::new()
                .with_date(Date::parse(day).expect("date"))
                .with_expiring_within(10)
                .with_fail_on(vec!["expired".parse().expect("policy")]);
            let outcome = check_with(&fs, Path::new("threatmodel.yaml"), &options);
            let codes: Vec<&str> = outcome
                .diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect();
            (
                codes
                    .into_iter()
                    .filter(|c| c.starts_with("W05"))
                    .collect::<Vec<_>>(),
                outcome.status,
            )
        };
        assert_eq!(run("2026-01-01"), (vec![], ExitStatus::Ok));
        assert_eq!(run("2026-03-01"), (vec!["W0504"], ExitStatus::Ok));
        assert_eq!(run("2026-03-11"), (vec!["W0503"], ExitStatus::GateFailed));
    }

    #[test]
    fn an_invalid_model_has_no_gates_and_exit_status_two() {
        let mut fs = MemoryFs::new();
        fs.insert("threatmodel.yaml", "tmkit: 1\nid: X\n");
        let options = CheckOptions::new().with_deny_warnings(true);
        let outcome = check_with(&fs, Path::new("threatmodel.yaml"), &options);
        assert!(outcome.diagnostics.has_errors());
        assert!(outcome.gates.is_empty() && outcome.model.is_none());
        assert_eq!(outcome.status.code(), 2);
    }
}
