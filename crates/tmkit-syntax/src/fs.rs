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
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
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

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over the target, so a reader never sees a
/// half-written file and a failure leaves the old one intact. An existing
/// file keeps its permissions; a new one gets the usual 0644 (the temporary
/// file's 0600 would hide a published report from a web server).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms)?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
}
