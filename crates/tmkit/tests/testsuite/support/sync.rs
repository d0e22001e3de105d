//! What the `tmkit sync` tests of the three trackers share (`sync.rs`,
//! `sync_gitlab.rs`, `sync_jira.rs`): the model with N threats, reading it
//! back, and the scenarios every tracker passes, run through each file's
//! own command line ([`Run`]) against its fake ([`Fake`]).

use super::Test;
use std::path::Path;
use tmkit_testtools::fake_github::{FakeGitHub, Fault as GitHubFault};
use tmkit_testtools::fake_gitlab::{FakeGitLab, Fault as GitLabFault};
use tmkit_testtools::fake_jira::FakeJira;

/// `tmkit sync TRACKER ...` with the fake's place and credentials, and
/// the extra arguments.
pub type Run<'a> = &'a dyn Fn(Test, &[&str]) -> Test;

/// A fake tracker as the scenarios drive it.
pub trait Fake {
    /// The issues stored.
    fn issues(&self) -> usize;
    /// After `n` created issues, every create fails (None: never).
    fn fail_creates_after(&self, n: Option<usize>);
    /// The next two requests answer a rate limit of 1 s, then a 500.
    fn a_rate_limit_and_a_server_error(&self);
}

macro_rules! fake {
    ($($t:ty: $fault:ident),*) => {$(
        impl Fake for $t {
            fn a_rate_limit_and_a_server_error(&self) {
                self.state()
                    .faults
                    .extend([$fault::TooManyRequests(1), $fault::ServerError]);
            }
            fn issues(&self) -> usize {
                self.state().issues.len()
            }
            fn fail_creates_after(&self, n: Option<usize>) {
                self.state().fail_creates_after = n;
            }
        }
    )*};
}

fake!(FakeGitHub: GitHubFault, FakeGitLab: GitLabFault, FakeJira: GitHubFault);

/// A model with `n` untracked threats (block style, each with one planned
/// inline mitigation), one mitigated threat and one tracked elsewhere.
pub fn model(n: usize) -> String {
    let mut s = String::from(
        "tmkit: 1\nid: SHOP\ntitle: Web shop\nscope:\n  assets:\n    - { id: web, title: Storefront, kind: service }\n  attackers:\n    - { id: anon, title: Anonymous, zone: internet }\n  zones:\n    - { id: internet, title: Internet, trust: 0 }\nmitigations:\n  - id: tls\n    title: TLS\n    kind: design\n    in_place: true\nthreats:\n  - { id: DONE, title: Done, categories: [confidentiality], targets: [web], mitigations: [tls] }\n  - id: ELSE\n    title: Tracked in Jira\n    categories: [integrity]\n    targets: [web]\n    ticket: SEC-1   # our Jira\n",
    );
    for i in 1..=n {
        s.push_str(&format!(
            "  - id: T{i}\n    title: \"Threat <{i}> *bold*\"   # a comment\n    categories: [availability]\n    targets: [web]\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n    mitigations:\n      - title: Rate limit {i}\n        kind: design\n        in_place: false\n"
        ));
    }
    s
}

/// `yaml` with a `sync:` section, `body` its lines (each indented, ending
/// in a newline), before its `mitigations:`.
pub fn with_sync(yaml: &str, body: &str) -> String {
    yaml.replacen("mitigations:\n", &format!("sync:\n{body}mitigations:\n"), 1)
}

/// The root model's `sync:` section names the place: with `section` (the
/// tracker's lines of it) and only the token (`env`: variable, value),
/// `tmkit sync TRACKER --apply` creates the two tickets; with no place
/// anywhere, a usage error names both ways (`flag` and the section); a
/// misspelt key (`misspelt`, the lines with it) is an error of the model
/// naming it (`key`), like every other key. Returns the model with the
/// section.
pub fn the_sync_section_names_the_place(
    (tracker, fake): (&str, &dyn Fake),
    env: (&str, &str),
    section: &str,
    flag: &str,
    (misspelt, key): (&str, &str),
) -> String {
    let yaml = with_sync(&model(2), section);
    let mut t = Test::new()
        .model(&yaml)
        .args(["sync", tracker, "--apply"])
        .env(env.0, env.1)
        .status(0);
    assert!(t.stdout().contains("created 2"), "{}", t.describe());
    assert_eq!(fake.issues(), 2);
    Test::new()
        .model(&model(1))
        .args(["sync", tracker])
        .env(env.0, env.1)
        .status(3)
        .stderr_contains(flag)
        .stderr_contains("sync:");
    Test::new()
        .model(&with_sync(&model(1), misspelt))
        .args(["check"])
        .status(2)
        .stderr_contains(key);
    yaml
}

/// `tmkit sync ...` (`args`) with the token variable `var` empty: exit 3,
/// saying it is not set and what the token needs (`needs`).
pub fn no_token(args: &[&str], var: &str, needs: &str) {
    Test::new()
        .model(&model(1))
        .args(args)
        .env(var, "")
        .status(3)
        .stderr_contains(&format!("{var} is not set"))
        .stderr_contains(needs);
}

/// `tmkit sync ... --apply -f json` (`args`) with a `wrong` token in
/// `var`: exit 3, the tracker's 401 and the variable to set named, the
/// token never printed.
pub fn a_wrong_token(args: &[&str], var: &str, wrong: &str) {
    let mut t = Test::new()
        .model(&model(1))
        .args(args.iter().chain(&["--apply", "-f", "json"]))
        .env(var, wrong)
        .status(3)
        .stderr_contains("HTTP 401")
        .stderr_contains(&format!("set {var}"));
    let all = format!("{}{}", t.stdout(), t.stderr());
    assert!(!all.contains(wrong), "{all}");
}

/// The lines of `before` appear in `after`, in order (only lines were added).
pub fn only_lines_added(before: &str, after: &str) {
    let mut it = after.lines();
    for line in before.lines() {
        assert!(it.any(|l| l == line), "line {line:?} lost in:\n{after}");
    }
}

/// The model in `dir`.
pub fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("threatmodel.yaml")).unwrap()
}

/// Marks the first `n` threats' planned mitigations in place: those
/// threats are mitigated in the model.
pub fn mitigate(dir: &Path, n: usize) {
    let path = dir.join("threatmodel.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, yaml.replacen("in_place: false", "in_place: true", n)).unwrap();
}

/// The plan of `n` creates (its output saying each of `said`) changes
/// nothing; then --apply, through a rate limit and a server error,
/// creates them and only adds their `ticket:` lines. Returns the test
/// (its directory) and the model after.
pub fn plan_then_apply(
    run: Run,
    fake: &dyn Fake,
    original: &str,
    n: usize,
    said: &[&str],
) -> (Test, String) {
    let mut t = run(Test::new().model(original), &[]).status(0);
    let out = t.stdout();
    assert_eq!(out.matches("would create").count(), n, "{out}");
    for s in said {
        assert!(out.contains(s), "{out}");
    }
    assert_eq!(read(t.path()), original);
    assert_eq!(fake.issues(), 0);
    fake.a_rate_limit_and_a_server_error();
    let mut applied = run(Test::new().cwd(t.path()), &["--apply"]).status(0);
    let created = format!("created {n}");
    assert!(
        applied.stdout().contains(&created),
        "{}",
        applied.describe()
    );
    assert_eq!(fake.issues(), n);
    let after = read(t.path());
    only_lines_added(original, &after);
    assert_eq!(after.lines().count(), original.lines().count() + n);
    (t, after)
}

/// A second run: the model still checks, --apply creates and updates
/// nothing and changes nothing, and the plan says in sync.
pub fn a_second_run_changes_nothing(run: Run, fake: &dyn Fake, dir: &Path, after: &str) {
    let issues = fake.issues();
    Test::new().cwd(dir).args(["check"]).status(0);
    let mut t = run(Test::new().cwd(dir), &["--apply"]).status(0);
    assert!(
        t.stdout().contains("created 0, updated 0"),
        "{}",
        t.describe()
    );
    assert_eq!(fake.issues(), issues);
    assert_eq!(read(dir), after);
    let mut t = run(Test::new().cwd(dir), &[]).status(0);
    assert!(t.stdout().contains("in sync"), "{}", t.describe());
}

/// Three tickets created; the write-back lost (the model back to
/// `original`) and a title renamed in the tracker (`rename`): the plan
/// links the three by their markers, and --apply writes back what the
/// first run did, creating nothing.
pub fn a_lost_write_back_is_found_again(
    run: Run,
    fake: &dyn Fake,
    original: &str,
    rename: &dyn Fn(),
) {
    let t = run(Test::new().model(original), &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    let applied = read(&dir);
    std::fs::write(dir.join("threatmodel.yaml"), original).unwrap();
    rename();
    let mut t = run(Test::new().cwd(&dir), &[]).status(0);
    assert_eq!(
        t.stdout().matches("would link").count(),
        3,
        "{}",
        t.describe()
    );
    run(Test::new().cwd(&dir), &["--apply"]).status(0);
    assert_eq!(fake.issues(), 3);
    assert_eq!(read(&dir), applied);
}

/// SHOP.T1's ticket (`ticket`) closed in the tracker by `close`, with an
/// assignee and a due date (`assigned`, as the output says them): reported,
/// never a silent change; --accept-closed needs --apply, and then marks
/// the mitigation in place with the ticket as its evidence. Returns the
/// model accepted.
pub fn a_closed_ticket_is_accepted_only_when_asked(
    run: Run,
    yaml: &str,
    close: &dyn Fn(),
    assigned: &str,
    ticket: &str,
) -> String {
    let t = run(Test::new().model(yaml), &["--apply"]).status(0);
    let dir = t.path().to_path_buf();
    let applied = read(&dir);
    close();
    let mut t = run(Test::new().cwd(&dir), &["--apply"]).status(0);
    let out = t.stdout();
    assert!(
        out.contains("closed in the tracker, not in place in the model: SHOP.T1"),
        "{out}"
    );
    assert!(out.contains(assigned), "{out}");
    assert_eq!(read(&dir), applied, "never a silent change");
    // --accept-closed needs --apply.
    run(Test::new().cwd(&dir), &["--accept-closed"]).status(3);
    run(Test::new().cwd(&dir), &["--apply", "--accept-closed"]).status(0);
    let accepted = read(&dir);
    only_lines_added(
        &applied.replacen("in_place: false", "in_place: true", 1),
        &accepted,
    );
    Test::new().cwd(&dir).args(["check"]).status(0);
    let mut t = Test::new()
        .cwd(&dir)
        .args(["report", "-f", "json"])
        .status(0);
    let report = t.json();
    let m = report["models"][0]["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["qid"] == "SHOP.T1/m1")
        .cloned()
        .unwrap();
    assert_eq!(m["in_place"], true, "{m}");
    assert_eq!(m["evidence"][0]["kind"], "ticket", "{m}");
    assert_eq!(m["evidence"][0]["target"], ticket, "{m}");
    accepted
}

/// Creates failing after `fail_after` of the `n` threats of `yaml`: exit 3
/// naming the 500 and the resume, the created tickets (each a `ticket`
/// text) written back and the model checking; the next run creates the rest.
pub fn a_failure_half_way_then_resumed(
    run: Run,
    fake: &dyn Fake,
    yaml: &str,
    (fail_after, n): (usize, usize),
    ticket: &str,
) {
    fake.fail_creates_after(Some(fail_after));
    let t = run(Test::new().model(yaml), &["--apply"])
        .status(3)
        .stderr_contains("HTTP 500")
        .stderr_contains("run again to resume");
    let dir = t.path().to_path_buf();
    let half = read(&dir);
    assert_eq!(half.matches(ticket).count(), fail_after, "{half}");
    Test::new().cwd(&dir).args(["check"]).status(0);
    fake.fail_creates_after(None);
    run(Test::new().cwd(&dir), &["--apply"]).status(0);
    assert_eq!(fake.issues(), n);
    assert_eq!(read(&dir).matches(ticket).count(), n);
}
