//! One module per command, plus what they share: finding and loading the
//! model, printing diagnostics, and writing outputs atomically.

/// `eprintln!` for every message of the CLI: the line may quote user text
/// (titles, paths, values), so it goes through
/// [`escape_controls`](tmkit_syntax::text::escape_controls) and no control
/// character of the input reaches the terminal.
macro_rules! eprintln_escaped {
    ($($arg:tt)*) => {
        eprintln!("{}", tmkit_syntax::text::escape_controls(&format!($($arg)*)))
    };
}

pub mod check;
pub mod diagram;
pub mod export;
pub mod import;
pub mod init;
pub mod matrix;
pub mod metrics;
pub mod report;
pub mod schema;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tmkit_model::Checked;
use tmkit_syntax::Files;
use tmkit_syntax::diagnostic::{Code, Diagnostic, render_human};
use tmkit_syntax::fs::not_regular;

/// Exit code: everything fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: valid model, but a policy gate failed.
pub const EXIT_GATE: u8 = 1;
/// Exit code: invalid model, unreadable input or usage error.
pub const EXIT_INVALID: u8 = 2;

/// Resolves the PATH argument: a file, a directory holding threatmodel.yaml,
/// or (when absent) threatmodel.yaml found by walking up from the current directory.
pub fn model_path(path: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    match path {
        Some(p) => Ok(p.to_path_buf()),
        None => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            tmkit_syntax::load::find_root(&cwd).ok_or_else(|| {
                Diagnostic::new(
                    Code::NoModelFound,
                    format!("no threatmodel.yaml in {} or any directory above it", cwd.display()),
                )
                .help("give the model's path (`tmkit check path/to/threatmodel.yaml`) or create one with `tmkit init`")
            })
        }
    }
}

static LIMITS: std::sync::OnceLock<tmkit_syntax::node::Limits> = std::sync::OnceLock::new();

/// Sets the limits of this run (from `--limit`; once, before any command).
pub fn set_limits(limits: tmkit_syntax::node::Limits) {
    let _ = LIMITS.set(limits);
}

/// Loads and checks the model at `path` within the limits of this run.
pub fn check_path(path: &Path) -> Checked {
    check_path_with(path, |_| {})
}

/// [`check_path`] with the limits of this run adjusted by `adjust` (a
/// command's own option, such as `check --max-diagnostics`).
pub fn check_path_with(
    path: &Path,
    adjust: impl FnOnce(&mut tmkit_syntax::node::Limits),
) -> Checked {
    let mut limits = LIMITS.get().copied().unwrap_or_default();
    adjust(&mut limits);
    tmkit_model::check_with(&tmkit_syntax::fs::RealFs, path, &limits)
}

/// True when colour should be used on stderr.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Loads and checks the model; on errors prints them and returns the exit code.
/// (Used by every command that reads a model besides `check`.)
pub fn load_valid(path: Option<&Path>) -> Result<(tmkit_model::Model, Checked), u8> {
    let path = match model_path(path) {
        Ok(p) => p,
        Err(d) => {
            eprint!(
                "{}",
                render_human(&vec![d].into(), &Files::new(), stderr_color())
            );
            return Err(EXIT_INVALID);
        }
    };
    let mut checked = check_path(&path);
    // The model moves out of `checked` (no copy: it can be large).
    match checked.model.take() {
        Some(m) => Ok((m, checked)),
        None => {
            eprint!(
                "{}",
                render_human(&checked.diagnostics, &checked.files, stderr_color())
            );
            Err(EXIT_INVALID)
        }
    }
}

/// Writes `bytes` to `out` atomically (see [`tmkit_syntax::fs::write_atomic`]:
/// a new path or a regular file only), or to stdout when `out` is None or
/// `-`. Refuses to write over a file the model was read from.
pub fn write_output(out: Option<&Path>, bytes: &[u8], sources: &Files) -> Result<(), String> {
    write_output_with(out, sources, |w| w.write_all(bytes))
}

/// [`write_output`], the content written by `write` as it is produced
/// (buffered), so that a large output is never held in memory.
pub fn write_output_with(
    out: Option<&Path>,
    sources: &Files,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
        let mut stdout = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
        return write(&mut stdout)
            .and_then(|_| stdout.flush())
            .map_err(|e| format!("cannot write to stdout: {e}"));
    };
    if let Ok(target) = std::fs::canonicalize(out) {
        if sources.iter().any(|(_, f)| f.path == target) {
            return Err(format!(
                "refusing to write over the model file {}",
                out.display()
            ));
        }
    }
    tmkit_syntax::fs::write_atomic_with(out, write).map_err(|e| match not_regular(&e) {
        Some(n) => format!(
            "refusing to write {}: {n}; give a new or regular file, or `-o -` for stdout",
            out.display()
        ),
        None => format!("cannot write {}: {e}", out.display()),
    })
}

/// On SIGINT or SIGTERM, removes the temporary files of outputs being
/// written, then exits with 128 + the signal's number (130, 143) as a shell
/// does. Without it, an interrupted `-o` would leave `.tmkit-*` files behind.
pub fn clean_up_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                tmkit_syntax::fs::remove_pending_temp_files();
                std::process::exit(128 + signal);
            }
        });
    }
}
