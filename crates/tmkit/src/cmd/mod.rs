//! One module per command, plus what they share: the flags every command
//! spells the same way, loading the model, and writing outputs.

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
pub mod completions;
pub mod diagram;
pub mod diff;
pub mod effort;
pub mod export;
pub mod history;
pub mod import;
pub mod init;
pub mod library;
pub mod lsp;
pub mod matrix;
pub mod metrics;
pub mod portfolio;
pub mod report;
pub mod schema;
pub mod serve;
pub mod suggest;
pub mod sync;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tmkit::ExitStatus;
use tmkit::progress::{Progress, ProgressFs};
use tmkit_analysis::Analysis;
use tmkit_analysis::views;
use tmkit_model::Checked;
use tmkit_syntax::Files;
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::fs::RealFs;
use tmkit_syntax::node::Limits;

/// `-o, --output FILE`: the one spelling of "where to write", flattened
/// into every command that writes a result.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputArg {
    /// Write to this file (atomically: a new or regular file only) instead
    /// of stdout; `-` is stdout.
    #[arg(short = 'o', long = "output", alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArg {
    /// The file to write, None for stdout.
    pub fn path(&self) -> Option<&Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }
}

/// `--date` and `--expiring-within`: the one spelling of "today" and of the
/// window of expiring acceptances, flattened into `check` and `metrics`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CalendarArg {
    /// "Today" for risk acceptances and due dates (YYYY-MM-DD), for
    /// reproducible runs. Default: today's date (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = tmkit_model::Date::parse)]
    pub date: Option<tmkit_model::Date>,
    /// An acceptance expiring within this many days is warned about
    /// (W0504) and counted as expiring: `30d` or `30`. Default: 30 days.
    #[arg(long, value_name = "DAYS", value_parser = tmkit_model::date::parse_days)]
    pub expiring_within: Option<u32>,
}

impl CalendarArg {
    /// `options` with this date and window.
    pub fn apply(&self, mut options: tmkit::CheckOptions) -> tmkit::CheckOptions {
        if let Some(d) = self.date {
            options = options.with_date(d);
        }
        if let Some(d) = self.expiring_within {
            options = options.with_expiring_within(d);
        }
        options
    }

    /// The calendar of the run (as `check` counts it).
    pub fn calendar(&self) -> tmkit_analysis::treatment::Calendar {
        self.apply(tmkit::CheckOptions::new()).calendar()
    }
}

/// `--component ID`: the one spelling of "only this component", flattened
/// into `matrix`, `metrics`, `report` and `diagram`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ComponentArg {
    /// Only this component and its own components: its qualified id
    /// (`SHOP.LOGIN`), or the end of it when that names one component
    /// (`LOGIN`). An unknown id is a usage error listing the components.
    #[arg(long, value_name = "ID")]
    pub component: Option<String>,
}

/// True when colour should be used on stderr.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The model's path ([`tmkit::find_model`]); when there is none, prints why
/// and returns exit status 2.
pub fn find_model(path: Option<&Path>) -> Result<PathBuf, ExitStatus> {
    tmkit::find_model(path).map_err(|d| {
        eprint!(
            "{}",
            render_human(&vec![d].into(), &Files::new(), stderr_color())
        );
        ExitStatus::InvalidModel
    })
}

/// Loads and checks the model (with progress on a terminal); on errors
/// prints them and returns the exit status. (Used by every command that
/// reads a model besides `check`.)
/// With `component`, the model is limited to that component
/// ([`tmkit_analysis::views::component`]); an unknown one is exit status 3.
pub fn load_valid(
    path: Option<&Path>,
    limits: &Limits,
    component: &ComponentArg,
) -> Result<(tmkit_model::Model, Checked), ExitStatus> {
    let path = find_model(path)?;
    let progress = Progress::stderr();
    let mut checked = tmkit::load(&ProgressFs::new(RealFs, &progress), &path, limits);
    progress.finish();
    // The model moves out of `checked` (no copy: it can be large).
    match checked.model.take() {
        Some(m) => match &component.component {
            None => Ok((m, checked)),
            Some(id) => match views::find_component(&m, id) {
                Ok(c) => Ok((views::component(&m, c), checked)),
                Err(e) => {
                    eprintln_escaped!("error: invalid value for '--component <ID>': {e}");
                    Err(ExitStatus::UsageOrIo)
                }
            },
        },
        None => {
            eprint!(
                "{}",
                render_human(&checked.diagnostics, &checked.files, stderr_color())
            );
            Err(ExitStatus::InvalidModel)
        }
    }
}

/// Loads the valid model, analyses it, renders it with `render` and writes
/// the text to `out`: the whole of `matrix`, `metrics` and `export` but
/// their choice of renderer.
pub fn render_analysed(
    path: Option<&Path>,
    limits: &Limits,
    component: &ComponentArg,
    out: &OutputArg,
    render: impl FnOnce(&tmkit_model::Model, &Analysis, &Checked) -> String,
) -> ExitStatus {
    let (model, checked) = match load_valid(path, limits, component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let analysis = Analysis::new(&model);
    let text = render(&model, &analysis, &checked);
    write_text(out, &checked.files, &text)
}

/// Writes what `produce` makes to `out` (see [`tmkit::output::write_output`]);
/// on failure prints why and returns exit status 3.
pub fn write(
    out: &OutputArg,
    sources: &Files,
    produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitStatus {
    match tmkit::output::write_output(out.path(), sources, produce) {
        Ok(()) => ExitStatus::Ok,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            ExitStatus::UsageOrIo
        }
    }
}

/// [`write`] for a result already rendered as text.
pub fn write_text(out: &OutputArg, sources: &Files, text: &str) -> ExitStatus {
    write(out, sources, |w| w.write_all(text.as_bytes()))
}

/// One stderr line per violation of each failed gate (`check` and `diff`).
pub fn print_failed_gates(gates: &[tmkit::GateResult]) {
    for gate in gates.iter().filter(|g| !g.passed) {
        if gate.violations.is_empty() {
            eprintln_escaped!("gate failed [{}]: {}", gate.policy, gate.message);
        }
        for v in &gate.violations {
            eprintln_escaped!("gate failed [{}]: {}", gate.policy, v.message);
        }
    }
}
