//! The CI integrations (`action.yml`, `.pre-commit-hooks.yaml`, the
//! pipelines of `docs/ci.md`, the commands of `docs/portfolio.md`) only use
//! commands and flags the real command line has: every `tmkit ...` they run
//! is found, and each of its flags (and its `-f`/`--format` value) must
//! appear in that command's `--help`.
//!
//! Until `tmkit diff` exists, its lines are skipped (printed `SKIPPED:`); the
//! moment it lands, they are checked like the others.

use crate::support::{Test, repo_root};
use serde_json::Value;
use std::collections::HashMap;

/// One `tmkit` command line found in a file.
#[derive(Debug)]
struct Invocation {
    /// Where it was found.
    source: String,
    /// The words after `tmkit`.
    words: Vec<String>,
}

/// Splits a line into shell words: quotes removed (their content kept
/// whole), and `; | & ( ) { } < >` as words of their own outside quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut quoted = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                quoted = true;
            }
            (None, c) if c.is_whitespace() || ";|&(){}<>".contains(c) => {
                if !word.is_empty() || quoted {
                    words.push(std::mem::take(&mut word));
                }
                quoted = false;
                if !c.is_whitespace() {
                    words.push(c.to_string());
                }
            }
            (None, c) => word.push(c),
        }
    }
    if !word.is_empty() || quoted {
        words.push(word);
    }
    words
}

/// The `tmkit` commands of a shell script: `tmkit` as the command word (at
/// the start, after a separator or after variable assignments), its words
/// up to the next separator; `"${NAME[@]}"` replaced by the words of the
/// array built with `NAME+=(...)`.
fn invocations(script: &str, source: &str) -> Vec<Invocation> {
    let script = script.replace("\\\n", " ");
    let mut arrays: HashMap<String, Vec<String>> = HashMap::new();
    for line in script.lines() {
        if let Some((name, rest)) = line.split_once("+=(") {
            let name = name.split_whitespace().last().unwrap_or_default();
            let inner = rest.split(')').next().unwrap_or_default();
            arrays
                .entry(name.to_string())
                .or_default()
                .extend(shell_words(inner));
        }
    }
    let mut found = Vec::new();
    for line in script.lines() {
        let words = shell_words(line);
        let mut command_word = true;
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            if ";|&({".contains(w.as_str()) && w.len() == 1 {
                command_word = true;
            } else if command_word && w.contains('=') && !w.starts_with('-') {
                // An assignment before the command.
            } else if command_word && (w == "tmkit" || w.ends_with("/tmkit")) {
                let mut args = Vec::new();
                i += 1;
                while i < words.len() && !(words[i].len() == 1 && ";|&)}<>".contains(&words[i])) {
                    match words[i]
                        .strip_prefix("${")
                        .and_then(|x| x.strip_suffix("[@]}"))
                    {
                        Some(name) => args.extend(arrays.get(name).cloned().unwrap_or_default()),
                        None => args.push(words[i].clone()),
                    }
                    i += 1;
                }
                found.push(Invocation {
                    source: source.to_string(),
                    words: args,
                });
                command_word = false;
                continue;
            } else {
                command_word = false;
            }
            i += 1;
        }
    }
    found
}

/// The scripts of a YAML document (the strings under `run`, `script`,
/// `before_script` and `after_script`, as GitHub Actions and GitLab CI run
/// them), and its pre-commit hooks (`entry` with its `args`, or a hook
/// `id: tmkit-check` with its `args`).
fn yaml_invocations(value: &Value, source: &str, out: &mut Vec<Invocation>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| yaml_invocations(v, source, out)),
        Value::Object(map) => {
            let args: Vec<String> = map
                .get("args")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(entry) = map.get("entry").and_then(Value::as_str) {
                let mut inv = invocations(entry, source).pop().expect("a tmkit entry");
                inv.words.extend(args);
                out.push(inv);
            } else if map.get("id").and_then(Value::as_str) == Some("tmkit-check") {
                let mut words = vec!["check".to_string()];
                words.extend(args);
                out.push(Invocation {
                    source: source.to_string(),
                    words,
                });
            }
            for (k, v) in map {
                if ["run", "script", "before_script", "after_script"].contains(&k.as_str()) {
                    scripts(v, source, out);
                } else {
                    yaml_invocations(v, source, out);
                }
            }
        }
        _ => {}
    }
}

/// A script, or a list of script lines.
fn scripts(value: &Value, source: &str, out: &mut Vec<Invocation>) {
    match value {
        Value::String(s) => out.extend(invocations(s, source)),
        Value::Array(items) => items.iter().for_each(|v| scripts(v, source, out)),
        _ => {}
    }
}

fn parse_yaml(text: &str, source: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{source} is not valid YAML: {e}"))
}

/// The `tmkit` commands of a Markdown page: its fenced YAML blocks (parsed),
/// its fenced shell blocks, and its inline code spans that start with `tmkit `.
fn markdown_invocations(path: &str) -> Vec<Invocation> {
    let text = std::fs::read_to_string(repo_root().join(path)).expect("page");
    let mut found = Vec::new();
    let mut block: Option<(String, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let source = format!("{path}:{}", n + 1);
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            match block.take() {
                Some((lang, body)) => {
                    if lang == "yaml" {
                        yaml_invocations(&parse_yaml(&body, &source), &source, &mut found);
                    } else if ["sh", "bash", "shell", "console"].contains(&lang.as_str()) {
                        found.extend(invocations(&body, &source));
                    }
                }
                None => block = Some((fence.trim().to_string(), String::new())),
            }
            continue;
        }
        match &mut block {
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                for (i, span) in line.split('`').enumerate() {
                    if i % 2 == 1 && span.starts_with("tmkit ") {
                        found.extend(invocations(span, &source));
                    }
                }
            }
        }
    }
    found
}

/// Does `help` name the flag (`--name` or `-x`) as an option?
fn help_has_flag(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let before = help[..at].chars().last();
        let after = help[at + flag.len()..].chars().next();
        matches!(before, Some(' ' | '[' | ',' | '\n'))
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// Checks every invocation against `tmkit <command> --help`; returns the
/// number checked.
fn check_against_the_cli(found: &[Invocation]) -> usize {
    let mut helps: HashMap<String, Option<String>> = HashMap::new();
    let mut checked = 0;
    for inv in found {
        let Some(command) = inv.words.first() else {
            panic!("{}: `tmkit` without a command", inv.source);
        };
        let help = helps
            .entry(command.clone())
            .or_insert_with(|| {
                let mut t = Test::new().args([command.as_str(), "--help"]);
                let ok = t.output().status.success();
                ok.then(|| t.stdout())
            })
            .clone();
        let Some(help) = help else {
            if command == "diff" {
                println!(
                    "SKIPPED: {}: `tmkit diff` is not in this CLI yet",
                    inv.source
                );
                continue;
            }
            panic!("{}: `tmkit {command}` is not a command", inv.source);
        };
        let mut words = inv.words[1..].iter().peekable();
        while let Some(w) = words.next() {
            if w == "--" {
                break;
            }
            if !w.starts_with('-') || w == "-" {
                continue;
            }
            let flag = w.split('=').next().unwrap_or(w);
            assert!(
                help_has_flag(&help, flag),
                "{}: `tmkit {command}` has no option {flag}:\n{help}",
                inv.source
            );
            if flag == "-f" || flag == "--format" {
                let value = words.peek().map(|v| v.as_str()).unwrap_or_default();
                assert!(
                    [
                        format!("- {value}:"),
                        format!(" {value},"),
                        format!(" {value}]")
                    ]
                    .iter()
                    .any(|x| help.contains(x.as_str())),
                    "{}: `tmkit {command}` has no format {value}",
                    inv.source
                );
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn the_action_uses_only_real_commands_and_flags() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml");
    let action = parse_yaml(&text, "action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["path", "fail-on", "comment"] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
    let mut found = Vec::new();
    yaml_invocations(&action, "action.yml", &mut found);
    let commands: Vec<&str> = found.iter().map(|i| i.words[0].as_str()).collect();
    assert_eq!(commands, ["diff", "check"], "{found:#?}");
    assert!(
        found[1].words.contains(&"--fail-on".to_string()),
        "{found:#?}"
    );
    check_against_the_cli(&found);
}

#[test]
fn the_pre_commit_hook_runs_tmkit_check() {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).expect("hooks");
    let hooks = parse_yaml(&text, ".pre-commit-hooks.yaml");
    let hook = &hooks[0];
    assert_eq!(hook["id"], "tmkit-check");
    assert_eq!(hook["pass_filenames"], false);
    let mut found = Vec::new();
    yaml_invocations(&hooks, ".pre-commit-hooks.yaml", &mut found);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].words, ["check"]);
    assert_eq!(check_against_the_cli(&found), 1);
}

#[test]
fn the_ci_page_quotes_only_real_commands_and_flags() {
    let found = markdown_invocations("docs/ci.md");
    let count = |c: &str| found.iter().filter(|i| i.words[0] == c).count();
    // The pipelines run each step: check, diff, SARIF, the JSON report, the portfolio.
    for (command, at_least) in [
        ("check", 4),
        ("diff", 3),
        ("export", 3),
        ("report", 3),
        ("portfolio", 3),
    ] {
        assert!(count(command) >= at_least, "tmkit {command}: {found:#?}");
    }
    check_against_the_cli(&found);
}

#[test]
fn the_portfolio_page_quotes_only_real_commands_and_flags() {
    let found = markdown_invocations("docs/portfolio.md");
    assert!(found.len() >= 3, "{found:#?}");
    check_against_the_cli(&found);
}

#[test]
fn the_extractor_finds_commands_where_a_shell_runs_them() {
    let script = "cargo install --locked --path \"$X/crates/tmkit\" --root \"$R\"\n\
                  args=()\nfor p in $F; do args+=(--fail-on \"$p\"); done\n\
                  { echo x; SOURCE_DATE_EPOCH=1 tmkit report m --format json; } > out\n\
                  tmkit check \"$P\" \"${args[@]}\" | tee log";
    let found = invocations(script, "test");
    let words: Vec<Vec<&str>> = found
        .iter()
        .map(|i| i.words.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        words,
        [
            vec!["report", "m", "--format", "json"],
            vec!["check", "$P", "--fail-on", "$p"],
        ]
    );
    assert!(help_has_flag("  -o, --output <FILE>", "--output"));
    assert!(help_has_flag("  -o, --output <FILE>", "-o"));
    assert!(!help_has_flag("  --fail-on-x <P>", "--fail-on"));
}
