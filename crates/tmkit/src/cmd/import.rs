//! `tmkit import`: other tools' threat models into tmkit's format.

use std::io;
use std::path::{Component, Path, PathBuf};
use tmkit_interop::{OutputFile, otm, tmyaml};
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
        Source::Tmyaml(t) => (t, tmyaml::import_from(&RealFs, &t.input)),
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
    if let Err(e) = write_files(&out.files, &target.output, target.force) {
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

/// Writes every file under `dir` (created if missing). Without `force`,
/// nothing is written when any of the files already exists. Each file is
/// written atomically (see [`tmkit_syntax::fs::write_atomic`]), so a reader
/// never sees a half-written file.
fn write_files(files: &[OutputFile], dir: &Path, force: bool) -> io::Result<Vec<PathBuf>> {
    let mut targets = Vec::new();
    for f in files {
        let rel = Path::new(&f.path);
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output directory: {}", f.path),
            ));
        }
        targets.push(dir.join(rel));
    }
    // Nothing is written unless every target can be: no symbolic link
    // (which could lead outside `dir`) and nothing but a directory on the
    // way, nothing but a regular file at the end.
    for (f, target) in files.iter().zip(&targets) {
        let mut at = dir.to_path_buf();
        for c in Path::new(&f.path)
            .parent()
            .into_iter()
            .flat_map(Path::components)
        {
            at.push(c);
            refuse_unless(&at, std::fs::FileType::is_dir)?;
        }
        refuse_unless(dir, std::fs::FileType::is_dir)?;
        refuse_unless(target, std::fs::FileType::is_file)?;
    }
    if !force {
        if let Some(existing) = targets.iter().find(|t| t.exists()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists (use --force to overwrite)",
                    existing.display()
                ),
            ));
        }
    }
    for (f, target) in files.iter().zip(&targets) {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        tmkit_syntax::fs::write_atomic(target, f.contents.as_bytes())?;
    }
    Ok(targets)
}

/// Fails unless `path` is missing or (not through a symbolic link) of the
/// type `ok` accepts.
fn refuse_unless(path: &Path, ok: fn(&std::fs::FileType) -> bool) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if ok(&m.file_type()) => Ok(()),
        Ok(m) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to write through {}: it is {}",
                path.display(),
                tmkit_syntax::fs::kind_name(m.file_type())
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, text: &str) -> Vec<OutputFile> {
        vec![OutputFile {
            path: path.into(),
            contents: text.into(),
        }]
    }

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        write_files(&one("a/threatmodel.yaml", "one\n"), dir.path(), false).unwrap();
        let err = write_files(&one("a/threatmodel.yaml", "two\n"), dir.path(), false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let target = dir.path().join("a/threatmodel.yaml");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one\n");
        write_files(&one("a/threatmodel.yaml", "two\n"), dir.path(), true).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "two\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_symlink_in_the_output() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("a")).unwrap();
        let err = write_files(&one("a/threatmodel.yaml", "x\n"), dir.path(), true).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        std::os::unix::fs::symlink(outside.path().join("t.yaml"), dir.path().join("t.yaml"))
            .unwrap();
        let err = write_files(&one("t.yaml", "x\n"), dir.path(), true).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_files(&one("../x.yaml", "x"), dir.path(), true).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
