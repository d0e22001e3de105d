//! Risk treatment and evidence through OTM. An OTM mitigation holds a name,
//! a description and a risk reduction only, so a mitigation's `owner`, its
//! treatment fields and its evidence travel in `attributes`
//! (`tmkit.owner`, `tmkit.treatment`, `tmkit.evidence`) and come back on
//! import.

use super::types::Attributes;
use crate::yaml_out::{MapBuilder, Yaml};
use serde_json::{Map, Value, json};
use tmkit_model::Mitigation;

/// The treatment of an imported mitigation, as the attributes hold it.
#[derive(Debug, Clone, Default)]
pub(super) struct TreatmentRec {
    owner: Option<String>,
    /// `tmkit.treatment`: the fields that are set.
    fields: Map<String, Value>,
    /// `tmkit.evidence`: `{kind, target, note, public}` entries.
    evidence: Vec<Value>,
}

/// The attributes of an exported mitigation (null ones are dropped).
pub(super) fn export(m: &Mitigation) -> [(&'static str, Value); 3] {
    let mut fields = match serde_json::to_value(&m.treatment) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    };
    fields.retain(|_, v| !(v.is_null() || *v == Value::Bool(false)));
    let fields = if fields.is_empty() {
        Value::Null
    } else {
        Value::Object(fields)
    };
    let evidence = if m.evidence.is_empty() {
        Value::Null
    } else {
        json!(m.evidence)
    };
    [
        ("tmkit.owner", json!(m.owner)),
        ("tmkit.treatment", fields),
        ("tmkit.evidence", evidence),
    ]
}

/// Reads them back.
pub(super) fn import(a: &Attributes) -> TreatmentRec {
    TreatmentRec {
        owner: a
            .get("tmkit.owner")
            .and_then(Value::as_str)
            .map(str::to_string),
        fields: a
            .get("tmkit.treatment")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        evidence: a
            .get("tmkit.evidence")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

/// The keys of the mitigation, in the order of the format.
pub(super) fn emit(b: MapBuilder, t: &TreatmentRec) -> MapBuilder {
    let text = |k: &str| t.fields.get(k).and_then(Value::as_str).map(str::to_string);
    let mut b = b.opt_str("owner", t.owner.clone());
    for key in ["accepted", "expires"] {
        b = b.opt_str(key, text(key));
    }
    b = b.flag(
        "permanent",
        t.fields.get("permanent") == Some(&Value::Bool(true)),
    );
    for key in ["rationale", "party", "reference", "due"] {
        b = b.opt_str(key, text(key));
    }
    let entries = t.evidence.iter().filter_map(|e| {
        let kind = e["kind"].as_str()?;
        let target = e["target"].as_str()?;
        let item = MapBuilder::new()
            .str(kind, target)
            .opt_str("note", e["note"].as_str())
            .flag("public", e["public"] == Value::Bool(true));
        Some(item.build())
    });
    b.seq("evidence", entries.collect::<Vec<Yaml>>())
}
