//! Loading a root model and, recursively, its components and imports.
//!
//! A worklist (depth-first, declaration order) keyed by canonical path: a
//! component that includes one of its own ancestors is a cycle; a path that
//! leaves the root model's directory, lexically (`..`) or through a symbolic
//! link, is refused; a catalogue imported twice is loaded once.

use crate::decode::{Decoder, truncate};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::fs::{FileSystem, normalise, not_regular};
use crate::node::{Limits, Node, Value, decode_text, parse};
use crate::raw::{RawDocument, Sp};
use crate::span::{FileId, Files, SourceFile, Span};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

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
            let shown = display_path(&root_file);
            let mut d = Diagnostic::new(
                if e.kind() == io::ErrorKind::NotFound {
                    Code::NoModelFound
                } else {
                    Code::Io
                },
                format!("cannot read {shown}: {}", io_reason(&e)),
            );
            d = d.help(if fs.is_dir(root) {
                "this directory has no threatmodel.yaml; `tmkit init` writes one".to_string()
            } else {
                "give the path of a threat model file or of a directory holding threatmodel.yaml"
                    .to_string()
            });
            out.diagnostics.push(d);
            return out;
        }
    };
    let root_dir = root_canon
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    let mut stack = vec![Task {
        path: root_file,
        kind: DocKind::Root,
        parent: None,
        include_span: None,
        written: None,
    }];
    // Per loaded document (same index as `out.docs`): its canonical path and
    // the document that included it, for cycle detection without copying
    // the including chain into every task.
    let mut canon_of: Vec<PathBuf> = Vec::new();
    let mut includer_of: Vec<Option<usize>> = Vec::new();
    // Includes queued in all (a document may list the same file many times):
    // bounded so that hostile fan-out cannot fill memory with pending tasks.
    let max_includes = limits.max_files.saturating_mul(10);
    let mut includes = 0usize;
    // (including document, component file) pairs already loaded, with the
    // place of the first include: the same component twice in one list is
    // a duplicate, reported without reading the file again.
    let mut included: HashMap<(usize, PathBuf), Span> = HashMap::new();
    let mut total_bytes = 0u64;
    let mut decoder = Decoder::with_cap(limits.max_diagnostics);
    // Files read and parsed ahead of their turn, on several threads.
    let mut prefetched: HashMap<PathBuf, Prepared> = HashMap::new();
    while !stack.is_empty() {
        prefetch(fs, &stack, &root_dir, &by_path, &mut prefetched, limits);
        let Some(task) = stack.pop() else { break };
        // Lexical escape (`..`, absolute paths) first: a path outside the
        // root is refused whether or not it exists.
        if task.kind != DocKind::Root && !task.path.starts_with(&root_dir) {
            out.diagnostics.push(escape(&task, &task.path));
            continue;
        }
        let canon = match fs.canonicalize(&task.path) {
            Ok(c) => c,
            Err(e) => {
                let what = if task.kind == DocKind::Import {
                    "import"
                } else {
                    "component"
                };
                let mut d = Diagnostic::new(
                    if e.kind() == io::ErrorKind::NotFound {
                        Code::MissingFile
                    } else {
                        Code::Io
                    },
                    format!(
                        "{what} file {} cannot be read: {}",
                        display_path(&task.path),
                        io_reason(&e)
                    ),
                );
                if let Some(s) = task.include_span {
                    d = d.at(s, "included here");
                }
                out.diagnostics
                    .push(d.help("check the path: it is relative to the file that includes it"));
                continue;
            }
        };
        if task.kind != DocKind::Root && !canon.starts_with(&root_dir) {
            // Inside lexically, outside once symbolic links are followed.
            out.diagnostics.push(escape(&task, &canon));
            continue;
        }
        let mut ancestors = Vec::new();
        let mut up = task.parent;
        while let Some(i) = up {
            ancestors.push(i);
            up = includer_of[i];
        }
        if ancestors.len() > limits.max_component_depth {
            let mut d = Diagnostic::new(
                Code::ComponentsTooDeep,
                format!(
                    "{} nests {} levels below the root, more than the limit of {}",
                    display_path(&task.path),
                    ancestors.len(),
                    limits.max_component_depth
                ),
            );
            if let Some(s) = task.include_span {
                d = d.at(s, "included here");
            }
            out.diagnostics.push(d.help(crate::node::raise_help(
                "flatten the project: list components under a common parent",
                "component-depth",
            )));
            continue;
        }
        if ancestors.iter().any(|&i| canon_of[i] == canon) {
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
                .map(|&i| &canon_of[i])
                .chain(std::iter::once(&canon))
                .map(|p| {
                    p.strip_prefix(&root_dir)
                        .unwrap_or(p)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            out.diagnostics.push(
                d.note(format!("cycle: {}", chain.join(" -> ")))
                    .help("remove one of the includes"),
            );
            continue;
        }
        if let (DocKind::Component, Some(p), Some(span)) =
            (task.kind, task.parent, task.include_span)
        {
            if let Some(first) = included.get(&(p, canon.clone())) {
                out.diagnostics.push(
                    Diagnostic::new(
                        Code::ComponentListedTwice,
                        format!(
                            "component {} is included twice",
                            task.written
                                .clone()
                                .unwrap_or_else(|| display_path(&task.path))
                        ),
                    )
                    .at(span, "included again here")
                    .also(*first, "first included here")
                    .help("list each component once: both would declare the same qualified ids"),
                );
                continue;
            }
            included.insert((p, canon.clone()), span);
        }
        if let (DocKind::Import, Some(&existing)) = (task.kind, by_path.get(&canon)) {
            if let Some(p) = task
                .parent
                .filter(|&p| !out.docs[p].imports.contains(&existing))
            {
                out.docs[p].imports.push(existing);
            }
            continue;
        }
        if out.files.len() >= limits.max_files {
            let mut d = Diagnostic::new(
                Code::TooManyFiles,
                format!("more than {} component and import files", limits.max_files),
            );
            if let Some(s) = task.include_span {
                d = d.at(s, "limit reached here");
            }
            out.diagnostics.push(
                d.help("split the project, or check for components included many times over"),
            );
            break;
        }
        let relative = canon
            .strip_prefix(&root_dir)
            .unwrap_or(&canon)
            .to_string_lossy()
            .replace('\\', "/");
        let display = display_path(&task.path);
        let remaining = limits.max_total_bytes.saturating_sub(total_bytes);
        let mut parsed_node: Option<Node> = None;
        let ready = prefetched.remove(&canon);
        let (read, mut parsed) = match ready {
            Some(p) => (p.bytes, p.parsed),
            None => (fs.read(&canon, limits.max_file_bytes.min(remaining)), None),
        };
        let read = match read {
            Ok(b) if b.len() as u64 > remaining => {
                parsed = None;
                Err(io::Error::new(
                    io::ErrorKind::FileTooLarge,
                    format!("more than {remaining} bytes"),
                ))
            }
            other => other,
        };
        let bytes = match read {
            Ok(b) => {
                total_bytes += b.len() as u64;
                b
            }
            Err(e) => {
                let code = match e.kind() {
                    _ if not_regular(&e).is_some() => Code::NotRegularFile,
                    io::ErrorKind::FileTooLarge => Code::FileTooLarge,
                    io::ErrorKind::NotFound => Code::MissingFile,
                    _ => Code::Io,
                };
                let mut d =
                    Diagnostic::new(code, format!("cannot read {display}: {}", io_reason(&e)));
                if code == Code::NotRegularFile {
                    d = d.help(
                        "tmkit reads regular files only: not FIFOs, devices, sockets or directories",
                    );
                } else if code == Code::FileTooLarge && remaining < limits.max_file_bytes {
                    d = d
                        .note(format!(
                            "the files of one project may hold {} bytes in all",
                            limits.max_total_bytes
                        ))
                        .help("check for very large or repeated components");
                } else if code == Code::FileTooLarge {
                    d = d
                        .note(format!("the limit is {} bytes", limits.max_file_bytes))
                        .help("split the model into components");
                }
                if let Some(s) = task.include_span {
                    d = d.at(s, "included here");
                } else {
                    // The root itself: point at the file (registered without
                    // its text) so that every diagnostic names a place.
                    let id = out.files.add(SourceFile::new(
                        display.clone(),
                        relative.clone(),
                        canon.clone(),
                        String::new(),
                    ));
                    d = d.at(Span::file_start(id), "this file");
                }
                out.diagnostics.push(d);
                continue;
            }
        };
        let id = FileId(out.files.len() as u32);
        if let Some((text, node)) = parsed {
            let file = SourceFile::new(display.clone(), relative.clone(), canon.clone(), text);
            out.files.add(file);
            match node {
                Ok(mut n) => {
                    set_file(&mut n, id);
                    parsed_node = Some(n);
                }
                Err(mut d) => {
                    set_diag_file(&mut d, id);
                    out.diagnostics.push(d);
                    continue;
                }
            }
        }
        let node = if let Some(n) = parsed_node.take() {
            n
        } else {
            let text = match decode_text(&bytes, id, &display) {
                Ok(t) => t,
                Err(d) => {
                    out.files.add(SourceFile::new(
                        display,
                        relative,
                        canon.clone(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    ));
                    out.diagnostics.push(d);
                    continue;
                }
            };
            let file = SourceFile::new(display, relative, canon.clone(), text);
            let node = parse(&file, id, limits);
            out.files.add(file);
            match node {
                Ok(n) => n,
                Err(d) => {
                    out.diagnostics.push(d);
                    continue;
                }
            }
        };
        let Some(doc) = decoder.document(&node) else {
            continue;
        };
        let index = out.docs.len();
        by_path.insert(canon.clone(), index);
        if let Some(p) = task.parent {
            match task.kind {
                DocKind::Import => out.docs[p].imports.push(index),
                _ => out.docs[p].children.push(index),
            }
        }
        let base = canon.parent().map(Path::to_path_buf).unwrap_or_default();
        // Push in reverse so the stack pops them in declaration order:
        // imports first (they are needed to resolve), then components.
        let mut next = Vec::new();
        let all = doc
            .imports
            .iter()
            .map(|i| (i, DocKind::Import))
            .chain(doc.components.iter().map(|c| (c, DocKind::Component)));
        for (inc, kind) in all {
            if includes >= max_includes {
                out.diagnostics.push(
                    Diagnostic::new(
                        Code::TooManyFiles,
                        format!("more than {max_includes} component and import includes"),
                    )
                    .at(inc.path.span, "limit reached here")
                    .note(format!("the limit is {} files", limits.max_files))
                    .help("list each component once; split the project"),
                );
                break;
            }
            includes += 1;
            next.push(child_task(fs, &base, &inc.path, kind, index));
        }
        stack.extend(next.into_iter().rev());
        canon_of.push(canon.clone());
        includer_of.push(task.parent);
        out.docs.push(LoadedDoc {
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
    out.diagnostics.append(&mut decoder.diagnostics);
    out
}

/// The diagnostic for a component or import path leaving the root directory.
fn escape(task: &Task, resolved: &Path) -> Diagnostic {
    let what = if task.kind == DocKind::Import {
        "import"
    } else {
        "component"
    };
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
    bytes: io::Result<Vec<u8>>,
    parsed: Option<(String, Result<Node, Diagnostic>)>,
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
        if canon.starts_with(root_dir)
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
                            let bytes = fs.read(canon, limits.max_file_bytes);
                            let parsed = bytes.as_ref().ok().and_then(|b| {
                                let text = decode_text(b, PLACEHOLDER, "").ok()?;
                                let file = SourceFile::new(
                                    display.clone(),
                                    String::new(),
                                    canon.clone(),
                                    text,
                                );
                                let node = parse(&file, PLACEHOLDER, limits);
                                Some((file.text, node))
                            });
                            (canon.clone(), Prepared { bytes, parsed })
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

fn set_file(node: &mut Node, id: FileId) {
    node.span.file = id;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| set_file(n, id)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span.file = id;
            set_file(v, id);
        }),
        _ => {}
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
