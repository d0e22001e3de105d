//! SARIF 2.1.0 output, validated against the official schema.

use crate::support::{assert_valid, load, validator};
use serde_json::Value;
use tmkit_analysis::Analysis;
use tmkit_interop::sarif::{self, SarifOptions};

fn shop_sarif(opts: &SarifOptions) -> Value {
    let (model, checked) = load("fixtures/models/shop");
    let analysis = Analysis::new(&model);
    let text = sarif::threats_to_sarif(
        &model,
        &analysis,
        &checked.spans,
        &checked.files,
        "0.1.0",
        opts,
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn threats_validate_against_the_official_schema() {
    let doc = shop_sarif(&SarifOptions::default());
    assert_valid(&validator("sarif-schema-2.1.0.json"), &doc);
}

#[test]
fn one_result_per_threat_not_mitigated() {
    let doc = shop_sarif(&SarifOptions::with_prefix("security/model"));
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                .as_str()
                .unwrap()
        })
        .collect();
    // T.sniff is mitigated (design control in place); T.other is mitigated
    // (operational only); the others are open or accepted.
    assert_eq!(
        ids,
        [
            "SHOP.T.inject",
            "SHOP.T.dos",
            "SHOP.T.key",
            "SHOP.T.spoof",
            "SHOP.PAY.a-very-long-threat-identifier-that-is-longer-than-thirty-six"
        ]
    );
    let inject = &results[0];
    assert_eq!(inject["ruleId"], "tampering");
    assert_eq!(inject["level"], "error"); // 9.8 critical
    assert_eq!(inject["properties"]["security-severity"], "9.8");
    assert_eq!(inject["properties"]["status"], "partial");
    let loc = &inject["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "security/model/threatmodel.yaml"
    );
    let line = loc["region"]["startLine"].as_u64().unwrap();
    let text = std::fs::read_to_string(crate::support::test_path(
        "fixtures/models/shop/threatmodel.yaml",
    ))
    .unwrap();
    let source_line = text.lines().nth(line as usize - 1).unwrap();
    assert!(
        source_line.contains("id: T.inject"),
        "line {line}: {source_line}"
    );
    let col = loc["region"]["startColumn"].as_u64().unwrap() as usize;
    assert_eq!(
        &source_line[col - 1..col - 1 + "T.inject".len()],
        "T.inject"
    );

    // CVSS 4.0 low -> note; unscored -> note without security-severity.
    let dos = &results[1];
    assert_eq!(dos["properties"]["severity"], "medium", "{dos}");
    assert_eq!(dos["level"], "warning");
    assert_eq!(dos["properties"]["status"], "accepted");
    let key = &results[2];
    assert_eq!(key["level"], "note");
    assert!(key["properties"].get("security-severity").is_none());
    // A component's threat points into the component's file.
    let pay = &results[4];
    assert_eq!(
        pay["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "security/model/pay/threatmodel.yaml"
    );
    assert_eq!(pay["level"], "error");

    // Rules: one per first category, highest score on the rule.
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        rule_ids,
        [
            "denial-of-service",
            "information-disclosure",
            "spoofing",
            "tampering"
        ]
    );
    let disclosure = rules
        .iter()
        .find(|r| r["id"] == "information-disclosure")
        .unwrap();
    assert_eq!(disclosure["properties"]["security-severity"], "9.3");
}

#[test]
fn diagnostics_validate_and_point_at_the_problem() {
    let checked = tmkit_model::check_str(
        "tmkit: 1\nid: X\ntitle: t\nthreats:\n  - id: T1\n    title: a\n    categories: [bogus]\n    targets: [nowhere]\n",
    );
    assert!(checked.has_errors());
    let text = sarif::diagnostics_to_sarif(&checked.diagnostics, &checked.files, "0.1.0");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("sarif-schema-2.1.0.json"), &doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), checked.diagnostics.len());
    for (r, d) in results.iter().zip(&checked.diagnostics) {
        assert_eq!(r["ruleId"], d.code.as_str());
        assert_eq!(r["level"], if d.is_error() { "error" } else { "warning" });
        if let Some(p) = &d.primary {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], p.span.line);
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                "threatmodel.yaml"
            );
        }
    }
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "E0201"), "{rules:?}");
}

#[test]
fn a_diagnostic_without_a_place_points_at_the_root_file() {
    let checked = tmkit_model::check_str("tmkit: 1\nid: X\ntitle: t\n");
    let d =
        tmkit_syntax::Diagnostic::new(tmkit_syntax::Code::Io, "something about the whole model");
    let text = sarif::diagnostics_to_sarif(&vec![d].into(), &checked.files, "0.1.0");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("sarif-schema-2.1.0.json"), &doc);
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "threatmodel.yaml");
    assert_eq!(loc["region"]["startLine"], 1);
    // With no file at all, there is no location, and the log is still valid.
    let d = tmkit_syntax::Diagnostic::new(tmkit_syntax::Code::NoModelFound, "no model");
    let text = sarif::diagnostics_to_sarif(&vec![d].into(), &tmkit_syntax::Files::new(), "0.1.0");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("sarif-schema-2.1.0.json"), &doc);
    assert!(doc["runs"][0]["results"][0].get("locations").is_none());
}

#[test]
fn artifact_uris_are_percent_encoded() {
    let dir = "a b/c#d%e?f[1]";
    let comp = format!("{dir}/é.yaml");
    let root = format!("tmkit: 1\nid: X\ntitle: t\ncomponents:\n  - path: \"{comp}\"\n");
    let checked = tmkit_model::check_files(
        &[
            ("threatmodel.yaml", root.as_str()),
            (comp.as_str(), "tmkit: 1\nid: C\ntitle: c\nbogus: 1\n"),
        ],
        "threatmodel.yaml",
    );
    assert!(checked.has_errors());
    let opts = SarifOptions::with_prefix("sec urity/ü");
    let text =
        sarif::diagnostics_to_sarif_with(&checked.diagnostics, &checked.files, "0.1.0", &opts);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("sarif-schema-2.1.0.json"), &doc);
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert_eq!(
        uri,
        "sec%20urity/%C3%BC/a%20b/c%23d%25e%3Ff%5B1%5D/%C3%A9.yaml"
    );
    // Decoding gives back the path, and the URI is a valid relative reference.
    let decoded = percent_encoding::percent_decode_str(uri)
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, format!("sec urity/ü/{comp}"));
    let base = url::Url::parse("file:///src/").unwrap();
    let joined = base.join(uri).unwrap();
    assert_eq!(joined.path(), format!("/src/{uri}"));
    assert!(joined.fragment().is_none() && joined.query().is_none());
}
