//! CSV for trackers.

use crate::support::load;
use tmkit_analysis::Analysis;
use tmkit_interop::csv_export::{self, MITIGATION_HEADER, Rows, THREAT_HEADER};

fn read(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

fn col(header: &[&str], name: &str) -> usize {
    header.iter().position(|h| *h == name).unwrap()
}

#[test]
fn one_row_per_threat_with_ticket_fields() {
    let (model, _) = load("fixtures/models/shop");
    let analysis = Analysis::new(&model);
    let text = csv_export::to_csv(&model, &analysis, Rows::Threats);
    assert!(text.ends_with("\r\n"));
    let rows = read(&text);
    assert_eq!(rows[0], THREAT_HEADER);
    assert_eq!(rows.len(), 1 + 7, "{text}");
    let h = &THREAT_HEADER[..];
    let inject = rows.iter().find(|r| r[0] == "SHOP.T.inject").unwrap();
    assert_eq!(inject[col(h, "Status")], "partial");
    assert_eq!(inject[col(h, "Severity")], "critical");
    assert_eq!(inject[col(h, "Score")], "9.8");
    assert_eq!(
        inject[col(h, "CVSS Vector")],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(inject[col(h, "Priority")], "Highest");
    assert_eq!(inject[col(h, "Ticket")], "SHOP-1");
    assert_eq!(inject[col(h, "Targets")], "SHOP.cart, SHOP.db");
    assert_eq!(
        inject[col(h, "Labels")],
        "threat-model tampering information-disclosure"
    );
    assert_eq!(inject[col(h, "Mitigations Planned")], "Prepared statements");
    // The title starts with `=`: neutralised in Title, harmless inside Summary.
    assert!(
        inject[col(h, "Title")].starts_with("'=HYPERLINK"),
        "{}",
        inject[col(h, "Title")]
    );
    assert!(inject[col(h, "Summary")].starts_with("[critical] SHOP.T.inject: =HYPERLINK"));
    // The multi-line description survives quoting.
    let d = &inject[col(h, "Description")];
    assert!(
        d.starts_with("The cart builds SQL from user input.\n\n- quantity\n- coupon"),
        "{d}"
    );
    assert!(
        d.contains("Targets: Cart service (SHOP.cart), Orders database (SHOP.db)"),
        "{d}"
    );
    // Every cell that starts like a formula is neutralised.
    for r in &rows {
        for c in r {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unsafe cell {c:?}"
            );
        }
    }
    let dos = rows.iter().find(|r| r[0] == "SHOP.T.dos").unwrap();
    assert_eq!(dos[col(h, "Title")], "'-1 day outage by flooding");
    assert_eq!(dos[col(h, "Status")], "accepted");
    let key = rows.iter().find(|r| r[0] == "SHOP.T.key").unwrap();
    assert_eq!(key[col(h, "Title")], "'@admin steals the TLS key");
    assert_eq!(key[col(h, "Severity")], "unscored");
    assert_eq!(key[col(h, "Attackers")], "(every in-scope attacker)");
    assert_eq!(key[col(h, "Confidential")], "true");
}

#[test]
fn one_row_per_planned_mitigation() {
    let (model, _) = load("fixtures/models/shop");
    let analysis = Analysis::new(&model);
    let rows = read(&csv_export::to_csv(&model, &analysis, Rows::Mitigations));
    assert_eq!(rows[0], MITIGATION_HEADER);
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["SHOP.T.inject/m1", "SHOP.T.spoof/m2", "SHOP.PAY.M.tokenize"],
        "{rows:?}"
    );
    let h = &MITIGATION_HEADER[..];
    let tok = &rows[3];
    assert_eq!(tok[col(h, "Ticket")], "PAY-9");
    assert_eq!(
        tok[col(h, "Threats")],
        "SHOP.PAY.a-very-long-threat-identifier-that-is-longer-than-thirty-six"
    );
    assert_eq!(tok[col(h, "Score")], "9.3");
    assert_eq!(tok[col(h, "Status")], "planned");
    // Declared in a confidential component.
    assert_eq!(tok[col(h, "Confidential")], "true");
    assert_eq!(rows[1][col(h, "Confidential")], "false");
    let bind = &rows[2];
    assert_eq!(bind[col(h, "Kind")], "operational");
    assert!(bind[col(h, "Description")].contains("Operator: Platform"));
}
