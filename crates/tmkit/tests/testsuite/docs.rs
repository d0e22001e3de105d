//! docs/diagnostics.md documents every diagnostic code.

use crate::support::repo_root;
use tmkit_syntax::Code;

fn sections() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("docs/diagnostics.md"))
        .expect("docs/diagnostics.md exists");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            let code = h.split([' ', ':']).next().unwrap_or("").to_string();
            out.push((code, String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

#[test]
fn every_code_has_an_entry() {
    let sections = sections();
    for code in Code::ALL {
        let code_str = code.as_str();
        let Some((_, body)) = sections.iter().find(|(c, _)| c == code_str) else {
            panic!("docs/diagnostics.md has no `## {code_str}` entry");
        };
        for part in ["**Triggered by**", "**Example**", "**Fix**"] {
            assert!(body.contains(part), "entry {code_str} lacks {part}");
        }
        assert!(
            body.contains("```"),
            "entry {code_str} has no example block"
        );
    }
}

#[test]
fn no_entry_for_an_unknown_code() {
    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for (code, _) in sections() {
        if code.starts_with('E') || code.starts_with('W') {
            assert!(
                known.contains(&code.as_str()),
                "docs/diagnostics.md documents unknown code {code}"
            );
        }
    }
}
