//! The posture diff of two models (`tmkit diff`'s logic).

mod common;

use common::model;
use tmkit_analysis::Analysis;
use tmkit_analysis::Rating;
use tmkit_analysis::diff::{DiffPolicy, Posture, PostureDiff, Side};
use tmkit_analysis::gate::PolicyError;
use tmkit_model::Model;

/// Two zones, a client reaching a service, one attacker, one threat
/// mitigated by a shared control; taxonomy CIA.
const BASE: &str = r#"tmkit: 1
id: S
title: Shop
scope:
  zones:
    - { id: internet, title: Internet, trust: 0 }
    - { id: dmz, title: DMZ, trust: 1 }
  assets:
    - { id: client, title: Client, kind: external, zone: internet, in_scope: false, reason: not ours }
    - { id: web, title: Web, kind: service, zone: dmz }
  dataflows:
    - { id: f1, title: Browse, from: client, to: web }
  attackers:
    - { id: anon, title: Anonymous, zone: internet }
  assumptions:
    - { id: A1, title: TLS everywhere }
mitigations:
  - { id: M.waf, title: WAF, kind: operational, in_place: true }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
    targets: [web, f1]
    attackers: [anon]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
    mitigations: [M.waf]
  - id: T2
    title: Data theft
    categories: [confidentiality]
    targets: [web]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
"#;

fn side_pair(base: &str, head: &str) -> (Model, Model) {
    (model(base), model(head))
}

fn diff(base: Option<&Model>, head: &Model) -> PostureDiff {
    let ba = base.map(Analysis::new);
    let ha = Analysis::new(head);
    let base_side = base
        .zip(ba.as_ref())
        .map(|(model, analysis)| Side { model, analysis });
    PostureDiff::new(
        base_side,
        Side {
            model: head,
            analysis: &ha,
        },
        ("base".into(), "head".into()),
    )
}

fn changes(d: &PostureDiff, id: &str) -> Vec<(String, Option<String>, Option<String>)> {
    d.threats
        .changed
        .iter()
        .find(|c| c.id == id)
        .map(|c| {
            c.changes
                .iter()
                .map(|f| (f.field.clone(), f.from.clone(), f.to.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn the_same_model_is_unchanged() {
    let (b, h) = side_pair(BASE, BASE);
    let d = diff(Some(&b), &h);
    assert_eq!(d.posture, Posture::Unchanged);
    assert!(d.is_empty());
    assert_eq!(d.coverage.delta, Some(0.0));
    assert!(d.threats.changed.is_empty() && d.questions.newly_open.is_empty());
}

#[test]
fn a_control_withdrawn_reopens_its_threat_and_is_worse() {
    let head = BASE.replace(
        "{ id: M.waf, title: WAF, kind: operational, in_place: true }",
        "{ id: M.waf, title: WAF, kind: operational, in_place: false }",
    );
    let (b, h) = side_pair(BASE, &head);
    let d = diff(Some(&b), &h);
    assert_eq!(
        changes(&d, "S.T1"),
        [
            ("status".into(), s("mitigated"), s("unmitigated")),
            ("mitigations.S.M.waf".into(), s("in place"), s("planned")),
        ]
    );
    assert_eq!(d.posture, Posture::Worse);
    assert_eq!(d.signals.regressions, 1);
    assert!(DiffPolicy::NewUnmitigated(Rating::High).evaluate(&d).len() == 1);
    assert!(
        DiffPolicy::NewUnmitigated(Rating::Critical)
            .evaluate(&d)
            .is_empty()
    );
    // Unlinking the control entirely is a withdrawal too.
    let head = BASE.replace("    mitigations: [M.waf]\n", "");
    let d = diff(Some(&b), &model(&head));
    assert_eq!(
        changes(&d, "S.T1"),
        [
            ("status".into(), s("mitigated"), s("unmitigated")),
            ("mitigations.S.M.waf".into(), s("in place"), None),
        ]
    );
}

#[test]
fn a_threat_added_answers_questions_and_is_open() {
    let head = format!(
        "{BASE}  - id: T3\n    title: Outage\n    categories: [availability]\n    targets: [web]\n    cvss: \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"\n"
    );
    let (b, h) = side_pair(BASE, &head);
    let d = diff(Some(&b), &h);
    assert_eq!(d.threats.added.len(), 1);
    assert_eq!(d.threats.added[0].id, "S.T3");
    assert_eq!(d.threats.added[0].severity.as_deref(), Some("high"));
    let answered: Vec<_> = d
        .questions
        .newly_answered
        .iter()
        .map(|q| (q.target.as_str(), q.attacker.as_str(), q.category.as_str()))
        .collect();
    assert_eq!(answered, [("S.web", "S.anon", "availability")]);
    // An answered question and an open threat: mixed.
    assert_eq!(d.posture, Posture::Mixed);
    let base_cov = d.coverage.base.expect("base");
    let head_cov = d.coverage.head.expect("head");
    assert!(head_cov > base_cov);
    assert_eq!(
        d.coverage.delta,
        Some(((head_cov - base_cov) * 1e4).round() / 1e4)
    );
    assert_eq!(d.questions.base_open, Some(d.questions.head_open + 1));
    // The numbers are those of the metrics of each side.
    let hm = d.metrics.head.questions.as_ref().expect("questions");
    assert_eq!(
        (hm.coverage, hm.open),
        (d.coverage.head, d.questions.head_open)
    );
}

#[test]
fn a_component_added_brings_new_scope_questions_and_crossings() {
    let head = BASE.replace(
        "  dataflows:\n",
        "    - { id: db, title: Database, kind: datastore, zone: dmz }\n  dataflows:\n    - { id: f2, title: Query, from: web, to: db }\n    - { id: f3, title: Direct, from: client, to: db }\n",
    );
    let (b, h) = side_pair(BASE, &head);
    let d = diff(Some(&b), &h);
    let entered: Vec<_> = d
        .scope
        .entered
        .iter()
        .map(|e| (e.kind.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(
        entered,
        [
            ("asset", "S.db"),
            ("dataflow", "S.f2"),
            ("dataflow", "S.f3")
        ]
    );
    assert!(d.scope.left.is_empty());
    assert!(d.questions.newly_open.iter().any(|q| q.target == "S.db"));
    let crossing: Vec<_> = d
        .crossings
        .newly_unanswered
        .iter()
        .map(|c| c.flow.as_str())
        .collect();
    assert_eq!(crossing, ["S.f3"]);
    assert_eq!(d.posture, Posture::Worse);
    assert_eq!(DiffPolicy::NewUnansweredCrossing.evaluate(&d).len(), 1);
    let model_cov: Vec<_> = d.coverage.models.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(model_cov, ["S"]);
}

#[test]
fn trust_scope_and_assumption_changes_are_listed() {
    let head = BASE
        .replace("trust: 1 }", "trust: 2 }")
        .replace(
            "{ id: A1, title: TLS everywhere }",
            "{ id: A1, title: TLS 1.3 everywhere }\n    - { id: A2, title: Patched }",
        )
        .replace(
            "kind: external, zone: internet, in_scope: false, reason: not ours",
            "kind: external, zone: internet",
        );
    let d = diff(Some(&model(BASE)), &model(&head));
    assert_eq!(d.scope.trust.len(), 1);
    assert_eq!(
        (
            d.scope.trust[0].zone.as_str(),
            d.scope.trust[0].from,
            d.scope.trust[0].to
        ),
        ("S.dmz", 1.0, 2.0)
    );
    assert_eq!(
        d.scope
            .entered
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["S.client"]
    );
    assert_eq!(
        d.assumptions
            .added
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        ["S.A2"]
    );
    let change = &d.assumptions.changed[0];
    assert_eq!(
        (change.id.as_str(), change.changes[0].field.as_str()),
        ("S.A1", "title")
    );
    assert_eq!(change.changes[0].to.as_deref(), Some("TLS 1.3 everywhere"));
}

#[test]
fn a_model_absent_at_base_is_all_added() {
    let h = model(BASE);
    let d = diff(None, &h);
    assert!(!d.base_exists);
    assert_eq!(d.threats.added.len(), 2);
    assert_eq!((d.coverage.base, d.coverage.delta), (None, None));
    assert_eq!(d.questions.newly_open.len(), d.questions.head_open);
    assert_eq!(d.posture, Posture::Worse);
    assert!(DiffPolicy::CoverageDrop(0.0).evaluate(&d).is_empty());
}

#[test]
fn removing_an_open_threat_and_answering_is_better_and_coverage_drop_gates() {
    // Base without T2's questions answered; head answers them with a verdict
    // and fixes nothing else.
    let head = format!(
        "{BASE}analysis:\n  - {{ target: web, category: availability, verdict: no-threat, rationale: static }}\n"
    );
    let d = diff(Some(&model(BASE)), &model(&head));
    assert_eq!(d.posture, Posture::Better);
    // The reverse is a coverage drop.
    let r = diff(Some(&model(&head)), &model(BASE));
    assert_eq!(r.posture, Posture::Worse);
    let drop = r.coverage.delta.expect("delta");
    assert!(drop < 0.0);
    assert_eq!(DiffPolicy::CoverageDrop(-drop / 2.0).evaluate(&r).len(), 1);
    assert!(
        DiffPolicy::CoverageDrop(-drop * 2.0)
            .evaluate(&r)
            .is_empty()
    );
}

#[test]
fn diff_policies_parse() {
    assert_eq!(
        "new-unmitigated:high".parse(),
        Ok(DiffPolicy::NewUnmitigated(Rating::High))
    );
    assert_eq!(
        "coverage-drop:0.05".parse(),
        Ok(DiffPolicy::CoverageDrop(0.05))
    );
    assert_eq!(
        "coverage-drop:5%".parse(),
        Ok(DiffPolicy::CoverageDrop(0.05))
    );
    assert_eq!(
        "new-unanswered-crossing".parse(),
        Ok(DiffPolicy::NewUnansweredCrossing)
    );
    for bad in [
        "new-unmitigated",
        "new-unmitigated:severe",
        "coverage-drop:2",
        "coverage-drop",
        "unmitigated:high",
    ] {
        let r: Result<DiffPolicy, PolicyError> = bad.parse();
        assert!(r.is_err(), "{bad}");
    }
    assert_eq!(
        DiffPolicy::CoverageDrop(0.05).to_string(),
        "coverage-drop:0.05"
    );
}
