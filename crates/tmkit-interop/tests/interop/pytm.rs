//! Imports of the JSON pytm prints with `--json`.

use crate::support::{assert_otm_round_trip, asset_kinds, check_import, test_path};
use tmkit_analysis::{Analysis, Status};
use tmkit_interop::pytm;

#[test]
fn pytm_json_maps_elements_by_name() {
    let out = pytm::import_file(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/pytm/chatbot.json"),
    )
    .unwrap();
    let model = check_import(&out).model.unwrap();
    let r = model.root();
    let kinds = asset_kinds(&model);
    // Newer kinds (LLM, Lambda) are services; an unknown class is `other`.
    assert_eq!(
        kinds,
        [
            ("visitor", "external"),
            ("chat-api", "service"),
            ("model", "service"),
            ("transcripts", "datastore"),
            ("summariser", "service"),
            ("widget", "other"),
            ("prompt", "data"),
            ("answer", "data"),
            ("unconnected", "external"),
        ]
    );
    assert!(!r.assets[3].in_scope);
    assert_eq!(
        r.assets[2].zone.as_deref(),
        Some("support-chatbot.inference-zone")
    );
    let inner = r.zones.iter().find(|z| z.id == "inference-zone").unwrap();
    assert_eq!(inner.within.as_deref(), Some("support-chatbot.cloud"));
    assert_eq!(r.dataflows.len(), 3);
    assert_eq!(
        r.dataflows[1].carries,
        ["support-chatbot.prompt", "support-chatbot.answer"]
    );
    assert_eq!(r.dataflows[2].to, "support-chatbot.unconnected");
    // Findings: targets by name (an element or a flow), CVSS kept, the
    // mitigation text planned.
    assert_eq!(r.threats.len(), 4);
    assert_eq!(r.threats[0].targets, ["support-chatbot.chat-api"]);
    assert_eq!(r.threats[2].targets, ["support-chatbot.ask"]);
    assert!(r.threats[3].targets.is_empty());
    assert!(r.threats[0].cvss.is_some());
    let analysis = Analysis::new(&model);
    assert!(
        analysis
            .threats
            .iter()
            .all(|t| t.status == Status::Unmitigated)
    );
    assert!(out.warnings.iter().any(|w| w.message.contains("`Gizmo`")));
    assert_otm_round_trip(&model);
}

#[test]
fn excluded_findings_are_not_applicable_and_junk_is_survived() {
    let doc = r#"{"name": "X", "flows": [{"name": "f", "source": 1, "sink": null}], "elements": [7, {"__class__": "Actor"}],
        "boundaries": [{"name": "a", "inBoundary": "b"}, {"name": "b", "inBoundary": "a"}],
        "findings": [{"id": "9", "threat_id": "T", "target": "f"}], "excluded_findings": [{"id": "9"}]}"#;
    let out = pytm::import(doc, "x.json").unwrap();
    let model = check_import(&out).model.unwrap();
    let st: Vec<Status> = Analysis::new(&model)
        .threats
        .iter()
        .map(|t| t.status)
        .collect();
    assert_eq!(st, [Status::Accepted]);
    assert!(pytm::import("{\"name\": 1}", "x.json").is_err());
}
