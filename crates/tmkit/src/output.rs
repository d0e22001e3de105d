//! Where results go: stdout, or a file written atomically.
//!
//! Every output of tmkit is written through [`write_output`] (one result)
//! or [`write_tree`] (the files of an import; a site's pages go through
//! [`create_output_dir`] and [`write_atomic`]). Both keep the same
//! guarantees:
//!
//! - a file is written to a temporary file beside it (`.tmkit-*`), synced,
//!   then renamed over the target, so a reader never sees a half-written
//!   file and a failure leaves the old one intact;
//! - only a new path or an existing regular file is written: a FIFO, a
//!   device such as `/dev/null`, a socket, a directory or a symbolic link
//!   (which could point anywhere) is refused and left untouched;
//! - an existing file keeps its permissions; a new one gets 0644;
//! - the temporary files are removed on error, and on SIGINT/SIGTERM by
//!   [`clean_up_on_signals`];
//! - `-` (or no path) is stdout.
//!
//! The result is produced by a closure that writes into a buffered
//! [`io::Write`], so an output can be streamed as it is produced instead of
//! being held whole in memory.

use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use tmkit_syntax::Files;
use tmkit_syntax::fs::{check_regular, kind_name, not_regular};

/// An output that could not be written, with a message for the user.
#[derive(Debug)]
pub struct OutputError(String);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutputError {}

/// Writes the output that `produce` makes to `out`: stdout when `out` is
/// None or `-`, else the file, atomically (see the module). Refuses to write
/// over a file the model was read from (`sources`).
pub fn write_output(
    out: Option<&Path>,
    sources: &Files,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
        let mut stdout = BufWriter::new(io::stdout().lock());
        return produce(&mut stdout)
            .and_then(|()| stdout.flush())
            .map_err(|e| OutputError(format!("cannot write to stdout: {e}")));
    };
    if let Ok(target) = std::fs::canonicalize(out) {
        if sources.iter().any(|(_, f)| f.path == target) {
            return Err(OutputError(format!(
                "refusing to write over the model file {}",
                out.display()
            )));
        }
    }
    write_atomic(out, produce).map_err(|e| match not_regular(&e) {
        Some(n) => OutputError(format!(
            "refusing to write {}: {n}; give a new or regular file, or `-o -` for stdout",
            out.display()
        )),
        None => OutputError(format!("cannot write {}: {e}", out.display())),
    })
}

/// Writes the edited text of a model file (`suggest --apply`, `sync
/// --apply`): refused when the file is no longer `before` on disk (an
/// editor saved it meanwhile), otherwise written atomically. Read through
/// the syntax crate's file system, so the same rules apply as when it was
/// loaded.
pub fn write_model_edit(path: &Path, before: &str, after: &str) -> io::Result<()> {
    use tmkit_syntax::fs::FileSystem;
    let limit = u64::try_from(before.len()).unwrap_or(u64::MAX);
    let changed = match tmkit_syntax::fs::RealFs.read(path, limit) {
        Ok(now) => now != before.as_bytes(),
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => true,
        Err(e) => return Err(e),
    };
    if changed {
        return Err(io::Error::other(
            "it changed on disk since it was read; run the command again",
        ));
    }
    write_atomic(path, |w| w.write_all(after.as_bytes()))
}

/// Writes what `produce` makes to `path` atomically: see the module for the
/// guarantees. Anything but a new path or a regular file is refused with a
/// [`NotRegularFile`](tmkit_syntax::fs::NotRegularFile) error.
pub fn write_atomic(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            check_regular(&meta)?;
            Some(meta)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmkit-")
        .tempfile_in(dir)?;
    let _pending = Pending::new(tmp.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = existing
            .map(|m| m.permissions())
            .unwrap_or_else(|| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms)?;
    }
    #[cfg(not(unix))]
    let _ = existing;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        produce(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    test_hold();
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a tree of files under `dir` (created if missing), each atomically.
/// The paths are relative, with `/` separators, and may not leave `dir`.
/// Nothing is written unless every file can be: no symbolic link (which
/// could lead outside `dir`) and nothing but a directory on the way, nothing
/// but a regular file at the end; and, without `force`, no file that exists.
pub fn write_tree(dir: &Path, files: &[(&str, &[u8])], force: bool) -> io::Result<Vec<PathBuf>> {
    let mut targets = Vec::new();
    for (rel, _) in files {
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output directory: {rel}"),
            ));
        }
        targets.push(dir.join(rel));
    }
    for ((rel, _), target) in files.iter().zip(&targets) {
        let mut at = dir.to_path_buf();
        for c in Path::new(rel)
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
    for ((_, contents), target) in files.iter().zip(&targets) {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        write_atomic(target, |w| w.write_all(contents))?;
    }
    Ok(targets)
}

/// Makes `dir` a directory to write files into (`tmkit portfolio`):
/// created with its parents if missing; anything but a real directory (a
/// symbolic link, which could lead anywhere, a file, a FIFO) is refused.
pub fn create_output_dir(dir: &Path) -> io::Result<()> {
    refuse_unless(dir, std::fs::FileType::is_dir)?;
    std::fs::create_dir_all(dir)
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
                kind_name(m.file_type())
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Temporary files being written, for [`remove_pending_temp_files`].
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Keeps a temporary file's path in [`PENDING`] while it exists.
struct Pending(PathBuf);

impl Pending {
    fn new(path: &Path) -> Pending {
        let mut list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        list.push(path.to_path_buf());
        Pending(path.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|p| p != &self.0);
    }
}

/// Removes every temporary file that [`write_atomic`] is writing, and keeps
/// new ones from being registered until the process exits: for a signal
/// handler that then ends the process, which would otherwise leave them behind.
pub fn remove_pending_temp_files() {
    let list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
    // The lock is held on purpose: the process is about to exit.
    std::mem::forget(list);
}

/// On SIGINT or SIGTERM, removes the temporary files of outputs being
/// written, then exits with 128 + the signal's number (130, 143) as a shell
/// does. Without it, an interrupted `-o` would leave `.tmkit-*` files behind.
pub fn clean_up_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_pending_temp_files();
                std::process::exit(128 + signal);
            }
        });
    }
}

/// In debug builds only, `TMKIT_TEST_HOLD_OUTPUT_MS` holds a written
/// temporary file that long before the rename, so that tests can interrupt
/// the process while it exists.
fn test_hold() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("TMKIT_TEST_HOLD_OUTPUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmkit_syntax::fs::NotRegularFile;

    fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
        write_atomic(path, |w| w.write_all(bytes))
    }

    #[test]
    fn a_model_edit_is_refused_when_the_file_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("threatmodel.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        write_model_edit(&path, "a: 1\n", "a: 1\nb: 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 1\nb: 2\n");
        // Saved by an editor meanwhile (longer, then same length): kept.
        for saved in ["a: 1\nb: 2\nc: 3\n", "a: 9\nb: 2\n"] {
            std::fs::write(&path, saved).unwrap();
            let e = write_model_edit(&path, "a: 1\nb: 2\n", "x: 0\n").unwrap_err();
            assert!(e.to_string().contains("changed on disk"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);
        }
    }

    #[test]
    fn write_atomic_replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_bytes(&path, b"first").expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o644, "a new file is readable by others");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            write_bytes(&path, b"second").expect("writes again");
            assert_eq!(mode(&path), 0o600, "an existing file keeps its mode");
        }
        assert_eq!(std::fs::read(&path).expect("reads"), b"second");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("lists").count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_failing_producer_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_bytes(&path, b"old").expect("writes");
        let err = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("renderer failed"))
        })
        .expect_err("fails");
        assert_eq!(err.to_string(), "renderer failed");
        assert_eq!(std::fs::read(&path).expect("reads"), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("pipe");
        tmkit_testtools::mkfifo(&fifo);
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).expect("symlink");
        for (path, kind) in [
            (&fifo, "a FIFO (named pipe)"),
            (&sub, "a directory"),
            (&link, "a symbolic link"),
        ] {
            let err = write_bytes(path, b"x").expect_err("refused");
            assert_eq!(not_regular(&err), Some(NotRegularFile { kind }), "{err}");
        }
        use std::os::unix::fs::FileTypeExt;
        let meta = std::fs::symlink_metadata(&fifo).expect("still there");
        assert!(meta.file_type().is_fifo(), "the FIFO was not replaced");
        assert!(sub.is_dir());
        assert!(std::fs::symlink_metadata(&link).expect("link").is_symlink());
        assert!(
            !dir.path().join("elsewhere").exists(),
            "the link's target was not created"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("lists")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
        // /dev/null stays the character device it is.
        let err = write_bytes(Path::new("/dev/null"), b"x").expect_err("refused");
        assert_eq!(
            not_regular(&err).map(|n| n.kind),
            Some("a character device")
        );
        let meta = std::fs::symlink_metadata("/dev/null").expect("exists");
        assert!(meta.file_type().is_char_device());
    }

    fn tree<'a>(path: &'a str, text: &'a str) -> [(&'a str, &'a [u8]); 1] {
        [(path, text.as_bytes())]
    }

    #[test]
    fn a_tree_never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), &tree("a/threatmodel.yaml", "one\n"), false).unwrap();
        let err = write_tree(dir.path(), &tree("a/threatmodel.yaml", "two\n"), false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let target = dir.path().join("a/threatmodel.yaml");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one\n");
        write_tree(dir.path(), &tree("a/threatmodel.yaml", "two\n"), true).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "two\n");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_tree_is_never_written_through_a_symlink() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("a")).unwrap();
        let err = write_tree(dir.path(), &tree("a/threatmodel.yaml", "x\n"), true).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        std::os::unix::fs::symlink(outside.path().join("t.yaml"), dir.path().join("t.yaml"))
            .unwrap();
        let err = write_tree(dir.path(), &tree("t.yaml", "x\n"), true).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_tree_refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_tree(dir.path(), &tree("../x.yaml", "x"), true).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
