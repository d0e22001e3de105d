//! Risk treatment: how transfer and avoid drive the status, dated
//! acceptances and due dates, their gates, the register and evidence.

mod common;

use tmkit_analysis::gate::Policy;
use tmkit_analysis::treatment::{Calendar, DeadlineKind, deadlines, register};
use tmkit_analysis::views::{View, ViewKind};
use tmkit_analysis::{Analysis, Status};
use tmkit_model::Date;

const MODEL: &str = r#"tmkit: 1
id: S
title: S
scope:
  assets: [{id: web, title: Web}]
mitigations:
  - {id: ctl, title: Control, kind: design, in_place: false, due: 2026-02-01}
  - {id: acc, title: Accepted, kind: risk-acceptance, in_place: true, owner: CISO, accepted: 2026-01-01, expires: 2026-03-10, rationale: Low value}
  - {id: old, title: Old acceptance, kind: risk-acceptance, in_place: true, owner: CTO, expires: 2026-02-01}
  - {id: ins, title: Insured, kind: transfer, in_place: true, party: Acme Insurance, reference: policy 7}
  - {id: gone, title: Removed, kind: avoid, in_place: true, evidence: [{ticket: SEC-1}]}
threats:
  - {id: T1, title: Transferred, categories: [integrity], targets: [web], mitigations: [ctl, ins]}
  - {id: T2, title: Avoided, categories: [integrity], targets: [web], mitigations: [ctl, gone]}
  - {id: T3, title: Accepted, categories: [availability], targets: [web], mitigations: [acc]}
  - {id: T4, title: Expired, categories: [confidentiality], targets: [web], mitigations: [old]}
"#;

fn day(s: &str) -> Date {
    Date::parse(s).expect("date")
}

fn status(a: &Analysis, qid: &str) -> Status {
    a.threat(qid).expect("threat").status
}

#[test]
fn a_transfer_counts_as_acceptance_and_an_avoid_as_mitigated() {
    let model = common::model(MODEL);
    let a = Analysis::new(&model);
    assert_eq!(status(&a, "S.T1"), Status::Accepted);
    assert_eq!(status(&a, "S.T2"), Status::Mitigated);
    assert!(!a.threat("S.T2").expect("T2").not_secure_by_default);
}

#[test]
fn deadlines_count_from_the_date_given() {
    let model = common::model(MODEL);
    let cal = Calendar::new(day("2026-03-01"));
    let all = deadlines(&model, &cal);
    let found: Vec<(DeadlineKind, &str, i64)> = all
        .iter()
        .map(|d| (d.kind, d.mitigation.as_str(), d.days_left))
        .collect();
    assert_eq!(
        found,
        [
            (DeadlineKind::Overdue, "S.ctl", -28),
            (DeadlineKind::Expiring, "S.acc", 9),
            (DeadlineKind::Expired, "S.old", -28),
        ]
    );
    // A window of 5 days: `acc` (9 days left) is no longer expiring.
    let narrow = cal.with_window(5);
    assert!(
        !deadlines(&model, &narrow)
            .iter()
            .any(|d| d.mitigation == "S.acc")
    );
    // Before every date, nothing is due.
    assert!(deadlines(&model, &Calendar::new(day("2025-01-01"))).is_empty());
}

#[test]
fn dated_gates_fail_on_their_mitigations_only() {
    let model = common::model(MODEL);
    let a = Analysis::new(&model);
    let cal = Calendar::new(day("2026-03-01"));
    let failing = |p: &str| -> Vec<String> {
        let policy: Policy = p.parse().expect("policy");
        policy
            .evaluate_on(&a, &model, &cal)
            .into_iter()
            .map(|v| v.element)
            .collect()
    };
    assert_eq!(failing("expired"), ["S.old"]);
    assert_eq!(failing("expiring:30d"), ["S.acc", "S.old"]);
    assert_eq!(failing("expiring:5d"), ["S.old"]);
    assert_eq!(failing("overdue"), ["S.ctl"]);
    assert_eq!(failing("unevidenced"), ["S.acc", "S.old", "S.ins"]);
    assert_eq!(
        "expiring:30d".parse::<Policy>().expect("p").to_string(),
        "expiring:30d"
    );
    assert!("expiring:soon".parse::<Policy>().is_err());
}

#[test]
fn the_register_lists_acceptances_and_transfers_soonest_first() {
    let model = common::model(MODEL);
    let cal = Calendar::new(day("2026-03-01"));
    let view = View::new(&model, ViewKind::Full).dated(&cal);
    let rows: Vec<(&str, &str, Option<i64>)> = view
        .register
        .iter()
        .map(|r| (r.threat.as_str(), r.mitigation.as_str(), r.days_left))
        .collect();
    assert_eq!(
        rows,
        [
            ("S.T4", "S.old", Some(-28)),
            ("S.T3", "S.acc", Some(9)),
            ("S.T1", "S.ins", None),
        ]
    );
    assert_eq!(register(&view.threats, None)[1].days_left, None);
    let d = view.metrics.deadlines.expect("dated metrics");
    assert_eq!((d.expired, d.expiring, d.overdue), (1, 1, 1));
    assert_eq!(
        (
            view.metrics.mitigations.evidenced,
            view.metrics.mitigations.claimed
        ),
        (1, 3)
    );
}

#[test]
fn the_public_view_shows_no_treatment_and_counts_private_evidence() {
    let model = common::model(MODEL);
    let view = View::new(&model, ViewKind::Public).dated(&Calendar::new(day("2026-03-01")));
    assert!(view.register.is_empty() && view.metrics.deadlines.is_none());
    let shown: Vec<&str> = view.model.models[0]
        .mitigations
        .iter()
        .map(|m| m.qid.as_str())
        .collect();
    assert_eq!(shown, ["S.gone"]);
    let gone = &view.model.models[0].mitigations[0];
    assert!(gone.evidence.is_empty());
    assert_eq!(gone.evidence_withheld, 1);
    assert_eq!(view.metrics.mitigations.evidenced, 1);
}
