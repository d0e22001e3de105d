//! Microsoft Threat Modeling Tool (.tm7) imports.

use crate::support::{assert_otm_round_trip, asset_kinds, check_import, test_path};
use tmkit_analysis::{Analysis, Status};
use tmkit_interop::{ImportOutput, tm7};

fn import(rel: &str) -> ImportOutput {
    tm7::import_file(&tmkit_syntax::fs::RealFs, &test_path(rel)).unwrap()
}

#[test]
fn tm7_maps_stencils_boundaries_and_threat_states() {
    let out = import("fixtures/tm7/orders.tm7");
    let model = check_import(&out).model.unwrap();
    let r = model.root();
    let kinds = asset_kinds(&model);
    // A custom template's GUID generic type: the XML type decides; the
    // annotation is not an asset; the dangling flow's end is added.
    assert_eq!(
        kinds,
        [
            ("browser", "external"),
            ("web-app", "process"),
            ("orders-sql", "datastore"),
            ("log-files", "datastore"),
            ("unconnected", "external"),
        ]
    );
    let logs = &r.assets[3];
    assert_eq!(
        logs.reason.as_deref(),
        Some("Managed by the platform team.")
    );
    // Border boundaries nest by coordinates; trust is the depth.
    let zones: Vec<(&str, f64, Option<&str>)> = (r.zones.iter())
        .map(|z| (z.id.as_str(), z.trust, z.within.as_deref()))
        .collect();
    assert_eq!(
        zones,
        [
            ("azure-subscription", 1.0, None),
            (
                "private-network",
                2.0,
                Some("order-portal.azure-subscription")
            ),
            ("outside-orders", 0.0, None),
        ]
    );
    assert_eq!(
        r.assets[1].zone.as_deref(),
        Some("order-portal.private-network")
    );
    assert_eq!(r.dataflows.len(), 3);
    assert_eq!(r.dataflows[0].protocol.as_deref(), Some("HTTPS"));
    // States: Auto Generated, Mitigated, Not Applicable, Needs Investigation, Not Started.
    let analysis = Analysis::new(&model);
    let st: Vec<Status> = analysis.threats.iter().map(|t| t.status).collect();
    assert_eq!(
        st,
        [
            Status::Unmitigated,
            Status::Mitigated,
            Status::Accepted,
            Status::Unmitigated,
            Status::Unmitigated
        ]
    );
    // Category spellings vary; a missing one comes from the knowledge base.
    let cats: Vec<&str> = r.threats.iter().map(|t| t.categories[0].as_str()).collect();
    assert_eq!(
        cats,
        [
            "spoofing",
            "elevation-of-privilege",
            "denial-of-service",
            "tampering",
            "information-disclosure"
        ]
    );
    assert_eq!(r.threats[1].targets, ["order-portal.request"]);
    assert!(
        r.threats[3]
            .description
            .as_deref()
            .unwrap()
            .contains("Needs Investigation; priority Medium")
    );
    assert_eq!(
        r.threats[0].source.as_deref(),
        Some("T1e0000001f0000001p0000001")
    );
    let w: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("orders.tm7:109: data flow `Webhook`")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("diagram `Empty page` is empty")),
        "{w:#?}"
    );
    assert_otm_round_trip(&model);
}

#[test]
fn billion_laughs_and_entities_are_refused() {
    let err = tm7::import_file(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/tm7/billion-laughs.tm7"),
    )
    .unwrap_err();
    assert!(err.message.contains("DTD"), "{err}");
    // An external entity is refused the same way (no DTD at all).
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><ThreatModel>&x;</ThreatModel>";
    assert!(
        tm7::import(xxe, "x.tm7")
            .unwrap_err()
            .message
            .contains("DTD")
    );
}

#[test]
fn other_xml_zip_and_versions_are_clear_errors() {
    let err = tm7::import("<html/>", "x.tm7").unwrap_err();
    assert!(
        err.message
            .contains("not a Microsoft Threat Modeling Tool model"),
        "{err}"
    );
    let err =
        tm7::import("<ThreatModel><Version>9.0</Version></ThreatModel>", "x.tm7").unwrap_err();
    assert!(
        err.message.contains("version 9.0 is not supported"),
        "{err}"
    );
    let mut fs = tmkit_syntax::fs::MemoryFs::new();
    fs.insert("z.tm7", b"PK\x03\x04rest".to_vec());
    let err = tm7::import_file(&fs, std::path::Path::new("z.tm7")).unwrap_err();
    assert!(
        err.message.contains("ZIP archive that cannot be read"),
        "{err}"
    );
    // Deep nesting and junk: an error or a model that checks, never a panic.
    let deep = format!(
        "<ThreatModel>{}{}</ThreatModel>",
        "<a>".repeat(50_000),
        "</a>".repeat(50_000)
    );
    if let Ok(out) = tm7::import(&deep, "deep.tm7") {
        check_import(&out);
    }
    let out = tm7::import("<ThreatModel><DrawingSurfaceList><X><Borders><K><Value><Left>1e999</Left></Value></K></Borders></X></DrawingSurfaceList><ThreatInstances><K><Value><State>Mitigated</State></Value></K></ThreatInstances></ThreatModel>", "j.tm7").unwrap();
    check_import(&out);
}

#[test]
fn zip_wrapped_tm7_imports_like_the_xml_and_bombs_stop_at_the_limit() {
    let plain = import("fixtures/tm7/orders.tm7");
    let zipped = import("fixtures/tm7/orders-zip.tm7");
    assert_eq!(zipped.files, plain.files);
    // 20 MiB of XML in a 20 KiB archive: refused at 8 MiB, never held whole.
    let err = tm7::import_file(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/tm7/zip-bomb.tm7"),
    )
    .unwrap_err();
    assert!(err.message.contains("expands to more than"), "{err}");
}

#[test]
fn utf16_tm7_reads_like_utf8() {
    let xml = std::fs::read_to_string(test_path("fixtures/tm7/orders.tm7")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
    let mut fs = tmkit_syntax::fs::MemoryFs::new();
    fs.insert("u.tm7", bytes);
    let out = tm7::import_file(&fs, std::path::Path::new("u.tm7")).unwrap();
    assert_eq!(out.files, import("fixtures/tm7/orders.tm7").files);
}
