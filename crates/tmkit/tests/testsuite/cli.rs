//! One CLI vocabulary: `-o, --output FILE` and `-f, --format` spelled the
//! same on every command, the exit codes (0 ok, 1 gate, 2 invalid model,
//! 3 usage or output), `completions`, `man`, the gates in `check --format
//! json`, and progress shown on a terminal only.

use crate::check::{CLEAN, WARNS};
use crate::support::Test;

/// Every command that writes a result takes `-o FILE` and `--output FILE`,
/// and `-o -` is stdout.
#[test]
fn every_command_that_writes_takes_dash_o_and_dash_dash_output() {
    let commands: [&[&str]; 9] = [
        &["check", "-f", "json"],
        &["matrix"],
        &["metrics"],
        &["report"],
        &["diagram"],
        &["export", "-f", "csv"],
        &["schema", "model"],
        &["completions", "bash"],
        &["man"],
    ];
    for cmd in commands {
        for flag in ["-o", "--output"] {
            let t = Test::new()
                .model(CLEAN)
                .args(cmd.iter().copied().chain([flag, "out.txt"]))
                .stdout_empty()
                .status(0);
            let written = std::fs::read_to_string(t.path().join("out.txt")).unwrap_or_default();
            assert!(!written.is_empty(), "{cmd:?} {flag}: nothing written");
        }
        let mut t = Test::new()
            .model(CLEAN)
            .args(cmd.iter().copied().chain(["-o", "-"]))
            .status(0);
        assert!(!t.stdout().is_empty(), "{cmd:?} -o -: nothing on stdout");
        assert!(!t.path().join("-").exists());
    }
}

#[test]
fn the_old_report_out_spelling_still_works() {
    let t = Test::new()
        .model(CLEAN)
        .args(["report", "--out", "r.md"])
        .status(0);
    assert!(t.path().join("r.md").is_file());
}

#[test]
fn every_command_with_formats_takes_dash_f_and_md_or_markdown() {
    for cmd in ["matrix", "report"] {
        for name in ["md", "markdown"] {
            for flag in ["-f", "--format"] {
                Test::new()
                    .model(CLEAN)
                    .args([cmd, flag, name])
                    .stdout_contains("|")
                    .status(0);
            }
        }
    }
    for args in [
        ["check", "-f", "json"],
        ["metrics", "-f", "json"],
        ["diagram", "-f", "dot"],
        ["export", "-f", "otm"],
    ] {
        Test::new()
            .model(CLEAN)
            .args(args)
            .stdout_contains("{")
            .status(0);
    }
}

#[test]
fn schema_is_named_by_a_positional() {
    let mut model = Test::new().args(["schema"]).status(0);
    let mut named = Test::new().args(["schema", "model"]).status(0);
    assert_eq!(model.stdout(), named.stdout());
    Test::new()
        .args(["schema", "report"])
        .stdout_contains("\"metrics\"")
        .status(0);
    // The old `--output report` would now name a file: refused, nothing written.
    let t = Test::new()
        .args(["schema", "--output", "report"])
        .stderr_contains("`tmkit schema report`")
        .status(3);
    assert!(!t.path().join("report").exists());
}

#[test]
fn exit_codes_are_0_1_2_3_and_documented_in_help() {
    Test::new().model(CLEAN).args(["check"]).status(0);
    Test::new()
        .model(WARNS)
        .args(["check", "--deny", "warnings"])
        .status(1);
    Test::new()
        .model(CLEAN)
        .args(["check", "--fail-on", "unmitigated"])
        .stderr_contains("gate failed [unmitigated]: SHOP.T1 is unmitigated")
        .status(1);
    Test::new()
        .model("tmkit: 1\nid: X\n")
        .args(["check"])
        .status(2);
    Test::new().args(["check", "--no-such-flag"]).status(3);
    Test::new()
        .model(CLEAN)
        .dir("adir")
        .args(["report", "-o", "adir"])
        .stderr_contains("refusing to write adir")
        .status(3);
    for args in [&["--help"][..], &["check", "--help"], &["report", "--help"]] {
        Test::new()
            .args(args)
            .stdout_contains("Exit codes:")
            .stdout_contains("1  a gate failed")
            .stdout_contains("3  usage error")
            .status(0);
    }
}

#[test]
fn check_json_carries_the_gates() {
    let mut t = Test::new()
        .model(WARNS)
        .args([
            "check",
            "-f",
            "json",
            "--fail-on",
            "unmitigated",
            "--fail-on",
            "unmitigated:critical",
            "--deny",
            "warnings",
        ])
        .status(1);
    let json = t.json();
    assert_eq!(json["diagnostics"][0]["code"], "W0301");
    assert_eq!(
        json["gates"],
        serde_json::json!([
            {"policy": "unmitigated", "passed": false, "message": "1 violation",
             "violations": [{"element": "SHOP.T1",
                             "message": "SHOP.T1 is unmitigated (unscored): Defacement"}]},
            {"policy": "unmitigated:critical", "passed": true, "message": "no violation",
             "violations": []},
            {"policy": "deny warnings", "passed": false, "message": "1 warning",
             "violations": []},
        ])
    );
}

#[test]
fn counts_are_singular_for_one() {
    Test::new()
        .model(WARNS)
        .args(["check", "--deny", "warnings"])
        .stderr_contains("gate failed [deny warnings]: 1 warning\n")
        .status(1);
    Test::new()
        .model(CLEAN)
        .args(["check"])
        .stderr_contains("is valid: 1 model file\n")
        .status(0);
}

#[test]
fn completions_mention_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let mut t = Test::new().args(["completions", shell]).status(0);
        let out = t.stdout();
        for sub in ["check", "report", "diagram", "import", "completions", "man"] {
            assert!(out.contains(sub), "{shell}: `{sub}` missing");
        }
    }
    Test::new().args(["completions", "tcsh"]).status(3);
}

#[test]
fn man_is_roff_listing_the_subcommands_and_exit_codes() {
    let mut t = Test::new().args(["man"]).status(0);
    let out = t.stdout();
    assert!(out.contains(".TH tmkit 1"), "{out}");
    for sub in ["check", "matrix", "report", "schema", "export", "import"] {
        assert!(out.contains(&format!("tmkit\\-{sub}")), "`{sub}` missing");
    }
    assert!(out.contains("Exit codes:"));
}

/// Loading shows progress past 1,000 files: on a terminal (a
/// pseudo-terminal made by `script`), never when stderr is a pipe.
#[test]
fn progress_is_shown_on_a_terminal_only() {
    // The root and 1,001 components: one file more than the threshold.
    let list: String = (0..1001).map(|i| format!("  - c{i}.yaml\n")).collect();
    let mut t = Test::new().model(&format!(
        "tmkit: 1\nid: ROOT\ntitle: root\ncomponents:\n{list}"
    ));
    for i in 0..1001 {
        t = t.file(
            &format!("c{i}.yaml"),
            format!("tmkit: 1\nid: C{i}\ntitle: c{i}\n"),
        );
    }
    let dir = t.path().to_path_buf();
    let t = t
        .args(["--limit", "files=2000", "check"])
        .stderr_lacks("loading")
        .stderr_lacks("\r")
        .stderr_contains("is valid: 1002 model files")
        .status(0);
    let Some(script) = tmkit_testtools::require(
        &tmkit_testtools::Tool {
            name: "`script` (util-linux), for a pseudo-terminal",
            candidates: &["script"],
            install: "apt-get install util-linux",
        },
        "progress_is_shown_on_a_terminal_only",
    ) else {
        return;
    };
    let tmkit = assert_cmd::cargo::cargo_bin!("tmkit");
    let out = std::process::Command::new(script)
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .args(["-qec"])
        .arg(format!("{} --limit files=2000 check", tmkit.display()))
        .arg("/dev/null")
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\r\x1b[Kloading: 1001 files read\r\x1b[K"),
        "{text:?}"
    );
    assert!(text.contains("is valid: 1002 model files"), "{text:?}");
    drop(t);
}
