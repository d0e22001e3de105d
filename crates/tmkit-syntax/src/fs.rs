//! File access behind one trait, so tests run in memory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// What the loader needs from a file system.
pub trait FileSystem {
    /// Reads a whole file, refusing files larger than `limit` bytes
    /// (`io::ErrorKind::FileTooLarge`) without reading them.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// Resolves `.`/`..` and symbolic links; fails when the path does not exist.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// True when the path is a directory.
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    /// Reads regular files only: anything else (a FIFO, a device such as
    /// `/dev/zero`, a socket, a directory) is refused before it is read, so
    /// that it can neither block forever nor grow without bound. The kind is
    /// checked on the path, then again on the opened file (opened without
    /// blocking, in case the path changed in between); the size is checked
    /// before reading and enforced while reading.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        check_regular(&std::fs::metadata(path)?)?;
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(path)?;
        let meta = file.metadata()?;
        check_regular(&meta)?;
        if meta.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("{} bytes", meta.len()),
            ));
        }
        let mut buf = Vec::with_capacity(meta.len() as usize);
        // Read at most limit + 1 bytes even if the file grows meanwhile.
        file.take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("more than {limit} bytes"),
            ));
        }
        Ok(buf)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The error of reading (or replacing) something that is not a regular
/// file: carried inside an [`io::Error`] of kind `InvalidInput`, found again
/// with [`not_regular`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotRegularFile {
    /// What it is instead ("a FIFO (named pipe)", "a character device"...).
    pub kind: &'static str,
}

impl std::fmt::Display for NotRegularFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "it is {}, not a regular file", self.kind)
    }
}

impl std::error::Error for NotRegularFile {}

/// What kind of file system object `t` is, in words.
pub fn kind_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Fails with [`NotRegularFile`] unless `meta` is a regular file's.
pub fn check_regular(meta: &std::fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            NotRegularFile {
                kind: kind_name(meta.file_type()),
            },
        ))
    }
}

/// The [`NotRegularFile`] inside `e`, if that is why it failed.
pub fn not_regular(e: &io::Error) -> Option<NotRegularFile> {
    e.get_ref()?.downcast_ref::<NotRegularFile>().copied()
}

/// An in-memory file system for tests: paths are relative to a virtual root `/`.
#[derive(Debug, Clone, Default)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    /// An empty file system.
    pub fn new() -> Self {
        MemoryFs::default()
    }

    /// Adds a file (the path is taken relative to `/`).
    pub fn insert(&mut self, path: &str, contents: impl Into<Vec<u8>>) {
        self.files
            .insert(normalise(&Path::new("/").join(path)), contents.into());
    }
}

/// Resolves `.` and `..` lexically.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let p = normalise(&Path::new("/").join(path));
        match self.files.get(&p) {
            Some(c) if c.len() as u64 > limit => Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("{} bytes", c.len()),
            )),
            Some(c) => Ok(c.clone()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "no such file")),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalise(&Path::new("/").join(path));
        if self.files.contains_key(&p) || self.is_dir(&p) {
            Ok(p)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        let p = normalise(&Path::new("/").join(path));
        self.files.keys().any(|k| k != &p && k.starts_with(&p))
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
/// handler (SIGINT, SIGTERM) that then ends the process, which would
/// otherwise leave them behind.
pub fn remove_pending_temp_files() {
    let list = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
    // The lock is held on purpose: the process is about to exit.
    std::mem::forget(list);
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over the target, so a reader never sees a
/// half-written file and a failure leaves the old one intact. An existing
/// file keeps its permissions; a new one gets the usual 0644 (the temporary
/// file's 0600 would hide a published report from a web server).
///
/// Only a new path or an existing regular file is written. Anything else at
/// the path (a FIFO, a device such as `/dev/null`, a socket, a directory, or
/// a symbolic link, which could point anywhere) is refused with a
/// [`NotRegularFile`] error and left untouched. The temporary file is removed
/// on error, and by [`remove_pending_temp_files`] on a signal.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`], the content written by `write` as it is produced
/// (through a buffer), so that it need not be held in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    use std::io::Write;
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
        let mut buffered = io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    test_hold();
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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

    #[test]
    fn write_atomic_replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"first").expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o644, "a new file is readable by others");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            write_atomic(&path, b"second").expect("writes again");
            assert_eq!(mode(&path), 0o600, "an existing file keeps its mode");
        }
        assert_eq!(std::fs::read(&path).expect("reads"), b"second");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("lists").count(),
            1,
            "no temporary file left"
        );
    }

    /// A FIFO named `pipe` in `dir` (made by the `mkfifo` program).
    #[cfg(unix)]
    fn make_fifo(dir: &Path) -> PathBuf {
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        fifo
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = make_fifo(dir.path());
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).expect("symlink");
        for (path, kind) in [
            (&fifo, "a FIFO (named pipe)"),
            (&sub, "a directory"),
            (&link, "a symbolic link"),
        ] {
            let err = write_atomic(path, b"x").expect_err("refused");
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
        let err = write_atomic(Path::new("/dev/null"), b"x").expect_err("refused");
        assert_eq!(
            not_regular(&err).map(|n| n.kind),
            Some("a character device")
        );
        let meta = std::fs::symlink_metadata("/dev/null").expect("exists");
        assert!(meta.file_type().is_char_device());
    }

    #[cfg(unix)]
    #[test]
    fn read_refuses_fifos_and_devices_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = make_fifo(dir.path());
        let err = RealFs.read(&fifo, 100).expect_err("refused");
        assert_eq!(
            not_regular(&err).map(|n| n.kind),
            Some("a FIFO (named pipe)")
        );
        let err = RealFs
            .read(Path::new("/dev/zero"), 100)
            .expect_err("refused");
        assert_eq!(
            not_regular(&err).map(|n| n.kind),
            Some("a character device")
        );
        let err = RealFs.read(dir.path(), 100).expect_err("refused");
        assert_eq!(not_regular(&err).map(|n| n.kind), Some("a directory"));
    }
}
