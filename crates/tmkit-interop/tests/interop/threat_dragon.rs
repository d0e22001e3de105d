//! Threat Dragon (v2, v1) and TM-BOM imports.

use crate::support::{check_import, test_path};
use std::collections::BTreeSet;
use tmkit_analysis::{Analysis, Status};
use tmkit_interop::{ImportOutput, otm, threat_dragon};
use tmkit_model::Model;

fn import(rel: &str) -> ImportOutput {
    threat_dragon::import_file(&tmkit_syntax::fs::RealFs, &test_path(rel)).unwrap()
}

fn model_of(out: &ImportOutput) -> Model {
    check_import(out).model.unwrap()
}

fn statuses(model: &Model) -> Vec<(String, Status)> {
    let analysis = Analysis::new(model);
    analysis
        .threats
        .iter()
        .map(|t| (t.qid.to_string(), t.status))
        .collect()
}

/// The qualified ids of the zones, assets, flows and threats.
fn elements(model: &Model) -> [BTreeSet<String>; 4] {
    let r = model.root();
    [
        r.zones.iter().map(|z| z.qid.to_string()).collect(),
        r.assets.iter().map(|a| a.qid.to_string()).collect(),
        r.dataflows.iter().map(|f| f.qid.to_string()).collect(),
        r.threats.iter().map(|t| t.qid.to_string()).collect(),
    ]
}

/// import -> check clean -> export otm -> import otm keeps the same
/// assets, flows, zones and threats (and their statuses).
fn assert_round_trip(model: &Model) {
    let json = otm::to_json(model, &Analysis::new(model));
    let back = otm::import(&json, "round.otm.json").unwrap();
    let back = model_of(&back);
    assert_eq!(elements(&back), elements(model));
    assert_eq!(statuses(&back), statuses(model));
}

#[test]
fn v2_file_maps_elements_boundaries_and_threat_states() {
    let out = import("fixtures/threat-dragon/v2-shop.json");
    let model = model_of(&out);
    let r = model.root();
    let [zones, assets, flows, threats] = elements(&model);
    // Two boundary boxes (nested), and the outside of the first diagram.
    assert_eq!(zones.len(), 3);
    let inner = r
        .zones
        .iter()
        .find(|z| z.title == "Application network")
        .unwrap();
    assert_eq!(inner.within.as_deref(), Some("pet-shop.data-centre"));
    assert_eq!(inner.trust, 2.0);
    assert_eq!(inner.source.as_deref(), Some("b-inner"));
    // 5 elements (one shape misspelt, its data type wins), the placeholder
    // of the flow without a source; the empty diagram adds nothing.
    assert_eq!(assets.len(), 6, "{assets:?}");
    let orders = r.assets.iter().find(|a| a.id == "order-service").unwrap();
    assert_eq!(orders.kind.as_str(), "process");
    assert_eq!(orders.zone.as_deref(), Some("pet-shop.application-network"));
    // Outside every box: the diagram's outside zone; names repeat across diagrams.
    let customer = r.assets.iter().find(|a| a.id == "customer").unwrap();
    assert_eq!(customer.zone.as_deref(), Some("pet-shop.outside-checkout"));
    assert!(assets.contains("pet-shop.customer-2"));
    let backups = r.assets.iter().find(|a| a.id == "backups").unwrap();
    assert!(!backups.in_scope && backups.reason.is_some());
    assert_eq!(flows.len(), 3);
    let dangling = r
        .dataflows
        .iter()
        .find(|f| f.id == "reporting-export")
        .unwrap();
    assert_eq!(dangling.from, "pet-shop.unconnected");
    assert!(
        r.dataflows
            .iter()
            .any(|f| f.bidirectional && f.protocol.as_deref() == Some("HTTPS"))
    );
    // Threats: ids from their numbers, states kept.
    assert_eq!(threats.len(), 5);
    let st = statuses(&model);
    let status = |id: &str| st.iter().find(|(q, _)| q == id).unwrap().1;
    assert_eq!(status("pet-shop.threat-1"), Status::Unmitigated);
    assert_eq!(status("pet-shop.threat-2"), Status::Mitigated);
    assert_eq!(status("pet-shop.threat-3"), Status::Accepted);
    assert_eq!(status("pet-shop.threat-4"), Status::Unmitigated);
    let t2 = r.threats.iter().find(|t| t.id == "threat-2").unwrap();
    assert_eq!(t2.categories, ["tampering"]);
    assert!(t2.cvss.as_deref().unwrap().starts_with("CVSS:3.1/"));
    assert_eq!(t2.source.as_deref(), Some("t-2"));
    // Warnings with lines: the out-of-scope reason, the dangling flow, the
    // boundary line, the empty diagram, the proposed attackers.
    let w: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("v2-shop.json:157: data flow `Reporting export`")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w.contains("trust boundary line")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w.contains("diagram `Empty` is empty")),
        "{w:#?}"
    );
    assert!(w.iter().any(|w| w.contains("proposed")), "{w:#?}");
    // Proposed attackers make the model ask questions.
    assert!(r.attackers.iter().all(|a| a.title.ends_with("(proposed)")));
    assert!(!r.attackers.is_empty());
    assert_round_trip(&model);
}

#[test]
fn the_same_file_imports_to_the_same_bytes() {
    let a = import("fixtures/threat-dragon/v2-shop.json");
    let b = import("fixtures/threat-dragon/v2-shop.json");
    assert_eq!(a.files, b.files);
}

#[test]
fn v1_file_reads_names_from_the_drawing() {
    let out = import("fixtures/threat-dragon/v1-legacy.json");
    let model = model_of(&out);
    let r = model.root();
    let titles: Vec<&str> = r.assets.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Reader", "Blog engine"]);
    assert_eq!(r.dataflows[0].title, "Read posts");
    assert_eq!(r.dataflows[0].protocol.as_deref(), Some("HTTP"));
    let st: Vec<Status> = statuses(&model).into_iter().map(|(_, s)| s).collect();
    assert_eq!(st, [Status::Mitigated, Status::Unmitigated]);
    assert_round_trip(&model);
}

#[test]
fn linddun_diagram_gives_the_linddun_taxonomy() {
    let out = import("fixtures/threat-dragon/v2-linddun.json");
    let text = &out.files[0].contents;
    assert!(text.contains("taxonomy: LINDDUN"), "{text}");
    let model = model_of(&out);
    let cats: Vec<&str> = (model.root().threats.iter())
        .map(|t| t.categories[0].as_str())
        .collect();
    assert_eq!(cats, ["linking", "identifying", "other"]);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.line == Some(30) && w.message.contains("Frobnication"))
    );
}

#[test]
fn unknown_version_is_a_clear_error() {
    let err = threat_dragon::import(
        "{\"version\": \"3.0.0\", \"summary\": {}, \"detail\": {\"diagrams\": []}}",
        "x.json",
    )
    .unwrap_err();
    assert!(
        err.message.contains("version 3.0.0 is not supported"),
        "{err}"
    );
    let err = threat_dragon::import("{\"a\": 1}", "x.json").unwrap_err();
    assert!(err.message.contains("not a Threat Dragon model"), "{err}");
}

#[test]
fn hostile_input_is_refused_or_survived() {
    // Deep nesting stops at the reader's limit, with a place.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(threat_dragon::import(&deep, "deep.json").is_err());
    // Boxes inside each other, equal boxes, odd numbers: no panic, no cycle.
    let cell = |id: &str, t: &str, x: &str| {
        format!(
            r#"{{"id":"{id}","shape":"x","position":{{"x":{x},"y":0}},"size":{{"width":10,"height":10}},"data":{{"type":"{t}","name":"{id}"}}}}"#
        )
    };
    let cells = [
        cell("b1", "tm.BoundaryBox", "0"),
        cell("b2", "tm.BoundaryBox", "0"),
        cell("b3", "tm.BoundaryBox", "1e308"),
        cell("p", "tm.Process", "0"),
        r#"{"id":"f","shape":"flow","source":{"cell":"f"},"target":7,"data":{"type":"tm.Flow","threats":[{"status":[],"title":{}}]}}"#.to_string(),
    ];
    let doc = format!(
        r#"{{"version":"2.1","summary":{{"title":"\u0000"}},"detail":{{"diagrams":[{{"cells":[{}]}}]}}}}"#,
        cells.join(",")
    );
    let out = threat_dragon::import(&doc, "odd.json").unwrap();
    check_import(&out);
}

#[test]
fn tmbom_maps_personas_controls_and_zones() {
    let out = import("fixtures/tmbom/library.json");
    let model = model_of(&out);
    let r = model.root();
    let [zones, assets, flows, threats] = elements(&model);
    assert_eq!(zones.len(), 2);
    // actor, component, data store, data set, and the unknown flow end.
    assert_eq!(assets.len(), 5);
    assert_eq!(flows.len(), 3);
    assert_eq!(threats.len(), 3);
    // Personas are attackers (not proposed); threats name theirs.
    assert_eq!(r.attackers.len(), 1);
    assert!(!out.warnings.iter().any(|w| w.message.contains("proposed")));
    // A person's zone is the less trusted side.
    let trust: Vec<f64> = r.zones.iter().map(|z| z.trust).collect();
    assert_eq!(trust, [0.0, 1.0]);
    // Status from the controls: active, scheduled, won't do.
    let st: Vec<Status> = statuses(&model).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        st,
        [Status::Mitigated, Status::Unmitigated, Status::Accepted]
    );
    let leak = &r.threats[0];
    assert_eq!(leak.categories, ["adversary"]);
    assert_eq!(r.threats[2].categories, ["human-error"]);
    assert!(leak.description.as_deref().unwrap().contains("CWE-639"));
    assert!(
        leak.description
            .as_deref()
            .unwrap()
            .contains("Risk Privacy breach")
    );
    assert_round_trip(&model);
}
