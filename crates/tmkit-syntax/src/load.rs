//! Loading a root model and, recursively, its components and imports.
//!
//! A worklist (depth-first, declaration order) keyed by canonical path: a
//! component that includes one of its own ancestors is a cycle; a path that
//! leaves the root model's directory, lexically (`..`) or through a symbolic
//! link, is refused; a catalogue imported twice is loaded once.

use crate::decode::{Decoder, truncate};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::fs::{FileSystem, normalise, not_regular};
use crate::node::{Limits, into_text, parse};
use crate::raw::{RawDocument, SetFile, Sp};
use crate::span::{FileId, Files, SourceFile, Span};
use std::collections::HashMap;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// A cached document and the generation that last used it.
type Cached = (std::sync::Arc<(String, RawDocument)>, u64);

/// Content key -> cached document; the current generation.
type CacheMap = (HashMap<Vec<u8>, Cached>, u64);

/// Documents parsed cleanly (no diagnostic), by content key
/// ([`FileSystem::content_key`]): a file system that names contents (a git
/// tree) hands one to every load, so that a file whose blob did not change
/// is not parsed again (`tmkit history`). Limits still apply to the text.
#[derive(Debug, Default)]
pub struct ParseCache {
    docs: std::sync::Mutex<CacheMap>,
    hits: std::sync::atomic::AtomicUsize,
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many files were taken from the cache instead of being parsed.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.lock().0.len()
    }

    /// Starts a new generation, forgetting the documents that neither the
    /// current generation nor the previous one used (in `tmkit history`,
    /// a generation is one commit): memory stays bounded by about two
    /// revisions of the model.
    pub fn sweep(&self) {
        let mut map = self.lock();
        let current = map.1;
        map.0.retain(|_, (_, used)| *used + 1 >= current);
        map.1 += 1;
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheMap> {
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: &[u8]) -> Option<std::sync::Arc<(String, RawDocument)>> {
        let mut map = self.lock();
        let current = map.1;
        let found = map.0.get_mut(key).map(|(doc, used)| {
            *used = current;
            doc.clone()
        });
        if found.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        found
    }

    fn contains(&self, key: &[u8]) -> bool {
        self.lock().0.contains_key(key)
    }

    fn insert(&self, key: Vec<u8>, text: String, doc: RawDocument) {
        let mut map = self.lock();
        let current = map.1;
        map.0
            .insert(key, (std::sync::Arc::new((text, doc)), current));
    }
}

/// The conventional name of a model file.
pub const MODEL_FILE: &str = "threatmodel.yaml";

/// The role of a loaded document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// The root model.
    Root,
    /// A component model.
    Component,
    /// An imported catalogue.
    Import,
}

/// One loaded and decoded file.
#[derive(Debug, Clone)]
pub struct LoadedDoc {
    /// Its file.
    pub file: FileId,
    /// Its role.
    pub kind: DocKind,
    /// The document that includes it as a component (None for root and imports).
    pub parent: Option<usize>,
    /// The documents it includes as components, in order.
    pub children: Vec<usize>,
    /// The catalogues it imports, in order.
    pub imports: Vec<usize>,
    /// The decoded document.
    pub doc: RawDocument,
}

/// Everything loaded from a root model.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every file read.
    pub files: Files,
    /// Documents: root first, components depth-first, imports where first met.
    pub docs: Vec<LoadedDoc>,
    /// Problems found while reading, parsing and decoding (up to
    /// [`Limits::max_diagnostics`]).
    pub diagnostics: Diagnostics,
    /// The limits it was read within (checks after loading use them too).
    pub limits: Limits,
    /// The canonical path of every component file read (decoded or not):
    /// how `tmkit` finds the root model that includes a component.
    pub component_files: Vec<PathBuf>,
}

/// Finds `threatmodel.yaml` in `start` or the nearest directory above it
/// (anything by that name but a directory: reading it then says what is
/// wrong with it, such as being a FIFO).
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(MODEL_FILE);
        if std::fs::metadata(&candidate).is_ok_and(|m| !m.is_dir()) {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

struct Task {
    path: PathBuf,
    kind: DocKind,
    parent: Option<usize>,
    include_span: Option<Span>,
    /// The path as written in the including file.
    written: Option<String>,
}

impl Task {
    /// What the file is, for messages.
    fn what(&self) -> &'static str {
        if self.kind == DocKind::Import {
            "import"
        } else {
            "component"
        }
    }
}

fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    shown.to_string_lossy().replace('\\', "/")
}

/// Loads the model at `root` (a file, or a directory holding `threatmodel.yaml`).
pub fn load(fs: &(dyn FileSystem + Sync), root: &Path, limits: &Limits) -> Loaded {
    let mut out = Loaded {
        diagnostics: Diagnostics::with_cap(limits.max_diagnostics),
        limits: *limits,
        ..Loaded::default()
    };
    let root_file = if fs.is_dir(root) {
        root.join(MODEL_FILE)
    } else {
        root.to_path_buf()
    };
    let root_canon = match fs.canonicalize(&root_file) {
        Ok(p) => p,
        Err(e) => {
            out.diagnostics.push(no_root(fs, root, &root_file, &e));
            return out;
        }
    };
    let root_dir = root_canon
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut loader = Loader {
        fs,
        limits,
        root_dir,
        out,
        by_path: HashMap::new(),
        stack: vec![Task {
            path: root_file,
            kind: DocKind::Root,
            parent: None,
            include_span: None,
            written: None,
        }],
        canon_of: Vec::new(),
        includer_of: Vec::new(),
        includes: 0,
        included: HashMap::new(),
        total_bytes: 0,
        decoder: Decoder::with_cap(limits.max_diagnostics),
        prefetched: HashMap::new(),
    };
    while !loader.stack.is_empty() {
        prefetch(
            fs,
            &loader.stack,
            &loader.root_dir,
            &loader.by_path,
            &mut loader.prefetched,
            limits,
        );
        let Some(task) = loader.stack.pop() else {
            break;
        };
        if loader.step(task).is_break() {
            break;
        }
    }
    let mut out = loader.out;
    out.diagnostics.append(&mut loader.decoder.diagnostics);
    out
}

/// The diagnostic when the root model itself cannot be found or read.
fn no_root(fs: &dyn FileSystem, root: &Path, root_file: &Path, e: &io::Error) -> Diagnostic {
    let shown = display_path(root_file);
    let code = if e.kind() == io::ErrorKind::NotFound {
        Code::NoModelFound
    } else {
        Code::Io
    };
    Diagnostic::new(code, format!("cannot read {shown}: {}", io_reason(e))).help(
        if fs.is_dir(root) {
            "this directory has no threatmodel.yaml; `tmkit init` writes one".to_string()
        } else {
            "give the path of a threat model file or of a directory holding threatmodel.yaml"
                .to_string()
        },
    )
}

/// The worklist and what it has loaded so far.
struct Loader<'a> {
    fs: &'a (dyn FileSystem + Sync),
    limits: &'a Limits,
    root_dir: PathBuf,
    out: Loaded,
    /// Loaded documents by canonical path.
    by_path: HashMap<PathBuf, usize>,
    stack: Vec<Task>,
    /// Per loaded document (same index as `out.docs`): its canonical path and
    /// the document that included it, for cycle detection without copying
    /// the including chain into every task.
    canon_of: Vec<PathBuf>,
    includer_of: Vec<Option<usize>>,
    /// Includes queued in all (a document may list the same file many
    /// times): bounded so that hostile fan-out cannot fill memory with
    /// pending tasks.
    includes: usize,
    /// (including document, component file) pairs already loaded, with the
    /// place of the first include: the same component twice in one list is
    /// a duplicate, reported without reading the file again.
    included: HashMap<(usize, PathBuf), Span>,
    total_bytes: u64,
    decoder: Decoder,
    /// Files read and parsed ahead of their turn, on several threads.
    prefetched: HashMap<PathBuf, Prepared>,
}

impl Loader<'_> {
    /// Loads one task's file; `Break` when no further file may be read.
    fn step(&mut self, task: Task) -> ControlFlow<()> {
        let Some(canon) = self.locate(&task) else {
            return ControlFlow::Continue(());
        };
        if !self.nesting_ok(&task, &canon) || !self.first_include(&task, &canon) {
            return ControlFlow::Continue(());
        }
        if self.out.files.len() >= self.limits.max_files {
            let mut d = Diagnostic::new(
                Code::TooManyFiles,
                format!(
                    "more than {} component and import files",
                    self.limits.max_files
                ),
            );
            if let Some(s) = task.include_span {
                d = d.at(s, "limit reached here");
            }
            self.out.diagnostics.push(
                d.help("split the project, or check for components included many times over"),
            );
            return ControlFlow::Break(());
        }
        if task.kind == DocKind::Component {
            self.out.component_files.push(canon.clone());
        }
        if let Some((id, doc)) = self.read(&task, &canon) {
            self.add(task, canon, id, doc);
        }
        ControlFlow::Continue(())
    }

    /// The canonical path of a task's file, or None (reported) when it
    /// leaves the root directory or cannot be resolved.
    fn locate(&mut self, task: &Task) -> Option<PathBuf> {
        // Lexical escape (`..`, absolute paths) first: a path outside the
        // root is refused whether or not it exists.
        if task.kind != DocKind::Root && !task.path.starts_with(&self.root_dir) {
            self.out.diagnostics.push(escape(task, &task.path));
            return None;
        }
        let canon = match self.fs.canonicalize(&task.path) {
            Ok(c) => c,
            Err(e) => {
                let code = if e.kind() == io::ErrorKind::NotFound {
                    Code::MissingFile
                } else {
                    Code::Io
                };
                let mut d = Diagnostic::new(
                    code,
                    format!(
                        "{} file {} cannot be read: {}",
                        task.what(),
                        display_path(&task.path),
                        io_reason(&e)
                    ),
                );
                if let Some(s) = task.include_span {
                    d = d.at(s, "included here");
                }
                self.out
                    .diagnostics
                    .push(d.help("check the path: it is relative to the file that includes it"));
                return None;
            }
        };
        if task.kind != DocKind::Root && !canon.starts_with(&self.root_dir) {
            // Inside lexically, outside once symbolic links are followed.
            self.out.diagnostics.push(escape(task, &canon));
            return None;
        }
        Some(canon)
    }

    /// False (reported) when the file nests too deep or includes itself.
    fn nesting_ok(&mut self, task: &Task, canon: &Path) -> bool {
        let mut ancestors = Vec::new();
        let mut up = task.parent;
        while let Some(i) = up {
            ancestors.push(i);
            up = self.includer_of[i];
        }
        if ancestors.len() > self.limits.max_component_depth {
            let mut d = Diagnostic::new(
                Code::ComponentsTooDeep,
                format!(
                    "{} nests {} levels below the root, more than the limit of {}",
                    display_path(&task.path),
                    ancestors.len(),
                    self.limits.max_component_depth
                ),
            );
            if let Some(s) = task.include_span {
                d = d.at(s, "included here");
            }
            self.out.diagnostics.push(d.help(crate::node::raise_help(
                "flatten the project: list components under a common parent",
                "component-depth",
            )));
            return false;
        }
        if !ancestors.iter().any(|&i| self.canon_of[i] == canon) {
            return true;
        }
        let mut d = Diagnostic::new(
            Code::ComponentCycle,
            format!(
                "component cycle: {} includes itself",
                display_path(&task.path)
            ),
        );
        if let Some(s) = task.include_span {
            d = d.at(s, "included again here");
        }
        let chain: Vec<String> = ancestors
            .iter()
            .rev()
            .map(|&i| self.canon_of[i].as_path())
            .chain(std::iter::once(canon))
            .map(|p| {
                p.strip_prefix(&self.root_dir)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        self.out.diagnostics.push(
            d.note(format!("cycle: {}", chain.join(" -> ")))
                .help("remove one of the includes"),
        );
        false
    }

    /// False when the file was already included: a component listed twice
    /// by one document (reported), or a catalogue imported again (linked).
    fn first_include(&mut self, task: &Task, canon: &Path) -> bool {
        if let (DocKind::Component, Some(p), Some(span)) =
            (task.kind, task.parent, task.include_span)
        {
            if let Some(first) = self.included.get(&(p, canon.to_path_buf())) {
                let shown = task
                    .written
                    .clone()
                    .unwrap_or_else(|| display_path(&task.path));
                self.out.diagnostics.push(
                    Diagnostic::new(
                        Code::ComponentListedTwice,
                        format!("component {shown} is included twice"),
                    )
                    .at(span, "included again here")
                    .also(*first, "first included here")
                    .help("list each component once: both would declare the same qualified ids"),
                );
                return false;
            }
            self.included.insert((p, canon.to_path_buf()), span);
        }
        if let (DocKind::Import, Some(&existing)) = (task.kind, self.by_path.get(canon)) {
            if let Some(p) = task
                .parent
                .filter(|&p| !self.out.docs[p].imports.contains(&existing))
            {
                self.out.docs[p].imports.push(existing);
            }
            return false;
        }
        true
    }

    /// Reads, registers, parses and decodes a file (or takes what was
    /// prefetched); None (reported) when it cannot be read, parsed or decoded.
    fn read(&mut self, task: &Task, canon: &Path) -> Option<(FileId, RawDocument)> {
        let relative = canon
            .strip_prefix(&self.root_dir)
            .unwrap_or(canon)
            .to_string_lossy()
            .replace('\\', "/");
        let display = display_path(&task.path);
        let remaining = self.limits.max_total_bytes.saturating_sub(self.total_bytes);
        let limit = self.limits.max_file_bytes.min(remaining);
        let (key, cached) = self.cached(canon, limit);
        let read = match (cached, self.prefetched.remove(canon)) {
            (Some(c), _) => Ok(c),
            (None, Some(p)) => p.read,
            (None, None) => self.fs.read(canon, limit).map(Content::Bytes),
        };
        let before = self.decoder.diagnostics.len();
        let content = match read {
            Ok(c) if c.len() as u64 > remaining => Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("more than {remaining} bytes"),
            )),
            other => other,
        };
        let content = match content {
            Ok(c) => c,
            Err(e) => {
                let mut d = self.read_error(&e, &display, remaining);
                if let Some(s) = task.include_span {
                    d = d.at(s, "included here");
                } else {
                    // The root itself: point at the file (registered without
                    // its text) so that every diagnostic names a place.
                    let file = SourceFile::new(display, relative, canon.into(), String::new());
                    let id = self.out.files.add(file);
                    d = d.at(Span::file_start(id), "this file");
                }
                self.out.diagnostics.push(d);
                return None;
            }
        };
        self.total_bytes += content.len() as u64;
        let id = FileId(self.out.files.len() as u32);
        let decoded = match content {
            Content::Parsed {
                text,
                doc,
                mut diagnostics,
                ..
            } => {
                let file = SourceFile::new(display, relative, canon.into(), text);
                self.out.files.add(file);
                for d in diagnostics.iter_mut() {
                    set_diag_file(d, id);
                }
                self.decoder.diagnostics.append(&mut diagnostics);
                doc.map(|doc| {
                    doc.map(|mut doc| {
                        doc.set_file(id);
                        doc
                    })
                })
                .map_err(|mut d| {
                    set_diag_file(&mut d, id);
                    d
                })
            }
            Content::Bytes(bytes) => match into_text(bytes, id, &display) {
                Ok(text) => {
                    let file = SourceFile::new(display, relative, canon.into(), text);
                    let node = parse(&file, id, self.limits);
                    self.out.files.add(file);
                    node.map(|node| self.decoder.document(&node))
                }
                Err((d, bytes)) => {
                    let lossy = String::from_utf8_lossy(&bytes).into_owned();
                    let file = SourceFile::new(display, relative, canon.into(), lossy);
                    self.out.files.add(file);
                    Err(d)
                }
            },
        };
        if self.decoder.diagnostics.len() == before {
            self.remember(key, id, &decoded);
        }
        match decoded {
            Ok(doc) => doc.map(|doc| (id, doc)),
            Err(d) => {
                self.out.diagnostics.push(d);
                None
            }
        }
    }

    /// The file's content key (when the file system has a parse cache) and
    /// its document from the cache, if it is there and within `limit`.
    fn cached(&self, canon: &Path, limit: u64) -> (Option<Vec<u8>>, Option<Content>) {
        let Some(cache) = self.fs.parse_cache() else {
            return (None, None);
        };
        let key = self.fs.content_key(canon);
        let content = key
            .as_deref()
            .and_then(|k| cache.get(k))
            .filter(|c| c.0.len() as u64 <= limit)
            .map(|c| Content::Parsed {
                len: c.0.len(),
                text: c.0.clone(),
                doc: Ok(Some(c.1.clone())),
                diagnostics: Diagnostics::default(),
            });
        (key, content)
    }

    /// Keeps a document decoded with no diagnostic (diagnostics name their
    /// file, so only clean documents are shared) in the parse cache.
    fn remember(
        &self,
        key: Option<Vec<u8>>,
        id: FileId,
        decoded: &Result<Option<RawDocument>, Diagnostic>,
    ) {
        if let (Some(cache), Some(key), Ok(Some(doc))) = (self.fs.parse_cache(), key, decoded) {
            cache.insert(key, self.out.files.get(id).text.clone(), doc.clone());
        }
    }

    /// The diagnostic for a file that cannot be read (without its place).
    fn read_error(&self, e: &io::Error, display: &str, remaining: u64) -> Diagnostic {
        let code = match e.kind() {
            _ if not_regular(e).is_some() => Code::NotRegularFile,
            io::ErrorKind::FileTooLarge => Code::FileTooLarge,
            io::ErrorKind::NotFound => Code::MissingFile,
            _ => Code::Io,
        };
        let d = Diagnostic::new(code, format!("cannot read {display}: {}", io_reason(e)));
        if code == Code::NotRegularFile {
            d.help("tmkit reads regular files only: not FIFOs, devices, sockets or directories")
        } else if code == Code::FileTooLarge && remaining < self.limits.max_file_bytes {
            d.note(format!(
                "the files of one project may hold {} bytes in all",
                self.limits.max_total_bytes
            ))
            .help("check for very large or repeated components")
        } else if code == Code::FileTooLarge {
            d.note(format!("the limit is {} bytes", self.limits.max_file_bytes))
                .help("split the model into components")
        } else {
            d
        }
    }

    /// Records a decoded document and queues what it includes.
    fn add(&mut self, task: Task, canon: PathBuf, id: FileId, doc: RawDocument) {
        let index = self.out.docs.len();
        self.by_path.insert(canon.clone(), index);
        if let Some(p) = task.parent {
            match task.kind {
                DocKind::Import => self.out.docs[p].imports.push(index),
                _ => self.out.docs[p].children.push(index),
            }
        }
        let base = canon.parent().map(Path::to_path_buf).unwrap_or_default();
        // Push in reverse so the stack pops them in declaration order:
        // imports first (they are needed to resolve), then components.
        let max_includes = self.limits.max_files.saturating_mul(10);
        let mut next = Vec::new();
        let all = doc
            .imports
            .iter()
            .map(|i| (i, DocKind::Import))
            .chain(doc.components.iter().map(|c| (c, DocKind::Component)));
        for (inc, kind) in all {
            if self.includes >= max_includes {
                self.out.diagnostics.push(
                    Diagnostic::new(
                        Code::TooManyFiles,
                        format!("more than {max_includes} component and import includes"),
                    )
                    .at(inc.path.span, "limit reached here")
                    .note(format!("the limit is {} files", self.limits.max_files))
                    .help("list each component once; split the project"),
                );
                break;
            }
            self.includes += 1;
            next.push(child_task(self.fs, &base, &inc.path, kind, index));
        }
        self.stack.extend(next.into_iter().rev());
        self.canon_of.push(canon);
        self.includer_of.push(task.parent);
        self.out.docs.push(LoadedDoc {
            file: id,
            kind: task.kind,
            parent: if task.kind == DocKind::Component {
                task.parent
            } else {
                None
            },
            children: Vec::new(),
            imports: Vec::new(),
            doc,
        });
    }
}

/// The diagnostic for a component or import path leaving the root directory.
fn escape(task: &Task, resolved: &Path) -> Diagnostic {
    let what = task.what();
    let shown = task
        .written
        .clone()
        .unwrap_or_else(|| display_path(&task.path));
    let mut d = Diagnostic::new(
        Code::PathEscape,
        format!("{what} path '{shown}' leaves the root model's directory"),
    )
    .note(format!("it resolves to {}", resolved.display()));
    if let Some(s) = task.include_span {
        d = d.at(
            s,
            "path escapes the root directory (through `..`, an absolute path or a symbolic link)",
        );
    }
    d.help("components and imports must live inside the directory of the root model")
}

/// A file read and parsed ahead of its turn (with a placeholder file id).
struct Prepared {
    read: io::Result<Content>,
}

/// What reading a file gave.
enum Content {
    /// Its bytes.
    Bytes(Vec<u8>),
    /// Its text and document, parsed and decoded ahead of its turn (`len`
    /// bytes were read): the parse error, or the document (None when it is
    /// not a mapping) with the decoder's diagnostics.
    Parsed {
        len: usize,
        text: String,
        doc: Result<Option<RawDocument>, Diagnostic>,
        diagnostics: Diagnostics,
    },
}

impl Content {
    /// The bytes read.
    fn len(&self) -> usize {
        match self {
            Content::Bytes(b) => b.len(),
            Content::Parsed { len, .. } => *len,
        }
    }
}

const PLACEHOLDER: FileId = FileId(u32::MAX);

/// Reads and parses the next few pending files in parallel, so that a model
/// with many components loads on every core. Only files that the worklist
/// would read anyway are touched: inside the root directory (also after
/// following links), not loaded yet. Results are used when their turn comes,
/// so the order of documents and diagnostics is unchanged.
fn prefetch(
    fs: &(dyn FileSystem + Sync),
    stack: &[Task],
    root_dir: &Path,
    loaded: &HashMap<PathBuf, usize>,
    prefetched: &mut HashMap<PathBuf, Prepared>,
    limits: &Limits,
) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || stack.len() < 2 {
        return;
    }
    // (canonical path, path as shown in messages)
    let mut batch: Vec<(PathBuf, String)> = Vec::new();
    for task in stack.iter().rev().take(threads * 2) {
        if task.kind == DocKind::Root || !task.path.starts_with(root_dir) {
            continue;
        }
        let Ok(canon) = fs.canonicalize(&task.path) else {
            continue;
        };
        let cached = fs
            .parse_cache()
            .zip(fs.content_key(&canon))
            .is_some_and(|(c, k)| c.contains(&k));
        if canon.starts_with(root_dir)
            && !cached
            && !loaded.contains_key(&canon)
            && !prefetched.contains_key(&canon)
            && !batch.iter().any(|(c, _)| c == &canon)
        {
            batch.push((canon, display_path(&task.path)));
        }
    }
    if batch.len() < 2 {
        return;
    }
    let chunk = batch.len().div_ceil(threads);
    let results: Vec<(PathBuf, Prepared)> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|paths| {
                scope.spawn(move || {
                    paths
                        .iter()
                        .map(|(canon, display)| {
                            let read = fs
                                .read(canon, limits.max_file_bytes)
                                .map(|b| prepare(b, canon, display, limits));
                            (canon.clone(), Prepared { read })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    prefetched.extend(results);
}

/// Turns a file's bytes into text, a tree and a document on a prefetching
/// thread; the bytes stay as they are when they are not UTF-8 (the loader
/// reports it).
fn prepare(bytes: Vec<u8>, canon: &Path, display: &str, limits: &Limits) -> Content {
    let len = bytes.len();
    let text = match into_text(bytes, PLACEHOLDER, "") {
        Ok(text) => text,
        Err((_, bytes)) => return Content::Bytes(bytes),
    };
    let file = SourceFile::new(display.to_string(), String::new(), canon.into(), text);
    let mut decoder = Decoder::with_cap(limits.max_diagnostics);
    // The tree is dropped here, on this thread, once decoded.
    let doc = parse(&file, PLACEHOLDER, limits).map(|node| decoder.document(&node));
    Content::Parsed {
        len,
        text: file.text,
        doc,
        diagnostics: decoder.diagnostics,
    }
}

fn set_diag_file(d: &mut Diagnostic, id: FileId) {
    for l in d.primary.iter_mut().chain(d.secondary.iter_mut()) {
        if l.span.file == PLACEHOLDER {
            l.span.file = id;
        }
    }
}

fn child_task(
    fs: &dyn FileSystem,
    base: &Path,
    rel: &Sp<String>,
    kind: DocKind,
    parent: usize,
) -> Task {
    let mut path = normalise(&base.join(&rel.value));
    if fs.is_dir(&path) {
        path = path.join(MODEL_FILE);
    }
    Task {
        path,
        kind,
        parent: Some(parent),
        include_span: Some(rel.span),
        written: Some(truncate(&rel.value)),
    }
}

fn io_reason(e: &io::Error) -> String {
    if let Some(n) = not_regular(e) {
        return n.to_string();
    }
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "it is a directory".into(),
        io::ErrorKind::FileTooLarge => format!("file too large ({e})"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemoryFs;

    const MINI: &str = "tmkit: 1\nid: R\ntitle: root\n";

    /// A memory file system naming each file's content by its bytes.
    struct KeyedFs {
        files: MemoryFs,
        cache: ParseCache,
    }

    impl FileSystem for KeyedFs {
        fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
            self.files.read(path, limit)
        }
        fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
            self.files.canonicalize(path)
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.files.is_dir(path)
        }
        fn content_key(&self, path: &Path) -> Option<Vec<u8>> {
            self.files.read(path, u64::MAX).ok()
        }
        fn parse_cache(&self) -> Option<&ParseCache> {
            Some(&self.cache)
        }
    }

    #[test]
    fn the_parse_cache_serves_unchanged_contents_and_forgets_old_ones() {
        let mut files = MemoryFs::new();
        files.insert(
            "threatmodel.yaml",
            format!("{MINI}components: [{{ path: a }}]\n"),
        );
        files.insert("a/threatmodel.yaml", "tmkit: 1\nid: A\ntitle: a\n");
        let mut fs = KeyedFs {
            files,
            cache: ParseCache::new(),
        };
        let first = load(&fs, Path::new("/"), &Limits::default());
        assert_eq!((fs.cache.hits(), fs.cache.len()), (0, 2));
        let again = load(&fs, Path::new("/"), &Limits::default());
        assert_eq!(fs.cache.hits(), 2);
        // The same documents, pointing at the new load's files.
        assert_eq!(first.docs[1].doc, again.docs[1].doc);
        fs.cache.sweep();
        fs.files
            .insert("a/threatmodel.yaml", "tmkit: 1\nid: A\ntitle: changed\n");
        let changed = load(&fs, Path::new("/"), &Limits::default());
        assert_eq!(changed.docs[1].doc.title.value, "changed");
        assert_eq!((fs.cache.hits(), fs.cache.len()), (3, 3));
        // Two sweeps later the old component, unused since, is forgotten.
        fs.cache.sweep();
        fs.cache.sweep();
        load(&fs, Path::new("/"), &Limits::default());
        assert_eq!(fs.cache.len(), 2);
    }

    #[test]
    fn loads_components_in_order_and_dedupes_imports() {
        let mut fs = MemoryFs::new();
        fs.insert(
            "threatmodel.yaml",
            format!("{MINI}components:\n  - path: a/threatmodel.yaml\n  - path: b\nimports:\n  - path: cat.yaml\n"),
        );
        fs.insert(
            "a/threatmodel.yaml",
            "tmkit: 1\nid: A\ntitle: a\nimports: [../cat.yaml]\n",
        );
        fs.insert("b/threatmodel.yaml", "tmkit: 1\nid: B\ntitle: b\n");
        fs.insert("cat.yaml", "tmkit: 1\nid: ORG\ntitle: catalogue\n");
        let l = load(&fs, Path::new("/"), &Limits::default());
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let ids: Vec<_> = l.docs.iter().map(|d| d.doc.id.value.0.as_str()).collect();
        assert_eq!(ids, ["R", "ORG", "A", "B"]);
        assert_eq!(l.docs[0].children, [2, 3]);
        assert_eq!(l.docs[2].imports, [1]);
        assert_eq!(l.docs[2].parent, Some(0));
    }

    #[test]
    fn documents_decoded_ahead_point_at_their_own_files() {
        // Components are read, parsed and decoded on other threads (with
        // two cores or more): their spans and diagnostics get their file id
        // when their turn comes.
        let mut fs = MemoryFs::new();
        fs.insert(
            "threatmodel.yaml",
            format!("{MINI}components: [a, b, c, d]\n"),
        );
        for c in ["a", "b", "c", "d"] {
            let id = c.to_uppercase();
            fs.insert(
                &format!("{c}/threatmodel.yaml"),
                format!("tmkit: 1\nid: {id}\ntitle: {c}\nbogus_{c}: 1\n"),
            );
        }
        let l = load(&fs, Path::new("/"), &Limits::default());
        assert_eq!(l.docs.len(), 5);
        for doc in &l.docs {
            assert_eq!(doc.doc.id.span.file, doc.file);
            assert_eq!(doc.doc.title.span.file, doc.file);
        }
        assert_eq!(l.diagnostics.len(), 4, "{:?}", l.diagnostics);
        for d in l.diagnostics.iter() {
            let span = d.primary.as_ref().expect("place").span;
            let file = l.files.get(span.file);
            let c = file.relative.chars().next().expect("a path");
            assert_eq!(
                d.message,
                format!("unknown field 'bogus_{c}' in threat model")
            );
            assert_eq!((span.line, span.column), (4, 1));
        }
    }

    #[test]
    fn fan_out_is_bounded() {
        // One file listing the same component 20,000 times: the includes
        // queued stop at ten times the file limit, with one diagnostic, and
        // the repeats are duplicates, not read again.
        let mut fs = MemoryFs::new();
        let list = vec!["a"; 20_000].join(", ");
        fs.insert("threatmodel.yaml", format!("{MINI}components: [{list}]\n"));
        fs.insert("a/threatmodel.yaml", "tmkit: 1\nid: A\ntitle: a\n");
        let limits = Limits {
            max_files: 50,
            ..Limits::default()
        };
        let l = load(&fs, Path::new("/"), &limits);
        let count = |c: Code| l.diagnostics.iter().filter(|d| d.code == c).count();
        assert_eq!(count(Code::TooManyFiles), 1);
        assert_eq!(count(Code::ComponentListedTwice), 499);
        assert_eq!(l.files.len(), 2);
        let dup = l
            .diagnostics
            .iter()
            .find(|d| d.code == Code::ComponentListedTwice)
            .unwrap();
        assert_eq!(dup.message, "component a is included twice");
        assert_eq!(dup.secondary[0].span.column, 14);
    }

    #[test]
    fn total_size_is_bounded() {
        let mut fs = MemoryFs::new();
        let big = format!(
            "tmkit: 1\nid: B\ntitle: b\ndescription: {}\n",
            "x".repeat(600)
        );
        fs.insert("threatmodel.yaml", format!("{MINI}components: [a, b, c]\n"));
        for d in ["a", "b", "c"] {
            fs.insert(
                &format!("{d}/threatmodel.yaml"),
                big.replace("B", &d.to_uppercase()),
            );
        }
        let limits = Limits {
            max_total_bytes: 1500,
            ..Limits::default()
        };
        let l = load(&fs, Path::new("/"), &limits);
        let too_large: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::FileTooLarge)
            .collect();
        assert_eq!(too_large.len(), 1, "{:?}", l.diagnostics);
        assert!(too_large[0].notes[0].contains("1500 bytes in all"));
        assert_eq!(l.files.len(), 3);
    }

    #[test]
    fn cycles_escapes_and_missing_files() {
        let mut fs = MemoryFs::new();
        fs.insert(
            "m/threatmodel.yaml",
            format!("{MINI}components: [c/threatmodel.yaml, ../../etc/x.yaml, nope.yaml]\n"),
        );
        fs.insert(
            "m/c/threatmodel.yaml",
            "tmkit: 1\nid: C\ntitle: c\ncomponents: [../threatmodel.yaml]\n",
        );
        fs.insert("etc/x.yaml", MINI);
        let l = load(&fs, Path::new("/m"), &Limits::default());
        let codes: Vec<_> = l.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::ComponentCycle), "{codes:?}");
        assert!(codes.contains(&Code::PathEscape), "{codes:?}");
        assert!(codes.contains(&Code::MissingFile), "{codes:?}");
        for d in &l.diagnostics {
            assert!(d.primary.is_some(), "{d:?} has no place");
        }
    }
}
