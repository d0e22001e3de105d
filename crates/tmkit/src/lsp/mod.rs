//! `tmkit lsp`: a language server (LSP 3.17) over stdio.
//!
//! One code path with `tmkit check`: every check is [`crate::check_with`]
//! over an [`OverlayFs`], the disk with the editor's open buffers laid
//! over it, so a composed model is checked whole (its root found from any
//! of its files by [`crate::locate()`]) and each of its files gets its
//! diagnostics. Changes are coalesced: a burst of `didChange` is checked
//! once, when the client has been quiet for [`QUIET`] or before the next
//! request is answered.
//!
//! Features: diagnostics, definition, references, hover (a threat's status
//! and score, a target's answered questions), document symbols, completion
//! ([`complete`]), rename across the model's files.

mod complete;
mod features;
pub mod position;

use crate::{CheckOptions, Outcome};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::{
    InitializeParams, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use position::{Encoding, uri_of};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tmkit_syntax::FileId;
use tmkit_syntax::fs::OverlayFs;
use tmkit_syntax::node::Limits;

/// How long the client must be quiet before pending changes are checked.
pub const QUIET: Duration = Duration::from_millis(30);

/// One checked model: its root file and the last outcome.
struct Checked {
    root: PathBuf,
    outcome: Outcome,
    /// The files diagnostics were last published for (to clear them).
    published: BTreeSet<PathBuf>,
}

/// The state of the server between messages.
pub struct Server {
    fs: OverlayFs,
    enc: Encoding,
    limits: Limits,
    models: Vec<Checked>,
    /// Open or changed documents whose model needs checking again.
    dirty: BTreeSet<PathBuf>,
    /// Notifications to send (diagnostics), in order.
    outbox: Vec<Notification>,
}

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run_stdio(limits: &Limits) -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    run(&connection, limits)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

/// Runs the server on a connection until the client says `exit`.
pub fn run(connection: &Connection, limits: &Limits) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let enc = negotiate(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(enc),
        "serverInfo": { "name": "tmkit", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    if watches_dynamically(&params) {
        // Files changed outside the editor (git checkout, another tool):
        // the client tells us, and the models reading them are checked again.
        let _ = connection.sender.send(watch_registration().into());
    }
    let mut server = Server::new(enc, *limits);
    loop {
        let msg = if server.dirty.is_empty() {
            connection.receiver.recv().ok()
        } else {
            match connection.receiver.recv_timeout(QUIET) {
                Ok(m) => Some(m),
                Err(e) if e.is_timeout() => {
                    server.flush();
                    server.send(connection);
                    continue;
                }
                Err(_) => None,
            }
        };
        let Some(msg) = msg else { return Ok(()) };
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                // Answers are about the text as it is now.
                server.flush();
                let resp = server.request(req);
                server.send(connection);
                let _ = connection.sender.send(resp.into());
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
}

/// UTF-8 when the client offers it, else UTF-16 (the protocol's default).
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// The client can register file watchers when asked.
fn watches_dynamically(params: &InitializeParams) -> bool {
    (params.capabilities.workspace.as_ref())
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// `client/registerCapability`: watch the YAML and JSON files (the formats
/// a model's files may have).
fn watch_registration() -> Request {
    use lsp_types::request::{RegisterCapability, Request as _};
    use lsp_types::{
        DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Registration,
        RegistrationParams,
    };
    let watchers = ["**/*.yaml", "**/*.yml", "**/*.json"]
        .into_iter()
        .map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String(g.into()),
            kind: None,
        })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: "tmkit-watched-files".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    Request::new(
        lsp_server::RequestId::from("tmkit-watch".to_string()),
        RegisterCapability::METHOD.into(),
        params,
    )
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    use lsp_types::{CompletionOptions, OneOf, RenameOptions};
    ServerCapabilities {
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "[".into(), ",".into()]),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        ..ServerCapabilities::default()
    }
}

impl Server {
    /// A server with no document open.
    pub fn new(enc: Encoding, limits: Limits) -> Server {
        Server {
            fs: OverlayFs::new(),
            enc,
            limits,
            models: Vec::new(),
            dirty: BTreeSet::new(),
            outbox: Vec::new(),
        }
    }

    fn send(&mut self, connection: &Connection) {
        for n in self.outbox.drain(..) {
            let _ = connection.sender.send(n.into());
        }
    }

    fn notification(&mut self, n: Notification) {
        let path_and_text = match n.method.as_str() {
            DidOpenTextDocument::METHOD => n
                .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                .ok()
                .map(|p| (p.text_document.uri, Some(p.text_document.text))),
            DidChangeTextDocument::METHOD => n
                .extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                .ok()
                .map(|p| {
                    // Full sync: the last change is the whole text.
                    let text = p.content_changes.into_iter().last().map(|c| c.text);
                    (p.text_document.uri, text)
                }),
            DidSaveTextDocument::METHOD => n
                .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                .ok()
                .map(|p| (p.text_document.uri, p.text)),
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    DidChangeWatchedFiles::METHOD,
                ) {
                    for change in p.changes {
                        if let Some(path) = position::path_of(&change.uri) {
                            self.changed_on_disk(path);
                        }
                    }
                }
                None
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    if let Some(path) = position::path_of(&p.text_document.uri) {
                        self.fs.close(&path);
                        self.dirty.insert(path);
                    }
                }
                None
            }
            _ => None,
        };
        if let Some((uri, text)) = path_and_text {
            if let Some(path) = position::path_of(&uri) {
                if let Some(text) = text {
                    self.fs.open(&path, text);
                }
                self.dirty.insert(path);
            }
        }
    }

    /// A file changed, was created or deleted outside the editor. An open
    /// buffer wins over the disk, so its file is left alone; a file a model
    /// read is checked again with its model; a new or deleted file may be
    /// one a model names (a component, an import), so every model whose
    /// directory holds it is checked again.
    fn changed_on_disk(&mut self, path: PathBuf) {
        if self.fs.buffer(&path).is_some() {
            return;
        }
        if self.model_of(&path).is_some() {
            self.dirty.insert(path);
            return;
        }
        let holders: Vec<PathBuf> = (self.models.iter())
            .filter(|m| m.root.parent().is_some_and(|d| path.starts_with(d)))
            .map(|m| m.root.clone())
            .collect();
        self.dirty.extend(holders);
    }

    /// Checks again every model with a changed document, and queues the
    /// diagnostics of each of its files.
    pub fn flush(&mut self) {
        let dirty = std::mem::take(&mut self.dirty);
        let mut roots: BTreeSet<PathBuf> = BTreeSet::new();
        for path in dirty {
            match self.model_of(&path) {
                Some(i) => roots.insert(self.models[i].root.clone()),
                None if self.is_model_file(&path) => roots.insert(path),
                // Another YAML file (a CI workflow...): not ours.
                None => false,
            };
        }
        for root in roots {
            self.check(&root);
        }
    }

    /// True when `path` (its buffer, else the disk) has a top-level
    /// `tmkit` key: a model, a component or a catalogue. Other YAML files
    /// the editor opens get no diagnostics and no answers.
    fn is_model_file(&self, path: &Path) -> bool {
        let disk;
        let text = match self.fs.buffer(path) {
            Some(t) => t,
            None => {
                use tmkit_syntax::fs::FileSystem;
                disk = self
                    .fs
                    .read(path, self.limits.max_file_bytes)
                    .unwrap_or_default();
                std::str::from_utf8(&disk).unwrap_or("")
            }
        };
        text.lines()
            .any(|l| l.starts_with("tmkit:") || l.trim_start().starts_with("\"tmkit\""))
    }

    /// The index of the checked model that read `path`.
    fn model_of(&self, path: &Path) -> Option<usize> {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.models.iter().position(|m| {
            (0..m.outcome.files.len()).any(|i| {
                let f = m.outcome.files.get(FileId(i as u32));
                f.path == canon || f.path == path
            })
        })
    }

    fn check(&mut self, path: &Path) {
        let options = CheckOptions::new().with_limits(self.limits);
        let outcome = crate::check_with(&self.fs, path, &options);
        let root = if outcome.files.is_empty() {
            path.to_path_buf()
        } else {
            outcome.files.get(FileId(0)).path.clone()
        };
        let previous = match self.models.iter().position(|m| m.root == root) {
            Some(i) => std::mem::take(&mut self.models.remove(i).published),
            None => BTreeSet::new(),
        };
        let published = self.publish(&outcome, path, previous);
        self.models.push(Checked {
            root,
            outcome,
            published,
        });
    }

    /// Queues the diagnostics of every file of `outcome` (an empty list for
    /// a file that had some before, which clears them).
    fn publish(
        &mut self,
        outcome: &Outcome,
        opened: &Path,
        previous: BTreeSet<PathBuf>,
    ) -> BTreeSet<PathBuf> {
        let mut per_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for i in 0..outcome.files.len() {
            per_file.insert(outcome.files.get(FileId(i as u32)).path.clone(), Vec::new());
        }
        for d in outcome.diagnostics.iter() {
            let (path, diag) = match &d.primary {
                Some(l) => {
                    let file = outcome.files.get(l.span.file);
                    (
                        file.path.clone(),
                        features::diagnostic(d, file, &outcome.files, self.enc),
                    )
                }
                // No file (the root cannot be read): shown on the document.
                None => (opened.to_path_buf(), features::diagnostic_nowhere(d)),
            };
            per_file.entry(path).or_default().push(diag);
        }
        for p in previous {
            per_file.entry(p).or_default();
        }
        let mut published = BTreeSet::new();
        for (path, diagnostics) in per_file {
            let Some(uri) = uri_of(&path) else { continue };
            if !diagnostics.is_empty() {
                published.insert(path);
            }
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            self.outbox
                .push(Notification::new(PublishDiagnostics::METHOD.into(), params));
        }
        published
    }

    /// The checked model of `path`, with the file's id in it and its text
    /// (checking it first when no model has read it).
    fn file(&mut self, path: &Path) -> Option<(&Outcome, FileId)> {
        if self.model_of(path).is_none() {
            if !self.is_model_file(path) {
                return None;
            }
            self.check(path);
        }
        let i = self.model_of(path)?;
        let outcome = &self.models[i].outcome;
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let id = (0..outcome.files.len())
            .map(|i| FileId(i as u32))
            .find(|&id| {
                let f = outcome.files.get(id);
                f.path == canon || f.path == path
            })?;
        Some((outcome, id))
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let method = req.method.clone();
        // A bug must cost one answer, not the editor's server.
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| features::answer(self, req)));
        match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("tmkit lsp failed on `{method}` (a bug: please report it)"),
            ),
        }
    }
}

/// A request's failure: its code and message.
type Failure = (ErrorCode, String);
