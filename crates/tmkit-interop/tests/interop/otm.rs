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
fn export_then_import_gives_back_the_same_model() {
    for rel in [
        "fixtures/models/shop",
        "../../../examples/reference",
        "../../../examples/composed",
    ] {
        let (model, json) = export(rel);
        let out = otm::import(&json, "export.otm.json").unwrap();
        let (_dir, checked) = check_import(&out);
        let back = checked.model.unwrap();
        assert_eq!(back, model, "{rel}");
        assert!(out.warnings.is_empty(), "{rel}: {:?}", out.warnings);
    }
}
