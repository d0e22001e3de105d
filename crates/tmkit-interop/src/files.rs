//! What importers produce: files to write, warnings, and errors with places.

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};
use tmkit_syntax::Code;

/// One file an importer wants written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    /// Contents (UTF-8 text).
    pub contents: String,
}

/// Something an importer could not carry over exactly, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// The source file (as given to the importer).
    pub file: String,
    /// 1-based line in that file (None when not tied to a line).
    pub line: Option<u32>,
    /// What happened.
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why an import failed: malformed input, with file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The diagnostic code, for failures that the loader reports too
    /// (unreadable files, YAML syntax, paths leaving the tree...).
    pub code: Option<Code>,
    /// The source file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    pub(crate) fn at(file: &str, line: u32, message: impl Into<String>) -> Self {
        ImportError {
            code: None,
            file: file.to_string(),
            line: (line > 0).then_some(line),
            column: None,
            message: message.into(),
        }
    }

    pub(crate) fn coded(
        code: Code,
        file: &str,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Self {
        ImportError {
            code: Some(code),
            file: file.to_string(),
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// The result of an import: a tree of tmkit model files, and warnings about
/// everything that could not be mapped exactly.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ImportOutput {
    /// Files to write; the first is the root model (`threatmodel.yaml`).
    pub files: Vec<OutputFile>,
    /// Warnings, in source order.
    pub warnings: Vec<ImportWarning>,
    /// Every imported threat, with what the source says of its status.
    pub threats: Vec<ImportedThreat>,
}

/// A threat as the source format saw it, for checking an import's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedThreat {
    /// Qualified id in the imported model.
    pub qid: String,
    /// Whether the source (read conservatively) considers it mitigated.
    pub mitigated_in_source: bool,
}

impl ImportOutput {
    /// Writes every file under `dir` (created if missing). Without `force`,
    /// nothing is written when any of the files already exists. Each file is
    /// written to a temporary file beside it, then renamed over the target,
    /// so a reader never sees a half-written file.
    pub fn write_to(&self, dir: &Path, force: bool) -> io::Result<Vec<PathBuf>> {
        let mut targets = Vec::new();
        for f in &self.files {
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
        for (f, target) in self.files.iter().zip(&targets) {
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
        for (f, target) in self.files.iter().zip(&targets) {
            write_atomically(target, f.contents.as_bytes())?;
        }
        Ok(targets)
    }
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

/// Creates the parent directory, then writes atomically (see
/// [`tmkit_syntax::fs::write_atomic`]).
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    tmkit_syntax::fs::write_atomic(path, contents)
}

impl ImportOutput {
    /// Checks the files as `tmkit check` would, in memory, before anything
    /// is written.
    pub fn check(&self) -> tmkit_model::Checked {
        let files: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_str()))
            .collect();
        let root = self
            .files
            .first()
            .map_or("threatmodel.yaml", |f| f.path.as_str());
        tmkit_model::check_files(&files, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &str, text: &str) -> ImportOutput {
        ImportOutput {
            files: vec![OutputFile {
                path: path.into(),
                contents: text.into(),
            }],
            warnings: vec![],
            threats: vec![],
        }
    }

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        out("a/threatmodel.yaml", "one\n")
            .write_to(dir.path(), false)
            .unwrap();
        let err = out("a/threatmodel.yaml", "two\n")
            .write_to(dir.path(), false)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let target = dir.path().join("a/threatmodel.yaml");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one\n");
        out("a/threatmodel.yaml", "two\n")
            .write_to(dir.path(), true)
            .unwrap();
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
        let err = out("a/threatmodel.yaml", "x\n")
            .write_to(dir.path(), true)
            .unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        std::os::unix::fs::symlink(outside.path().join("t.yaml"), dir.path().join("t.yaml"))
            .unwrap();
        let err = out("t.yaml", "x\n").write_to(dir.path(), true).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let err = out("../x.yaml", "x")
            .write_to(dir.path(), true)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
