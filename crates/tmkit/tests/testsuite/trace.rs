//! Requirements and compliance, traced: `requirements:` and `refs:` in the
//! reports, `report --view compliance` in every format, and the effort
//! estimate of the metrics (`--minutes-per-question`).

use crate::support::Test;

/// Every requirement status, a confidential requirement, weakness
/// references, and a component (for the per-component effort).
const ROOT: &str = r#"tmkit: 1
id: SHOP
title: Shop
scope:
  requirements:
    - { id: R.met, title: Met one, kind: compliance, refs: [ASVS-4.0.3:V2.1.1] }
    - { id: R.partly, title: Partly one, kind: technical }
    - { id: R.not, title: Not one, kind: compliance, ref: "PCI-DSS 4.0 §3", refs: [PCI-DSS-4.0:3.5.1] }
    - { id: R.none, title: Nothing traces here, kind: business }
    - { id: R.secret, title: Secret requirement, kind: compliance, confidential: true }
  zones:
    - { id: internet, title: Internet, trust: 0 }
    - { id: internal, title: Internal, trust: 2 }
  assets:
    - { id: web, title: Web, kind: service, zone: internal }
    - { id: browser, title: Browser, kind: external, zone: internet, in_scope: false, reason: theirs }
  dataflows:
    - { id: f1, title: Browser to web, from: browser, to: web }
  attackers:
    - { id: anon, title: Anonymous, zone: internet }
mitigations:
  - { id: M.mfa, title: MFA, kind: design, in_place: true, requirements: [R.met, R.partly] }
  - { id: M.enc, title: Encryption, kind: design, in_place: false, requirements: [R.partly, R.not] }
threats:
  - id: T1
    title: Credential stuffing
    categories: [integrity]
    targets: [web]
    requirements: [R.met, R.secret]
    refs: [CWE-307, CAPEC-600, T1110.004]
    mitigations: [M.mfa]
components: [pay]
"#;

const PAY: &str = r#"tmkit: 1
id: PAY
title: Payments
scope:
  assets:
    - { id: pay-api, title: Payment API, kind: service, zone: internal }
threats:
  - id: T2
    title: Card data at rest
    categories: [confidentiality]
    targets: [pay-api]
    requirements: [R.not]
    mitigations: [M.enc]
"#;

fn shop() -> Test {
    Test::new().model(ROOT).file("pay/threatmodel.yaml", PAY)
}

#[test]
fn compliance_view_in_json_derives_each_status() {
    let mut t = shop()
        .args(["report", "--view", "compliance", "-f", "json"])
        .status(0);
    let json = t.json();
    assert_eq!(json["view"], "compliance");
    let entries = json["compliance"].as_array().unwrap();
    let status = |qid: &str| {
        let e = entries.iter().find(|e| e["qid"] == qid).unwrap();
        e["status"].as_str().unwrap().to_string()
    };
    assert_eq!(status("SHOP.R.met"), "met");
    assert_eq!(status("SHOP.R.partly"), "partly");
    assert_eq!(status("SHOP.R.not"), "not-met");
    assert_eq!(status("SHOP.R.none"), "no-evidence");
    let not = entries.iter().find(|e| e["qid"] == "SHOP.R.not").unwrap();
    assert_eq!(
        not["refs"],
        serde_json::json!([{"standard": "PCI-DSS-4.0", "clause": "3.5.1"}])
    );
    assert_eq!(not["ref"], "PCI-DSS 4.0 §3");
    assert_eq!(
        not["threats"],
        serde_json::json!([{"qid": "SHOP.PAY.T2", "title": "Card data at rest", "status": "unmitigated"}])
    );
    assert_eq!(
        not["mitigations"],
        serde_json::json!([{"qid": "SHOP.M.enc", "title": "Encryption", "kind": "design", "in_place": false}])
    );
    // The compliance view lists no threats of its own.
    assert_eq!(json["threats"], serde_json::json!([]));
}

#[test]
fn compliance_view_in_markdown_and_html() {
    let mut t = shop().args(["report", "--view", "compliance"]).status(0);
    let md = t.stdout();
    assert!(
        md.contains("5 requirements: 1 met, 1 partly met, 1 not met, 2 no evidence."),
        "{md}"
    );
    assert!(md.contains(
        "`SHOP.R.not` | Not one | compliance | PCI-DSS-4.0:3.5.1; PCI-DSS 4.0 §3 | **not met** | `SHOP.PAY.T2` (unmitigated) | `SHOP.M.enc` (planned) |"
    ), "{md}");
    assert!(
        md.contains("| **partly met** | none | `SHOP.M.mfa` (in place); `SHOP.M.enc` (planned) |"),
        "{md}"
    );
    let mut t = shop()
        .args(["report", "--view", "compliance", "-f", "html"])
        .status(0);
    let html = t.stdout();
    assert!(
        html.contains("<h2>Requirements and compliance</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<td><span class=\"warn\">not met</span></td>"),
        "{html}"
    );
    assert!(html.contains("<td>met</td>"), "{html}");
}

#[test]
fn threats_show_their_requirements_and_weaknesses() {
    let mut t = shop().args(["report", "-f", "json"]).status(0);
    let json = t.json();
    let t1 = &json["models"][0]["threats"][0];
    assert_eq!(
        t1["requirements"],
        serde_json::json!(["SHOP.R.met", "SHOP.R.secret"])
    );
    assert_eq!(
        t1["refs"],
        serde_json::json!([
            {"kind": "cwe", "id": 307},
            {"kind": "capec", "id": 600},
            {"kind": "attack", "technique": 1110, "subtechnique": 4}
        ])
    );
    let mfa = &json["models"][0]["mitigations"][0];
    assert_eq!(
        mfa["requirements"],
        serde_json::json!(["SHOP.R.met", "SHOP.R.partly"])
    );
    let mut t = shop().args(["report", "-f", "html"]).status(0);
    let html = t.stdout();
    assert!(html.contains(
        "<a href=\"https://attack.mitre.org/techniques/T1110/004/\" rel=\"noopener noreferrer nofollow\">T1110.004</a>"
    ));
    let mut t = shop().args(["report"]).status(0);
    assert!(
        t.stdout()
            .contains("| Weaknesses | CWE-307, CAPEC-600, T1110.004 |")
    );
}

#[test]
fn the_public_view_does_not_leak_a_confidential_requirement() {
    for format in ["md", "html", "json"] {
        let mut t = shop()
            .args(["report", "--view", "public", "-f", format])
            .status(0);
        let out = t.stdout();
        assert!(
            out.contains("SHOP.T1"),
            "{format}: T1 is mitigated, so public"
        );
        assert!(out.contains("SHOP.R.met"), "{format}");
        assert!(
            !out.contains("R.secret") && !out.contains("Secret requirement"),
            "{format}: {out}"
        );
    }
}

#[test]
fn a_compliance_requirement_nothing_references_is_a_warning() {
    shop().args(["check"]).stderr_lacks("W0601").status(0);
    shop()
        .file(
            "threatmodel.yaml",
            ROOT.replace("requirements: [R.met, R.secret]", "requirements: [R.met]"),
        )
        .args(["check"])
        .stderr_contains(
            "warning[W0601]: compliance requirement 'SHOP.R.secret' is referenced by no threat or mitigation",
        )
        .status(0);
}

#[test]
fn effort_is_open_questions_and_unanswered_crossings_times_the_rate() {
    // Root: web and f1 x 3 CIA categories x anon = 6 questions, T1 answers
    // one: 5 open; f1 crosses inbound with integrity unanswered: 1. PAY:
    // pay-api x 3 x anon = 3, T2 answers one: 2 open.
    let mut t = shop().args(["metrics", "-f", "json"]).status(0);
    let json = t.json();
    assert_eq!(
        json["effort"],
        serde_json::json!({"open_questions": 7, "open_threats": 1, "planned_mitigations": 1,
            "unanswered_crossings": 1, "minutes_per_question": 15, "estimated_minutes": 120})
    );
    assert_eq!(json["components"][0]["effort"]["estimated_minutes"], 30);
    let mut t = shop()
        .args(["metrics", "-f", "json", "--minutes-per-question", "10"])
        .status(0);
    let json = t.json();
    assert_eq!(json["effort"]["estimated_minutes"], 80);
    assert_eq!(json["components"][0]["effort"]["estimated_minutes"], 20);
    // The report's metrics block is the same object, the same rate.
    let mut t = shop()
        .args(["report", "-f", "json", "--minutes-per-question", "10"])
        .status(0);
    assert_eq!(t.json()["metrics"]["effort"]["estimated_minutes"], 80);
    let mut t = shop().args(["metrics"]).status(0);
    let text = t.stdout();
    assert!(
        text.contains(
            "  effort       2 h left: (7 open questions + 1 unanswered crossing) x 15 min"
        ),
        "{text}"
    );
    assert!(
        text.contains("SHOP.PAY  ") && text.contains(", 30 min left"),
        "{text}"
    );
    shop()
        .args(["metrics", "--minutes-per-question", "0"])
        .stderr_contains("--minutes-per-question")
        .status(3);
}
