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
    /// A name of the file's content known without reading it (a git blob
    /// id), or None. Two files with the same key have the same bytes.
    fn content_key(&self, _path: &Path) -> Option<Vec<u8>> {
        None
    }
    /// Where the loader keeps the documents it parsed, by content key
    /// (files with a key are then parsed once across loads); None: no cache.
    fn parse_cache(&self) -> Option<&crate::load::ParseCache> {
        None
    }
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

/// The error of reading (or, in the CLI's output, replacing) something that is not a regular
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

/// The real disk with some files' contents replaced by texts held in
/// memory: the buffers an editor has open (the language server checks what
/// the user sees, saved or not). Only files that exist on disk as regular
/// files are overlaid, so the rules of [`RealFs`] (regular files inside the
/// model's tree) still decide what may be read; a buffer of a file that
/// does not exist yet is read when its directory does.
#[derive(Debug, Clone, Default)]
pub struct OverlayFs {
    /// Open buffers by absolute, normalised path.
    buffers: BTreeMap<PathBuf, String>,
}

impl OverlayFs {
    /// No buffer: the disk as it is.
    pub fn new() -> Self {
        OverlayFs::default()
    }

    /// The key of `path`: canonical when it exists (the loader reads
    /// canonical paths; the editor names files as it opened them).
    fn key(path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalise(path))
    }

    /// Sets the text of the buffer of `path` (absolute).
    pub fn open(&mut self, path: &Path, text: String) {
        self.buffers.insert(Self::key(path), text);
    }

    /// The disk's content again for `path`.
    pub fn close(&mut self, path: &Path) {
        self.buffers.remove(&Self::key(path));
    }

    /// The buffer of `path`, if open.
    pub fn buffer(&self, path: &Path) -> Option<&str> {
        self.find(path).map(String::as_str)
    }

    fn find(&self, path: &Path) -> Option<&String> {
        if self.buffers.is_empty() {
            return None;
        }
        self.buffers
            .get(&normalise(path))
            .or_else(|| self.buffers.get(&Self::key(path)))
    }
}

impl FileSystem for OverlayFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.find(path) {
            Some(text) if text.len() as u64 > limit => Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("{} bytes", text.len()),
            )),
            Some(text) => {
                // Something on disk that is not a regular file stays refused.
                if let Ok(meta) = std::fs::metadata(path) {
                    check_regular(&meta)?;
                }
                Ok(text.as_bytes().to_vec())
            }
            None => RealFs.read(path, limit),
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match std::fs::canonicalize(path) {
            Ok(p) => Ok(p),
            // A new, unsaved buffer: canonical through its directory.
            Err(e) => match (self.buffers.get(&normalise(path)), path.parent()) {
                (Some(_), Some(dir)) => {
                    let name = path.file_name().ok_or(e)?;
                    Ok(std::fs::canonicalize(dir)?.join(name))
                }
                _ => Err(e),
            },
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_reads_open_buffers_and_the_disk_otherwise() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.yaml");
        std::fs::write(&a, "on disk").expect("write");
        std::fs::write(&b, "b on disk").expect("write");
        let mut fs = OverlayFs::new();
        fs.open(&a, "in the editor: é".to_string());
        assert_eq!(
            fs.read(&a, 100).expect("read"),
            "in the editor: é".as_bytes()
        );
        assert_eq!(fs.read(&b, 100).expect("read"), b"b on disk");
        // Through another spelling of the same path, too.
        let other = dir.path().join(".").join("a.yaml");
        assert_eq!(
            fs.read(&other, 100).expect("read"),
            "in the editor: é".as_bytes()
        );
        let err = fs.read(&a, 3).expect_err("too large");
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        // An unsaved new file is canonical through its directory.
        let new = dir.path().join("new.yaml");
        fs.open(&new, "x".to_string());
        let canon = fs.canonicalize(&new).expect("canonical");
        assert_eq!(canon.file_name(), new.file_name());
        fs.close(&a);
        assert_eq!(fs.read(&a, 100).expect("read"), b"on disk");
    }

    #[cfg(unix)]
    #[test]
    fn an_overlay_still_refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("pipe");
        tmkit_testtools::mkfifo(&fifo);
        let mut fs = OverlayFs::new();
        fs.open(&fifo, "text".to_string());
        let err = fs.read(&fifo, 100).expect_err("refused");
        assert_eq!(
            not_regular(&err).map(|n| n.kind),
            Some("a FIFO (named pipe)")
        );
    }

    #[cfg(unix)]
    #[test]
    fn read_refuses_fifos_and_devices_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("pipe");
        tmkit_testtools::mkfifo(&fifo);
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
