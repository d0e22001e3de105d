//! `tmkit import`: other tools' threat models into tmkit's format.

use std::path::PathBuf;
use tmkit_interop::{otm, tmyaml};
use tmkit_syntax::diagnostic::{Code, render_human};
use tmkit_syntax::fs::RealFs;

/// Arguments of `tmkit import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

/// The format imported from.
#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// An Open Threat Model 0.2.0 document (JSON or YAML).
    Otm(Target),
    /// A tmyaml tree: the root `<Name>/<Name>.yaml` (or its directory) and its children.
    Tmyaml(Target),
}

/// Input and output of an import.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The file (or, for tmyaml, the directory) to import.
    pub input: PathBuf,
    /// Directory to write the tmkit model into (root file `threatmodel.yaml`).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub fn run(args: Args) -> u8 {
    let (target, result) = match &args.source {
        Source::Otm(t) => (t, otm::import_file(&RealFs, &t.input)),
        Source::Tmyaml(t) => (t, tmyaml::import_path(&t.input)),
    };
    let out = match result {
        Ok(o) => o,
        Err(e) => {
            match e.code {
                Some(code) => eprintln_escaped!("error[{}]: {e}", code.as_str()),
                None => eprintln_escaped!("error: {e}"),
            }
            return super::EXIT_INVALID;
        }
    };
    for w in &out.warnings {
        eprintln_escaped!("warning: {w}");
    }
    // The result must be a valid model: check it as any other, in memory,
    // and write nothing unless it passes.
    let checked = out.check();
    if !checked.diagnostics.is_empty() {
        eprint!(
            "{}",
            render_human(&checked.diagnostics, &checked.files, super::stderr_color())
        );
    }
    if checked.has_errors() {
        eprintln_escaped!(
            "error[{}]: the model imported from {} does not check; nothing was written",
            Code::ImportInvalid.as_str(),
            target.input.display()
        );
        return super::EXIT_INVALID;
    }
    if let Err(e) = out.write_to(&target.output, target.force) {
        eprintln_escaped!("error: {e}");
        return super::EXIT_INVALID;
    }
    let open = out
        .threats
        .iter()
        .filter(|t| !t.mitigated_in_source)
        .count();
    eprintln_escaped!(
        "imported {} file(s), {} threat(s) ({} not mitigated), {} warning(s) into {}",
        out.files.len(),
        out.threats.len(),
        open,
        out.warnings.len(),
        target.output.join("threatmodel.yaml").display()
    );
    super::EXIT_OK
}
