//! `tmkit schema`: the printed JSON Schema accepts the bundled examples and
//! the starter model, and rejects what the checker rejects as shapeless.

use crate::support::{Test, repo_root};
use std::path::Path;
use tmkit_syntax::node::{Limits, Node, Value, parse};
use tmkit_syntax::{FileId, SourceFile};

/// The schema as `tmkit schema` prints it.
fn printed_schema() -> serde_json::Value {
    let mut t = Test::new().args(["schema"]).status(0);
    t.json()
}

/// YAML text to JSON, through tmkit's own spanned tree.
fn yaml_to_json(text: &str) -> serde_json::Value {
    let file = SourceFile::new(
        "m.yaml".into(),
        "m.yaml".into(),
        "m.yaml".into(),
        text.into(),
    );
    let node = parse(&file, FileId(0), &Limits::default()).expect("valid YAML");
    to_json(&node)
}

fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

fn errors(schema: &serde_json::Value, path: &Path) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    let text = std::fs::read_to_string(path).unwrap();
    let instance = yaml_to_json(&text);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

#[test]
fn examples_validate_against_the_printed_schema() {
    let schema = printed_schema();
    let files = [
        "examples/reference/threatmodel.yaml",
        "examples/composed/threatmodel.yaml",
        "examples/composed/login/threatmodel.yaml",
        "examples/composed/payments/threatmodel.yaml",
        "examples/composed/catalog/attackers.yaml",
    ];
    for f in files {
        let errs = errors(&schema, &repo_root().join(f));
        assert!(
            errs.is_empty(),
            "{f} does not validate:\n{}",
            errs.join("\n")
        );
    }
}

#[test]
fn starter_model_validates_against_its_schema() {
    let t = Test::new().args(["init"]).status(0);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.path().join("threatmodel.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema,
        printed_schema(),
        "init writes the same schema as `tmkit schema`"
    );
    let errs = errors(&schema, &t.path().join("threatmodel.yaml"));
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn schema_rejects_unknown_fields_and_wrong_types() {
    let schema = printed_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good = yaml_to_json("tmkit: 1\nid: X\ntitle: t\n");
    assert!(validator.is_valid(&good));
    for bad in [
        "tmkit: 1\nid: X\ntitle: t\ntitel: u\n",
        "tmkit: 1\nid: X\n",
        "tmkit: 1\nid: X\ntitle: t\nscope:\n  assets:\n    - { id: a, title: A, in_scope: maybe }\n",
        "tmkit: 1\nid: X\ntitle: t\nthreats: 5\n",
    ] {
        assert!(
            !validator.is_valid(&yaml_to_json(bad)),
            "schema accepts:\n{bad}"
        );
    }
}

#[test]
fn schema_is_generated_and_describes_the_format() {
    let schema = printed_schema();
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org"))
    );
    let props = schema["properties"]
        .as_object()
        .expect("top-level properties");
    for key in [
        "tmkit",
        "id",
        "title",
        "scope",
        "threats",
        "mitigations",
        "analysis",
        "components",
        "imports",
    ] {
        assert!(props.contains_key(key), "schema lacks `{key}`");
    }
}

#[test]
fn schema_can_be_written_to_a_file() {
    let t = Test::new()
        .args(["schema", "-o", "out/schema.json"])
        .dir("out")
        .status(0);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("out/schema.json")).unwrap())
            .unwrap();
    assert_eq!(written, printed_schema());
}
