//! Threagile imports.

use crate::support::{assert_otm_round_trip, asset_kinds, check_import, test_path};
use tmkit_analysis::{Analysis, Status};
use tmkit_interop::threagile;

#[test]
fn threagile_maps_assets_links_boundaries_risks_and_tracking() {
    let out = threagile::import_file(
        &tmkit_syntax::fs::RealFs,
        &test_path("fixtures/threagile/clinic.yaml"),
    )
    .unwrap();
    let model = check_import(&out).model.unwrap();
    let r = model.root();
    let kinds = asset_kinds(&model);
    assert_eq!(
        kinds,
        [
            ("patient-records", "data"),
            ("booking-slots", "data"),
            ("patient-browser", "external"),
            ("booking-app", "process"),
            ("clinic-db", "datastore"),
            ("admin-console", "process"),
            ("unconnected", "external"),
        ]
    );
    // CIA ratings kept; shared runtimes as context; out of scope with its reason.
    let records = r.assets[0].description.as_deref().unwrap();
    assert!(
        records.contains("confidentiality strictly-confidential, integrity critical"),
        "{records}"
    );
    assert!(
        r.assets[3]
            .description
            .as_deref()
            .unwrap()
            .contains("shared runtime App Cluster")
    );
    assert_eq!(r.assets[2].reason.as_deref(), Some("Owned by the patient."));
    // Nested boundaries; each asset in the innermost one listing it.
    let db_subnet = r.zones.iter().find(|z| z.id == "db-subnet").unwrap();
    assert_eq!(
        db_subnet.within.as_deref(),
        Some("clinic-booking.cloud-vpc")
    );
    assert_eq!(
        r.assets[4].zone.as_deref(),
        Some("clinic-booking.db-subnet")
    );
    // Links carry their data assets.
    assert_eq!(r.dataflows.len(), 3);
    assert_eq!(
        r.dataflows[0].carries,
        [
            "clinic-booking.patient-records",
            "clinic-booking.booking-slots"
        ]
    );
    // Abuse cases and security requirements.
    assert_eq!(r.requirements.len(), 2);
    // Individual risks with their tracking state (exact and wildcard keys).
    let analysis = Analysis::new(&model);
    let st: Vec<(String, Status)> = (analysis.threats.iter())
        .map(|t| (t.qid.to_string(), t.status))
        .collect();
    assert_eq!(
        st,
        [
            (
                "clinic-booking.slot-exhaustion-booking-app".to_string(),
                Status::Mitigated
            ),
            (
                "clinic-booking.unencrypted-backups-clinic-db".to_string(),
                Status::Accepted
            ),
            ("clinic-booking.weird".to_string(), Status::Unmitigated),
        ]
    );
    assert_eq!(r.threats[0].categories, ["denial-of-service"]);
    assert_eq!(r.threats[0].title, "Slot Exhaustion at Booking App");
    assert_eq!(
        r.threats[0].source.as_deref(),
        Some("slot-exhaustion@booking-app")
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.line == Some(75) && w.message.contains("Reminder Mail"))
    );
    assert_otm_round_trip(&model);
}

#[test]
fn threagile_version_and_hostile_input() {
    let err = threagile::import("threagile_version: 2.0.0\n", "x.yaml").unwrap_err();
    assert!(
        err.message.contains("version 2.0.0 is not supported"),
        "{err}"
    );
    // Loops of nested boundaries, unknown ids, wrong types: a model that checks.
    let odd = "threagile_version: 1.0.0\ntitle: [x]\ntechnical_assets:\n  A:\n    id: a\n    type: 7\n    communication_links:\n      L: {target: a, data_assets_sent: [nope]}\ntrust_boundaries:\n  X: {id: x, trust_boundaries_nested: [y], technical_assets_inside: [a, b]}\n  Y: {id: y, trust_boundaries_nested: [x]}\nrisk_tracking:\n  '*': {status: mitigated}\n";
    let out = threagile::import(odd, "odd.yaml").unwrap();
    check_import(&out);
    // An alias bomb stops at the YAML reader's limits.
    let mut bomb =
        String::from("threagile_version: 1.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(threagile::import(&bomb, "bomb.yaml").is_err());
}
