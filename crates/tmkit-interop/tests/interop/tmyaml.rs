//! Migration from the tmyaml format.

use crate::support::{check_import, test_path};
use std::collections::BTreeSet;
use tmkit_analysis::{Analysis, Status};
use tmkit_interop::tmyaml;

fn not_mitigated(analysis: &Analysis) -> BTreeSet<String> {
    analysis
        .threats
        .iter()
        .filter(|t| t.status != Status::Mitigated)
        .map(|t| t.qid.to_string())
        .collect()
}

#[test]
fn shop_tree_imports_and_checks_clean() {
    let out = tmyaml::import_from(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/tmyaml/SHOP"),
    )
    .unwrap();
    let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "threatmodel.yaml",
            "PAYMENTS/threatmodel.yaml",
            "ADMINUI/threatmodel.yaml"
        ]
    );
    let checked = check_import(&out);
    let model = checked.model.unwrap();
    let analysis = Analysis::new(&model);

    // Same number of threats as the source.
    assert_eq!(analysis.threats.len(), 9);
    assert_eq!(out.threats.len(), 9);
    // The same set of threats that are not mitigated, read conservatively.
    let expected: BTreeSet<String> = [
        "SHOP.CART_TAMPER",
        "SHOP.REPLAY",
        "SHOP.PRIVACY",
        "SHOP.PAYMENTS.CARD_SKIM",
        "SHOP.ADMINUI.ADMIN_BRUTE",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(not_mitigated(&analysis), expected);
    let from_source: BTreeSet<String> = out
        .threats
        .iter()
        .filter(|t| !t.mitigated_in_source)
        .map(|t| t.qid.clone())
        .collect();
    assert_eq!(from_source, expected);

    // Every countermeasure in place but not fully mitigated: partial, never mitigated.
    assert_eq!(
        analysis.threat("SHOP.CART_TAMPER").unwrap().status,
        Status::Partial
    );
    assert_eq!(
        analysis.threat("SHOP.PAYMENTS.CARD_SKIM").unwrap().status,
        Status::Partial
    );
    // An operational countermeasure keeps its kind: not secure by default.
    let dos = analysis.threat("SHOP.DOS").unwrap();
    assert_eq!(dos.status, Status::Mitigated);
    assert!(dos.not_secure_by_default);
    // CVSS kept (a vector without prefix read as 3.1).
    assert_eq!(
        analysis
            .threat("SHOP.CART_TAMPER")
            .unwrap()
            .cvss
            .as_ref()
            .unwrap()
            .score,
        7.5
    );
    assert_eq!(
        analysis
            .threat("SHOP.PAYMENTS.KEY_LEAK")
            .unwrap()
            .cvss
            .as_ref()
            .unwrap()
            .score,
        5.9
    );

    let root = model.root();
    let replay = root.threats.iter().find(|t| t.id == "REPLAY").unwrap();
    assert!(replay.confidential);
    let cart = root.threats.iter().find(|t| t.id == "CART_TAMPER").unwrap();
    assert_eq!(
        cart.ticket.as_deref(),
        Some("https://tracker.example/SHOP-12")
    );
    assert_eq!(cart.categories, ["tampering"]);
    let xss = root.threats.iter().find(|t| t.id == "XSS").unwrap();
    assert_eq!(xss.categories, ["tampering", "information-disclosure"]);
    assert_eq!(xss.targets, ["SHOP.STOREFRONT", "SHOP.SESSION_TOKEN"]);
    assert_eq!(
        xss.attackers.as_deref(),
        Some(&[tmkit_model::Qid::from("SHOP.CUSTOMER")][..])
    );
    // Security objectives become requirements; out-of-scope elements keep a reason.
    assert_eq!(root.requirements.len(), 2);
    let legacy = root
        .assets
        .iter()
        .find(|a| a.id == "LEGACY_EXPORT")
        .unwrap();
    assert!(!legacy.in_scope);
    assert_eq!(
        legacy.reason.as_deref(),
        Some("Decommissioned next quarter.")
    );
    let rate = root
        .mitigations
        .iter()
        .find(|m| m.id == "RATE_LIMIT")
        .unwrap();
    assert_eq!(rate.operator.as_deref(), Some("Ops team"));
    // A child references a countermeasure of its parent by qualified id.
    let payments = model.models.iter().find(|m| m.id == "PAYMENTS").unwrap();
    let key_leak = payments
        .threats
        .iter()
        .find(|t| t.id == "KEY_LEAK")
        .unwrap();
    assert!(key_leak.mitigations.iter().any(|m| m == "SHOP.CSP"));
}

#[test]
fn shop_tree_warns_about_everything_not_mapped() {
    let out = tmyaml::import_from(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/tmyaml/SHOP"),
    )
    .unwrap();
    let text: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|w| w.contains(needle));
    assert!(has("`pentestTestable`"), "{text:#?}");
    assert!(
        has("threat `CART_TAMPER`: every countermeasure is in place"),
        "{text:#?}"
    );
    assert!(
        has("threat `REPLAY` is marked fullyMitigated although"),
        "{text:#?}"
    );
    assert!(
        has("threat `AUDIT` is marked fullyMitigated without any countermeasure"),
        "{text:#?}"
    );
    assert!(has("`Privacy`"), "{text:#?}");
    assert!(has("`NOPE` does not resolve"), "{text:#?}");
    assert!(has("frobnicator"), "{text:#?}");
    assert!(has("no version prefix"), "{text:#?}");
    assert!(has("9.9 disagrees"), "{text:#?}");
    assert!(
        has("attacker `ADMIN` is out of scope without a stated reason"),
        "{text:#?}"
    );
    // Warnings carry the file and the line.
    let w = out
        .warnings
        .iter()
        .find(|w| w.message.contains("`pentestTestable`"))
        .unwrap();
    assert!(w.file.ends_with("SHOP/SHOP.yaml"), "{}", w.file);
    assert_eq!(w.line, Some(120));
}

#[test]
fn malformed_input_names_file_and_line() {
    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert(
        "A/A.yaml",
        "ID: A\ntitle: x\nthreats:\n  - ID: T1\n    title: [unclosed\n",
    );
    let err = tmyaml::import_from(&src, std::path::Path::new("A")).unwrap_err();
    assert_eq!(err.file, "A/A.yaml");
    assert!(err.line.is_some(), "{err}");

    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert(
        "A/A.yaml",
        "ID: A\ntitle: x\nchildren:\n  - REFID: MISSING\n",
    );
    let err = tmyaml::import_from(&src, std::path::Path::new("A")).unwrap_err();
    assert_eq!(err.line, Some(4));
    assert!(err.message.contains("MISSING"), "{err}");

    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert("A/A.yaml", "ID: A\ntitle: x\nchildren:\n  - REFID: B\n");
    src.insert("A/B.yaml", "ID: B\ntitle: b\nchildren:\n  - REFID: B\n");
    let err = tmyaml::import_from(&src, std::path::Path::new("A/A.yaml")).unwrap_err();
    assert!(err.message.contains("cycle"), "{err}");
    assert_eq!(err.file, "A/B.yaml");
}

#[test]
fn lenient_on_what_real_files_contain() {
    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert(
        "M/M.yaml",
        r#"ID: M
title: Odd but readable
authors: [A, B]
version: 3
scope:
  assets:
    - ID: 42
      title: Numeric id
      type: Service
    - ID: Y
      title: One-letter id that YAML 1.1 reads as a boolean
      type: data
    - title: No id at all
analysis: [First paragraph, Second]
threats:
  - title: Threat without an id
    threatType: [Tampering, "Elevation of privilege"]
    assets: [{REFID: 42}, {REFID: Y}]
    fullyMitigated: yes
    countermeasures:
      - title: Inline without id
        inPlace: "true"
  - ID: T2
    title: Duplicate id
    threatType: D
    fullyMitigated: no
  - ID: T2
    title: Same id again
    threatType: R
"#,
    );
    let out = tmyaml::import_from(&src, std::path::Path::new("M")).unwrap();
    let checked = check_import(&out);
    let model = checked.model.unwrap();
    let root = model.root();
    let ids: Vec<&str> = root.assets.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["ID_42", "Y", "ASSET_13"]);
    assert_eq!(
        root.threats.len(),
        3,
        "every threat is imported, even without or with a duplicate id"
    );
    let first = &root.threats[0];
    assert_eq!(first.id, "THREAT_16");
    assert_eq!(first.targets, ["M.ID_42", "M.Y"]);
    assert_eq!(first.categories, ["tampering", "elevation-of-privilege"]);
    let analysis = Analysis::new(&model);
    // `yes` and "true" are read as booleans: mitigated.
    assert_eq!(
        analysis.threat("M.THREAT_16").unwrap().status,
        Status::Mitigated
    );
    assert_eq!(root.threats[2].id, "T2_2");
    assert_eq!(root.version.as_deref(), Some("3"));
    assert!(
        root.description
            .as_deref()
            .unwrap()
            .ends_with("## Analysis\n\nFirst paragraph\n\nSecond")
    );
    assert!(out.warnings.iter().any(|w| {
        w.message
            .contains("without an `ID`; imported as `THREAT_16`")
    }));
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("used twice"))
    );
}

#[test]
fn qualified_refids_resolve_to_the_named_model() {
    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert(
        "A/A.yaml",
        "ID: A\ntitle: a\nscope:\n  assets:\n    - {ID: X, title: x in A}\nthreats:\n  - ID: T\n    title: t\n    threatType: Spoofing\n    assets: [{REFID: X}]\n    fullyMitigated: true\n    countermeasures:\n      - {ID: CM, title: cm, inPlace: true}\nchildren:\n  - REFID: B\n",
    );
    src.insert(
        "A/B/B.yaml",
        "ID: B\ntitle: b\nscope:\n  assets:\n    - {ID: X, title: x in B}\nthreats:\n  - ID: U\n    title: u\n    threatType: Tampering\n    assets: [{REFID: A.X}, {REFID: B.X}]\n    fullyMitigated: true\n    countermeasures: [{REFID: A.B.CM}]\n",
    );
    let out = tmyaml::import_from(&src, std::path::Path::new("A")).unwrap();
    let checked = check_import(&out);
    let model = checked.model.unwrap();
    let b = model.models.iter().find(|m| m.id == "B").unwrap();
    // `A.X` names A's X although B has an X too; `A.B.CM` falls back to the only CM.
    assert_eq!(b.threats[0].targets, ["A.X", "A.B.X"]);
    assert_eq!(b.threats[0].mitigations, ["A.CM"]);
    assert_eq!(
        Analysis::new(&model).threat("A.B.U").unwrap().status,
        Status::Mitigated
    );
}

/// When the imported tree does not check (E0026), a diagnostic inside an
/// imported element points at the tmyaml node it came from, in the file that
/// defined it. No input is known to produce an invalid model, so the written
/// file is corrupted here.
#[test]
fn diagnostics_of_a_failing_import_point_at_the_source() {
    let mut src = tmkit_syntax::fs::MemoryFs::new();
    src.insert("A/A.yaml", "ID: A\ntitle: a\nchildren:\n  - REFID: B\n");
    src.insert(
        "A/B/B.yaml",
        "ID: B\ntitle: b\nscope:\n  assets:\n    - {ID: X, title: x}\nthreats:\n  - ID: U\n    title: u\n    threatType: Tampering\n    assets: [{REFID: X}]\n",
    );
    let mut out = tmyaml::import_from(&src, std::path::Path::new("A")).unwrap();
    assert!(!out.check().has_errors());
    let child = out
        .files
        .iter_mut()
        .find(|f| f.path == "B/threatmodel.yaml")
        .expect("the child's file");
    assert!(
        child.contents.contains("  - tampering\n"),
        "{}",
        child.contents
    );
    child.contents = child
        .contents
        .replace("  - tampering\n", "  - no-such-category\n");
    let checked = out.check();
    let d = (checked.diagnostics.iter())
        .find(|d| d.is_error())
        .expect("an error");
    let at = d.primary.as_ref().expect("a place").span;
    assert_eq!(checked.files.get(at.file).display, "A/B/B.yaml");
    assert_eq!((at.line, at.column), (7, 5));
    assert!(
        d.notes
            .iter()
            .any(|n| n.starts_with("in the imported model: `A.B.U`, ")
                && n.contains("B/threatmodel.yaml:")),
        "{:?}",
        d.notes
    );
}
