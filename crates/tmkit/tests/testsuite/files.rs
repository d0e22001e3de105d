//! What tmkit reads and writes: regular files only (a FIFO or a device is
//! refused at once, never read), outputs replace only regular files, and an
//! interrupted write leaves no temporary file.

use crate::support::Test;
use std::path::Path;
use std::time::Duration;
use tmkit_testtools::mkfifo;

const MODEL: &str = "tmkit: 1\nid: X\ntitle: x\n";

/// Refusing is immediate; a hang is killed at `support::HANG`.
const QUICK: Duration = Duration::from_secs(10);

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// Names in `dir` that look like temporary files.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp") || n.starts_with(".tmkit-"))
        .collect()
}

#[test]
fn a_fifo_as_the_model_is_refused_without_waiting() {
    let t = Test::new();
    mkfifo(&t.path().join("threatmodel.yaml"));
    let t = t
        .args(["check"])
        .stderr_contains("error[E0025]")
        .stderr_contains("it is a FIFO (named pipe), not a regular file")
        .faster_than(QUICK)
        .status(2);
    Test::new()
        .args([
            "check",
            &t.path().join("threatmodel.yaml").display().to_string(),
        ])
        .stderr_contains("error[E0025]")
        .faster_than(QUICK)
        .status(2);
}

#[test]
fn a_fifo_as_a_component_or_an_import_is_refused_without_waiting() {
    for key in ["components", "imports"] {
        let t = Test::new().model(&format!("{MODEL}{key}: [pipe.yaml]\n"));
        mkfifo(&t.path().join("pipe.yaml"));
        t.args(["check"])
            .stderr_contains("error[E0025]: cannot read pipe.yaml: it is a FIFO")
            .faster_than(QUICK)
            .status(2);
    }
}

#[test]
fn dev_zero_as_the_model_is_refused_without_reading_it() {
    Test::new()
        .args(["check", "/dev/zero"])
        .stderr_contains("error[E0025]: cannot read /dev/zero: it is a character device")
        .faster_than(QUICK)
        .status(2);
}

#[test]
fn a_fifo_or_a_device_as_an_otm_source_is_refused_and_nothing_written() {
    let t = Test::new();
    mkfifo(&t.path().join("in.otm.json"));
    let t = t
        .args(["import", "otm", "in.otm.json", "-o", "out"])
        .stderr_contains("error[E0025]")
        .stderr_contains("FIFO")
        .faster_than(QUICK)
        .status(2);
    assert!(!t.path().join("out").exists());
    Test::new()
        .args(["import", "otm", "/dev/zero", "-o", "out"])
        .stderr_contains("error[E0025]")
        .faster_than(QUICK)
        .status(2);
}

#[test]
fn an_output_over_a_fifo_or_a_directory_is_refused_and_left_alone() {
    let t = Test::new().model(MODEL).dir("adir");
    mkfifo(&t.path().join("pipe"));
    let t = t
        .args(["report", "-o", "pipe"])
        .stderr_contains("refusing to write pipe: it is a FIFO (named pipe), not a regular file")
        .faster_than(QUICK)
        .status(3);
    assert!(is_fifo(&t.path().join("pipe")), "the FIFO is still a FIFO");
    assert_eq!(temp_files(t.path()), Vec::<String>::new());
    let t = Test::new()
        .model(MODEL)
        .dir("adir")
        .args(["diagram", "-o", "adir"])
        .stderr_contains("refusing to write adir: it is a directory")
        .status(3);
    assert!(t.path().join("adir").is_dir());
    assert_eq!(temp_files(t.path()), Vec::<String>::new());
}

#[test]
fn an_output_over_dev_null_leaves_the_device_alone() {
    use std::os::unix::fs::FileTypeExt;
    Test::new()
        .model(MODEL)
        .args(["report", "-o", "/dev/null"])
        .stderr_contains("it is a character device")
        .status(3);
    let meta = std::fs::symlink_metadata("/dev/null").expect("exists");
    assert!(meta.file_type().is_char_device());
}

#[test]
fn an_output_over_a_symlink_is_refused_and_its_target_untouched() {
    let t = Test::new().model(MODEL).file("target.md", "old\n");
    std::os::unix::fs::symlink(t.path().join("target.md"), t.path().join("link.md"))
        .expect("symlink");
    let t = t
        .args(["report", "-o", "link.md"])
        .stderr_contains("it is a symbolic link")
        .status(3);
    assert!(
        std::fs::symlink_metadata(t.path().join("link.md"))
            .expect("link")
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("target.md")).unwrap(),
        "old\n"
    );
}

#[test]
fn dash_as_output_is_stdout() {
    let t = Test::new()
        .model(MODEL)
        .args(["report", "-o", "-"])
        .stdout_contains("x")
        .status(0);
    assert!(!t.path().join("-").exists());
}

#[test]
fn sigterm_while_writing_removes_the_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("threatmodel.yaml"), MODEL).expect("model");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tmkit"))
        .current_dir(dir.path())
        .args(["report", "-o", "out.md"])
        .env("TMKIT_TEST_HOLD_OUTPUT_MS", "20000")
        .spawn()
        .expect("spawns");
    let start = std::time::Instant::now();
    while temp_files(dir.path()).is_empty() {
        assert!(start.elapsed() < QUICK, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("waits");
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
    assert!(!dir.path().join("out.md").exists());
}

#[test]
fn tmyaml_children_never_leave_the_source_tree() {
    let t = Test::new()
        .file("outside/X.yaml", "ID: X\ntitle: x\n")
        .file(
            "T/T/T.yaml",
            "ID: T\ntitle: t\nchildren:\n  - REFID: ../../outside/X\n",
        );
    let t = t
        .args(["import", "tmyaml", "T/T", "-o", "out"])
        .stderr_contains(
            "error[E0012]: T/T/T.yaml:4: child `../../outside/X` leaves the root file's directory",
        )
        .status(2);
    assert!(!t.path().join("out").exists());
    let t = Test::new()
        .file("outside/X.yaml", "ID: X\ntitle: x\n")
        .file("T/T/T.yaml", "ID: T\ntitle: t\nchildren:\n  - REFID: X\n");
    std::os::unix::fs::symlink(t.path().join("outside/X.yaml"), t.path().join("T/T/X.yaml"))
        .expect("symlink");
    let t = t
        .args(["import", "tmyaml", "T/T", "-o", "out"])
        .stderr_contains("error[E0012]: T/T/T.yaml:4: child `X` leaves the root file's directory")
        .status(2);
    assert!(!t.path().join("out").exists());
}

#[test]
fn an_import_never_writes_through_a_symlinked_output() {
    let t = Test::new()
        .file("T/T.yaml", "ID: T\ntitle: t\n")
        .dir("elsewhere")
        .dir("out");
    std::os::unix::fs::symlink(
        t.path().join("elsewhere/threatmodel.yaml"),
        t.path().join("out/threatmodel.yaml"),
    )
    .expect("symlink");
    let t = t
        .args(["import", "tmyaml", "T", "-o", "out", "--force"])
        .stderr_contains("it is a symbolic link")
        .status(3);
    assert_eq!(
        std::fs::read_dir(t.path().join("elsewhere"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn imports_of_awkward_ids_titles_zones_and_targets_check_clean() {
    let otm = r#"otmVersion: 0.2.0
project: {name: "", id: "my project!"}
trustZones:
  - {id: "zone 1", name: "", risk: {trustRating: 40}}
components:
  - {id: "app.x", name: "", type: web, parent: {trustZone: "nozone"}}
  - {id: "app.x", name: "dup", type: web, parent: {trustZone: "zone 1"}}
threats:
  - {id: "t 1", name: "", categories: [Tampering], risk: {likelihood: 50, impact: 50}}
  - {id: "t 1", name: "again", categories: [Spoofing], risk: {likelihood: 50, impact: 50}}
"#;
    let t = Test::new()
        .file("a.otm.yaml", otm)
        .args(["import", "otm", "a.otm.yaml", "-o", "out"])
        .stderr_lacks("error[")
        .stderr_contains("component `app.x` is in unknown trust zone `nozone`")
        .stderr_contains("OTM id `app.x` is written `app.x_2`")
        .stderr_contains("OTM id `t 1` is written `t_1_2`")
        .stderr_contains("threat 't_1' has no targets")
        .status(0);
    Test::new()
        .args(["check", &t.path().join("out").display().to_string()])
        .status(0);
}

#[test]
fn an_otm_source_over_the_size_limit_is_refused() {
    let big = format!(
        "{{\"otmVersion\": \"0.2.0\", \"pad\": \"{}\"}}",
        "x".repeat(9 << 20)
    );
    let t = Test::new()
        .file("big.otm.json", big)
        .args(["import", "otm", "big.otm.json", "-o", "out"])
        .stderr_contains("error[E0002]")
        .status(2);
    assert!(!t.path().join("out").exists());
}
