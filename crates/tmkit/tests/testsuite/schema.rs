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
    // Built-in taxonomy names in any case, as the checker reads them.
    for name in ["CIA", "stride", "StRiDe-Per-Element", "linddun"] {
        let m =
            format!("tmkit: 1\nid: X\ntitle: t\nscope:\n  abstraction:\n    taxonomy: {name}\n");
        assert!(validator.is_valid(&yaml_to_json(&m)), "{name}");
        assert!(tmkit_model::check_str(&m).model.is_some(), "{name}");
    }
    for bad in [
        "tmkit: 1\nid: X\ntitle: t\ntitel: u\n",
        "tmkit: 1\nid: X\n",
        "tmkit: 1\nid: X\ntitle: t\nscope:\n  assets:\n    - { id: a, title: A, in_scope: maybe }\n",
        "tmkit: 1\nid: X\ntitle: t\nthreats: 5\n",
        "tmkit: 1\nid: X\ntitle: t\nscope:\n  abstraction:\n    taxonomy: STRIDER\n",
        "tmkit: 1\nid: X\ntitle: t\nscope:\n  abstraction:\n    taxonomy: xCIA\n",
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

/// Every YAML or JSON file under `dir`, sorted.
fn model_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Runs the ajv validator (`scripts/schema-check/validate.mjs`): strict
/// mode, ECMA-262 regular expressions. Returns (exit code, stdout + stderr).
fn ajv(
    node: &Path,
    script: &Path,
    schema: &Path,
    instances: &[std::path::PathBuf],
) -> (i32, String) {
    let out = std::process::Command::new(node)
        .arg(script)
        .arg(schema)
        .args(instances)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// What yaml-language-server and VS Code do with the schemas: ajv compiles
/// both (every `pattern` must be ECMA-262: no inline `(?i)`), and every
/// model, component and catalogue file of `examples/` validates against the
/// model schema (catalogues and components share it), the JSON reports of
/// the examples against the report schema.
#[test]
fn schemas_compile_in_ajv_and_every_example_validates() {
    let Some((node, script)) = tmkit_testtools::ajv_validator(
        &repo_root(),
        "schemas_compile_in_ajv_and_every_example_validates",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let model_schema = dir.path().join("model.schema.json");
    std::fs::write(&model_schema, printed_schema().to_string()).unwrap();
    let mut report = Test::new().args(["schema", "report"]).status(0);
    let report_schema = dir.path().join("report.schema.json");
    std::fs::write(&report_schema, report.stdout()).unwrap();

    // Every example file, as JSON (converted by tmkit's own YAML reader).
    let examples = model_files(&repo_root().join("examples"));
    assert!(examples.len() >= 5, "{examples:?}");
    let mut instances = Vec::new();
    for (i, f) in examples.iter().enumerate() {
        let json = yaml_to_json(&std::fs::read_to_string(f).unwrap());
        let p = dir.path().join(format!("example-{i}.json"));
        std::fs::write(&p, json.to_string()).unwrap();
        instances.push(p);
    }
    let (code, text) = ajv(&node, &script, &model_schema, &instances);
    assert_eq!(
        code, 0,
        "examples against the model schema:\n{examples:?}\n{text}"
    );
    assert_eq!(text.matches(": valid").count(), examples.len(), "{text}");
    // The committed copy too (it is what editors point at).
    let committed = repo_root().join("docs/threatmodel.schema.json");
    let (code, text) = ajv(&node, &script, &committed, &instances[..1]);
    assert_eq!(code, 0, "{text}");

    let mut reports = Vec::new();
    for example in ["reference", "composed"] {
        let path = repo_root().join("examples").join(example);
        let mut t = Test::new()
            .args(["report", "--format", "json", &path.to_string_lossy()])
            .status(0);
        let p = dir.path().join(format!("report-{example}.json"));
        std::fs::write(&p, t.stdout()).unwrap();
        reports.push(p);
    }
    let (code, text) = ajv(&node, &script, &report_schema, &reports);
    assert_eq!(code, 0, "reports against the report schema:\n{text}");

    // The validator does reject: an invalid instance, and a schema whose
    // pattern is not ECMA-262.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"tmkit": 1, "id": "X", "title": "t", "titel": "u"}"#,
    )
    .unwrap();
    assert_eq!(ajv(&node, &script, &model_schema, &[bad]).0, 1);
    let inline_flag = dir.path().join("inline-flag.schema.json");
    std::fs::write(
        &inline_flag,
        r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "string", "pattern": "^(?i)cia$"}"#,
    )
    .unwrap();
    let (code, text) = ajv(&node, &script, &inline_flag, &[]);
    assert_eq!(code, 2, "{text}");
}

/// Every `pattern` of a schema, with its JSON pointer.
fn patterns(v: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("pattern", serde_json::Value::String(p)) => {
                        out.push((at.to_string(), p.clone()))
                    }
                    _ => patterns(x, &format!("{at}/{k}"), out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                patterns(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Runs without Node too: no pattern of either schema uses the syntax of
/// other regex dialects that ECMA-262 lacks (inline flags such as `(?i)`,
/// `\A`, `\z`, `\Z`, possessive or atomic groups). ajv is the real check
/// (`schemas_compile_in_ajv_and_every_example_validates`).
#[test]
fn schema_patterns_use_no_non_ecma_syntax() {
    let mut report = Test::new().args(["schema", "report"]).status(0);
    let mut found = Vec::new();
    patterns(&printed_schema(), "model", &mut found);
    patterns(&report.json(), "report", &mut found);
    assert!(found.len() >= 5, "{found:?}");
    for (at, p) in &found {
        let b = p.as_bytes();
        let inline_flag = b
            .windows(3)
            .any(|w| w[0] == b'(' && w[1] == b'?' && (w[2].is_ascii_alphabetic() || w[2] == b'>'));
        let anchors = ["\\A", "\\z", "\\Z", "*+", "++", "?+"]
            .iter()
            .any(|s| p.contains(s));
        assert!(
            !inline_flag && !anchors,
            "{at}: pattern {p:?} is not ECMA-262"
        );
    }
}
