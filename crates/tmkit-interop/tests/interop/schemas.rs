//! The vendored schemas really constrain documents (so a passing validation
//! in the other modules means something).

use crate::support::validator;
use serde_json::json;

#[test]
fn sarif_schema_rejects_broken_logs() {
    let v = validator("sarif-schema-2.1.0.json");
    let good = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "r", "level": "error", "message": {"text": "m"}}]}]});
    assert!(v.is_valid(&good));
    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!v.is_valid(&bad_level));
    let mut bad_version = good.clone();
    bad_version["version"] = json!("2.0.0");
    assert!(!v.is_valid(&bad_version));
    let mut no_message = good;
    no_message["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!v.is_valid(&no_message));
}

#[test]
fn otm_schema_rejects_broken_documents() {
    let v = validator("otm-0.2.0.schema.json");
    let good = json!({"otmVersion": "0.2.0", "project": {"name": "p", "id": "p"},
        "trustZones": [{"id": "z", "name": "Z", "risk": {"trustRating": 10}}],
        "components": [{"id": "c", "name": "C", "type": "service", "parent": {"trustZone": "z"}}]});
    assert!(v.is_valid(&good));
    let mut no_parent = good.clone();
    no_parent["components"][0]
        .as_object_mut()
        .unwrap()
        .remove("parent");
    assert!(!v.is_valid(&no_parent));
    let mut no_rating = good;
    no_rating["trustZones"][0]["risk"] = json!({});
    assert!(!v.is_valid(&no_rating));
}
