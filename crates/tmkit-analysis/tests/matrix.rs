//! The matrix and metrics renderers.

mod common;

use std::path::Path;
use tmkit_analysis::Analysis;
use tmkit_analysis::matrix::{MatrixFormat, MatrixOptions, render};
use tmkit_analysis::summary::{self, MetricsFormat};

fn reference() -> tmkit_model::Model {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/reference/threatmodel.yaml");
    tmkit_model::check_path(&path)
        .model
        .expect("reference checks")
}

#[test]
fn text_matrix_fits_100_columns_and_shows_cells() {
    let m = reference();
    let a = Analysis::new(&m);
    let text = render(&a, &m, &MatrixOptions::default());
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line:?}");
    }
    let flow: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("dataflow.1"))
        .take(4)
        .collect();
    assert_eq!(flow.len(), 4, "{text}");
    // confidentiality: T.mitm for anon, the verdict for installer, editor open
    let cells: Vec<Vec<&str>> = flow
        .iter()
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(cells[0][1], "#1 M anon");
    assert_eq!(cells[1][1], "n/a installer");
    assert_eq!(cells[2][1], "open editor");
    assert_eq!(cells[0][3], "#3 M editor");
    assert_eq!(cells[1][3], "#4 U editor");
    assert!(text.contains("#4 CCC.VULN_001 [unmitigated, medium 6.5] Disk exhaustion"));
    assert!(text.contains("6 of 45 questions answered (13.3%)"));
    let open_rows = text
        .lines()
        .filter(|l| l.contains("| open            | open"))
        .count();
    assert_eq!(open_rows, 4, "{text}");
}

#[test]
fn narrow_tables_truncate_with_an_ellipsis() {
    let m = reference();
    let a = Analysis::new(&m);
    let mut options = MatrixOptions::default();
    options.width = 60;
    let text = render(&a, &m, &options);
    for line in text.lines() {
        assert!(line.chars().count() <= 60, "{line:?}");
    }
    assert!(text.contains('…'));
}

#[test]
fn open_lists_the_39_unanswered_questions_one_sentence_per_target_and_attacker() {
    let m = reference();
    let a = Analysis::new(&m);
    let mut options = MatrixOptions::default();
    options.open_only = true;
    let text = render(&a, &m, &options);
    let sentences: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("What can go wrong"))
        .collect();
    // 39 open questions in 14 target x attacker pairs, one line each.
    assert_eq!(sentences.len(), 14);
    assert!(text.starts_with("CCC: 39 open questions\n"));
    assert!(text.contains(
        "    1. What can go wrong for CCC.login-endpoint given an attack by CCC.anon for the aspects of confidentiality, integrity, availability?\n"
    ), "{text}");
    assert!(text.contains(
        "   14. What can go wrong for CCC.dataflow.1 given an attack by CCC.editor for the aspect of confidentiality?\n       (Edit API endpoint / logged in user with \"editor\" privileges)\n"
    ), "{text}");
    // The verdict answers every question of the installer on dataflow.1.
    assert!(!text.contains("CCC.dataflow.1 given an attack by CCC.installer"));
    // The open questions of dataflow.1 are exactly the three of the matrix.
    let flow: Vec<&str> = sentences
        .iter()
        .filter(|l| l.contains("for CCC.dataflow.1 "))
        .map(|l| l.rsplit(" of ").next().unwrap())
        .collect();
    assert_eq!(flow, ["integrity, availability?", "confidentiality?"]);
}

#[test]
fn json_matrix_lists_questions_and_threats() {
    let m = reference();
    let a = Analysis::new(&m);
    let v: serde_json::Value =
        serde_json::from_str(&render(&a, &m, &MatrixOptions::new(MatrixFormat::Json))).unwrap();
    let qs = v["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 45);
    assert_eq!(qs.iter().filter(|q| q["answered"] == true).count(), 6);
    let q = qs
        .iter()
        .find(|q| {
            q["target"] == "CCC.dataflow.1"
                && q["attacker"] == "CCC.installer"
                && q["category"] == "integrity"
        })
        .unwrap();
    assert_eq!(q["verdict"], "not-applicable");
    assert_eq!(q["threats"], serde_json::json!([]));
    let t = &v["threats"][3];
    assert_eq!(t["id"], "CCC.VULN_001");
    assert_eq!(t["status"], "unmitigated");
    assert_eq!(t["score"], 6.5);
    assert_eq!(t["severity"], "medium");
    assert_eq!(t["vector"], "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H");

    let mut options = MatrixOptions::new(MatrixFormat::Json);
    options.open_only = true;
    let v: serde_json::Value = serde_json::from_str(&render(&a, &m, &options)).unwrap();
    assert_eq!(v["questions"].as_array().unwrap().len(), 39);
}

#[test]
fn csv_has_a_row_per_question_and_neutralises_formulas() {
    let m = common::model(
        "tmkit: 1
id: X
title: X
scope:
  assets: [{ id: a, title: '=HYPERLINK(\"http://evil\")' }]
  attackers: [{ id: b, title: '@attacker' }]
",
    );
    let a = Analysis::new(&m);
    let text = render(&a, &m, &MatrixOptions::new(MatrixFormat::Csv));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 3);
    assert!(
        lines[1].contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",'@attacker,"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(",confidentiality,false,,"),
        "{}",
        lines[1]
    );
}

#[test]
fn markdown_matrix_escapes_pipes() {
    let m = common::model(
        "tmkit: 1
id: X
title: X
scope:
  assets: [{ id: a, title: 'a | b' }]
  attackers: [{ id: b, title: B }]
",
    );
    let a = Analysis::new(&m);
    let text = render(&a, &m, &MatrixOptions::new(MatrixFormat::Markdown));
    assert!(
        text.contains("| a<br>a \\| b | open | open | open |  |"),
        "{text}"
    );
}

#[test]
fn metrics_text_summarises_coverage_and_worst_items() {
    let m = reference();
    let a = Analysis::new(&m);
    let text = summary::render(&a, &m, MetricsFormat::Text);
    assert!(
        text.contains("13.3%  6 of 45 questions answered, 39 open"),
        "{text}"
    );
    assert!(text.contains("[####..........................]"), "{text}");
    assert!(
        text.contains("CCC.VULN_001  unmitigated  medium 6.5  ticket VULN_001  Disk exhaustion")
    );
    let json: serde_json::Value =
        serde_json::from_str(&summary::render(&a, &m, MetricsFormat::Json)).unwrap();
    assert_eq!(json["questions"]["coverage"], 0.1333);
}

#[test]
fn stride_tables_use_short_labels_and_wrap_long_items() {
    let m = common::model(
        "tmkit: 1
id: SPE
title: STRIDE per element
scope:
  abstraction: { taxonomy: STRIDE-per-element }
  assets:
    - { id: db, title: Database, kind: datastore }
  attackers:
    - { id: anonymous-user, title: Anonymous }
    - { id: insider-with-long-name, title: Insider }
    - { id: bot, title: Bot }
threats:
  - { id: T1, title: SQL injection, categories: [T, I], targets: [db], attackers: [anonymous-user, bot] }
",
    );
    let a = Analysis::new(&m);
    let text = render(&a, &m, &MatrixOptions::default());
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line:?}");
    }
    assert!(
        text.contains("S spoofing, T tampering, R repudiation, I information-disclosure"),
        "{text}"
    );
    let header = text.lines().find(|l| l.starts_with("target")).unwrap();
    let cols: Vec<&str> = header.split('|').map(str::trim).collect();
    assert_eq!(cols, ["target", "S", "T", "R", "I", "D", "E", "other"]);
    assert!(!text.contains('…'), "{text}");
    assert!(text.contains("anonymous-user,"), "{text}");
}
