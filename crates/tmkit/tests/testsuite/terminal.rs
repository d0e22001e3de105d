//! Hostile text in a model never reaches a terminal raw: control characters
//! (ESC/CSI/OSC, `\r`, NUL, C1) and bidi overrides in titles, ids, keys and
//! descriptions are shown escaped (`\u{1b}`) by `check`, `metrics` and
//! `matrix`, and JSON escapes them.

use crate::support::Test;

/// Clears the screen, writes the clipboard (OSC 52), retitles the window
/// (OSC 0), then returns to the line start and prints a fake success.
const EVIL: &str =
    r#"\e[2J\e]52;c;ZXZpbA==\a\e]0;pwned\a\r\e[2Kok: all gates passed\0 \u202Eevil\u2066 \x9b1m"#;

/// A valid model whose every text field is hostile; its one threat is
/// unmitigated and high, so `--fail-on unmitigated:high` fails.
fn hostile_model() -> String {
    format!(
        r#"tmkit: 1
id: SHOP
title: "Shop {EVIL}"
description: "About {EVIL}"
scope:
  assets:
    - {{ id: web, title: "Web {EVIL}", kind: service }}
  attackers:
    - {{ id: anon, title: "Anon {EVIL}" }}
threats:
  - id: T1
    title: "Defacement {EVIL}"
    description: "Details {EVIL}"
    categories: [integrity]
    targets: [web]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
"#
    )
}

/// Asserts that `bytes` hold no control character but `\n` (the test runs
/// with NO_COLOR, so tmkit prints no SGR of its own), no C1 control and no
/// bidi override, and that they show the escaped ESC.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| tmkit_syntax::text::is_unsafe_char(*c))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: raw control characters {bad:?} in\n{text}"
    );
    assert!(
        text.contains("\\u{1b}"),
        "{what}: ESC not shown escaped in\n{text}"
    );
}

fn run(model: &str, args: &[&str], code: i32) -> Test {
    let mut t = Test::new().model(model).args(args).status(code);
    let out = t.output().clone();
    let what = args.join(" ");
    let shown = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    assert_inert(&what, &shown);
    t
}

#[test]
fn a_crafted_title_cannot_make_a_failed_gate_look_ok() {
    let t = run(
        &hostile_model(),
        &[
            "check",
            "--fail-on",
            "unmitigated:high",
            "--fail-on",
            "untracked",
        ],
        1,
    );
    t.stderr_contains("gate failed [unmitigated:high]: SHOP.T1 is unmitigated")
        .stderr_contains("\\u{d}\\u{1b}[2Kok: all gates passed\\u{0}")
        .stderr_contains("\\u{202e}evil\\u{2066}")
        .stderr_contains("\\u{9b}1m");
}

#[test]
fn the_ok_line_escapes_the_title() {
    run(&hostile_model(), &["check"], 0).stderr_contains("ok: SHOP (Shop \\u{1b}[2J");
}

#[test]
fn metrics_and_matrix_text_escape_user_text() {
    let model = hostile_model();
    run(&model, &["metrics"], 0).stdout_contains("Defacement \\u{1b}[2J");
    run(&model, &["matrix"], 0).stdout_contains("Defacement \\u{1b}[2J");
    run(&model, &["matrix", "--open"], 0).stdout_contains("Anon \\u{1b}[2J");
    run(&model, &["matrix", "--format", "markdown"], 0).stdout_contains("\\u{1b}");
    run(&model, &["matrix", "--format", "markdown", "--open"], 0).stdout_contains("\\u{1b}");
}

#[test]
fn diagnostics_escape_messages_labels_and_source_lines() {
    // An unknown key and an invalid id carrying control characters: the
    // message quotes them, the source snippet shows the line.
    let model =
        format!("tmkit: 1\nid: \"S\\e]0;x\\aP\"\ntitle: Shop\n\"bad\\e[2J\\rkey\": \"{EVIL}\"\n");
    let mut t = run(&model, &["check"], 2);
    let err = t.stderr();
    assert!(err.contains("E0102"), "{err}");
    assert!(err.contains("bad\\u{1b}[2J\\u{d}key"), "{err}");
    assert!(err.contains("\\u{1b}]0;x\\u{7}P"), "{err}");
    // Raw control characters in the file itself: the source line is shown
    // with them escaped.
    let raw = "tmkit: 1\nid: SHOP\ntitle: Shop\nbad\u{202e}\u{1b}]0;x\u{7}key: 1\n";
    let mut t = run(raw, &["check"], 2);
    let err = t.stderr();
    assert!(err.contains("bad\\u{202e}\\u{1b}]0;x\\u{7}key"), "{err}");
}

#[test]
fn json_escapes_nul_and_controls() {
    let mut t = Test::new()
        .model(&hostile_model())
        .args(["check", "--format", "json", "--deny", "warnings"])
        .status(0);
    let out = t.output().stdout.clone();
    assert!(
        !out.iter().any(|b| *b < 0x20 && *b != b'\n'),
        "raw control in JSON"
    );
    t.stdout_contains("[]");
    let model = format!("tmkit: 1\nid: SHOP\ntitle: Shop\n\"k\\0{EVIL}\": 1\n");
    let mut t = Test::new()
        .model(&model)
        .args(["check", "--format", "json"])
        .status(2);
    let out = t.output().stdout.clone();
    assert!(
        !out.iter().any(|b| *b < 0x20 && *b != b'\n'),
        "raw control in JSON"
    );
    let v = t.diagnostics_json();
    let msg = v[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("k\0"), "NUL lost: {msg:?}");
    t.stdout_contains("\\u0000");
}

#[test]
fn machine_outputs_never_carry_nul_or_escape_bytes() {
    let model = hostile_model();
    for args in [
        &["matrix", "--format", "csv"][..],
        &["export", "--format", "csv"],
        &["export", "--format", "csv", "--rows", "mitigations"],
        &["matrix", "--format", "json"],
        &["metrics", "--format", "json"],
        &["export", "--format", "sarif"],
        &["check", "--format", "sarif", "--deny", "warnings"],
    ] {
        let mut t = Test::new().model(&model).args(args).status(0);
        let out = t.output().stdout.clone();
        // CSV ends its records with CRLF; nothing else below 0x20 but LF.
        let bad: Vec<u8> = out
            .iter()
            .enumerate()
            .filter(|&(i, &b)| {
                b < 0x20 && b != b'\n' && !(b == b'\r' && out.get(i + 1) == Some(&b'\n'))
            })
            .map(|(_, &b)| b)
            .collect();
        assert!(
            bad.is_empty(),
            "{args:?}: raw control bytes {bad:?}\n{}",
            t.describe()
        );
    }
    // The CSV shows them escaped, as the terminal does.
    Test::new()
        .model(&model)
        .args(["export", "--format", "csv"])
        .status(0)
        .stdout_contains("Defacement \\u{1b}[2J")
        .stdout_contains("passed\\u{0}");
}
