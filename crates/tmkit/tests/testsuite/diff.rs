//! `tmkit diff`: two git revisions built in the test (with the `git`
//! program; `tmkit` reads the objects itself), or two folders.

use crate::support::Test;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The root model: one service behind a boundary, a shared control in
/// place, one component `login`.
pub const ROOT: &str = r#"tmkit: 1
id: APP
title: App
scope:
  zones:
    - { id: internet, title: Internet, trust: 0 }
    - { id: dmz, title: DMZ, trust: 1 }
  assets:
    - { id: client, title: Client, kind: external, zone: internet, in_scope: false, reason: not ours }
    - { id: web, title: Web, kind: service, zone: dmz }
  dataflows:
    - { id: f1, title: Browse, from: client, to: web }
  attackers:
    - { id: anon, title: Anonymous, zone: internet }
components:
  - path: login
mitigations:
  - { id: M.waf, title: WAF, kind: operational, in_place: true }
threats:
  - id: T1
    title: Defacement
    categories: [integrity]
    targets: [web, f1]
    attackers: [anon]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
    mitigations: [M.waf]
"#;

/// The component, its threat mitigated by the root's control.
pub const LOGIN: &str = r#"tmkit: 1
id: LOGIN
title: Login
scope:
  assets:
    - { id: api, title: Login API, kind: service, zone: dmz }
threats:
  - id: T.stuff
    title: Credential stuffing
    categories: [confidentiality]
    targets: [api]
    cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    mitigations: [M.waf]
"#;

/// A second component, added later, with an unanswered crossing.
pub const PAY: &str = r#"tmkit: 1
id: PAY
title: Payments
scope:
  assets:
    - { id: psp, title: Payment provider, kind: service, zone: dmz }
  dataflows:
    - { id: pay, title: Pay, from: client, to: psp }
"#;

/// A git repository in a test's directory, built with the `git` program.
pub struct Git {
    dir: PathBuf,
    commits: u32,
}

impl Git {
    /// None (the test is skipped, visibly; it fails under
    /// TMKIT_REQUIRE_TOOLS=1) when git is missing.
    pub fn init(dir: &Path, test: &str) -> Option<Git> {
        tmkit_testtools::require(&tmkit_testtools::GIT, test)?;
        let git = Git {
            dir: dir.to_path_buf(),
            commits: 0,
        };
        git.run(&["init", "-q", "-b", "main"]);
        Some(git)
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Commits everything with a fixed author and date (one day apart); returns the id.
    pub fn commit(&mut self, message: &str) -> String {
        self.commits += 1;
        let date = format!("2026-01-{:02}T12:00:00Z", self.commits);
        self.run(&["add", "-A"]);
        let out = Command::new("git")
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env("GIT_AUTHOR_NAME", "=Ada & Bob")
            .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git commit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.run(&["rev-parse", "HEAD"])
    }
}

fn withdraw(root: &str) -> String {
    root.replace("in_place: true }", "in_place: false }")
}

fn schema_errors(schema_of: &str, instance: &serde_json::Value) -> Vec<String> {
    let schema = Test::new().args(["schema", schema_of]).status(0).json();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

/// The root coverage of `tmkit metrics --format json` in `dir`.
fn metrics_coverage(dir: &Path) -> f64 {
    let mut t = Test::new()
        .cwd(dir)
        .args(["metrics", "-f", "json"])
        .status(0);
    t.json()["questions"]["coverage"]
        .as_f64()
        .expect("coverage")
}

#[test]
fn revisions_with_a_control_withdrawn_and_a_component_added() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::revisions") else {
        return;
    };
    git.write("threatmodel.yaml", ROOT);
    git.write("login/threatmodel.yaml", LOGIN);
    let c1 = git.commit("first");
    let base_coverage = metrics_coverage(t.path());
    git.write(
        "threatmodel.yaml",
        &withdraw(ROOT).replace("  - path: login\n", "  - path: login\n  - path: pay\n"),
    );
    git.write("pay/threatmodel.yaml", PAY);
    git.commit("withdraw the WAF, add payments");
    let head_coverage = metrics_coverage(t.path());
    let mut run = Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &c1, "--head", "HEAD", "-f", "json"])
        .status(0);
    let j = run.json();
    assert_eq!(j["posture"], "worse", "{}", run.describe());
    assert_eq!(j["coverage"]["base"].as_f64(), Some(base_coverage));
    assert_eq!(j["coverage"]["head"].as_f64(), Some(head_coverage));
    let changed = j["threats"]["changed"].as_array().expect("changed");
    let ids: Vec<&str> = changed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["APP.LOGIN.T.stuff", "APP.T1"]);
    let status = changed[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "status")
        .expect("a status change");
    assert_eq!(
        (&status["from"], &status["to"]),
        (&"mitigated".into(), &"unmitigated".into())
    );
    let entered: Vec<&str> = j["scope"]["entered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    // Assets first, then data flows.
    assert_eq!(entered, ["APP.PAY.psp", "APP.PAY.pay"]);
    let crossings = j["crossings"]["newly_unanswered"].as_array().unwrap();
    assert_eq!(crossings[0]["flow"], "APP.PAY.pay");
    let pay = j["coverage"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "APP.PAY")
        .expect("the new component");
    assert!(pay["base"].is_null() && pay["delta"].is_null());
    assert!(!j["questions"]["newly_open"].as_array().unwrap().is_empty());
    assert_eq!(schema_errors("diff", &j), Vec::<String>::new());
    // The same comparison of two folders gives the same diff.
    let old = t.path().join("old");
    std::fs::create_dir_all(old.join("login")).unwrap();
    std::fs::write(old.join("threatmodel.yaml"), ROOT).unwrap();
    std::fs::write(old.join("login/threatmodel.yaml"), LOGIN).unwrap();
    let mut dirs = Test::new()
        .cwd(t.path())
        .args(["diff", "--dirs", "old", ".", "-f", "json"])
        .status(0);
    let d = dirs.json();
    for key in [
        "posture",
        "coverage",
        "threats",
        "questions",
        "crossings",
        "scope",
    ] {
        assert_eq!(d[key], j[key], "{key}");
    }
}

#[test]
fn gates_fail_with_reasons() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::gates") else {
        return;
    };
    git.write("threatmodel.yaml", ROOT);
    git.write("login/threatmodel.yaml", LOGIN);
    let c1 = git.commit("first");
    git.write(
        "threatmodel.yaml",
        &withdraw(ROOT).replace("  - path: login\n", "  - path: login\n  - path: pay\n"),
    );
    git.write("pay/threatmodel.yaml", PAY);
    // Head is the working tree (not committed).
    let base = ["diff", "--base", c1.as_str()];
    Test::new()
        .cwd(t.path())
        .args(base)
        .args(["--fail-on", "new-unmitigated:high"])
        .stderr_contains(
            "gate failed [new-unmitigated:high]: APP.T1 is now unmitigated (high): Defacement",
        )
        .status(1);
    Test::new()
        .cwd(t.path())
        .args(base)
        .args(["--fail-on", "new-unmitigated:critical"])
        .status(0);
    Test::new()
        .cwd(t.path())
        .args(base)
        .args(["--fail-on", "new-unanswered-crossing"])
        .stderr_contains(
            "gate failed [new-unanswered-crossing]: APP.PAY.pay crosses a trust boundary",
        )
        .status(1);
    Test::new()
        .cwd(t.path())
        .args(base)
        .args(["--fail-on", "coverage-drop:0.01"])
        .stderr_contains("gate failed [coverage-drop:0.01]: coverage of APP fell from")
        .status(1);
    Test::new()
        .cwd(t.path())
        .args(base)
        .args(["--fail-on", "coverage-drop:x"])
        .stderr_contains("invalid --fail-on")
        .status(3);
}

#[test]
fn default_base_is_the_merge_base_with_main() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::default_base") else {
        return;
    };
    git.write("threatmodel.yaml", ROOT);
    git.write("login/threatmodel.yaml", LOGIN);
    git.commit("first");
    git.run(&["checkout", "-q", "-b", "feature"]);
    git.write("threatmodel.yaml", &withdraw(ROOT));
    git.commit("withdraw");
    let mut run = Test::new()
        .cwd(t.path())
        .args(["diff", "-f", "json"])
        .status(0);
    let j = run.json();
    assert!(
        j["base"]
            .as_str()
            .unwrap()
            .starts_with("merge-base of HEAD and main")
    );
    assert_eq!(j["head"], "working tree");
    assert_eq!(
        j["threats"]["changed"].as_array().unwrap().len(),
        2,
        "{}",
        run.describe()
    );
}

#[test]
fn a_renamed_component_file_changes_nothing() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::renamed") else {
        return;
    };
    git.write("threatmodel.yaml", ROOT);
    git.write("login/threatmodel.yaml", LOGIN);
    let c1 = git.commit("first");
    git.run(&["mv", "login", "auth"]);
    git.write(
        "threatmodel.yaml",
        &ROOT.replace("path: login", "path: auth"),
    );
    git.commit("rename");
    Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &c1, "--head", "HEAD"])
        .stdout_contains("posture: unchanged")
        .stdout_contains("threats 0 added, 0 removed, 0 changed")
        .status(0);
}

#[test]
fn an_invalid_side_names_revision_file_and_line_and_an_absent_base_adds_everything() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::invalid") else {
        return;
    };
    git.write("README", "nothing yet\n");
    let c0 = git.commit("no model");
    git.write("threatmodel.yaml", ROOT);
    git.write(
        "login/threatmodel.yaml",
        &LOGIN.replace("kind: service", "kind: servic"),
    );
    let bad = git.commit("broken component");
    git.write("login/threatmodel.yaml", LOGIN);
    let good = git.commit("fixed");
    Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &bad, "--head", &good])
        .stderr_contains(&format!("error: the model is invalid at base ({bad})"))
        .stderr_contains("login/threatmodel.yaml:6:")
        .status(2);
    let mut run = Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &c0, "--head", &good, "-f", "json"])
        .status(0);
    let j = run.json();
    assert_eq!(j["base_exists"], false);
    assert_eq!(j["threats"]["added"].as_array().unwrap().len(), 2);
    assert!(j["coverage"]["base"].is_null());
    Test::new()
        .cwd(t.path())
        .args(["diff", "--base", "no-such-rev"])
        .stderr_contains("unknown revision `no-such-rev`")
        .status(3);
}

#[test]
fn markdown_is_a_pr_comment_escaped_and_public_safe() {
    let hostile = ROOT
        .replace("title: Defacement", "title: \"<img src=x onerror=alert(1)> **bold**\"")
        .replace(
            "    mitigations: [M.waf]\n",
            "    mitigations: [M.waf]\n  - { id: T.secret, title: Secret weakness, categories: [availability], targets: [web], confidential: true }\n",
        );
    let t = Test::new()
        .file("old/threatmodel.yaml", ROOT)
        .file("old/login/threatmodel.yaml", LOGIN)
        .file("new/threatmodel.yaml", withdraw(&hostile))
        .file("new/login/threatmodel.yaml", LOGIN);
    let mut md = Test::new()
        .cwd(t.path())
        .args(["diff", "--dirs", "old", "new", "-f", "md"])
        .status(0);
    let out = md.stdout();
    // The confidential threat answers a question: an improvement too.
    assert!(
        out.starts_with("### Threat model posture: **mixed**\n"),
        "{out}"
    );
    assert!(
        out.contains("<details><summary>Threats (3)</summary>"),
        "{out}"
    );
    assert!(!out.contains("<img"), "{out}");
    assert!(
        out.contains("&lt;img src=x onerror=alert(1)&gt; \\*\\*bold\\*\\*"),
        "{out}"
    );
    assert!(out.contains("Secret weakness"));
    let mut public = Test::new()
        .cwd(t.path())
        .args(["diff", "--dirs", "old", "new", "-f", "md", "--public"])
        .status(0);
    let out = public.stdout();
    assert!(
        !out.contains("Secret") && !out.contains("T.secret"),
        "{out}"
    );
}

/// A history: the model appears, its control is withdrawn, an unrelated file
/// changes, the component changes. Returns the commit ids.
fn history_repo(t: &Test, test: &str) -> Option<Vec<String>> {
    let mut git = Git::init(t.path(), test)?;
    git.write("README", "no model yet\n");
    let c0 = git.commit("readme");
    git.write("threatmodel.yaml", ROOT);
    git.write("login/threatmodel.yaml", LOGIN);
    let c1 = git.commit("model");
    git.write("threatmodel.yaml", &withdraw(ROOT));
    let c2 = git.commit("withdraw the WAF");
    git.write("README", "unrelated\n");
    let c3 = git.commit("docs");
    git.write(
        "login/threatmodel.yaml",
        &LOGIN.replace("Credential stuffing", "Stuffing"),
    );
    let c4 = git.commit("retitle");
    Some(vec![c0, c1, c2, c3, c4])
}

#[test]
fn history_has_one_row_per_commit_changing_the_model() {
    let t = Test::new();
    let Some(c) = history_repo(&t, "diff::history") else {
        return;
    };
    let mut run = Test::new()
        .cwd(t.path())
        .args(["history", "-f", "json"])
        .status(0);
    let j = run.json();
    let rows = j["rows"].as_array().expect("rows");
    let commits: Vec<&str> = rows.iter().map(|r| r["commit"].as_str().unwrap()).collect();
    assert_eq!(commits, [&c[1], &c[2], &c[4]], "{}", run.describe());
    assert_eq!(rows[0]["date"], "2026-01-02");
    assert_eq!(rows[0]["author"], "=Ada & Bob");
    // The numbers are those of `tmkit metrics` at each commit.
    let m = &rows[1]["metrics"];
    assert_eq!(m["threats"]["unmitigated"], 2);
    assert_eq!(m["open_by_severity"]["high"], 2);
    assert_eq!(m["untracked_unmitigated"], 2);
    assert_eq!(rows[0]["metrics"]["threats"]["mitigated"], 2);
    assert_eq!(m["coverage"].as_f64(), Some(metrics_coverage(t.path())));
    assert_eq!(schema_errors("history", &j), Vec::<String>::new());
    let mut since = Test::new()
        .cwd(t.path())
        .args(["history", "--since", &c[2], "-f", "csv"])
        .status(0);
    let csv = since.stdout();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("commit,date,author,coverage,open_questions,"));
    assert!(lines[1].starts_with(&format!("{},2026-01-05,'=Ada & Bob,", c[4])));
}

#[test]
fn history_html_is_self_contained_and_escaped() {
    let t = Test::new();
    if history_repo(&t, "diff::history_html").is_none() {
        return;
    }
    let mut run = Test::new()
        .cwd(t.path())
        .args(["history", "-f", "html", "-o", "h.html"])
        .status(0);
    let _ = run.output();
    let html = std::fs::read_to_string(t.path().join("h.html")).expect("written");
    assert!(html.contains("=Ada &amp; Bob") && !html.contains("<script"));
    assert_eq!(html.matches("<svg").count(), 2);
    assert_eq!(html.matches("<polyline").count(), 1);
    assert!(html.contains("<rect") && !html.contains("src=") && !html.contains("href="));
}

#[test]
fn history_parses_a_file_whose_blob_did_not_change_once() {
    let t = Test::new();
    if history_repo(&t, "diff::history_cache").is_none() {
        return;
    }
    let root = std::fs::canonicalize(t.path()).expect("canonical");
    let h = tmkit::history(&root, None, &tmkit::Limits::default()).expect("history");
    assert_eq!(h.rows.len(), 3);
    // Commit 2 reuses the component, commit 4 the root: two files not parsed again.
    assert_eq!(h.cache_hits, 2);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_a_revision_is_not_read() {
    let t = Test::new();
    let Some(mut git) = Git::init(t.path(), "diff::symlink") else {
        return;
    };
    git.write("threatmodel.yaml", ROOT);
    git.write("real/threatmodel.yaml", LOGIN);
    std::os::unix::fs::symlink("real", t.path().join("login")).expect("symlink");
    let c1 = git.commit("component through a link");
    Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &c1, "--dirs"])
        .status(3);
    Test::new()
        .cwd(t.path())
        .args(["diff", "--base", &c1])
        .stderr_contains(&format!("error: the model is invalid at base ({c1})"))
        .stderr_contains("E0025")
        .stderr_contains("it is a symbolic link, not a regular file")
        .status(2);
}

#[test]
fn history_html_opens_in_headless_chromium() {
    let t = Test::new();
    if history_repo(&t, "diff::history_chromium").is_none() {
        return;
    }
    let Some(chromium) =
        tmkit_testtools::require(&tmkit_testtools::CHROMIUM, "diff::history_chromium")
    else {
        return;
    };
    Test::new()
        .cwd(t.path())
        .args(["history", "-f", "html", "-o", "h.html"])
        .status(0);
    let file = t.path().join("h.html");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            t.path().join("profile").display()
        ))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "{console:#?}");
    // Both charts and the table were parsed as elements: 3 rows, 3 points,
    // a bar per severity present.
    assert_eq!(dom.matches("<svg").count(), 2, "{dom}");
    assert_eq!(dom.matches("<circle").count(), 3, "{dom}");
    assert_eq!(dom.matches("<tr>").count(), 4, "{dom}");
    assert!(dom.contains("<rect"), "{dom}");
    assert!(dom.contains("=Ada &amp; Bob"), "{dom}");
}
