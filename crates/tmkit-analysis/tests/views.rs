//! Views as data: report order, the matrix grid, the checklist, and the
//! public filter on the model level (the leak tests over rendered outputs
//! live in tmkit-render).

mod common;

use std::path::Path;
use tmkit_analysis::views::{CellState, ChecklistKind, View, ViewKind, public};
use tmkit_analysis::{Analysis, Status};

fn reference() -> tmkit_model::Model {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reference/threatmodel.yaml");
    tmkit_model::check_path(&path)
        .model
        .expect("reference checks")
}

#[test]
fn full_view_lists_threats_worst_first() {
    let view = View::new(&reference(), ViewKind::Full);
    let order: Vec<&str> = view.threats.iter().map(|t| t.qid.as_str()).collect();
    // All medium: 6.5 (unmitigated before mitigated), 5.9, 4.3.
    assert_eq!(
        order,
        ["CCC.VULN_001", "CCC.T.tamper", "CCC.T.mitm", "CCC.T.flood"]
    );
    let vuln = &view.threats[0];
    assert_eq!(vuln.status, Status::Unmitigated);
    assert_eq!(vuln.planned().count(), 2);
    assert_eq!(vuln.ticket.as_deref(), Some("VULN_001"));
    assert_eq!(vuln.attackers[0].qid, "CCC.editor");
    assert_eq!(vuln.targets[0].title, "Edit API endpoint");
    assert!(view.threats[3].not_secure_by_default);
}

#[test]
fn matrix_cells_say_how_each_question_stands() {
    let view = View::new(&reference(), ViewKind::Full);
    assert_eq!(view.matrix.len(), 1);
    let table = &view.matrix[0];
    assert_eq!(
        table.categories,
        ["confidentiality", "integrity", "availability"]
    );
    let row = |q: &str| table.rows.iter().find(|r| r.target.qid == q).unwrap();
    let flow = row("CCC.dataflow.1");
    // C: T.mitm (anon) + n/a (installer), editor open.
    assert_eq!(flow.cells[0].state, CellState::PartlyOpen);
    assert_eq!(flow.cells[0].open, ["CCC.editor"]);
    assert_eq!((flow.cells[0].answered, flow.cells[0].asked), (2, 3));
    // A: VULN_001 is unmitigated.
    assert_eq!(flow.cells[2].state, CellState::Unmitigated);
    assert_eq!(row("CCC.sql-db").cells[1].state, CellState::Open);
    let answered: usize = table
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .map(|c| c.answered)
        .sum();
    assert_eq!(answered, 6);
}

#[test]
fn unmitigated_view_has_only_open_threats_and_no_matrix() {
    let view = View::new(&reference(), ViewKind::Unmitigated);
    assert_eq!(view.threats.len(), 1);
    assert!(view.matrix.is_empty());
    assert!(!view.sections.scope && view.sections.threats);
}

#[test]
fn checklist_has_requirements_then_assumptions() {
    let view = View::new(&reference(), ViewKind::Checklist);
    assert!(view.threats.is_empty());
    let kinds: Vec<ChecklistKind> = view.checklist.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ChecklistKind::Requirement)
            .count(),
        2
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ChecklistKind::Assumption)
            .count(),
        3
    );
    let a1 = view.checklist.iter().find(|i| i.qid == "CCC.A1").unwrap();
    assert_eq!(a1.relied_on_by, ["CCC.T.mitm"]);
    let r1 = view
        .checklist
        .iter()
        .find(|i| i.qid == "CCC.req.1")
        .unwrap();
    assert_eq!(r1.detail.as_deref(), Some("compliance, PCI-DSS"));
}

#[test]
fn public_model_of_the_reference() {
    let model = reference();
    let p = public(&model);
    let root = p.root();
    let threats: Vec<&str> = root.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(threats, ["T.mitm", "T.tamper", "T.flood"]);
    assert!(root.owner.is_none());
    assert!(
        root.mitigations
            .iter()
            .all(|m| m.in_place && m.operator.is_none() && m.ticket.is_none())
    );
    assert!(
        !root
            .mitigations
            .iter()
            .any(|m| m.qid.starts_with("CCC.VULN_001"))
    );
    // Scope is kept whole.
    assert_eq!(root.assets.len(), model.root().assets.len());
    assert_eq!(root.attackers.len(), model.root().attackers.len());
    assert_eq!(root.analysis.len(), 1);
    let a = Analysis::new(&p);
    assert!(a.threats.iter().all(|t| t.status == Status::Mitigated));
}

#[test]
fn partial_threat_is_withheld_although_its_public_controls_are_in_place() {
    let m = common::model(
        r#"tmkit: 1
id: P
title: Partial
scope:
  assets:
    - { id: api, title: API, kind: service }
threats:
  - id: T1
    title: Half done
    categories: [integrity]
    targets: [api]
    mitigations:
      - { title: Input validation, kind: design, in_place: true }
      - { title: Output encoding, kind: design, in_place: false }
"#,
    );
    assert_eq!(Analysis::new(&m).threats[0].status, Status::Partial);
    let p = public(&m);
    assert!(p.root().threats.is_empty());
    assert!(
        p.root().mitigations.is_empty(),
        "inline mitigations go with their threat"
    );
}

#[test]
fn zone_nesting_and_placement_withhold_what_is_inside_a_confidential_zone() {
    let m = common::model(
        r#"tmkit: 1
id: Z
title: Zones
scope:
  zones:
    - { id: dc, title: DC, trust: 2 }
    - { id: vault, title: Vault, trust: 5, within: dc, confidential: true }
    - { id: cage, title: Cage, trust: 6, within: vault }
  assets:
    - { id: web, title: Web, kind: service, zone: dc }
    - { id: hsm, title: HSM, kind: hardware, zone: cage }
  attackers:
    - { id: tech, title: Technician, zone: cage }
    - { id: anon, title: Anonymous }
"#,
    );
    let p = public(&m);
    let root = p.root();
    assert_eq!(
        root.zones.iter().map(|z| z.id.as_str()).collect::<Vec<_>>(),
        ["dc"]
    );
    assert_eq!(
        root.assets
            .iter()
            .map(|z| z.id.as_str())
            .collect::<Vec<_>>(),
        ["web"]
    );
    assert_eq!(
        root.attackers
            .iter()
            .map(|z| z.id.as_str())
            .collect::<Vec<_>>(),
        ["anon"]
    );
}
