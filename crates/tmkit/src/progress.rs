//! Progress on stderr for long work (loading thousands of files, an
//! import), on a terminal only: when stderr is a file or a pipe (CI, a
//! script) nothing is printed, so logs stay free of carriage returns.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tmkit_syntax::fs::FileSystem;

/// Loading shows progress only past this many files: a smaller model loads
/// too fast for a progress line to be more than a flicker.
pub const LOADING_THRESHOLD: usize = 1_000;

/// How often (in files read) the loading line is updated past the threshold.
const LOADING_STEP: usize = 250;

/// One progress line, rewritten in place (`\r` then erase to the end of
/// the line), erased by [`Progress::finish`].
pub struct Progress {
    sink: Option<Mutex<Box<dyn Write + Send>>>,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// Progress on stderr when stderr is a terminal; else silent.
    pub fn stderr() -> Progress {
        let sink: Option<Box<dyn Write + Send>> = if std::io::stderr().is_terminal() {
            Some(Box::new(std::io::stderr()))
        } else {
            None
        };
        Progress::to(sink)
    }

    /// Progress into `sink`; None is silent.
    pub fn to(sink: Option<Box<dyn Write + Send>>) -> Progress {
        Progress {
            sink: sink.map(Mutex::new),
            shown: false.into(),
        }
    }

    /// A progress that prints nothing.
    pub fn silent() -> Progress {
        Progress::to(None)
    }

    /// Shows `text` as the current step (our own words, never user text).
    pub fn step(&self, text: &str) {
        if let Some(sink) = &self.sink {
            let mut w = sink.lock().unwrap_or_else(|e| e.into_inner());
            let _ = write!(w, "\r\x1b[K{text}");
            let _ = w.flush();
            self.shown.store(true, Ordering::Relaxed);
        }
    }

    /// Erases the progress line, if one was shown, so that what follows
    /// starts on a clean line.
    pub fn finish(&self) {
        if let Some(sink) = &self.sink {
            if self.shown.swap(false, Ordering::Relaxed) {
                let mut w = sink.lock().unwrap_or_else(|e| e.into_inner());
                let _ = write!(w, "\r\x1b[K");
                let _ = w.flush();
            }
        }
    }
}

/// A file system that counts the files read and, past
/// [`LOADING_THRESHOLD`], reports the count as progress.
pub struct ProgressFs<'a, F: FileSystem + Sync> {
    inner: F,
    progress: &'a Progress,
    reads: AtomicUsize,
}

impl<'a, F: FileSystem + Sync> ProgressFs<'a, F> {
    /// Wraps `inner`, reporting to `progress`.
    pub fn new(inner: F, progress: &'a Progress) -> Self {
        ProgressFs {
            inner,
            progress,
            reads: AtomicUsize::new(0),
        }
    }
}

impl<F: FileSystem + Sync> FileSystem for ProgressFs<'_, F> {
    fn read(&self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
        let n = self.reads.fetch_add(1, Ordering::Relaxed) + 1;
        if n > LOADING_THRESHOLD && (n - LOADING_THRESHOLD) % LOADING_STEP == 1 {
            self.progress.step(&format!("loading: {n} files read"));
        }
        self.inner.read(path, limit)
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        self.inner.canonicalize(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tmkit_syntax::fs::MemoryFs;

    /// A sink whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn read_files(fs: &impl FileSystem, n: usize) {
        for i in 0..n {
            let _ = fs.read(Path::new(&format!("f{i}.yaml")), 10);
        }
    }

    #[test]
    fn loading_reports_progress_past_the_threshold_only() {
        let sink = Shared::default();
        let progress = Progress::to(Some(Box::new(sink.clone())));
        let fs = ProgressFs::new(MemoryFs::new(), &progress);
        read_files(&fs, LOADING_THRESHOLD);
        assert!(
            sink.0.lock().unwrap().is_empty(),
            "nothing up to the threshold"
        );
        read_files(&fs, LOADING_STEP + 1);
        progress.finish();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "\r\x1b[Kloading: 1001 files read\r\x1b[Kloading: 1251 files read\r\x1b[K"
        );
    }

    #[test]
    fn a_silent_progress_prints_nothing() {
        let progress = Progress::silent();
        let fs = ProgressFs::new(MemoryFs::new(), &progress);
        read_files(&fs, 2 * LOADING_THRESHOLD);
        progress.step("converting");
        progress.finish();
        assert!(progress.sink.is_none());
    }
}
