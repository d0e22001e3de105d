//! `tmkit diagram`: formats, output files, --depth, --attackers, errors.

use crate::support::{Test, repo_root};

fn example(name: &str) -> String {
    repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn default_is_svg_on_stdout() {
    let mut t = Test::new()
        .args(["diagram", &example("reference")])
        .status(0);
    let out = t.stdout();
    assert!(
        out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{out}"
    );
    assert!(out.contains("<title id=\"tmkd-CCC-title\">"));
    assert!(out.contains("data-qid=\"CCC.dataflow.1\" data-crossing=\"inbound\""));
    assert!(!out.contains("data-kind=\"attacker\""));
}

#[test]
fn every_format_writes_its_file_identically_on_rerun() {
    for (format, marker) in [
        ("svg", "<svg"),
        ("mermaid", "flowchart LR"),
        ("dot", "digraph \"SHOP\""),
        ("plantuml", "@startuml"),
        ("puml", "@enduml"),
    ] {
        let mut first = Test::new().args([
            "diagram",
            &example("composed"),
            "--format",
            format,
            "-o",
            "out.txt",
        ]);
        first = first.status(0);
        let a = std::fs::read_to_string(first.path().join("out.txt")).expect("written");
        assert!(a.contains(marker), "{format}");
        assert!(
            first.stdout().is_empty(),
            "{format}: nothing on stdout with -o"
        );
        let mut second = Test::new()
            .args(["diagram", &example("composed"), "-f", format])
            .status(0);
        assert_eq!(second.stdout(), a, "{format}: stdout and file agree");
    }
}

#[test]
fn depth_and_attackers() {
    let mut full = Test::new()
        .args(["diagram", &example("composed")])
        .status(0);
    let mut collapsed = Test::new()
        .args([
            "diagram",
            &example("composed"),
            "--depth",
            "0",
            "--attackers",
        ])
        .status(0);
    let (full, collapsed) = (full.stdout(), collapsed.stdout());
    // A collapsed component is a node (zone groups carry data-kind too).
    let component_node = "data-kind=\"component\" data-zone=";
    assert!(!full.contains(component_node));
    assert!(collapsed.contains(component_node));
    assert!(collapsed.contains("data-kind=\"attacker\""));
}

#[test]
fn errors_exit_2_and_usage_or_output_errors_3() {
    Test::new()
        .model("tmkit: 1\nid: X\n")
        .args(["diagram"])
        .status(2);
    Test::new()
        .args(["diagram", &example("reference"), "--format", "png"])
        .status(3);
    let t = Test::new()
        .model("tmkit: 1\nid: X\ntitle: T\n")
        .args(["diagram", "-o", "threatmodel.yaml"])
        .status(3)
        .stderr_contains("refusing to write over the model file");
    let kept = std::fs::read_to_string(t.path().join("threatmodel.yaml")).expect("model");
    assert_eq!(kept, "tmkit: 1\nid: X\ntitle: T\n");
}

#[test]
fn public_diagram_withholds_what_the_public_view_withholds() {
    let model = r#"tmkit: 1
id: PUB
title: Public diagram
scope:
  zones:
    - { id: z0, title: Internet, trust: 0 }
    - { id: z1, title: Inside, trust: 2 }
  assets:
    - { id: client, title: Client, kind: external, zone: z0 }
    - { id: api, title: Public API, kind: service, zone: z1 }
    - { id: vault, title: SECRET-vault, kind: datastore, zone: z1, confidential: true }
  dataflows:
    - { id: call, title: Call, from: client, to: api }
    - { id: store, title: SECRET-store, from: api, to: vault }
"#;
    for format in ["svg", "mermaid", "dot", "plantuml"] {
        let mut full = Test::new()
            .model(model)
            .args(["diagram", "--format", format])
            .status(0);
        assert!(
            full.stdout().contains("SECRET-vault"),
            "{format}: full diagram draws everything"
        );
        let mut public = Test::new()
            .model(model)
            .args(["diagram", "--public", "--format", format])
            .status(0);
        let out = public.stdout();
        assert!(out.contains("Public API"), "{format}: {out}");
        assert!(
            !out.contains("SECRET"),
            "{format}: public diagram leaks: {out}"
        );
    }
}
