//! The `Test` builder: a temporary project, a `tmkit` command line, and
//! assertions on what the real binary did.
//!
//! ```ignore
//! Test::new()
//!     .model("tmkit: 1\nid: X\n")
//!     .args(["check"])
//!     .stderr_contains("missing the required field `title`")
//!     .status(2);
//! ```
//!
//! The command runs once, at the first assertion; later assertions look at
//! the same output.

#![allow(dead_code)]

pub mod sync;

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// How long any single run may take before the test calls it a hang.
pub const HANG: Duration = Duration::from_secs(20);

/// The repository root (for `examples/` and `docs/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/tmkit sits two levels below the repository root")
        .to_path_buf()
}

/// A CLI test case.
pub struct Test {
    dir: tempfile::TempDir,
    cwd: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    output: Option<Output>,
    elapsed: Duration,
}

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    /// A test in a fresh, empty temporary directory (also the working directory).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let cwd = dir.path().to_path_buf();
        Test {
            dir,
            cwd,
            args: Vec::new(),
            env: Vec::new(),
            output: None,
            elapsed: Duration::ZERO,
        }
    }

    /// The temporary directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `threatmodel.yaml` in the temporary directory.
    pub fn model(self, yaml: &str) -> Self {
        self.file("threatmodel.yaml", yaml)
    }

    /// Writes a file (creating directories) relative to the temporary directory.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        let p = self.dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(&p, contents).expect("write file");
        self
    }

    /// Creates a directory relative to the temporary directory.
    pub fn dir(self, path: &str) -> Self {
        std::fs::create_dir_all(self.dir.path().join(path)).expect("create directory");
        self
    }

    /// Runs the command from this directory (relative to the temporary one, or absolute).
    pub fn cwd(mut self, path: impl AsRef<Path>) -> Self {
        self.cwd = self.dir.path().join(path);
        self
    }

    /// The command line (without `tmkit`).
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the command (once) and returns its output.
    pub fn output(&mut self) -> &Output {
        if self.output.is_none() {
            let mut cmd = cargo_bin_cmd!("tmkit");
            cmd.current_dir(&self.cwd)
                .args(&self.args)
                .env("NO_COLOR", "1")
                .timeout(HANG);
            for (k, v) in &self.env {
                cmd.env(k, v);
            }
            let start = Instant::now();
            let out = cmd.output().expect("tmkit runs");
            self.elapsed = start.elapsed();
            self.output = Some(out);
        }
        self.output.as_ref().expect("just set")
    }

    /// How long the run took.
    pub fn elapsed(&mut self) -> Duration {
        self.output();
        self.elapsed
    }

    /// Standard output as text.
    pub fn stdout(&mut self) -> String {
        String::from_utf8_lossy(&self.output().stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&mut self) -> String {
        String::from_utf8_lossy(&self.output().stderr).into_owned()
    }

    /// Standard output parsed as JSON.
    pub fn json(&mut self) -> serde_json::Value {
        let out = self.stdout();
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{out}\n{}", self.describe()))
    }

    /// Everything about the run, for failure messages.
    pub fn describe(&mut self) -> String {
        let out = self.output().clone();
        format!(
            "tmkit {}\n(in {})\nstatus: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.cwd.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Asserts the exit code (and that the process was not killed by a signal,
    /// which is how a panic-abort or an overflowed stack shows up).
    pub fn status(mut self, code: i32) -> Self {
        let got = self.output().status.code();
        assert_eq!(got, Some(code), "wrong exit code\n{}", self.describe());
        self.no_panic()
    }

    /// Asserts that the binary did not panic.
    pub fn no_panic(mut self) -> Self {
        let err = self.stderr();
        assert!(
            !err.contains("panicked at") && !err.contains("RUST_BACKTRACE"),
            "tmkit panicked\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that standard error contains `needle`.
    pub fn stderr_contains(mut self, needle: &str) -> Self {
        let err = self.stderr();
        assert!(
            err.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that standard error does not contain `needle`.
    pub fn stderr_lacks(mut self, needle: &str) -> Self {
        let err = self.stderr();
        assert!(
            !err.contains(needle),
            "stderr has {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that standard output contains `needle`.
    pub fn stdout_contains(mut self, needle: &str) -> Self {
        let out = self.stdout();
        assert!(
            out.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that standard output does not contain `needle`.
    pub fn stdout_lacks(mut self, needle: &str) -> Self {
        let out = self.stdout();
        assert!(
            !out.contains(needle),
            "stdout has {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that standard output is empty.
    pub fn stdout_empty(mut self) -> Self {
        let out = self.stdout();
        assert!(out.is_empty(), "stdout is not empty\n{}", self.describe());
        self
    }

    /// The `diagnostics` array of a `check --format json` run.
    pub fn diagnostics_json(&mut self) -> serde_json::Value {
        self.json()["diagnostics"].clone()
    }

    /// Asserts that the run took less than `limit`.
    pub fn faster_than(mut self, limit: Duration) -> Self {
        let took = self.elapsed();
        assert!(
            took < limit,
            "took {took:?} (limit {limit:?})\n{}",
            self.describe()
        );
        self
    }
}

/// The diagnostics of a `check --format json` run (the object's
/// `diagnostics` array), as (code, file, line, column, message).
pub fn diagnostics(json: &serde_json::Value) -> Vec<(String, String, u64, u64, String)> {
    json["diagnostics"]
        .as_array()
        .expect("a JSON array of diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Copies a folder recursively (an example, to edit a copy in a test).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}
