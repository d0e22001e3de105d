//! The matrix and metrics renderers.

mod diagram_support;

use diagram_support::example;
use tmkit_analysis::Analysis;
use tmkit_render::matrix::{MatrixFormat, MatrixOptions, render};
use tmkit_render::metrics::{self, MetricsFormat, MetricsOptions};

fn reference() -> tmkit_model::Model {
    example("reference/threatmodel.yaml")
}

mod common {
    /// A single-file model from YAML text, which must check.
    pub fn model(yaml: &str) -> tmkit_model::Model {
        super::diagram_support::load_str(yaml).0
    }
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
    assert!(text.contains("#4 CCC.VULN_001 [unmitigated, 6.5 medium] Disk exhaustion"));
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
    // 39 open questions in 14 target x attacker pairs, one entry each.
    let pairs = v["questions"].as_array().unwrap();
    assert_eq!(pairs.len(), 14);
    let open: usize = pairs
        .iter()
        .map(|p| p["open"].as_array().unwrap().len())
        .sum();
    assert_eq!(open, 39);
    assert_eq!(
        pairs[13],
        serde_json::json!({
            "model": "CCC",
            "target": "CCC.dataflow.1",
            "attacker": "CCC.editor",
            "open": ["confidentiality"]
        })
    );
}

#[test]
fn open_csv_has_a_row_per_target_and_attacker() {
    let m = reference();
    let a = Analysis::new(&m);
    let mut options = MatrixOptions::new(MatrixFormat::Csv);
    options.open_only = true;
    let text = render(&a, &m, &options);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "model,target,target_title,attacker,attacker_title,open"
    );
    assert_eq!(lines.len(), 1 + 14, "{text}");
    assert_eq!(
        lines[14],
        "CCC,CCC.dataflow.1,Edit API endpoint,CCC.editor,\"logged in user with \"\"editor\"\" privileges\",confidentiality"
    );
    assert!(
        lines[1].ends_with(",confidentiality integrity availability"),
        "{}",
        lines[1]
    );
}

#[test]
fn text_tables_take_the_width_they_are_given() {
    let m = reference();
    let a = Analysis::new(&m);
    let longest = |width: usize| {
        let mut options = MatrixOptions::default();
        options.width = width;
        let text = render(&a, &m, &options);
        text.lines().map(|l| l.chars().count()).max().unwrap()
    };
    // The reference's widest row needs more than 100 columns: a wider
    // terminal shows more of it, a narrower one less, never past the width.
    let (w60, w100, w160) = (longest(60), longest(100), longest(160));
    assert!(
        w60 <= 60 && w100 <= 100 && w160 <= 160,
        "{w60} {w100} {w160}"
    );
    assert!(w60 < w100 && w100 < w160, "{w60} {w100} {w160}");

    let mut options = MetricsOptions::new(MetricsFormat::Text);
    options.width = 40;
    let text = metrics::render(&a, &m, &options);
    assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
    assert!(
        text.contains("  CCC.VULN_001  unmitigated  6.5 medium…\n"),
        "{text}"
    );
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
    let text = metrics::render(&a, &m, &MetricsOptions::new(MetricsFormat::Text));
    assert!(
        text.contains("13.3%  6 of 45 questions answered, 39 open"),
        "{text}"
    );
    assert!(text.contains("[####..........................]"), "{text}");
    assert!(
        text.contains("CCC.VULN_001  unmitigated  6.5 medium  ticket VULN_001  Disk exhaustion")
    );
    let json: serde_json::Value = serde_json::from_str(&metrics::render(
        &a,
        &m,
        &MetricsOptions::new(MetricsFormat::Json),
    ))
    .unwrap();
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

#[test]
fn markdown_matrix_uses_the_one_markdown_escaping() {
    let m = common::model(
        "tmkit: 1
id: X
title: '<img src=x onerror=alert(1)> ~~x~~'
scope:
  assets: [{ id: a, title: '<b>bold</b> $x$' }]
  attackers: [{ id: b, title: B }]
",
    );
    let a = Analysis::new(&m);
    let text = render(&a, &m, &MatrixOptions::new(MatrixFormat::Markdown));
    // tmkit_render::escape::escape_md: markup becomes entities, `~` and `$`
    // are escaped; no raw HTML survives.
    assert!(
        text.contains("## X &lt;img src=x onerror=alert(1)&gt; \\~\\~x\\~\\~ (CIA): 1 target x 1 attacker, 0 of 3 questions"),
        "{text}"
    );
    assert!(
        text.contains("| a<br>&lt;b&gt;bold&lt;/b&gt; \\$x\\$ |"),
        "{text}"
    );
    assert!(!text.contains("<b>") && !text.contains("<img"), "{text}");
}
