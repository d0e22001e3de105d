//! `tmkit lsp`: the language server, speaking LSP over stdin/stdout.

use tmkit::ExitStatus;
use tmkit_syntax::node::Limits;

/// Arguments of `tmkit lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the editor sends `exit` (or closes stdin).
pub fn run(_args: Args, limits: &Limits) -> ExitStatus {
    match tmkit::lsp::run_stdio(limits) {
        Ok(()) => ExitStatus::Ok,
        Err(e) => {
            eprintln_escaped!("error: tmkit lsp: {e}");
            ExitStatus::UsageOrIo
        }
    }
}
