//! The reference example: its metrics must match the header of the seed.

mod common;

use std::path::Path;
use tmkit_analysis::{Analysis, Direction, Status};

fn reference() -> tmkit_model::Model {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reference/threatmodel.yaml");
    let checked = tmkit_model::check_path(&path);
    checked
        .model
        .unwrap_or_else(|| panic!("reference does not check: {:#?}", checked.diagnostics))
}

#[test]
fn reference_metrics_json_matches_the_seed_header() {
    let model = reference();
    let analysis = Analysis::new(&model);
    let json = serde_json::to_value(analysis.metrics(&model, 0)).unwrap();
    let expected = serde_json::json!({
        "model": "CCC",
        "questions": {"total": 45, "answered": 6, "open": 39, "coverage": 0.1333},
        "threats": {"total": 4, "mitigated": 3, "partial": 0, "accepted": 0,
                    "unmitigated": 1, "not_secure_by_default": 1,
                    "by_severity": {"critical": 0, "high": 0, "medium": 4, "low": 0, "none": 0, "unscored": 0}},
        "mitigations": {"total": 8, "in_place": 6, "planned": 2, "evidenced": 1, "claimed": 5},
        "boundary_crossings": {"total": 1, "unanswered": 0},
        "untracked_unmitigated": 0,
        "components": [],
        "threats_without_mitigations": 0,
        "other_threats": 0,
        "assumptions": {"total": 3, "unused": 0},
        "scope": {"targets": 5, "attackers": 3,
                  "out_of_scope": {"assets": 1, "dataflows": 0, "attackers": 2}},
        "effort": {"open_questions": 39, "open_threats": 1, "planned_mitigations": 2,
                   "unanswered_crossings": 0, "minutes_per_question": 15,
                   "estimated_minutes": 585},
        "deadlines": null
    });
    assert_eq!(json, expected);
    // The rate scales the estimate: (39 open questions + 0 crossings) x 20.
    let mut metrics = analysis.metrics(&model, 0);
    metrics.set_minutes_per_question(20);
    assert_eq!(metrics.effort.estimated_minutes, Some(780));
    assert_eq!(metrics.effort.minutes_per_question, 20);
    // Key order is part of the contract: the required keys first, as in the issue.
    let text = serde_json::to_string(&analysis.metrics(&model, 0)).unwrap();
    assert!(text.starts_with(
        r#"{"model":"CCC","questions":{"total":45,"answered":6,"open":39,"coverage":0.1333},"threats":{"total":4,"mitigated":3,"partial":0,"accepted":0,"unmitigated":1,"not_secure_by_default":1,"by_severity":{"critical":0,"high":0,"medium":4,"low":0,"none":0,"unscored":0}},"mitigations":{"total":8,"in_place":6,"planned":2,"evidenced":1,"claimed":5},"boundary_crossings":{"total":1,"unanswered":0},"untracked_unmitigated":0,"components":[]"#
    ), "{text}");
}

#[test]
fn reference_answered_questions_are_the_six_of_the_header() {
    let model = reference();
    let analysis = Analysis::new(&model);
    let mut answered: Vec<String> = analysis
        .questions()
        .filter(|q| q.answered)
        .map(|q| format!("{} x {} x {}", q.target, q.attacker, q.category))
        .collect();
    answered.sort();
    assert_eq!(
        answered,
        [
            "CCC.dataflow.1 x CCC.anon x confidentiality",
            "CCC.dataflow.1 x CCC.editor x availability",
            "CCC.dataflow.1 x CCC.editor x integrity",
            "CCC.dataflow.1 x CCC.installer x availability",
            "CCC.dataflow.1 x CCC.installer x confidentiality",
            "CCC.dataflow.1 x CCC.installer x integrity",
        ]
    );
    assert_eq!(analysis.questions().count(), 45);
    let flood = analysis
        .questions()
        .find(|q| {
            q.target == "CCC.dataflow.1"
                && q.attacker == "CCC.editor"
                && q.category == "availability"
        })
        .unwrap();
    assert_eq!(flood.threats, ["CCC.T.flood", "CCC.VULN_001"]);
    let installer = analysis
        .questions()
        .find(|q| {
            q.target == "CCC.dataflow.1"
                && q.attacker == "CCC.installer"
                && q.category == "integrity"
        })
        .unwrap();
    assert!(installer.threats.is_empty());
    assert_eq!(
        installer.verdict,
        Some(tmkit_model::VerdictKind::NotApplicable)
    );
}

#[test]
fn reference_threat_statuses_and_scores() {
    let model = reference();
    let analysis = Analysis::new(&model);
    let summary: Vec<(String, Status, bool, f64)> = analysis
        .threats
        .iter()
        .map(|t| {
            (
                t.qid.to_string(),
                t.status,
                t.not_secure_by_default,
                t.cvss.as_ref().unwrap().score,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CCC.T.mitm".to_string(), Status::Mitigated, false, 5.9),
            ("CCC.T.tamper".to_string(), Status::Mitigated, false, 6.5),
            ("CCC.T.flood".to_string(), Status::Mitigated, true, 4.3),
            ("CCC.VULN_001".to_string(), Status::Unmitigated, false, 6.5),
        ]
    );
}

#[test]
fn reference_crossing_is_inbound_integrity_answered() {
    let model = reference();
    let analysis = Analysis::new(&model);
    assert_eq!(analysis.crossings.len(), 1);
    let c = &analysis.crossings[0];
    assert_eq!(c.flow, "CCC.dataflow.1");
    assert_eq!(c.from_zone.as_deref(), Some("CCC.internet"));
    assert_eq!(c.to_zone.as_deref(), Some("CCC.internal"));
    assert_eq!((c.from_trust, c.to_trust), (Some(0.0), Some(2.0)));
    assert_eq!(c.direction, Direction::Inbound);
    assert_eq!(c.exposed, [std::sync::Arc::from("integrity")]);
    assert!(c.unanswered.is_empty());
}
