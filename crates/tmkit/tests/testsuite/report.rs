//! `tmkit report`: views x formats, atomic and deterministic output, dates,
//! and `tmkit schema report`.

use crate::support::{Test, repo_root};

fn example(name: &str) -> String {
    repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

const REFERENCE: &str = include_str!("../../../../examples/reference/threatmodel.yaml");

#[test]
fn default_is_the_full_markdown_report_on_stdout() {
    let mut t = Test::new()
        .args(["report", &example("reference")])
        .status(0);
    let out = t.stdout();
    assert!(out.contains("# <a id=\"CCC\"></a>Threat model: Content Collaboration Cloud"));
    assert!(out.contains("CCC.VULN_001"));
    assert!(!out.contains("Date"));
}

#[test]
fn every_view_and_format_writes_a_file_byte_identical_on_rerun() {
    for view in ["full", "unmitigated", "public", "checklist", "compliance"] {
        for format in ["md", "html", "json"] {
            let out = format!("report.{format}");
            let mut first = Test::new().args([
                "report",
                &example("composed"),
                "--view",
                view,
                "--format",
                format,
                "-o",
                &out,
            ]);
            first = first.status(0);
            let a = std::fs::read(first.path().join(&out)).expect("report written");
            let second = Test::new()
                .args([
                    "report",
                    &example("composed"),
                    "--view",
                    view,
                    "--format",
                    format,
                    "-o",
                    &out,
                ])
                .status(0);
            let b = std::fs::read(second.path().join(&out)).unwrap();
            assert_eq!(a, b, "{view} {format}");
            assert!(!a.is_empty());
        }
    }
}

#[test]
fn public_view_has_no_unmitigated_threat() {
    let mut t = Test::new()
        .args(["report", &example("reference"), "--view", "public"])
        .status(0);
    let out = t.stdout();
    assert!(!out.contains("VULN_001"));
    assert!(!out.contains("Disk exhaustion"));
    assert!(!out.contains("Platform Security"), "owner is internal");
    assert!(!out.contains("Platform team"), "operator is internal");
    assert!(out.contains("CCC.T.mitm"));
}

#[test]
fn refuses_to_write_over_the_model() {
    let t = Test::new()
        .model(REFERENCE)
        .args(["report", "threatmodel.yaml", "-o", "threatmodel.yaml"])
        .stderr_contains("refusing to write over the model file")
        .status(3);
    let after = std::fs::read_to_string(t.path().join("threatmodel.yaml")).unwrap();
    assert_eq!(after, REFERENCE);
}

#[test]
fn date_from_flag_or_source_date_epoch() {
    Test::new()
        .model(REFERENCE)
        .args(["report", "--date", "2030-04-05"])
        .stdout_contains("| Date | 2030-04-05 |")
        .status(0);
    Test::new()
        .model(REFERENCE)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["report", "--format", "json"])
        .stdout_contains("\"date\": \"2023-11-14\"")
        .status(0);
    Test::new()
        .model(REFERENCE)
        .args(["report", "--date", "tomorrow"])
        .stderr_contains("expected a date written YYYY-MM-DD")
        .status(3);
}

#[test]
fn date_must_be_a_calendar_date() {
    for (date, why) in [
        ("2024-13-45", "there is no month 13"),
        ("2023-02-29", "2023-02 has no day 29"),
        ("2024-04-31", "2024-04 has no day 31"),
    ] {
        // A usage error: nothing is read or written, exit code 3.
        let t = Test::new()
            .model(REFERENCE)
            .args(["report", "--date", date, "-o", "report.md"])
            .stderr_contains(&format!("invalid value '{date}' for '--date <DATE>'"))
            .stderr_contains(why)
            .status(3);
        assert!(!t.path().join("report.md").exists());
    }
    Test::new()
        .model(REFERENCE)
        .args(["report", "--date", "2024-02-29"])
        .stdout_contains("| Date | 2024-02-29 |")
        .status(0);
}

#[test]
fn invalid_model_gives_no_report() {
    Test::new()
        .model("tmkit: 1\nid: X\n")
        .args(["report", "--format", "html", "-o", "out.html"])
        .status(2);
}

#[test]
fn report_schema_describes_the_json_report() {
    let mut t = Test::new().args(["schema", "report"]).status(0);
    let schema = t.json();
    let props = &schema["properties"];
    for key in [
        "view",
        "models",
        "threats",
        "questions",
        "crossings",
        "metrics",
        "checklist",
    ] {
        assert!(props.get(key).is_some(), "schema lacks {key}");
    }
    let mut r = Test::new()
        .args(["report", &example("composed"), "--format", "json"])
        .status(0);
    let report = r.json();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// The clean one-threat model of the check tests, its threat accepted, with
/// the owner of the acceptance.
fn accepted() -> String {
    format!(
        "{}    mitigations:
      - title: Accepted until the redesign
        kind: risk-acceptance
        in_place: true
        owner: Jane Doe (CISO)
",
        crate::check::CLEAN
    )
}

#[test]
fn risk_acceptance_owner_is_in_the_json_report_and_never_public() {
    let mut t = Test::new()
        .model(&accepted())
        .args(["report", "--format", "json"])
        .status(0);
    let v: serde_json::Value = serde_json::from_str(&t.stdout()).unwrap();
    let mitigation = &v["models"][0]["mitigations"][0];
    assert_eq!(mitigation["kind"], "risk-acceptance");
    assert_eq!(mitigation["owner"], "Jane Doe (CISO)");
    for format in ["md", "html", "json"] {
        let mut t = Test::new()
            .model(&accepted())
            .args(["report", "--view", "public", "--format", format])
            .status(0);
        assert!(!t.stdout().contains("Jane Doe"), "{format}");
    }
}

/// The text of a PDF as `pdftotext` reads it, whitespace collapsed; None
/// after a visible skip when poppler-utils is missing (a failure under
/// `TMKIT_REQUIRE_TOOLS=1`).
fn pdf_text(pdf: &std::path::Path, test: &str) -> Option<String> {
    let pdftotext = tmkit_testtools::require(&tmkit_testtools::PDFTOTEXT, test)?;
    let out = std::process::Command::new(pdftotext)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn pdf_is_written_by_tmkit_itself_with_no_program_on_path() {
    for view in ["full", "unmitigated", "public", "checklist", "compliance"] {
        let run = || {
            let mut t = Test::new()
                .args([
                    "report",
                    &example("reference"),
                    "--view",
                    view,
                    "-f",
                    "pdf",
                    "-o",
                    "report.pdf",
                ])
                // No program to call, and SOURCE_DATE_EPOCH dates it.
                .env("PATH", "")
                .env("SOURCE_DATE_EPOCH", "1764547200")
                .status(0)
                .stdout_empty();
            let bytes = std::fs::read(t.path().join("report.pdf")).expect("report.pdf");
            let dir = tempfile::tempdir().unwrap();
            let kept = dir.path().join("report.pdf");
            std::fs::write(&kept, &bytes).unwrap();
            let _ = t.stderr();
            (bytes, dir, kept)
        };
        let (first, _dir, file) = run();
        let (second, _, _) = run();
        assert!(first.starts_with(b"%PDF-"), "{view}");
        assert!(first == second, "{view}: two runs differ");
        let Some(text) = pdf_text(&file, "pdf_is_written_by_tmkit_itself") else {
            return;
        };
        assert!(
            text.contains("Content Collaboration Cloud"),
            "{view}: {text}"
        );
        assert!(text.contains("Date 2025-12-01"), "{view}: {text}");
        assert!(text.contains("Page 1 of"), "{view}: {text}");
        // The unmitigated threat: in the confidential views, not the public one.
        match view {
            "full" | "unmitigated" => assert!(text.contains("CCC.VULN_001"), "{view}"),
            "public" => assert!(!text.contains("CCC.VULN_001"), "{view}: {text}"),
            _ => {}
        }
    }
}

#[test]
fn pdf_goes_to_stdout_when_it_is_not_a_terminal() {
    let mut t = Test::new()
        .args(["report", &example("reference"), "-f", "pdf", "-o", "-"])
        .status(0);
    assert!(t.output().stdout.starts_with(b"%PDF-"));
    let mut t = Test::new()
        .args(["report", &example("reference"), "--format", "pdf"])
        .status(0);
    assert!(t.output().stdout.starts_with(b"%PDF-"));
}

#[test]
fn pdf_is_not_printed_on_a_terminal() {
    let Some(script) = tmkit_testtools::require(
        &tmkit_testtools::Tool {
            name: "`script` (util-linux), for a pseudo-terminal",
            candidates: &["script"],
            install: "apt-get install util-linux",
        },
        "pdf_is_not_printed_on_a_terminal",
    ) else {
        return;
    };
    let tmkit = assert_cmd::cargo::cargo_bin!("tmkit");
    let out = std::process::Command::new(script)
        .args(["-qec"])
        .arg(format!(
            "{} report {} -f pdf",
            tmkit.display(),
            example("reference")
        ))
        .arg("/dev/null")
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("a PDF is binary: write it with -o FILE"),
        "{text}"
    );
    assert!(!text.contains("%PDF"), "{text}");
}
