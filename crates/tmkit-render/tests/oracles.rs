//! The invariant oracles of `tmkit_render::oracles` (shared with the fuzz
//! targets of fuzz/, see docs/fuzzing.md) in ordinary `cargo test`:
//!
//! - each oracle accepts what the renderers write for the examples, and
//!   rejects a sample of each violation it exists for;
//! - proptest: models whose every free-text field (and some ids) carries
//!   hostile text, rendered in every report view and format, every diagram
//!   format, the metrics and the matrix, all pass their oracles;
//! - every input the fuzzers found is a committed regression case below.

mod diagram_support;
use diagram_support::example;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use std::path::PathBuf;
use tmkit_render::oracles::{self, check, model::Spec};

#[test]
fn the_examples_pass_every_oracle() {
    for rel in ["reference/threatmodel.yaml", "composed/threatmodel.yaml"] {
        if let Err(e) = check::all(&example(rel)) {
            panic!("{rel}: {e}");
        }
    }
}

#[test]
fn each_oracle_rejects_what_it_exists_for() {
    let md = "# T\n\n";
    let cases: &[(oracles::Oracle, String, &str)] = &[
        (
            oracles::markdown,
            format!("{md}[x](javascript:alert(1))\n"),
            "javascript link",
        ),
        (
            oracles::markdown,
            format!("{md}[x](file.html)\n"),
            "relative link",
        ),
        (
            oracles::markdown,
            format!("{md}![i](https://e.example/i.png)\n"),
            "remote image",
        ),
        (oracles::markdown, format!("{md}a <b>x</b>\n"), "raw HTML"),
        (
            oracles::markdown,
            format!("{md}<a id=\"x\" onclick=\"y\"></a>\n"),
            "anchor with handler",
        ),
        (
            oracles::markdown,
            format!("{md}[r]: https://e.example\n"),
            "reference definition",
        ),
        (
            oracles::markdown,
            format!("{md}```\ncode\n\n## rest\n"),
            "unclosed fence",
        ),
        (
            oracles::markdown,
            format!("{md}| a | b |\n|---|---|\n| 1 | 2 | 3 |\n"),
            "extra cell",
        ),
        (
            oracles::markdown,
            format!("{md}```mermaid\nflowchart LR\n%%{{init: {{}}}}%%\n```\n"),
            "directive in mermaid block",
        ),
        (
            oracles::html,
            "<p onmouseover=\"x\">a</p>".into(),
            "event handler",
        ),
        (
            oracles::html,
            "<script>alert(1)</script>".into(),
            "foreign script",
        ),
        (
            oracles::html,
            "<a href=\" java\tscript:alert(1)\">x</a>".into(),
            "javascript: URL",
        ),
        (
            oracles::html,
            "<img src=\"https://e.example/i.png\">".into(),
            "remote image",
        ),
        (
            oracles::html,
            "<iframe src=\"data:text/html,x\"></iframe>".into(),
            "iframe",
        ),
        (
            oracles::html,
            "<div style=\"background:url(https://e.example/x)\">".into(),
            "CSS load",
        ),
        (
            oracles::svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>".into(),
            "SVG script",
        ),
        (
            oracles::svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"javascript:x\"/></svg>".into(),
            "SVG javascript link",
        ),
        (oracles::svg, "<svg><g></svg>".into(), "malformed XML"),
        (
            oracles::dot,
            "digraph \"a\" {\n  \"n\" [label=\"\\N\"];\n}\n".into(),
            "\\N expansion",
        ),
        (
            oracles::dot,
            "digraph \"a\" {\n  \"n\" [label=\"x\"]; Zqx\n}\n".into(),
            "label breaks out",
        ),
        (
            oracles::dot,
            "digraph \"a\" {\n  \"n\" [label=\"x];\n}\n".into(),
            "unclosed string",
        ),
        (
            oracles::mermaid,
            "flowchart LR\n  %% t %%{init: {}}%%\n".into(),
            "directive in a comment",
        ),
        (
            oracles::mermaid,
            "flowchart LR\n  n0[\"a\"] Zqx\n".into(),
            "label breaks out",
        ),
        (
            oracles::mermaid,
            "flowchart LR\n  n0[\"<img src=x>\"]\n".into(),
            "HTML in label",
        ),
        (
            oracles::plantuml,
            "@startuml\n!include /etc/passwd\n@enduml\n".into(),
            "!include",
        ),
        (
            oracles::plantuml,
            "@startuml\nrectangle \"%getenv(\"HOME\")\" as n0\n@enduml\n".into(),
            "%getenv(",
        ),
        (
            oracles::plantuml,
            "@startuml\nrectangle \"$x\" as n0\n@enduml\n".into(),
            "$var",
        ),
        (
            oracles::plantuml,
            "@startuml\nrectangle \"[[http://e.example]]\" as n0\n@enduml\n".into(),
            "link",
        ),
        (oracles::terminal, "ok \u{1b}[31mred\n".into(), "ESC"),
        (oracles::terminal, "a\rb\n".into(), "carriage return"),
        (oracles::terminal, "a\u{9b}b\n".into(), "C1 CSI"),
        (oracles::csv, "a,b\n=1+1,x\n".into(), "formula"),
        (oracles::csv, "a,b\nx\u{0}y,z\n".into(), "NUL"),
        (oracles::csv, "a,b\n1,2,3\n".into(), "ragged row"),
        (oracles::json, "{\"a\": }".into(), "invalid JSON"),
        (
            oracles::sarif,
            "{\"version\":\"2.1.0\",\"runs\":[{\"x\":{\"uri\":\"a b\"}}]}".into(),
            "space in URI",
        ),
        (
            oracles::sarif,
            "{\"version\":\"2.1.0\",\"runs\":[{\"x\":{\"uri\":\"é\"}}]}".into(),
            "non-ASCII URI",
        ),
    ];
    for (oracle, sample, why) in cases {
        assert!(oracle(sample).is_err(), "oracle accepted {why}: {sample:?}");
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    oracles::model::strategy()
}

/// The outputs of `group` (report, diagram, text) for `spec`'s model whose
/// name contains `filter` pass their oracles (a spec whose strings the
/// format rejects is skipped).
fn family(spec: &Spec, group: &str, filter: &str) -> Result<(), TestCaseError> {
    let Some(model) = oracles::model::load(spec) else {
        return Ok(());
    };
    let analysis = tmkit_analysis::Analysis::new(&model);
    let outputs = match group {
        "report" => check::reports(&model),
        "diagram" => check::diagrams(&model, &analysis),
        _ => check::text_outputs(&model, &analysis),
    };
    for output in outputs.iter().filter(|o| o.name.contains(filter)) {
        if let Err(e) = output.verify() {
            let yaml = oracles::model::yaml(spec);
            return Err(TestCaseError::fail(format!("{e}\n--- model ---\n{yaml}")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x746d_6b69_7423),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })]

    #[test]
    fn report_markdown_keeps_user_text_inert(spec in spec()) {
        family(&spec, "report", "Markdown")?;
    }

    #[test]
    fn report_html_keeps_user_text_inert(spec in spec()) {
        family(&spec, "report", "Html")?;
    }

    #[test]
    fn report_json_is_valid(spec in spec()) {
        family(&spec, "report", "Json")?;
    }

    #[test]
    fn diagram_svg_keeps_user_text_inert(spec in spec()) {
        family(&spec, "diagram", "svg")?;
    }

    #[test]
    fn diagram_dot_keeps_user_text_inert(spec in spec()) {
        family(&spec, "diagram", "dot")?;
    }

    #[test]
    fn diagram_mermaid_keeps_user_text_inert(spec in spec()) {
        family(&spec, "diagram", "mermaid")?;
    }

    #[test]
    fn diagram_plantuml_keeps_user_text_inert(spec in spec()) {
        family(&spec, "diagram", "plantuml")?;
    }

    #[test]
    fn metrics_text_keeps_user_text_inert(spec in spec()) {
        family(&spec, "text", "metrics")?;
    }

    #[test]
    fn matrix_keeps_user_text_inert(spec in spec()) {
        family(&spec, "text", "matrix")?;
    }
}

#[test]
fn the_generator_mostly_writes_models_that_check() {
    let mut runner = proptest::test_runner::TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    });
    let strategy = spec();
    let mut loaded = 0;
    for _ in 0..100 {
        let spec = strategy.new_tree(&mut runner).unwrap().current();
        if oracles::model::load(&spec).is_some() {
            loaded += 1;
        } else if loaded == 0 {
            let yaml = oracles::model::yaml(&spec);
            let checked =
                tmkit_model::check_files(&[("threatmodel.yaml", &yaml)], "threatmodel.yaml");
            eprintln!("{yaml}\n{:#?}", checked.diagnostics);
        }
    }
    assert!(loaded >= 90, "only {loaded} of 100 generated models check");
}

/// `s` as a libFuzzer dictionary entry.
fn dict_entry(s: &str) -> String {
    let mut out = String::from("\"");
    for &b in s.as_bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out.push('"');
    out
}

#[test]
fn the_fuzz_dictionary_holds_every_hostile_fragment() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/tmkit.dict");
    let dict = std::fs::read_to_string(&path).unwrap_or_default();
    let entries: Vec<&str> = dict
        .lines()
        .filter_map(|l| l.split_once('=').map(|(_, v)| v))
        .collect();
    let missing: Vec<String> = oracles::model::HOSTILE
        .iter()
        .map(|h| dict_entry(h))
        .filter(|e| !entries.contains(&e.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "fuzz/tmkit.dict lacks (add these lines):\n{}",
        missing
            .iter()
            .enumerate()
            .map(|(i, e)| format!("hostile_{i}={e}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ------------------------------------------------ findings of the fuzzers
//
// Each input below made a fuzz target (scripts/fuzz.sh) or a proptest
// family fail; they stay here as fixed regression cases.

/// A model whose every user string is `text` (shape bytes all `shape`: with
/// 0xFF every optional field is written).
fn finding(text: &str, shape: u8, group: &str, filter: &str) {
    let spec = Spec {
        texts: vec![text.to_string()],
        shape: vec![shape; 64],
    };
    assert!(
        oracles::model::load(&spec).is_some(),
        "{}",
        oracles::model::yaml(&spec)
    );
    if let Err(e) = family(&spec, group, filter) {
        panic!("{e}");
    }
}

#[test]
fn finding_plantuml_preprocessor_variable_and_function() {
    finding("$var", 0, "diagram", "plantuml");
    finding("%getenv(\"HOME\")", 0, "diagram", "plantuml");
    finding("x\n!include /etc/passwd", 0, "diagram", "plantuml");
}

#[test]
fn finding_mermaid_directive_and_percent_percent_in_labels() {
    finding("%%{init: {\"theme\":\"dark\"}}%%", 0, "diagram", "mermaid");
    finding("a %% b", 0, "diagram", "mermaid");
}

#[test]
fn finding_markdown_remote_image_in_a_description() {
    finding(
        "![i](https://evil.example/i.png)",
        0xFF,
        "report",
        "Markdown",
    );
}

#[test]
fn finding_markdown_link_reference_definition_in_a_description() {
    finding("\n[r]: https://evil.example\n", 0xFF, "report", "Markdown");
}

#[test]
fn finding_control_characters_in_metrics_and_matrix_text() {
    for c in [
        "\u{1b}[31m",
        "\u{1b}]8;;http://evil.example\u{7}",
        "\r",
        "\0",
        "\u{9b}",
        "\u{85}",
        "\u{7f}",
    ] {
        finding(c, 0, "text", "metrics Text");
        finding(c, 0, "text", "matrix Text");
    }
}

#[test]
fn finding_c1_controls_in_cited_source_lines() {
    for input in [
        "&Y{s$vard: wt\n\u{9b}in\u{301}sl|de /e",
        "tmkit: 1\nid: X\ntitle: t\nbogus\u{85}: 1\n",
    ] {
        let checked = tmkit_model::check_str(input);
        let human =
            tmkit_syntax::diagnostic::render_human(&checked.diagnostics, &checked.files, false);
        if let Err(e) = oracles::terminal(&human) {
            panic!("{e}");
        }
    }
}
