//! Open Threat Model 0.2.0 export and import.

use crate::support::{assert_valid, check_import, load, validator};
use serde_json::Value;
use tmkit_analysis::Analysis;
use tmkit_interop::otm;

fn export(rel: &str) -> (tmkit_model::Model, String) {
    let (model, _) = load(rel);
    let analysis = Analysis::new(&model);
    let json = otm::to_json(&model, &analysis);
    (model, json)
}

fn all_ids(doc: &Value) -> Vec<String> {
    let mut out = vec![doc["project"]["id"].as_str().unwrap().to_string()];
    for key in [
        "trustZones",
        "components",
        "assets",
        "dataflows",
        "threats",
        "mitigations",
    ] {
        for e in doc[key].as_array().into_iter().flatten() {
            out.push(e["id"].as_str().unwrap().to_string());
        }
    }
    out
}

#[test]
fn export_validates_and_ids_fit() {
    for rel in [
        "fixtures/models/shop",
        "../../../examples/reference",
        "../../../examples/composed",
    ] {
        let (_, json) = export(rel);
        let doc: Value = serde_json::from_str(&json).unwrap();
        assert_valid(&validator("otm-0.2.0.schema.json"), &doc);
        let ids = all_ids(&doc);
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{rel}: duplicate OTM ids");
        for id in &ids {
            assert!(
                id.chars().count() <= otm::MAX_ID_LEN,
                "{rel}: {id} too long"
            );
        }
    }
}

#[test]
fn export_maps_the_shop() {
    let (_, json) = export("fixtures/models/shop");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let zone = |id: &str| {
        doc["trustZones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["id"] == id)
            .unwrap()
            .clone()
    };
    // Trust 0..10 scaled to 0..100.
    assert_eq!(zone("SHOP.internet")["risk"]["trustRating"], 0.0);
    assert_eq!(zone("SHOP.dmz")["risk"]["trustRating"], 25.0);
    assert_eq!(zone("SHOP.core")["risk"]["trustRating"], 100.0);
    assert_eq!(zone("SHOP.PAY.psp")["risk"]["trustRating"], 50.0);
    assert_eq!(zone("SHOP.vault")["parent"]["trustZone"], "SHOP.core");
    // The session token has no zone: it is an OTM asset, not a component; the
    // `misc` component without a zone sits in the synthetic zone.
    let comps = doc["components"].as_array().unwrap();
    let misc = comps.iter().find(|c| c["id"] == "SHOP.misc").unwrap();
    assert_eq!(misc["parent"]["trustZone"], otm::NO_ZONE);
    assert!(
        doc["assets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "SHOP.session")
    );
    // Threat instances on the targets, with states from the analysis.
    let cart = comps.iter().find(|c| c["id"] == "SHOP.cart").unwrap();
    let inst = &cart["threats"][0];
    assert_eq!(inst["threat"], "SHOP.T.inject");
    assert_eq!(inst["state"], "Partly mitigated");
    assert_eq!(inst["mitigations"][0]["state"], "Implemented");
    assert_eq!(inst["mitigations"][1]["state"], "Required");
    // The long id is shortened, the original kept.
    let long = "SHOP.PAY.a-very-long-threat-identifier-that-is-longer-than-thirty-six";
    let t = doc["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["attributes"]["tmkit.qid"] == long)
        .unwrap();
    assert_eq!(t["id"].as_str().unwrap(), otm::otm_id(long));
    assert_eq!(t["risk"]["impact"], 93.0);
    let flow = doc["dataflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "SHOP.PAY.flow.pay")
        .unwrap();
    assert_eq!(flow["threats"][0]["threat"], t["id"]);
    assert_eq!(flow["source"], "SHOP.cart");
}

#[test]
fn export_carries_requirements_and_weakness_references() {
    let (_, json) = export("../../../examples/reference");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let threat = |qid: &str| {
        let list = doc["threats"].as_array().unwrap();
        list.iter()
            .find(|t| t["attributes"]["tmkit.qid"] == qid)
            .unwrap()
            .clone()
    };
    // OTM has a place for CWEs; CAPEC and ATT&CK ids and requirements go
    // to the attributes.
    let mitm = threat("CCC.T.mitm");
    assert_eq!(mitm["cwes"], serde_json::json!(["CWE-319"]));
    assert_eq!(
        mitm["attributes"]["tmkit.refs"],
        serde_json::json!(["CWE-319", "CAPEC-94"])
    );
    assert_eq!(
        mitm["attributes"]["tmkit.requirements"],
        serde_json::json!(["CCC.req.1"])
    );
    let flood = threat("CCC.T.flood");
    assert_eq!(flood["cwes"], serde_json::json!(["CWE-770"]));
    assert!(flood["attributes"].get("tmkit.requirements").is_none());
    let tls = (doc["mitigations"].as_array().unwrap().iter())
        .find(|m| m["attributes"]["tmkit.qid"] == "CCC.M.tls")
        .unwrap();
    assert_eq!(
        tls["attributes"]["tmkit.requirements"],
        serde_json::json!(["CCC.req.1"])
    );
    let models = &doc["project"]["attributes"]["tmkit.models"];
    assert_eq!(
        models[0]["requirements"][0]["refs"],
        serde_json::json!(["PCI-DSS-4.0:4.2.1", "PCI-DSS-4.0:6.4.1"])
    );
}

#[test]
fn export_then_import_gives_back_the_same_model() {
    for rel in [
        "fixtures/models/shop",
        "../../../examples/reference",
        "../../../examples/composed",
    ] {
        let (model, json) = export(rel);
        let out = otm::import(&json, "export.otm.json").unwrap();
        let checked = check_import(&out);
        let back = checked.model.unwrap();
        assert_eq!(back, model, "{rel}");
        assert!(out.warnings.is_empty(), "{rel}: {:?}", out.warnings);
    }
}

#[test]
fn other_tools_documents_import_into_a_valid_model() {
    let text = std::fs::read_to_string(crate::support::test_path("fixtures/otm/foreign.otm.json"))
        .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("otm-0.2.0.schema.json"), &doc);
    let out = otm::import(&text, "foreign.otm.json").unwrap();
    let checked = check_import(&out);
    let model = checked.model.unwrap();
    let root = model.root();
    assert_eq!(root.id, "online-banking");
    assert_eq!(root.abstraction.taxonomy, tmkit_model::Taxonomy::Stride);
    assert_eq!(root.zones.len(), 2);
    assert_eq!(root.zones[1].trust, 100.0);
    // Components and assets; a component inside a component inherits its zone.
    let asset = |id: &str| root.assets.iter().find(|a| a.id == id).unwrap();
    assert_eq!(asset("accounts-db").zone, asset("api-gateway").zone);
    assert_eq!(asset("accounts-db").kind, tmkit_model::AssetKind::Datastore);
    assert_eq!(asset("web-client").kind, tmkit_model::AssetKind::External);
    assert_eq!(asset("credentials").kind, tmkit_model::AssetKind::Data);
    assert_eq!(asset("ID_3d1e0b8f-hsm").kind, tmkit_model::AssetKind::Other);
    // The flow to a trust zone cannot be a tmkit flow.
    assert_eq!(root.dataflows.len(), 1);
    assert_eq!(root.dataflows[0].carries, ["online-banking.credentials"]);
    // Statuses follow the instances' mitigation states.
    let analysis = tmkit_analysis::Analysis::new(&model);
    let status = |id: &str| {
        analysis
            .threat(&format!("online-banking.{id}"))
            .unwrap()
            .status
    };
    use tmkit_analysis::Status;
    assert_eq!(status("spoofing-1"), Status::Unmitigated);
    assert_eq!(status("dos-1"), Status::Mitigated);
    assert_eq!(status("sqli"), Status::Partial);
    assert_eq!(status("backup-leak"), Status::Accepted);
    let spoof = root.threats.iter().find(|t| t.id == "spoofing-1").unwrap();
    assert_eq!(
        spoof.targets,
        ["online-banking.api-gateway", "online-banking.df-login"]
    );
    let sqli = root.threats.iter().find(|t| t.id == "sqli").unwrap();
    assert_eq!(sqli.categories, ["tampering", "information-disclosure"]);
    assert!(sqli.description.as_deref().unwrap().contains("CWE-89"));
    // Its `cwes` become weakness references.
    assert_eq!(
        sqli.refs,
        [tmkit_model::WeaknessRef::parse("CWE-89").unwrap()]
    );
    assert_eq!(out.threats.len(), 5);
    // Everything approximated is reported.
    let text: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    let has = |s: &str| text.iter().any(|w| w.contains(s));
    assert!(has("`df-broken`"), "{text:#?}");
    assert!(has("frobnicator"), "{text:#?}");
    assert!(has("representation"), "{text:#?}");
    assert!(has("`orphan` has no instance"), "{text:#?}");
}

#[test]
fn malformed_otm_names_file_and_line() {
    let err = otm::import(
        "{\n  \"otmVersion\": \"0.2.0\",\n  \"project\": 3\n}\n",
        "bad.otm.json",
    )
    .unwrap_err();
    assert_eq!(err.file, "bad.otm.json");
    assert_eq!(err.line, Some(3), "{err}");
    let err = otm::import("{\n  \"otmVersion\": \"0.2.0\",,\n}", "bad.otm.json").unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    let err = otm::import("otmVersion: 0.2.0\nproject:\n  name: [x\n", "bad.otm.yaml").unwrap_err();
    assert!(err.line.is_some(), "{err}");
}

const TINY: &str = "otmVersion: 0.2.0\nproject:\n  name: Tiny\n  id: tiny\ntrustZones:\n  - id: tz\n    name: Zone\n    risk: {trustRating: 40}\ncomponents:\n  - id: app\n    name: App\n    type: web-application\n    parent: {trustZone: tz}\n    threats:\n      - threat: t1\n        state: Exposed\nthreats:\n  - id: t1\n    name: XSS\n    categories: [Tampering]\n    risk: {likelihood: null, impact: 50}\n";

#[test]
fn yaml_otm_documents_import_too() {
    let out = otm::import(TINY, "tiny.otm.yaml").unwrap();
    let checked = check_import(&out);
    let model = checked.model.unwrap();
    assert_eq!(model.root().threats[0].targets, ["tiny.app"]);
    assert_eq!(model.root().assets[0].zone.as_deref(), Some("tiny.tz"));
}

/// When the imported model does not check (E0026), a diagnostic inside an
/// imported element points at that element in the OTM document, with a note
/// naming it in the model that would have been written. No input is known
/// to produce an invalid model, so the written file is corrupted here.
#[test]
fn diagnostics_of_a_failing_import_point_at_the_source() {
    let mut out = otm::import(TINY, "tiny.otm.yaml").unwrap();
    assert!(!out.check().has_errors());
    assert_eq!(out.sources["tiny.t1"].line, 18);
    let yaml = &mut out.files[0].contents;
    assert!(yaml.contains("  - tampering\n"), "{yaml}");
    *yaml = yaml.replace("  - tampering\n", "  - no-such-category\n");
    let checked = out.check();
    assert!(checked.has_errors());
    let d = (checked.diagnostics.iter())
        .find(|d| d.is_error())
        .expect("an error");
    let at = d.primary.as_ref().expect("a place").span;
    let file = checked.files.get(at.file);
    assert_eq!(file.display, "tiny.otm.yaml");
    assert_eq!((at.line, at.column), (18, 5));
    assert_eq!(&file.text[at.range()], "id: t1");
    assert!(
        d.notes
            .iter()
            .any(|n| n.starts_with("in the imported model: `tiny.t1`, threatmodel.yaml:")),
        "{:?}",
        d.notes
    );
    let shown = tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false);
    assert!(shown.contains("tiny.otm.yaml:18:5"), "{shown}");
    // A model that checks (with warnings) keeps them on the files written.
    let text = std::fs::read_to_string(crate::support::test_path("fixtures/otm/foreign.otm.json"))
        .unwrap();
    let out = otm::import(&text, "foreign.otm.json").unwrap();
    let checked = out.check();
    assert!(!checked.has_errors());
    let w = (checked.diagnostics.iter())
        .find(|d| d.code.as_str() == "W0301")
        .expect("the threat without targets");
    let at = w.primary.as_ref().unwrap().span;
    assert_eq!(checked.files.get(at.file).display, "threatmodel.yaml");
}
