//! The one helper for tests that need an external program: Graphviz `dot`,
//! PlantUML, Chromium, poppler's `pdftotext`, or the ajv schema validator;
//! [`mkfifo`], the one way tests make a named pipe; [`fake_github`],
//! [`fake_gitlab`] and [`fake_jira`], local stand-ins for the GitHub, GitLab
//! and Jira (Cloud REST v3, Server REST v2) issues APIs that `tmkit sync`'s
//! tests run against, on the one HTTP/1.1 test server of [`fake_http`].
//!
//! [`require`] finds the program. When it is missing:
//! - with `TMKIT_REQUIRE_TOOLS=1` (set by `.ci/run`), the test **fails**, with
//!   a message naming the program and how to install it;
//! - otherwise the test prints a visible `SKIPPED: ...` line to stderr and
//!   returns early (written past the harness's output capture, so a plain
//!   `cargo test` shows it).
//!
//! ```no_run
//! let Some(dot) = tmkit_testtools::require(&tmkit_testtools::DOT, "dot_accepts") else {
//!     return;
//! };
//! ```

pub mod fake_github;
pub mod fake_gitlab;
pub mod fake_http;
pub mod fake_jira;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that turns a missing program into a failure.
pub const REQUIRE_ENV: &str = "TMKIT_REQUIRE_TOOLS";

/// An external program some tests need.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// What it is, for messages.
    pub name: &'static str,
    /// Names (looked up in `PATH`) or absolute paths, tried in order.
    pub candidates: &'static [&'static str],
    /// How to install it.
    pub install: &'static str,
}

/// Graphviz.
pub const DOT: Tool = Tool {
    name: "Graphviz `dot`",
    candidates: &["dot"],
    install: "apt-get install graphviz (or run .ci/run as root)",
};

/// PlantUML.
pub const PLANTUML: Tool = Tool {
    name: "PlantUML",
    candidates: &["plantuml"],
    install: "apt-get install plantuml (or run .ci/run as root)",
};

/// A headless Chromium (or Chrome).
pub const CHROMIUM: Tool = Tool {
    name: "Chromium",
    candidates: &["chromium", "chromium-browser", "google-chrome"],
    install: "apt-get install chromium fonts-dejavu-core (or run .ci/run as root)",
};

/// Node.js, which runs the ajv schema validator (see [`ajv_validator`]).
/// The `git` program, to build repositories in tests (`tmkit` itself reads
/// git objects without it).
pub const GIT: Tool = Tool {
    name: "git",
    candidates: &["git"],
    install: "apt-get install git (or run .ci/run as root)",
};

pub const NODE: Tool = Tool {
    name: "Node.js `node`",
    candidates: &["node", "nodejs"],
    install: "apt-get install nodejs npm (or run .ci/run as root)",
};

/// Poppler's `pdftotext` (and, from the same package, `pdfinfo` and
/// `pdftohtml`), to read back the PDF report.
pub const PDFTOTEXT: Tool = Tool {
    name: "poppler-utils `pdftotext`",
    candidates: &["pdftotext"],
    install: "apt-get install poppler-utils (or run .ci/run as root)",
};

/// True when `TMKIT_REQUIRE_TOOLS=1`.
pub fn required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| v.trim() == "1")
}

/// The path of `tool`, or None after printing `SKIPPED: ...` (or panicking
/// when [`required`]). `test` names the test for the message.
pub fn require(tool: &Tool, test: &str) -> Option<PathBuf> {
    let found = tool.candidates.iter().find_map(|c| find_program(c));
    found_or_skip(
        tool.name,
        tool.install,
        test,
        found,
        required(),
        &mut std::io::stderr(),
    )
}

/// The ajv validator of `scripts/schema-check/` (`validate.mjs`, with its
/// `node_modules` installed by `npm ci`): returns `(node, script)`, or None
/// after printing `SKIPPED: ...` (or panicking when [`required`]).
pub fn ajv_validator(workspace: &Path, test: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = workspace.join("scripts/schema-check");
    let node = require(&NODE, test)?;
    let ready = dir.join("node_modules/ajv/package.json").is_file()
        && dir.join("node_modules/ajv-formats/package.json").is_file();
    let install = format!("npm ci --prefix {} (or run .ci/run)", dir.display());
    found_or_skip(
        "the ajv schema validator",
        &install,
        test,
        ready.then(|| dir.join("validate.mjs")),
        required(),
        &mut std::io::stderr(),
    )
    .map(|script| (node, script))
}

/// The Mermaid CLI: `$TMKIT_MMDC`, else `scripts/mermaid-cli`'s `mmdc`
/// (installed by `npm ci` there), else `mmdc` on the `PATH`; or None after
/// printing `SKIPPED: ...` (or panicking when [`required`]).
pub fn mermaid_cli(workspace: &Path, test: &str) -> Option<PathBuf> {
    let local = workspace.join("scripts/mermaid-cli/node_modules/.bin/mmdc");
    let found = std::env::var_os("TMKIT_MMDC")
        .map(PathBuf::from)
        .filter(|p| is_executable(p))
        .or_else(|| is_executable(&local).then_some(local))
        .or_else(|| find_program("mmdc"));
    let install = format!(
        "PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix {} (or run .ci/run)",
        workspace.join("scripts/mermaid-cli").display()
    );
    found_or_skip(
        "the Mermaid CLI `mmdc`",
        &install,
        test,
        found,
        required(),
        &mut std::io::stderr(),
    )
}

fn found_or_skip(
    name: &str,
    install: &str,
    test: &str,
    found: Option<PathBuf>,
    required: bool,
    out: &mut dyn Write,
) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    if required {
        panic!(
            "{test}: {name} is required ({REQUIRE_ENV}=1) but not installed; install it: {install}"
        );
    }
    // Written to the process's stderr directly, not with `eprintln!`: the
    // test harness captures `eprintln!` of passing tests, and this line must
    // show in a plain `cargo test`.
    let _ = writeln!(
        out,
        "SKIPPED: {test}: {name} is not installed ({install}; {REQUIRE_ENV}=1 makes this a failure)"
    );
    None
}

/// Makes a FIFO (named pipe) at `path` with the `mkfifo` program, for the
/// tests that check a non-regular file is refused without blocking.
pub fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// `program` as an absolute path (if it contains a `/`) or looked up in
/// `PATH`: the first executable file of that name.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_in_path_and_by_absolute_path() {
        assert!(find_program("sh").is_some());
        assert!(find_program("/bin/sh").is_some());
        assert!(find_program("no-such-program-tmkit").is_none());
        assert!(find_program("/no/such/program").is_none());
    }

    #[test]
    fn a_missing_tool_skips_or_fails() {
        let mut out = Vec::new();
        let sh = find_program("sh");
        assert_eq!(
            found_or_skip("sh", "-", "t", sh.clone(), true, &mut out),
            sh
        );
        assert!(out.is_empty());
        assert_eq!(
            found_or_skip("nothing", "nowhere", "t", None, false, &mut out),
            None
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "SKIPPED: t: nothing is not installed (nowhere; TMKIT_REQUIRE_TOOLS=1 makes this a failure)\n"
        );
        let r = std::panic::catch_unwind(|| {
            found_or_skip("nothing", "nowhere", "t", None, true, &mut Vec::new())
        });
        let msg = r.unwrap_err();
        let msg = msg.downcast_ref::<String>().unwrap();
        assert!(
            msg.contains("nothing is required") && msg.contains("nowhere"),
            "{msg}"
        );
    }
}
