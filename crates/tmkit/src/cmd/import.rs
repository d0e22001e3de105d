//! `tmkit import`: other tools' threat models into tmkit's format.

use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit::progress::{Progress, ProgressFs};
use tmkit::text::count;
use tmkit_interop::{
    ImportError, ImportOutput, detect, otm, pytm, threagile, threat_dragon, tm7, tmyaml,
};
use tmkit_syntax::diagnostic::{Code, render_human};
use tmkit_syntax::fs::RealFs;

/// Arguments of `tmkit import`: a format and its input, or only the input
/// (`tmkit import FILE -o DIR`: the format is recognised by content).
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub source: Option<Source>,
    #[command(flatten)]
    pub detect: Option<Target>,
}

/// The format imported from.
#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// An Open Threat Model 0.2.0 document (JSON or YAML).
    Otm(Target),
    /// A tmyaml tree: the root `<Name>/<Name>.yaml` (or its directory) and its children.
    Tmyaml(Target),
    /// An OWASP Threat Dragon model (JSON, version 2 or 1), or a TM-BOM document.
    ThreatDragon(Target),
    /// A Microsoft Threat Modeling Tool file (`.tm7`, XML, or a ZIP archive holding it).
    Tm7(Target),
    /// A Threagile model (YAML).
    Threagile(Target),
    /// The JSON that a pytm model prints with `--json`.
    Pytm(Target),
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
pub fn run(args: Args) -> ExitStatus {
    let progress = Progress::stderr();
    progress.step("importing: reading and converting");
    let (target, result) = match (&args.source, &args.detect) {
        (Some(source), _) => import_as(source, &progress),
        (None, Some(t)) => {
            let result = detect::import_file(&ProgressFs::new(RealFs, &progress), &t.input);
            if let Ok((format, _)) = &result {
                progress.finish();
                eprintln_escaped!("{}: recognised as {}", t.input.display(), format.describe());
            }
            (t, result.map(|(_, out)| out))
        }
        (None, None) => {
            eprintln!(
                "error: name the file to import: `tmkit import FILE -o DIR` or `tmkit import FORMAT FILE -o DIR`"
            );
            return ExitStatus::UsageOrIo;
        }
    };
    progress.finish();
    finish(target, result)
}

/// Runs the importer of `source`.
fn import_as<'a>(
    source: &'a Source,
    progress: &Progress,
) -> (&'a Target, Result<ImportOutput, ImportError>) {
    match source {
        Source::Otm(t) => (
            t,
            otm::import_file(&ProgressFs::new(RealFs, progress), &t.input),
        ),
        Source::Tmyaml(t) => (
            t,
            tmyaml::import_from(&ProgressFs::new(RealFs, progress), &t.input),
        ),
        Source::ThreatDragon(t) => (
            t,
            threat_dragon::import_file(&ProgressFs::new(RealFs, progress), &t.input),
        ),
        Source::Tm7(t) => (
            t,
            tm7::import_file(&ProgressFs::new(RealFs, progress), &t.input),
        ),
        Source::Threagile(t) => (
            t,
            threagile::import_file(&ProgressFs::new(RealFs, progress), &t.input),
        ),
        Source::Pytm(t) => (
            t,
            pytm::import_file(&ProgressFs::new(RealFs, progress), &t.input),
        ),
    }
}

/// Checks the import and writes it.
fn finish(target: &Target, result: Result<ImportOutput, ImportError>) -> ExitStatus {
    let progress = Progress::stderr();
    let out = match result {
        Ok(o) => o,
        Err(e) => {
            match e.code {
                Some(code) => eprintln_escaped!("error[{}]: {e}", code.as_str()),
                None => eprintln_escaped!("error: {e}"),
            }
            return ExitStatus::InvalidModel;
        }
    };
    for w in &out.warnings {
        eprintln_escaped!("warning: {w}");
    }
    // The result must be a valid model: check it as any other, in memory,
    // and write nothing unless it passes.
    progress.step("importing: checking the result");
    let checked = out.check();
    progress.finish();
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
        return ExitStatus::InvalidModel;
    }
    progress.step(&format!(
        "importing: writing {}",
        count(out.files.len(), "file")
    ));
    let files: Vec<(&str, &[u8])> = out
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_bytes()))
        .collect();
    let written = tmkit::output::write_tree(&target.output, &files, target.force);
    progress.finish();
    if let Err(e) = written {
        eprintln_escaped!("error: {e}");
        return ExitStatus::UsageOrIo;
    }
    eprintln_escaped!(
        "imported {}, {}, {} into {}",
        count(out.files.len(), "file"),
        checked.model.as_ref().map_or_else(String::new, summary),
        count(out.warnings.len(), "warning"),
        target.output.join("threatmodel.yaml").display()
    );
    ExitStatus::Ok
}

/// What was imported, counted as `tmkit metrics` counts it on the result.
fn summary(model: &tmkit_model::Model) -> String {
    let m = tmkit_analysis::Analysis::new(model).metrics(model, 0);
    let t = &m.threats;
    format!(
        "{} ({} mitigated, {} accepted, {} partial, {} unmitigated)",
        count(t.total, "threat"),
        t.mitigated,
        t.accepted,
        t.partial,
        t.unmitigated
    )
}
