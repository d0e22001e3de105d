//! The `--fail-on` policies.

mod common;

use common::model;
use tmkit_analysis::gate::{Policy, evaluate};
use tmkit_analysis::{Analysis, Rating};

#[test]
fn policies_parse() {
    assert_eq!(
        "unmitigated:high".parse(),
        Ok(Policy::Unmitigated(Some(Rating::High)))
    );
    assert_eq!(
        "unmitigated:Critical".parse(),
        Ok(Policy::Unmitigated(Some(Rating::Critical)))
    );
    assert_eq!("unmitigated".parse(), Ok(Policy::Unmitigated(None)));
    assert_eq!("unmitigated:any".parse(), Ok(Policy::Unmitigated(None)));
    assert_eq!("coverage:<0.8".parse(), Ok(Policy::CoverageBelow(0.8)));
    assert_eq!("coverage:<80%".parse(), Ok(Policy::CoverageBelow(0.8)));
    assert_eq!("coverage:0.5".parse(), Ok(Policy::CoverageBelow(0.5)));
    assert_eq!("untracked".parse(), Ok(Policy::Untracked));
    for bad in [
        "unmitigated:severe",
        "coverage:<1.5",
        "coverage:<abc",
        "coverage",
        "untracked:x",
        "",
        "nope",
    ] {
        let err = bad.parse::<Policy>().unwrap_err();
        assert!(
            err.to_string().contains("invalid --fail-on"),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        Policy::Unmitigated(Some(Rating::High)).to_string(),
        "unmitigated:high"
    );
}

const GATED: &str = "tmkit: 1
id: G
title: Gated
scope:
  assets: [{ id: x, title: X }]
  attackers: [{ id: a, title: A }]
mitigations:
  - { id: on, title: On, kind: design, in_place: true }
  - { id: off, title: Off, kind: design, in_place: false }
  - { id: acc, title: Accepted, kind: risk-acceptance, in_place: true }
threats:
  - id: crit-open
    title: Critical and open
    categories: [C]
    targets: [x]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    ticket: SEC-1
  - id: high-partial
    title: High and partial
    categories: [I]
    targets: [x]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N
    mitigations: [on, off]
  - id: high-accepted
    title: High but accepted
    categories: [A]
    targets: [x]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N
    mitigations: [off, acc]
  - id: crit-fixed
    title: Critical and mitigated
    categories: [A]
    targets: [x]
    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    mitigations: [on]
  - id: medium-open
    title: Medium and open
    categories: [A]
    targets: [x]
    cvss: CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N
  - id: unscored-open
    title: Unscored and open
    categories: [A]
    targets: [x]
    ticket: SEC-2
";

fn violations(policy: &str) -> Vec<String> {
    let m = model(GATED);
    let a = Analysis::new(&m);
    evaluate(&[policy.parse().unwrap()], &a, &m)
        .into_iter()
        .map(|v| v.element)
        .collect()
}

#[test]
fn unmitigated_gate_counts_open_threats_at_or_above_the_rating() {
    assert_eq!(violations("unmitigated:critical"), ["G.crit-open"]);
    assert_eq!(
        violations("unmitigated:high"),
        ["G.crit-open", "G.high-partial"]
    );
    assert_eq!(
        violations("unmitigated:medium"),
        ["G.crit-open", "G.high-partial", "G.medium-open"]
    );
    assert_eq!(
        violations("unmitigated"),
        [
            "G.crit-open",
            "G.high-partial",
            "G.medium-open",
            "G.unscored-open"
        ]
    );
}

#[test]
fn untracked_gate_names_open_threats_without_ticket() {
    assert_eq!(violations("untracked"), ["G.high-partial", "G.medium-open"]);
}

#[test]
fn coverage_gate_compares_root_coverage() {
    // 1 target x 1 attacker x 3 categories, all answered
    assert!(violations("coverage:<1").is_empty());
    let m = model(
        "tmkit: 1
id: C
title: Cov
scope:
  assets: [{ id: x, title: X }, { id: y, title: Y }]
  attackers: [{ id: a, title: A }]
threats:
  - { id: t, title: T, categories: [C, I, A], targets: [x] }
",
    );
    let a = Analysis::new(&m);
    let v = evaluate(&["coverage:<0.8".parse().unwrap()], &a, &m);
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].message,
        "coverage of C is 50.0% (3 of 6 questions answered), below 80.0%"
    );
    assert!(evaluate(&["coverage:<0.5".parse().unwrap()], &a, &m).is_empty());
}

#[test]
fn violation_messages_name_the_threat_its_status_and_severity() {
    let m = model(GATED);
    let a = Analysis::new(&m);
    let v = evaluate(&["unmitigated:high".parse().unwrap()], &a, &m);
    assert_eq!(
        v[1].message,
        "G.high-partial is partial (7.5 high): High and partial"
    );
}

#[test]
fn coverage_gate_uses_the_exact_ratio() {
    // 1 target x 1 attacker x 3 categories, 2 answered: 0.66666..., shown as 0.6667
    let m = model(
        "tmkit: 1
id: E
title: Exact
scope:
  assets: [{ id: x, title: X }]
  attackers: [{ id: a, title: A }]
threats:
  - { id: t, title: T, categories: [C, I], targets: [x] }
",
    );
    let a = Analysis::new(&m);
    assert_eq!(
        a.metrics(&m, 0).questions.as_ref().unwrap().coverage,
        Some(0.6667)
    );
    assert_eq!(
        evaluate(&["coverage:<0.6667".parse().unwrap()], &a, &m).len(),
        1
    );
    assert!(evaluate(&["coverage:<0.6666".parse().unwrap()], &a, &m).is_empty());
}

#[test]
fn coverage_gate_fails_a_model_that_asks_no_question() {
    // No attacker: 0 questions, coverage undefined rather than 100%.
    let m = model(
        "tmkit: 1
id: N
title: No attacker
scope:
  assets: [{ id: x, title: X }]
threats:
  - { id: t, title: T, categories: [C], targets: [x] }
",
    );
    let a = Analysis::new(&m);
    let v = evaluate(&["coverage:<0.1".parse().unwrap()], &a, &m);
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].message,
        "coverage of N is undefined: it asks no question (no in-scope attacker or no in-scope target)"
    );
}
