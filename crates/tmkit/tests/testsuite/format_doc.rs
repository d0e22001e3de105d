//! docs/format.md is the reference of the format: every key of the JSON
//! Schema (docs/threatmodel.schema.json) has a row in the key table of its
//! object's section, with the schema's kind of value (boolean, integer,
//! number, id, list, mapping) and marked `required` exactly when the schema
//! requires it; every row names a key of the schema; every anchor that
//! points into the page exists; every diagnostic code it names exists; and
//! every example marked `yaml model` checks clean (and derives the question
//! counts it announces).

use crate::schema::yaml_to_json;
use crate::support::{Test, repo_root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The header of a key table.
const KEY_TABLE: &str = "| key | type | required / default | meaning |";

/// Which section of format.md documents the object found at each path of
/// the schema (`[]` = the items of a list). A new object in the schema
/// fails the test until it is given a section here and in the page.
const SECTIONS: &[(&str, &str)] = &[
    ("", "the-model"),
    ("scope", "scope"),
    ("scope.abstraction", "abstraction"),
    ("scope.requirements[]", "requirements"),
    ("scope.zones[]", "zones"),
    ("scope.assets[]", "assets"),
    ("scope.dataflows[]", "data-flows"),
    ("scope.attackers[]", "attackers"),
    ("scope.assumptions[]", "assumptions"),
    ("analysis[]", "analysis"),
    ("mitigations[]", "mitigations"),
    ("threats[]", "threats"),
    ("threats[].mitigations[]", "mitigations"),
    ("mitigations[].evidence[]", "evidence"),
    ("threats[].mitigations[].evidence[]", "evidence"),
    ("components[]", "composition"),
    ("imports[]", "composition"),
    ("sync", "tracker-sync"),
    ("sync.github", "github-sync"),
    ("sync.gitlab", "gitlab-sync"),
    ("sync.jira", "jira-sync"),
];

/// One heading of the page and the lines up to the next heading.
struct Section {
    slug: String,
    lines: Vec<String>,
}

/// An object of the schema: where it is, its keys, the required ones.
struct Object {
    path: String,
    /// Each key with the kind of its value (see [`kind`]).
    keys: Vec<(String, Option<&'static str>)>,
    required: Vec<String>,
}

/// A row of a key table: the key, its type and its "required / default" cell.
struct Row {
    key: String,
    kind: String,
    required: String,
}

fn format_md() -> String {
    std::fs::read_to_string(repo_root().join("docs/format.md")).expect("docs/format.md exists")
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped,
/// spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The sections of a Markdown page (headings inside code blocks are not headings).
fn sections(text: &str) -> Vec<Section> {
    let mut out = vec![Section {
        slug: String::new(),
        lines: Vec::new(),
    }];
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let heading = line.trim_start_matches('#');
        if !in_code && line.starts_with('#') && heading.starts_with(' ') {
            out.push(Section {
                slug: slug(heading.trim()),
                lines: Vec::new(),
            });
        } else if let Some(s) = out.last_mut() {
            s.lines.push(line.to_string());
        }
    }
    out
}

/// The rows of the key table of a section; None when it has none.
fn key_table(section: &Section) -> Option<Vec<Row>> {
    let start = section.lines.iter().position(|l| l.trim() == KEY_TABLE)?;
    let rows = section.lines[start + 2..]
        .iter()
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let key = cells.get(1).copied().unwrap_or("");
            let key = key.strip_prefix('`').and_then(|k| k.strip_suffix('`'));
            Row {
                key: key
                    .unwrap_or_else(|| panic!("key cell is not a `key`: {l}"))
                    .into(),
                kind: cells.get(2).copied().unwrap_or("").into(),
                required: cells.get(3).copied().unwrap_or("").into(),
            }
        })
        .collect();
    Some(rows)
}

/// Every object of the schema (a node with `properties`), with its path,
/// following `$ref`, `items`, `anyOf`, `allOf` and `oneOf`.
fn objects(root: &Value) -> Vec<Object> {
    fn walk(root: &Value, node: &Value, path: &str, depth: usize, out: &mut Vec<Object>) {
        assert!(
            depth < 32,
            "the schema nests deeper than expected at `{path}`"
        );
        if let Some(r) = node["$ref"].as_str() {
            let name = r.strip_prefix("#/definitions/").expect("a local $ref");
            return walk(root, &root["definitions"][name], path, depth + 1, out);
        }
        for list in ["anyOf", "allOf", "oneOf"] {
            for sub in node[list].as_array().into_iter().flatten() {
                walk(root, sub, path, depth + 1, out);
            }
        }
        if !node["items"].is_null() {
            walk(root, &node["items"], &format!("{path}[]"), depth + 1, out);
        }
        let Some(props) = node["properties"].as_object() else {
            return;
        };
        let names = |v: &Value| -> Vec<String> {
            let list = v.as_array().into_iter().flatten();
            list.filter_map(|s| s.as_str().map(String::from)).collect()
        };
        out.push(Object {
            path: path.to_string(),
            keys: props
                .iter()
                .map(|(k, v)| (k.clone(), kind(root, v)))
                .collect(),
            required: names(&node["required"]),
        });
        for (key, sub) in props {
            let sub_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            walk(root, sub, &sub_path, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(root, root, "", 0, &mut out);
    out
}

/// How the type column of the page starts for a value of the schema:
/// `boolean`, `integer`, `number`, `id`, `list`, `mapping`; None for text
/// and for alternatives of different kinds (not checked).
fn kind(root: &Value, node: &Value) -> Option<&'static str> {
    if let Some(r) = node["$ref"].as_str() {
        if r == "#/definitions/Id" {
            return Some("id");
        }
        let name = r.strip_prefix("#/definitions/").expect("a local $ref");
        return kind(root, &root["definitions"][name]);
    }
    let types: Vec<&str> = match &node["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let named = [
        ("boolean", "boolean"),
        ("integer", "integer"),
        ("number", "number"),
        ("array", "list"),
        ("object", "mapping"),
    ];
    if let Some((_, k)) = named.iter().find(|(t, _)| types.contains(t)) {
        return Some(k);
    }
    if !types.is_empty() {
        return None;
    }
    let alternatives = ["anyOf", "allOf", "oneOf"].into_iter();
    let subs = alternatives.flat_map(|l| node[l].as_array().into_iter().flatten());
    let mut kinds = subs
        .filter(|sub| sub["type"] != "null")
        .map(|sub| kind(root, sub));
    let first = kinds.next().flatten();
    kinds.all(|k| k == first).then_some(first).flatten()
}

fn schema() -> Value {
    let text = std::fs::read_to_string(repo_root().join("docs/threatmodel.schema.json"))
        .expect("docs/threatmodel.schema.json exists");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn section_of(path: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| {
            panic!("the schema has an object at `{path}` that docs/format.md does not document: give it a section with a key table, and add it to SECTIONS in {}", file!())
        })
}

/// Compares one object of the schema with the key table of its section.
fn compare(object: &Object, rows: &[Row], slug: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let parent = if object.path.is_empty() {
        "the top level"
    } else {
        &object.path
    };
    let at = |key: &str| format!("`{key}` of {parent} (docs/format.md#{slug})");
    for (key, kind) in &object.keys {
        let Some(row) = rows.iter().find(|r| &r.key == key) else {
            problems.push(format!("{} is not documented", at(key)));
            continue;
        };
        if let Some(kind) = kind.filter(|k| !row.kind.starts_with(k)) {
            problems.push(format!(
                "{}: the schema says {kind}, the page says `{}`",
                at(key),
                row.kind
            ));
        }
        let required = object.required.contains(key);
        if required != (row.required == "required") {
            problems.push(format!(
                "{}: the schema says {}, the page says `{}`",
                at(key),
                if required { "required" } else { "optional" },
                row.required
            ));
        }
    }
    for row in rows {
        if !object.keys.iter().any(|(k, _)| *k == row.key) {
            problems.push(format!(
                "{} is documented but not in the schema",
                at(&row.key)
            ));
        }
    }
    problems
}

#[test]
fn every_schema_key_is_documented_in_its_section() {
    let page = sections(&format_md());
    let objects = objects(&schema());
    assert!(
        objects.len() >= SECTIONS.len(),
        "the schema walk found too little"
    );
    let mut problems = Vec::new();
    for object in &objects {
        let slug = section_of(&object.path);
        let section = page.iter().find(|s| s.slug == slug);
        let section = section.unwrap_or_else(|| panic!("docs/format.md has no section #{slug}"));
        let rows = key_table(section)
            .unwrap_or_else(|| panic!("docs/format.md#{slug} has no key table ({KEY_TABLE})"));
        problems.extend(compare(object, &rows, slug));
    }
    assert!(
        problems.is_empty(),
        "docs/format.md and the schema disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_key_table_documents_an_object_of_the_schema() {
    let paths: Vec<String> = objects(&schema()).into_iter().map(|o| o.path).collect();
    for section in sections(&format_md()) {
        if key_table(&section).is_none() {
            continue;
        }
        let documented = SECTIONS
            .iter()
            .any(|(path, slug)| *slug == section.slug && paths.iter().any(|p| p == path));
        assert!(
            documented,
            "docs/format.md#{} has a key table, but no object of the schema maps to it",
            section.slug
        );
    }
}

/// Every `.rs` and `.md` file of the repository outside build output.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            sources(&path, out);
        } else if name.ends_with(".rs") || name.ends_with(".md") {
            out.push(path);
        }
    }
}

#[test]
fn anchors_into_the_page_exist() {
    let text = format_md();
    let slugs: Vec<String> = sections(&text).into_iter().map(|s| s.slug).collect();
    for (i, s) in slugs.iter().enumerate() {
        assert!(
            !slugs[..i].contains(s),
            "two headings of docs/format.md share the anchor #{s}"
        );
    }
    let mut files = Vec::new();
    sources(&repo_root(), &mut files);
    let mut links: Vec<(String, String)> = Vec::new();
    for file in &files {
        let content = std::fs::read_to_string(file).unwrap_or_default();
        let own = file.ends_with("docs/format.md");
        let patterns: &[&str] = if own {
            &["format.md#", "](#"]
        } else {
            &["format.md#"]
        };
        for pattern in patterns {
            for (at, _) in content.match_indices(pattern) {
                let rest = &content[at + pattern.len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                if end > 0 {
                    links.push((file.display().to_string(), rest[..end].to_string()));
                }
            }
        }
    }
    assert!(links.len() > 20, "too few links found: {links:?}");
    for (file, anchor) in links {
        assert!(
            slugs.contains(&anchor),
            "{file} points at docs/format.md#{anchor}, which does not exist"
        );
    }
}

/// A fenced block marked `yaml model`, with its `key=value` attributes.
struct Example {
    attrs: BTreeMap<String, String>,
    text: String,
}

impl Example {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }
}

fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut current: Option<Example> = None;
    for line in text.lines() {
        if let Some(ex) = current.as_mut() {
            if line.starts_with("```") {
                out.extend(current.take());
            } else {
                ex.text.push_str(line);
                ex.text.push('\n');
            }
        } else if let Some(info) = line.strip_prefix("```yaml model") {
            let attrs = info.split_whitespace().map(|a| {
                let (k, v) = a
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad attribute {a}"));
                (k.to_string(), v.to_string())
            });
            current = Some(Example {
                attrs: attrs.collect(),
                text: String::new(),
            });
        }
    }
    assert!(current.is_none(), "an example block is not closed");
    out
}

/// A test with the files of one project written.
fn project(files: &[&Example]) -> Test {
    files.iter().fold(Test::new(), |t, ex| {
        t.file(ex.attr("path").unwrap_or("threatmodel.yaml"), &ex.text)
    })
}

#[test]
fn model_examples_check_clean_and_count_their_questions() {
    let all = examples(&format_md());
    assert!(all.len() >= 5, "the model examples were not found");
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let mut projects: BTreeMap<String, Vec<&Example>> = BTreeMap::new();
    for (i, ex) in all.iter().enumerate() {
        let errors: Vec<String> = validator
            .iter_errors(&yaml_to_json(&ex.text))
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "example {i} does not validate against the schema:\n{}\n{}",
            errors.join("\n"),
            ex.text
        );
        let name = ex
            .attr("project")
            .map_or_else(|| format!("#{i}"), String::from);
        projects.entry(name).or_default().push(ex);
    }
    for (name, files) in projects {
        // An example may declare the warnings it shows (`warns=W0901`).
        match files.iter().find_map(|ex| ex.attr("warns")) {
            Some(code) => {
                project(&files)
                    .args(["check"])
                    .stderr_contains(&format!("warning[{code}]"))
                    .stderr_contains("0 errors, 1 warning")
                    .status(0);
            }
            None => {
                project(&files)
                    .args(["check", "--deny", "warnings"])
                    .status(0);
            }
        }
        let expected = files.iter().find(|ex| ex.attr("questions").is_some());
        let Some(expected) = expected else { continue };
        let metrics = project(&files)
            .args(["metrics", "--format", "json"])
            .status(0)
            .json();
        for key in ["questions", "answered"] {
            let want: u64 = expected.attr(key).unwrap_or("").parse().expect("a number");
            let field = if key == "questions" { "total" } else { key };
            assert_eq!(
                metrics["questions"][field].as_u64(),
                Some(want),
                "{key} of example {name}"
            );
        }
    }
}

#[test]
fn diagnostic_codes_named_by_the_page_exist() {
    let text = format_md();
    let known: Vec<&str> = tmkit_syntax::Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut named = 0;
    for (at, _) in text.match_indices(['E', 'W']) {
        let code = text.get(at..at + 5).unwrap_or("");
        let digits = code.len() == 5 && code[1..].chars().all(|c| c.is_ascii_digit());
        let starts_word = !text[..at].ends_with(|c: char| c.is_alphanumeric());
        if digits && starts_word {
            named += 1;
            assert!(
                known.contains(&code),
                "docs/format.md names {code}, which is no diagnostic"
            );
        }
    }
    assert!(named > 30, "only {named} codes found");
}
