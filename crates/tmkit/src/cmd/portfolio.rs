//! `tmkit portfolio`: many models (folders, files or JSON reports) on one
//! static site; the work is in [`tmkit::portfolio`].

use super::report::{ViewArg, date_or_epoch, parse_date};
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit::portfolio::{InputError, PortfolioOptions, arrange, read_input, write_site};
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::node::Limits;

/// Arguments of `tmkit portfolio`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Models (a directory holding threatmodel.yaml, or a model file) or
    /// JSON reports of models (`tmkit report --format json`), in any mix.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The site's directory: created if missing; its index.html and
    /// models/*.html are replaced (regular files only, never through a
    /// symbolic link).
    #[arg(short = 'o', long = "output", value_name = "DIR", required = true)]
    pub output: PathBuf,
    /// Which extraction to render from model inputs (JSON reports keep the
    /// view they were made with).
    #[arg(long, value_enum, default_value_t = ViewArg::Full)]
    pub view: ViewArg,
    /// Date printed on the index and on the reports rendered from models
    /// (YYYY-MM-DD). Default: none, or the date of SOURCE_DATE_EPOCH.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<String>,
}

/// Runs the command: reads every input (reporting every one that fails),
/// then writes the site only if all of them were read.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    if args.output.as_os_str() == "-" {
        eprintln!("error: portfolio writes a site into a directory: give one with -o DIR");
        return ExitStatus::UsageOrIo;
    }
    let mut options = PortfolioOptions::new();
    options.view = args.view.kind();
    options.date = date_or_epoch(args.date);
    options.limits = *limits;
    let mut inputs = Vec::new();
    let mut failed = false;
    for path in &args.inputs {
        match read_input(path, &options) {
            Ok(input) => inputs.push(input),
            Err(InputError::Model(checked)) => {
                failed = true;
                eprint!(
                    "{}",
                    render_human(&checked.diagnostics, &checked.files, super::stderr_color())
                );
                eprintln_escaped!("error: {}: not a valid model", path.display());
            }
            Err(InputError::Report(why)) => {
                failed = true;
                eprintln_escaped!("error: {}: {why}", path.display());
            }
        }
    }
    if failed {
        return ExitStatus::InvalidModel;
    }
    match write_site(&args.output, &arrange(inputs), options.date.as_deref()) {
        Ok(_) => ExitStatus::Ok,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            ExitStatus::UsageOrIo
        }
    }
}
