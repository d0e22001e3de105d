//! The threat library and `suggest`: the built-in files check, the coverage
//! rule, layering, and precision (where a pattern must and must not appear).

mod common;

use std::collections::BTreeSet;
use tmkit_analysis::Analysis;
use tmkit_analysis::library::{Library, TargetSel, builtin, parse_library_str};
use tmkit_analysis::suggest::{Encryption, Filter, encryption, suggest};
use tmkit_model::taxonomy::Taxonomy;
use tmkit_syntax::Files;
use tmkit_syntax::node::Limits;

fn lib() -> Library {
    builtin::builtin()
}

#[test]
fn every_builtin_file_checks_with_one_version_and_no_repeated_id() {
    let mut files = Files::new();
    let mut ids = BTreeSet::new();
    let mut versions = BTreeSet::new();
    for (shown, text) in builtin::FILES {
        let (file, diags) = parse_library_str(&mut files, shown, text, &Limits::default());
        assert!(diags.is_empty(), "{shown}: {diags:#?}");
        let file = file.expect("parses");
        versions.insert(file.version.clone());
        for p in &file.patterns {
            assert!(ids.insert(p.id.clone()), "{} is repeated", p.id);
            assert!(
                !p.refs.is_empty() || !p.categories.linddun.is_empty() || !p.mitigations.is_empty()
            );
            assert!(!p.mitigations.is_empty(), "{} has no mitigation", p.id);
        }
    }
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(builtin::version(), *versions.first().unwrap());
    assert!(ids.len() >= 150, "only {} patterns", ids.len());
    assert_eq!(lib().len(), ids.len());
}

/// The coverage rule of the issue: every asset kind and data flows have
/// patterns for every category of CIA and of STRIDE; data and credentials
/// also for LINDDUN.
#[test]
fn every_kind_has_patterns_for_every_category() {
    let lib = lib();
    let mut missing = Vec::new();
    for sel in TargetSel::all() {
        let mut taxonomies = vec![Taxonomy::Cia, Taxonomy::Stride];
        if matches!(sel.as_str(), "data" | "credential") {
            taxonomies.push(Taxonomy::Linddun);
        }
        for t in taxonomies {
            for c in t.categories() {
                let n = (lib.patterns.values())
                    .filter(|e| e.pattern.applies.targets.contains(&sel))
                    .filter(|e| e.pattern.categories.answers(c))
                    .count();
                if n == 0 {
                    missing.push(format!("{} x {c}", sel.as_str()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no pattern for: {missing:#?}");
}

#[test]
fn the_classics_are_there() {
    let lib = lib();
    for (id, cwe) in [
        ("datastore-sql-injection", "CWE-89"),
        ("flow-sniffing", "CWE-319"),
        ("flow-tampering-in-transit", "CWE-924"),
        ("credential-stuffing", "CAPEC-600"),
        ("credential-brute-force", "CWE-307"),
        ("service-privilege-escalation", "CWE-269"),
        ("service-request-flooding", "CWE-770"),
        ("datastore-log-tampering", "CAPEC-268"),
        ("service-no-audit-log", "CWE-778"),
        ("service-secrets-in-logs", "CWE-532"),
        ("service-ssrf", "CWE-918"),
        ("service-deserialisation", "CWE-502"),
        ("service-malicious-dependency", "CWE-829"),
        ("service-vulnerable-dependency", "CWE-1395"),
    ] {
        let e = lib.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            e.refs.iter().any(|r| r.to_string() == cwe),
            "{id} lacks {cwe}"
        );
    }
}

#[test]
fn library_errors_name_file_line_and_column() {
    let mut files = Files::new();
    let text = "tmkit-library: 1\nname: org\nversion: '1'\npatterns:\n  - id: x\n    title: T\n    description: D\n    categories: {cia: [tampering]}\n    applies: {targets: [datastore]}\n    refs: [CWE79]\n";
    let (file, diags) = parse_library_str(&mut files, "org.yaml", text, &Limits::default());
    assert!(file.is_none());
    let codes: Vec<_> = diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0702", "E0702"], "{diags:#?}");
    assert!(
        diags[0]
            .message
            .contains("`tampering` is not a CIA category")
    );
    assert_eq!(diags[0].primary.as_ref().unwrap().span.line, 8);
    assert!(diags[1].message.contains("CWE79"));
    let bad = "tmkit-library: 1\nname: org\nversion: '1'\npatterns:\n  - id: x\n    titel: T\n";
    let (file, diags) = parse_library_str(&mut files, "bad.yaml", bad, &Limits::default());
    assert!(file.is_none());
    assert_eq!(diags[0].code.as_str(), "E0701");
    assert!(diags[0].message.contains("titel"), "{}", diags[0].message);
    let span = diags[0].primary.as_ref().unwrap().span;
    assert_eq!(span.line, 6, "{diags:#?}");
}

#[test]
fn user_libraries_override_extend_and_disable() {
    let mut lib = lib();
    let n = lib.len();
    let mut files = Files::new();
    let text = "tmkit-library: 1\nname: acme\nversion: '3'\ndisable: [flow-replay, no-such-pattern]\npatterns:\n  - id: flow-sniffing\n    title: Our own sniffing text\n    description: D\n    categories: {cia: [confidentiality]}\n    applies: {targets: [dataflow], encrypted: false}\n  - id: acme-mainframe\n    title: Mainframe job tampering\n    description: D\n    categories: {cia: [integrity]}\n    applies: {targets: [process]}\n";
    let (file, diags) = parse_library_str(&mut files, "acme.yaml", text, &Limits::default());
    assert!(diags.is_empty(), "{diags:#?}");
    let unknown = lib.layer(&file.unwrap(), "acme.yaml");
    assert_eq!(unknown, ["no-such-pattern"]);
    assert_eq!(lib.len(), n);
    assert!(lib.get("flow-replay").is_none());
    let s = lib.get("flow-sniffing").unwrap();
    assert!(s.overrides);
    assert_eq!(s.pattern.title, "Our own sniffing text");
    assert_eq!(s.origin.library, "acme");
    assert!(lib.get("acme-mainframe").is_some());
}

#[test]
fn protocols_are_classified_by_their_words() {
    assert_eq!(encryption(Some("HTTPS")), Encryption::Encrypted);
    assert_eq!(encryption(Some("HTTP over TLS1.3")), Encryption::Encrypted);
    assert_eq!(encryption(Some("HTTP/1.1")), Encryption::Clear);
    assert_eq!(encryption(Some("JDBC")), Encryption::Unknown);
    assert_eq!(encryption(None), Encryption::Unstated);
    assert_eq!(encryption(Some("  ")), Encryption::Unstated);
}

const MODEL: &str = r#"tmkit: 1
id: P
title: Payments
scope:
  zones:
    - { id: internet, title: Internet, trust: 0 }
    - { id: dmz, title: DMZ, trust: 3 }
    - { id: cde, title: CDE, trust: 5 }
  assets:
    - { id: browser, title: Browser, kind: external, zone: internet, in_scope: false, reason: Not ours }
    - { id: api, title: API, kind: service, zone: dmz }
    - { id: db, title: Card DB, kind: datastore, zone: cde }
    - { id: card, title: Card number, kind: data }
    - { id: legacy, title: Legacy store, kind: datastore, zone: cde, in_scope: false, reason: Decommissioned }
  dataflows:
    - { id: pay, title: Pay, from: browser, to: db, protocol: HTTP, carries: [card] }
    - { id: sec, title: Secure pay, from: browser, to: api, protocol: HTTPS }
    - { id: inner, title: Inner, from: api, to: api, protocol: HTTP }
    - { id: store, title: Store, from: api, to: db, protocol: HTTP }
  attackers:
    - { id: anon, title: Anonymous, zone: internet }
"#;

fn run(yaml: &str, filter: &Filter) -> Vec<(String, String, String, String, Vec<String>)> {
    let model = common::model(yaml);
    let analysis = Analysis::new(&model);
    let lib = lib();
    suggest(&model, &analysis, &lib, filter)
        .into_iter()
        .map(|s| {
            let why = s.why.iter().map(|f| format!("{f:?}")).collect();
            (
                s.target.qid.to_string(),
                s.attacker.to_string(),
                s.category.to_string(),
                s.entry.pattern.id.clone(),
                why,
            )
        })
        .collect()
}

fn has(all: &[(String, String, String, String, Vec<String>)], target: &str, pattern: &str) -> bool {
    all.iter().any(|s| s.0 == target && s.3 == pattern)
}

#[test]
fn sniffing_only_on_flows_not_known_to_be_encrypted_that_cross() {
    let all = run(MODEL, &Filter::default());
    assert!(has(&all, "P.pay", "flow-sniffing"));
    // Encrypted flow: no sniffing.
    assert!(!has(&all, "P.sec", "flow-sniffing"));
    assert!(has(&all, "P.sec", "flow-certificate-validation"));
    // A flow inside one zone: no crossing-based pattern.
    let lib = lib();
    for (_, _, _, p, _) in all.iter().filter(|s| s.0 == "P.inner") {
        let applies = &lib.get(p).unwrap().pattern.applies;
        assert!(applies.crossing.is_none(), "{p} on a flow inside one zone");
        assert!(applies.min_trust_delta.is_none(), "{p}");
    }
    assert!(!has(&all, "P.inner", "flow-sniffing"));
    assert!(!has(&all, "P.inner", "flow-flooding"));
    // Out of scope: nothing.
    assert!(!all.iter().any(|s| s.0 == "P.legacy" || s.0 == "P.browser"));
}

#[test]
fn the_why_names_the_facts_that_matched() {
    let all = run(MODEL, &Filter::default());
    let s = all
        .iter()
        .find(|s| s.0 == "P.db" && s.3 == "datastore-exposed")
        .expect("an exposed datastore");
    let why = s.4.join(" ");
    assert!(why.contains("zone: \"P.cde\""), "{why}");
    assert!(why.contains("flow: \"P.pay\""), "{why}");
    assert!(why.contains("Inbound"), "{why}");
    assert!(
        why.contains("Some(\"HTTP\")") && why.contains("Clear"),
        "{why}"
    );
    // The datastore is also reached by P.store (dmz, trust 3); the why names
    // the least trusted source.
    assert!(!why.contains("P.store"), "{why}");
}

#[test]
fn categories_and_answered_questions_filter_suggestions() {
    let all = run(
        MODEL,
        &Filter::default().with_category(Some("availability".into())),
    );
    assert!(!all.is_empty());
    assert!(all.iter().all(|s| s.2 == "availability"));
    let answered = MODEL.to_string()
        + "threats:\n  - { id: T1, title: Sniff, categories: [confidentiality], targets: [pay] }\n";
    let all = run(
        &answered,
        &Filter::default().with_target(Some("pay".into())),
    );
    assert!(all.iter().all(|s| s.0 == "P.pay"));
    assert!(!all.iter().any(|s| s.2 == "confidentiality"));
    assert!(all.iter().any(|s| s.2 == "integrity"));
}

#[test]
fn a_suppression_removes_one_pattern_for_one_target() {
    let yaml = MODEL.to_string()
        + "analysis:\n  - { target: pay, pattern: flow-sniffing, verdict: not-applicable, rationale: Payload is encrypted end to end by the app. }\n";
    let all = run(&yaml, &Filter::default());
    assert!(!has(&all, "P.pay", "flow-sniffing"));
    assert!(has(&all, "P.pay", "flow-tampering-in-transit"));
    // The suppression answers no question.
    let model = common::model(&yaml);
    let analysis = Analysis::new(&model);
    let open = analysis
        .open_questions()
        .filter(|q| q.target == "P.pay")
        .count();
    assert_eq!(open, 3);
}

#[test]
fn attacker_position_conditions_need_zones() {
    let mut lib = Library::default();
    let mut files = Files::new();
    let text = "tmkit-library: 1\nname: t\nversion: '1'\npatterns:\n  - id: outsider\n    title: O\n    description: D\n    categories: {cia: [confidentiality]}\n    applies: {targets: [datastore], attacker: outside}\n  - id: insider\n    title: I\n    description: D\n    categories: {cia: [confidentiality]}\n    applies: {targets: [datastore], attacker: inside}\n";
    let (file, d) = parse_library_str(&mut files, "t.yaml", text, &Limits::default());
    assert!(d.is_empty(), "{d:#?}");
    lib.layer(&file.unwrap(), "t.yaml");
    let yaml = MODEL.to_string().replace(
        "    - { id: anon, title: Anonymous, zone: internet }\n",
        "    - { id: anon, title: Anonymous, zone: internet }\n    - { id: dba, title: DBA, zone: cde }\n    - { id: ghost, title: Nowhere }\n",
    );
    let model = common::model(&yaml);
    let analysis = Analysis::new(&model);
    let got: Vec<(String, String)> = suggest(&model, &analysis, &lib, &Filter::default())
        .iter()
        .filter(|s| s.target.qid == "P.db")
        .map(|s| (s.attacker.to_string(), s.entry.pattern.id.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("P.anon".to_string(), "outsider".to_string()),
            ("P.dba".to_string(), "insider".to_string())
        ]
    );
}

/// `docs/library.schema.json` is what `tmkit schema library` prints;
/// regenerate it with `cargo run -p tmkit -- schema library -o docs/library.schema.json`.
#[test]
fn committed_library_schema_is_current() {
    let committed = include_str!("../../../docs/library.schema.json");
    let mut generated =
        serde_json::to_string_pretty(&tmkit_analysis::library::schema()).expect("serialises");
    generated.push('\n');
    assert_eq!(
        committed, generated,
        "docs/library.schema.json is stale: regenerate it"
    );
}
