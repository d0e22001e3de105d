//! # tmkit: threat models as code
//!
//! The library facade over the stage crates, the one entry point that the
//! `tmkit` command line (and any other front end) calls:
//!
//! ```text
//! files --tmkit_syntax--> tree --tmkit_model--> Model --tmkit_analysis--> Analysis
//!                                                             |
//!                                     tmkit_render / tmkit_interop (formats)
//! ```
//!
//! - [`check()`]: load, resolve and check a model, run *every* rule (the
//!   model's and the analysis' own, such as W0401 for unanswered
//!   trust-boundary crossings) and evaluate the gates (`--fail-on`, `--deny
//!   warnings`); the [`Outcome`] carries the diagnostics, the model, its
//!   analysis, the gate results and the [`ExitStatus`] they imply.
//! - [`diff()`]: a model at two git revisions or in two folders, each side
//!   checked like [`check()`] does, compared into a posture diff.
//! - [`history()`]: the model's numbers at each commit that changed it.
//! - [`load`]: load and check only, for commands that render a valid model.
//! - [`locate()`]: the root model that includes a component file, found by
//!   walking up the directories (both `check` and `load` start there).
//! - [`lsp`]: the language server of `tmkit lsp` (LSP over stdio).
//! - [`output`]: where results go: stdout or a file written atomically,
//!   never over anything but a regular file.
//! - [`portfolio`]: many models (or their JSON reports) on one static site.
//! - [`progress`]: progress lines on stderr for long work, on a terminal only.
//! - [`serve`]: the live preview of `tmkit serve` (HTTP on 127.0.0.1).
//! - [`text`]: the wording shared by every message (counts and plurals).

#![warn(missing_docs)]

mod check;
mod diff;
pub mod evidence;
mod history;
pub mod locate;
pub mod lsp;
pub mod output;
pub mod portfolio;
pub mod progress;
pub mod serve;
pub mod suggest;
pub mod sync;
pub mod text;

pub use check::{
    CheckOptions, GateResult, GateViolation, Outcome, check, check_with, find_model, load,
};
pub use diff::{DiffError, DiffOptions, DiffOutcome, DiffSource, SideError, diff, diff_schema};
pub use history::{history, history_schema};
pub use locate::{Focus, Located, locate};
/// A `--fail-on` policy (parse one with `"unmitigated:high".parse()`).
pub use tmkit_analysis::gate::Policy;
pub use tmkit_analysis::history::{History, HistoryRow};
/// The hard limits of loading (sizes, depths, counts).
pub use tmkit_syntax::node::Limits;

/// What a run means for the shell: the process exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ExitStatus {
    /// 0: everything fine (warnings allowed unless denied).
    #[default]
    Ok,
    /// 1: the model is valid, but a gate failed (`--fail-on`, `--deny warnings`).
    GateFailed,
    /// 2: the model is invalid (an error diagnostic, including files that
    /// cannot be read), or an imported model does not check.
    InvalidModel,
    /// 3: a usage error (bad arguments) or an output that cannot be written.
    UsageOrIo,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::GateFailed => 1,
            ExitStatus::InvalidModel => 2,
            ExitStatus::UsageOrIo => 3,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}

/// The exit codes, for `--help` and the README: one line each.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ok (warnings allowed)
  1  a gate failed (--fail-on) or warnings were denied (--deny warnings)
  2  invalid model: errors in the model, or a file of it cannot be read
  3  usage error, or an output that cannot be written";
