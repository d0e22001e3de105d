//! `tmkit serve`: the live preview of the report and the diagram on
//! 127.0.0.1, rebuilt when a file of the model changes.

use super::report::ViewArg;
use std::io::IsTerminal;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit::serve::{ServeOptions, serve};
use tmkit_syntax::node::Limits;

/// Arguments of `tmkit serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// The port on 127.0.0.1 (only that address is ever bound); 0 picks a free port.
    #[arg(long, default_value_t = 7410)]
    pub port: u16,
    /// Open the preview in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Which extraction the report shows.
    #[arg(long, value_enum, default_value_t = ViewArg::Full)]
    pub view: ViewArg,
}

/// Runs the server until the process is stopped (Ctrl-C).
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let path = match super::find_model(args.path.as_deref()) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let options = ServeOptions::new(path, args.port)
        .with_view(args.view.kind())
        .with_limits(*limits);
    let open = args.open;
    let result = serve(options, |addr| {
        let url = format!("http://{addr}/");
        // The one line on stdout: where the preview is.
        println!("{url}");
        if std::io::stderr().is_terminal() {
            eprintln!("tmkit serve: watching the model; press Ctrl-C to stop");
        }
        if open {
            if let Err(e) = open::that_detached(&url) {
                eprintln_escaped!("warning: could not open a browser: {e}");
            }
        }
    });
    match result {
        Ok(()) => ExitStatus::Ok,
        Err(e) => {
            eprintln_escaped!("error: tmkit serve: {e}");
            ExitStatus::UsageOrIo
        }
    }
}
