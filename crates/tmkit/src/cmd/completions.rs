//! `tmkit completions` and `tmkit man`: generated from the same clap
//! definition as the parser, so they never drift from it.

use super::OutputArg;
use tmkit::ExitStatus;

/// Arguments of `tmkit completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `tmkit man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs `tmkit completions`.
pub fn run(args: Args) -> ExitStatus {
    // Generated into memory first: clap_complete panics when its writer
    // fails (a closed pipe), and the script is a few kilobytes.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::cli_command(), "tmkit", &mut script);
    super::write(&args.output, &tmkit_syntax::Files::new(), |w| {
        w.write_all(&script)
    })
}

/// Runs `tmkit man`: the page of `tmkit`, listing every subcommand (whose
/// options `tmkit <command> --help` prints) and the exit codes.
pub fn run_man(args: ManArgs) -> ExitStatus {
    let man = clap_mangen::Man::new(crate::cli_command());
    super::write(&args.output, &tmkit_syntax::Files::new(), |w| man.render(w))
}
