//! The library facade as a library user (an editor server, a CI bot) calls
//! it: `tmkit::check` on a bundled example, every rule and gate included.

use std::path::{Path, PathBuf};
use tmkit::{CheckOptions, ExitStatus};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

#[test]
fn check_runs_every_rule_and_gate_on_the_reference_example() {
    let options = CheckOptions::new()
        .with_fail_on(vec![
            "unmitigated".parse().expect("policy"),
            "unmitigated:critical".parse().expect("policy"),
            "untracked".parse().expect("policy"),
        ])
        .with_deny_warnings(true);
    let outcome = tmkit::check(&example("reference"), &options);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let model = outcome.model.as_ref().expect("valid");
    assert_eq!(model.root().qid.as_str(), "CCC");
    assert!(outcome.analysis.is_some());
    let gates: Vec<(&str, bool, &str)> = outcome
        .gates
        .iter()
        .map(|g| (g.policy.as_str(), g.passed, g.message.as_str()))
        .collect();
    assert_eq!(
        gates,
        [
            ("unmitigated", false, "1 violation"),
            ("unmitigated:critical", true, "no violation"),
            ("untracked", true, "no violation"),
            ("deny warnings", true, "0 warnings"),
        ]
    );
    let failed: Vec<&str> = outcome
        .failed_gates()
        .flat_map(|g| g.violations.iter().map(|v| v.element.as_str()))
        .collect();
    assert_eq!(failed, ["CCC.VULN_001"]);
    assert_eq!(outcome.status, ExitStatus::GateFailed);
    assert_eq!(outcome.status.code(), 1);
}

#[test]
fn check_reports_the_analysis_warnings_that_the_model_check_alone_lacks() {
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/unanswered-crossing.yaml");
    // The case has no attacker: the model check alone says so (W0901), and
    // only the facade adds the crossing nobody answers (W0401).
    let model_only = tmkit_model::check_path(&corpus);
    let codes = |d: &tmkit_syntax::Diagnostics| -> Vec<String> {
        let mut c: Vec<String> = d.iter().map(|d| d.code.as_str().to_string()).collect();
        c.sort();
        c
    };
    assert_eq!(codes(&model_only.diagnostics), ["W0901"]);
    let outcome = tmkit::check(&corpus, &CheckOptions::new().with_deny_warnings(true));
    assert_eq!(codes(&outcome.diagnostics), ["W0401", "W0901"]);
    assert_eq!(outcome.status, ExitStatus::GateFailed);
}

#[test]
fn an_invalid_model_means_exit_status_two_and_no_gate() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/missing-title.yaml");
    let outcome = tmkit::check(&corpus, &CheckOptions::new().with_deny_warnings(true));
    assert!(outcome.diagnostics.has_errors());
    assert!(outcome.model.is_none() && outcome.gates.is_empty());
    assert_eq!(outcome.status.code(), 2);
}
