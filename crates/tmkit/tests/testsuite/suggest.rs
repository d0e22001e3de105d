//! `tmkit suggest`, `tmkit library` and the suggestion count of `metrics`,
//! on the bundled examples and on small models written here.

use crate::support::{Test, repo_root};
use serde_json::Value;
use std::collections::BTreeSet;

fn example(name: &str) -> String {
    repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn suggestions(args: &[&str]) -> Vec<Value> {
    let mut t = Test::new().args(args).status(0).no_panic();
    let v = t.json();
    v["suggestions"].as_array().expect("a list").clone()
}

fn pairs(list: &[Value]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|s| {
            (
                s["target"].as_str().unwrap().to_string(),
                s["pattern"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(t: &str, p: &str) -> (String, String) {
    (t.to_string(), p.to_string())
}

#[test]
fn reference_example_gets_the_expected_suggestions_and_not_the_others() {
    let path = example("reference");
    let list = suggestions(&["suggest", &path, "-f", "json"]);
    let got = pairs(&list);
    // Expected.
    for (t, p) in [
        ("CCC.sql-db", "datastore-sql-injection"),
        ("CCC.sql-db", "datastore-log-tampering"),
        ("CCC.dataflow.1", "flow-certificate-validation"),
        ("CCC.dataflow.1", "flow-tls-downgrade"),
        ("CCC.dataflow.1", "flow-flooding"),
        ("CCC.db-credentials", "credential-stuffing"),
        ("CCC.db-credentials", "credential-in-logs"),
        ("CCC.edit-service", "service-ssrf"),
        ("CCC.edit-service", "service-deserialisation"),
        ("CCC.login-endpoint", "service-vulnerable-dependency"),
    ] {
        assert!(got.contains(&pair(t, p)), "{t} lacks {p}");
    }
    // Absent: the flow is HTTPS (no sniffing), the login endpoint is
    // reached by no flow (no crossing-based pattern), the browser is out of
    // scope (nothing).
    assert!(!got.contains(&pair("CCC.dataflow.1", "flow-sniffing")));
    assert!(!got.contains(&pair("CCC.dataflow.1", "flow-credentials-in-clear")));
    assert!(!got.contains(&pair("CCC.login-endpoint", "service-ssrf")));
    assert!(!got.iter().any(|(t, _)| t == "CCC.browser"));
    // Answered questions get nothing: T.mitm answers dataflow.1 / anon /
    // confidentiality, T.tamper dataflow.1 / editor / integrity.
    for s in &list {
        let q = (
            s["target"].as_str(),
            s["attacker"].as_str(),
            s["category"].as_str(),
        );
        assert_ne!(
            q,
            (
                Some("CCC.dataflow.1"),
                Some("CCC.anon"),
                Some("confidentiality")
            )
        );
        assert_ne!(
            q,
            (
                Some("CCC.dataflow.1"),
                Some("CCC.editor"),
                Some("integrity")
            )
        );
    }
    // The shape of each suggestion.
    for s in &list {
        for key in [
            "target",
            "attacker",
            "category",
            "pattern",
            "title",
            "why",
            "refs",
            "mitigations",
        ] {
            assert!(!s[key].is_null(), "{key} missing in {s}");
        }
        assert!(!s["why"].as_array().unwrap().is_empty());
    }
    let ssrf = list
        .iter()
        .find(|s| s["target"] == "CCC.edit-service" && s["pattern"] == "service-ssrf")
        .unwrap();
    let why: Vec<&str> = ssrf["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        why,
        [
            "service in zone CCC.internal (trust 2)",
            "reached by flow CCC.dataflow.1 from zone CCC.internet (trust 0) to zone CCC.internal (trust 2) over HTTPS, encrypted, crossing inbound"
        ]
    );
    assert_eq!(ssrf["refs"][0], "CWE-918");
    assert_eq!(ssrf["mitigations"][0]["refs"][0], "ASVS-4.0.3:V5.2.6");
}

#[test]
fn composed_example_respects_mutual_tls_and_components() {
    let path = example("composed");
    let got = pairs(&suggestions(&["suggest", &path, "-f", "json"]));
    // The browser's login flow (HTTPS) may be spoofed at its source; the
    // storefront-to-payments flow is mutual TLS: no source spoofing there.
    assert!(got.contains(&pair("SHOP.LOGIN.login", "flow-source-spoofing")));
    assert!(!got.contains(&pair("SHOP.PAY.checkout", "flow-source-spoofing")));
    assert!(!got.iter().any(|(_, p)| p == "flow-sniffing"));
    let pay = pairs(&suggestions(&[
        "suggest",
        &path,
        "--component",
        "PAY",
        "-f",
        "json",
    ]));
    assert!(!pay.is_empty());
    assert!(
        pay.iter().all(|(t, _)| t.starts_with("SHOP.PAY.")),
        "{pay:?}"
    );
}

const PLAIN: &str = "tmkit: 1\nid: P\ntitle: Payments\nscope:\n  zones:\n    - { id: internet, title: Internet, trust: 0 }\n    - { id: cde, title: CDE, trust: 5 }\n  assets:\n    - { id: browser, title: Browser, kind: external, zone: internet, in_scope: false, reason: Not ours }\n    - { id: db, title: Card DB, kind: datastore, zone: cde }\n  dataflows:\n    - { id: pay, title: Pay, from: browser, to: db, protocol: \"HTTP \\e[31m*x*<b>\" }\n  attackers:\n    - { id: anon, title: Anonymous, zone: internet }\n";

#[test]
fn filters_formats_and_escaping() {
    let mut t = Test::new()
        .model(PLAIN)
        .args(["suggest", "--target", "pay", "--category", "C"])
        .status(0)
        .no_panic();
    let text = t.stdout();
    assert!(text.contains("P.pay  Pay\n"), "{text}");
    assert!(
        text.contains("answers: confidentiality / P.anon\n"),
        "{text}"
    );
    assert!(text.contains("flow-sniffing"), "{text}");
    assert!(!text.contains("integrity"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "a control character reached the terminal"
    );
    assert!(text.contains("not encrypted, crossing inbound"), "{text}");
    let mut md = Test::new()
        .model(PLAIN)
        .args(["suggest", "-f", "md"])
        .status(0);
    let md = md.stdout();
    assert!(md.starts_with("# Suggested threats\n"));
    assert!(md.contains("\\*x\\*"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    // Deterministic.
    let mut again = Test::new()
        .model(PLAIN)
        .args(["suggest", "-f", "md"])
        .status(0);
    assert_eq!(md, again.stdout());
    Test::new()
        .model(PLAIN)
        .args(["suggest", "--target", "browser"])
        .status(3)
        .stderr_contains("no in-scope asset or data flow");
    Test::new()
        .model(PLAIN)
        .args(["suggest", "--category", "spoofing"])
        .status(3)
        .stderr_contains("not a category");
    let mut w = Test::new()
        .model(PLAIN)
        .args(["suggest", "-f", "json", "-o", "out.json"])
        .status(0);
    assert_eq!(w.stdout(), "");
    let written = std::fs::read_to_string(w.path().join("out.json")).unwrap();
    assert!(written.contains("\"suggestions\""));
}

#[test]
fn suppressions_leave_suggestions_and_appear_in_the_full_report_only() {
    let model = PLAIN.to_string()
        + "analysis:\n  - { target: pay, pattern: flow-sniffing, verdict: not-applicable, rationale: Card data is encrypted by the terminal (P2PE). }\n";
    let got = pairs(&{
        let mut t = Test::new()
            .model(&model)
            .args(["suggest", "-f", "json"])
            .status(0);
        t.json()["suggestions"].as_array().unwrap().clone()
    });
    assert!(!got.contains(&pair("P.pay", "flow-sniffing")));
    assert!(got.contains(&pair("P.pay", "flow-tampering-in-transit")));
    Test::new().model(&model).args(["check"]).status(0);
    Test::new()
        .model(&model)
        .args(["report", "-f", "md"])
        .status(0)
        .stdout_contains("Suppressed library patterns")
        .stdout_contains("encrypted by the terminal");
    Test::new()
        .model(&model)
        .args(["report", "--view", "public", "-f", "md"])
        .status(0)
        .stdout_lacks("Suppressed library patterns")
        .stdout_lacks("encrypted by the terminal");
}

#[test]
fn metrics_count_open_questions_with_a_suggestion() {
    let path = example("reference");
    let list = suggestions(&["suggest", &path, "-f", "json"]);
    let questions: BTreeSet<(String, String, String)> = list
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_string();
            (f("target"), f("attacker"), f("category"))
        })
        .collect();
    let mut t = Test::new().args(["metrics", &path, "-f", "json"]).status(0);
    let m = t.json();
    assert_eq!(m["questions"]["with_suggestions"], questions.len());
    assert!(questions.len() as u64 <= m["questions"]["open"].as_u64().unwrap());
    let mut text = Test::new().args(["metrics", &path]).status(0);
    let text = text.stdout();
    assert!(
        text.contains(&format!("suggestions  {} of the", questions.len())),
        "{text}"
    );
    // Components roll up: the composed root counts its components' too.
    let mut c = Test::new()
        .args(["metrics", &example("composed"), "-f", "json"])
        .status(0);
    let c = c.json();
    let root = c["questions"]["with_suggestions"].as_u64().unwrap();
    let parts: u64 = c["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["questions"]["with_suggestions"].as_u64().unwrap())
        .sum();
    assert!(root > parts && parts > 0, "{root} {parts}");
    // The JSON report does not consult the library.
    let mut r = Test::new().args(["report", &path, "-f", "json"]).status(0);
    assert!(!r.stdout().contains("with_suggestions"));
}

#[test]
fn library_list_show_and_check() {
    let mut t = Test::new()
        .args(["library", "list", "-f", "json"])
        .status(0);
    let v = t.json();
    assert_eq!(v["builtin_version"], "2026.1");
    assert!(v["patterns"].as_array().unwrap().len() >= 150);
    Test::new()
        .args(["library", "list"])
        .status(0)
        .stdout_contains("library builtin 2026.1")
        .stdout_contains("datastore-sql-injection  SQL injection into the datastore");
    Test::new()
        .args(["library", "show", "service-ssrf"])
        .status(0)
        .stdout_contains("CWE-918")
        .stdout_contains("crossing: inbound");
    Test::new()
        .args(["library", "show", "no-such"])
        .status(3)
        .stderr_contains("no pattern `no-such`");
    Test::new()
        .args(["library", "check"])
        .status(0)
        .stderr_contains("6 library file(s) checked");
}

const ACME: &str = "tmkit-library: 1\nname: acme\nversion: \"2026.03\"\ndisable: [datastore-nosql-injection]\npatterns:\n  - id: acme-card-vault\n    title: Card vault read through a support tool\n    description: Support staff tools read the vault directly.\n    categories: {cia: [confidentiality]}\n    applies: {targets: [datastore], attacker: outside}\n    refs: [CWE-284]\n    mitigations:\n      - {title: Tokenise before support sees it, refs: [\"ACME-SEC:V-1\"]}\n  - id: datastore-sql-injection\n    title: Our SQL injection\n    description: Our words.\n    categories: {cia: [integrity]}\n    applies: {targets: [datastore]}\n";

#[test]
fn an_organisation_library_extends_overrides_and_disables() {
    let model = PLAIN.replace(
        "title: Payments\n",
        "title: Payments\nlibraries: [security/acme.yaml]\n",
    );
    let list = {
        let mut t = Test::new()
            .file("security/acme.yaml", ACME)
            .model(&model)
            .args(["suggest", "-f", "json"])
            .status(0)
            .no_panic();
        t.json()["suggestions"].as_array().unwrap().clone()
    };
    let acme = list
        .iter()
        .find(|s| s["pattern"] == "acme-card-vault")
        .expect("the organisation pattern");
    assert_eq!(acme["library"], "acme");
    assert_eq!(acme["mitigations"][0]["refs"][0], "ACME-SEC:V-1");
    let why = acme["why"].as_array().unwrap();
    assert!(
        why.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("attacker P.anon acts from zone P.internet (trust 0), less trusted")),
        "{why:?}"
    );
    assert!(
        !list
            .iter()
            .any(|s| s["pattern"] == "datastore-nosql-injection")
    );
    let sqli: Vec<&Value> = list
        .iter()
        .filter(|s| s["pattern"] == "datastore-sql-injection")
        .collect();
    assert!(!sqli.is_empty());
    assert!(
        sqli.iter()
            .all(|s| s["title"] == "Our SQL injection" && s["category"] == "integrity")
    );
    let mut l = Test::new()
        .file("security/acme.yaml", ACME)
        .model(&model)
        .args(["library", "list", "threatmodel.yaml"])
        .status(0);
    let out = l.stdout();
    assert!(out.contains("library acme 2026.03"), "{out}");
    assert!(out.contains("1 disabled"), "{out}");
}

/// The built-in files validate against the committed schema (what editors
/// use), not only against the Rust types; a misspelt key does not.
#[test]
fn builtin_library_files_validate_against_the_committed_schema() {
    let text = std::fs::read_to_string(repo_root().join("docs/library.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for (shown, text) in tmkit_analysis::library::builtin::FILES {
        let doc: Value = serde_saphyr::from_str(text).expect("YAML");
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{shown}: {errors:?}");
    }
    let bad: Value = serde_saphyr::from_str(&ACME.replace("description:", "descripton:")).unwrap();
    assert!(!validator.is_valid(&bad));
    let good: Value = serde_saphyr::from_str(ACME).unwrap();
    assert!(validator.is_valid(&good));
}

/// The original text is the new text without one inserted run of bytes.
fn inserted(before: &str, after: &str) -> String {
    let p = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let extra = after.len() - before.len();
    assert_eq!(
        format!("{}{}", &after[..p], &after[p + extra..]),
        before,
        "bytes outside the insertion changed"
    );
    after[p..p + extra].to_string()
}

#[test]
fn apply_writes_threats_and_keeps_every_other_byte() {
    let original =
        std::fs::read_to_string(repo_root().join("examples/reference/threatmodel.yaml")).unwrap();
    let t = Test::new().model(&original);
    let dir = t.path().to_path_buf();
    let coverage = |dir: &std::path::Path| {
        let mut m = Test::new()
            .args(["metrics", dir.to_str().unwrap(), "-f", "json"])
            .status(0);
        m.json()["questions"]["coverage"].as_f64().unwrap()
    };
    let before = coverage(&dir);
    // --dry-run: the patch, nothing written.
    let mut dry = Test::new()
        .args([
            "suggest",
            dir.to_str().unwrap(),
            "--apply",
            "datastore-sql-injection@sql-db",
            "--dry-run",
        ])
        .status(0);
    let patch = dry.stdout();
    assert!(
        patch.starts_with("--- a/threatmodel.yaml\n+++ b/threatmodel.yaml\n@@ "),
        "{patch}"
    );
    assert!(
        patch.contains("\n+  - id: datastore-sql-injection.sql-db\n"),
        "{patch}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap(),
        original
    );
    // --apply.
    Test::new()
        .args([
            "suggest",
            dir.to_str().unwrap(),
            "--apply",
            "datastore-sql-injection@sql-db",
            "--apply",
            "flow-tls-downgrade",
        ])
        .status(0)
        .stderr_contains("2 threat(s) written to threatmodel.yaml");
    let after = std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap();
    let added = inserted(&original, &after);
    assert!(
        added.contains(
            "  - id: datastore-sql-injection.sql-db\n    title: SQL injection into the datastore\n"
        ),
        "{added}"
    );
    assert!(
        added.contains("    refs: [CWE-89, CAPEC-66, T1190]\n"),
        "{added}"
    );
    assert!(added.contains("        in_place: false\n"), "{added}");
    assert!(
        added.contains("  - id: flow-tls-downgrade.dataflow.1\n"),
        "{added}"
    );
    Test::new().args(["check", dir.to_str().unwrap()]).status(0);
    assert!(coverage(&dir) > before);
    // The new threats are unmitigated and answer their questions: the
    // pattern is no longer suggested there, and applying it again is refused.
    let mut r = Test::new()
        .args(["report", dir.to_str().unwrap(), "-f", "json"])
        .status(0);
    let v = r.json();
    let threats = v["models"][0]["threats"].as_array().unwrap();
    let t = threats
        .iter()
        .find(|t| t["qid"] == "CCC.datastore-sql-injection.sql-db")
        .expect("the applied threat");
    assert_eq!(t["status"], "unmitigated");
    let got = pairs(&suggestions(&[
        "suggest",
        dir.to_str().unwrap(),
        "-f",
        "json",
    ]));
    assert!(!got.contains(&pair("CCC.sql-db", "datastore-sql-injection")));
    Test::new()
        .args([
            "suggest",
            dir.to_str().unwrap(),
            "--apply",
            "datastore-sql-injection@sql-db",
        ])
        .status(3)
        .stderr_contains("is not suggested");
}

#[test]
fn apply_into_a_flow_list_with_a_taken_id() {
    let model = PLAIN.replace(
        "    - { id: db, title: Card DB, kind: datastore, zone: cde }\n",
        "    - { id: db, title: Card DB, kind: datastore, zone: cde }\n    - { id: flow-sniffing.pay, title: Taken, kind: data }\n",
    ) + "# keep me\nthreats: []   # none yet\n";
    let t = Test::new().model(&model);
    let dir = t.path().to_path_buf();
    Test::new()
        .cwd(&dir)
        .args([
            "suggest",
            "--apply",
            "flow-sniffing@P.pay",
            "--category",
            "confidentiality",
        ])
        .status(0)
        .stderr_contains("added P.flow-sniffing.pay-2");
    let after = std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap();
    assert!(after.contains("# keep me\n"), "{after}");
    assert!(after.contains("id: flow-sniffing.pay-2"), "{after}");
    assert!(after.contains("categories: [confidentiality]"), "{after}");
    Test::new().cwd(&dir).args(["check"]).status(0);
    Test::new()
        .cwd(&dir)
        .args(["suggest", "--dry-run"])
        .status(3)
        .stderr_contains("--dry-run goes with --apply");
}
