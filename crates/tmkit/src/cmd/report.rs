//! `tmkit report`: the extractions of a model (full, unmitigated, public,
//! checklist, compliance) as Markdown, self-contained HTML, JSON or PDF.

use super::OutputArg;
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_render::report::{ReportFormat, ReportOptions, check_date, date_from_epoch};
use tmkit_syntax::node::Limits;

/// Which extraction.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ViewArg {
    /// Everything (confidential).
    Full,
    /// Every threat not mitigated, worst first (confidential: "the jewels").
    Unmitigated,
    /// The non-confidential, distributable version.
    Public,
    /// Requirements and assumptions as a review task list.
    Checklist,
    /// Each requirement traced to its threats and mitigations, with its status (confidential).
    Compliance,
}

impl ViewArg {
    /// The extraction it names.
    pub fn kind(self) -> ViewKind {
        match self {
            ViewArg::Full => ViewKind::Full,
            ViewArg::Unmitigated => ViewKind::Unmitigated,
            ViewArg::Public => ViewKind::Public,
            ViewArg::Checklist => ViewKind::Checklist,
            ViewArg::Compliance => ViewKind::Compliance,
        }
    }
}

/// `--date`, else the date of SOURCE_DATE_EPOCH when it is set, else none.
pub fn date_or_epoch(date: Option<String>) -> Option<String> {
    date.or_else(|| {
        std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|e| date_from_epoch(&e))
    })
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    /// GitHub-flavoured Markdown.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML file (no network request, strict CSP).
    Html,
    /// The resolved model and every derived value (schema: `tmkit schema report`).
    Json,
    /// A PDF document written by tmkit itself (cover, contents, bookmarks,
    /// the diagram as vector graphics); needs `-o FILE` or a redirected stdout.
    Pdf,
}

/// Arguments of `tmkit report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Which extraction.
    #[arg(long, value_enum, default_value_t = ViewArg::Full)]
    pub view: ViewArg,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = FormatArg::Md)]
    pub format: FormatArg,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub component: super::ComponentArg,
    /// Date printed on the report (YYYY-MM-DD), and "today" for the days
    /// left of the acceptance register and the expired / expiring / overdue
    /// counts. Default: the date of SOURCE_DATE_EPOCH when it is set, else
    /// none (no days left, no such counts: reports carry no clock).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<String>,
    #[command(flatten)]
    pub effort: super::effort::EffortArg,
    /// The tickets' states as a tracker last reported them: the JSON of
    /// `tmkit sync TRACKER -f json -o FILE` (repeat for several trackers).
    /// Shows each ticket's state, assignees and due date, and flags overdue
    /// tickets and tickets closed while their element is open. Not in the
    /// public view.
    #[arg(long, value_name = "FILE")]
    pub tickets: Vec<PathBuf>,
}

/// `--date`: a real calendar date, else a usage error (exit code 3).
pub fn parse_date(s: &str) -> Result<String, String> {
    check_date(s).map(|()| s.to_string())
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let date = date_or_epoch(args.date);
    let (model, checked) = match super::load_valid(args.path.as_deref(), limits, &args.component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let kind = args.view.kind();
    let format = match args.format {
        FormatArg::Md => Some(ReportFormat::Markdown),
        FormatArg::Html => Some(ReportFormat::Html),
        FormatArg::Json => Some(ReportFormat::Json),
        FormatArg::Pdf => None,
    };
    if format.is_none() && args.output.path().is_none() && std::io::stdout().is_terminal() {
        eprintln!("error: a PDF is binary: write it with -o FILE (or redirect stdout)");
        return ExitStatus::UsageOrIo;
    }
    // The view takes the model (a report holds one copy of it) and leaves
    // the matrix tables to be computed one at a time as they are written;
    // the report is written as it is produced.
    // Days left in the acceptance register count from the report's date;
    // without one the report shows none (it never reads the clock).
    let mut view = View::without_matrix(model, kind);
    (view.metrics).set_minutes_per_question(args.effort.minutes_per_question);
    let mut view = view.dated_on(date.as_deref());
    if !args.tickets.is_empty() {
        match read_tickets(&args.tickets, limits) {
            Ok(states) => view = view.with_tickets(states),
            Err(status) => return status,
        }
    }
    let options = ReportOptions::new().with_date(date);
    super::write(&args.output, &checked.files, |w| match format {
        Some(format) => tmkit_render::report::write(&view, format, &options, w),
        None => tmkit_render::pdf::write(&view, &options, w),
    })
}

/// Reads `--tickets` files (regular files, within the total-bytes limit).
fn read_tickets(
    paths: &[PathBuf],
    limits: &Limits,
) -> Result<Vec<tmkit_analysis::views::TicketState>, ExitStatus> {
    use tmkit_syntax::fs::FileSystem;
    let mut states = Vec::new();
    for p in paths {
        let read = tmkit_syntax::fs::RealFs
            .read(p, limits.max_total_bytes)
            .map_err(|e| e.to_string())
            .and_then(|bytes| tmkit_sync::state::ticket_states(&bytes));
        match read {
            Ok(s) => states.extend(s),
            Err(e) => {
                eprintln_escaped!("error: --tickets {}: {e}", p.display());
                return Err(ExitStatus::UsageOrIo);
            }
        }
    }
    Ok(states)
}
