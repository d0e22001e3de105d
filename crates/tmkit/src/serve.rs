//! `tmkit serve`: a live preview of the HTML report and the diagram.
//!
//! The model is checked and rendered by the same functions as `tmkit
//! check`, `report` and `diagram`; the pages are rebuilt when a file of
//! the model changes (its directories watched through notify, events
//! debounced), and the browser reloads them: the page at `/` holds the
//! report in a frame and a small script that long-polls `/wait` for the
//! next build. A model with errors shows its diagnostics instead of the
//! report, until the next save fixes it.
//!
//! Security: the server listens on 127.0.0.1 only; a request whose `Host`
//! is not `127.0.0.1:PORT` or `localhost:PORT` is refused (403), so a page
//! of another site cannot read it through DNS rebinding; only the four
//! routes below exist (no file is served from disk, no directory listed);
//! every page carries a Content-Security-Policy.
//!
//! | route | what |
//! | --- | --- |
//! | `/` | the preview: the report in a frame, the reload script |
//! | `/report` | the HTML report, or the diagnostics of a broken model |
//! | `/diagram.svg` | the diagram (SVG), or an empty one with the error count |
//! | `/wait?since=N` | the build number, once it differs from N (at most 25 s) |

use crate::{CheckOptions, check};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, new_debouncer};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_render::diagram::{DiagramFormat, DiagramOptions};
use tmkit_render::escape::escape_html;
use tmkit_render::report::{ReportFormat, ReportOptions};
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::node::Limits;

/// How long file events are gathered before one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// How long `/wait` holds a request when nothing changes.
const LONG_POLL: Duration = Duration::from_secs(25);

/// What to serve.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// The model (a file or a directory holding threatmodel.yaml).
    pub path: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Which extraction the report shows.
    pub view: ViewKind,
    /// The limits of loading.
    pub limits: Limits,
}

impl ServeOptions {
    /// The full view of the model at `path`, on `port`, default limits.
    pub fn new(path: PathBuf, port: u16) -> ServeOptions {
        ServeOptions {
            path,
            port,
            view: ViewKind::Full,
            limits: Limits::default(),
        }
    }

    /// With this view.
    pub fn with_view(mut self, view: ViewKind) -> Self {
        self.view = view;
        self
    }

    /// With these limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// One build of the pages.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// The HTML report, or the page of diagnostics.
    pub report: String,
    /// The SVG diagram (an empty picture when the model has errors).
    pub diagram: String,
    /// The number of errors (0: the report is shown).
    pub errors: usize,
    /// Every file the model read (what to watch).
    pub files: Vec<PathBuf>,
}

/// Checks the model and renders its pages (the diagnostics page when it
/// has errors).
pub fn build(options: &ServeOptions) -> Pages {
    let check_options = CheckOptions::new().with_limits(options.limits);
    let outcome = check(&options.path, &check_options);
    let files = (0..outcome.files.len())
        .map(|i| {
            outcome
                .files
                .get(tmkit_syntax::FileId(i as u32))
                .path
                .clone()
        })
        .collect();
    let errors = outcome.diagnostics.errors();
    match outcome.model {
        Some(model) if errors == 0 => {
            let view = View::without_matrix(model, options.view);
            let diagram = tmkit_render::diagram::render(
                &view.model,
                &view.analysis,
                DiagramFormat::Svg,
                &DiagramOptions::new(),
            );
            let mut report = Vec::new();
            let written = tmkit_render::report::write(
                &view,
                ReportFormat::Html,
                &ReportOptions::new(),
                &mut report,
            );
            let report = match written {
                Ok(()) => String::from_utf8_lossy(&report).into_owned(),
                Err(e) => problem_page(&format!("the report could not be rendered: {e}")),
            };
            Pages {
                report,
                diagram,
                errors: 0,
                files,
            }
        }
        _ => {
            let text = render_human(&outcome.diagnostics, &outcome.files, false);
            Pages {
                report: problem_page(&text),
                diagram: empty_diagram(errors),
                errors: errors.max(1),
                files,
            }
        }
    }
}

/// The page shown instead of the report: the diagnostics as `check`
/// prints them, escaped.
fn problem_page(text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\n\
         <title>tmkit: the model has errors</title>\n</head>\n<body>\n\
         <h1>The model has errors</h1>\n<p>Fix them and save: this page reloads.</p>\n\
         <pre id=\"diagnostics\">{}</pre>\n</body>\n</html>\n",
        escape_html(text)
    )
}

fn empty_diagram(errors: usize) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"40\" viewBox=\"0 0 480 40\">\
         <text x=\"8\" y=\"24\" font-family=\"sans-serif\" font-size=\"14\">The model has {}: see the report.</text></svg>\n",
        crate::text::count(errors.max(1), "error")
    )
}

/// The script of the preview: waits for the next build, then reloads the frame.
const RELOAD_JS: &str = "(function(){var g=null;var f=document.getElementById('view');\
function poll(){fetch('/wait'+(g===null?'':'?since='+g),{cache:'no-store'})\
.then(function(r){if(!r.ok){throw r.status;}return r.text();})\
.then(function(t){var n=parseInt(t,10);if(g!==null&&n!==g){f.contentWindow.location.reload();}g=n;poll();},\
function(){setTimeout(poll,1000);});}poll();})();";

const PREVIEW_CSS: &str = "html,body{margin:0;height:100%;font-family:sans-serif}\
nav{padding:4px 8px;border-bottom:1px solid #ccc}nav a{margin-right:12px}\
iframe{border:0;width:100%;height:calc(100% - 32px)}";

fn hash(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page at `/`.
fn preview_page() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; frame-src 'self'; \
         connect-src 'self'; script-src {}; style-src {}; base-uri 'none'; form-action 'none'\">\n\
         <title>tmkit serve</title>\n<style>{PREVIEW_CSS}</style>\n</head>\n<body>\n\
         <nav><a href=\"/report\" target=\"view\">Report</a><a href=\"/diagram.svg\" target=\"view\">Diagram</a></nav>\n\
         <iframe id=\"view\" name=\"view\" src=\"/report\" title=\"report\"></iframe>\n\
         <script>{RELOAD_JS}</script>\n</body>\n</html>\n",
        hash(RELOAD_JS),
        hash(PREVIEW_CSS)
    )
}

/// The state the handlers share: the pages and the build number.
struct Shared {
    pages: Mutex<Pages>,
    build: tokio::sync::watch::Sender<u64>,
    /// The `Host` values accepted.
    hosts: [String; 2],
}

type AppState = Arc<Shared>;

/// Binds 127.0.0.1:`port` (0: a free port); `ready` is told the address
/// once the first build is done; then serves until the process ends.
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let first = build(&options);
    let watched = first.files.clone();
    let (tx, _) = tokio::sync::watch::channel(1u64);
    let shared = Arc::new(Shared {
        pages: Mutex::new(first),
        build: tx,
        hosts: [
            format!("127.0.0.1:{}", addr.port()),
            format!("localhost:{}", addr.port()),
        ],
    });
    watch(&options, &watched, shared.clone())?;
    let app = axum::Router::new()
        .route("/", get(preview))
        .route("/report", get(report))
        .route("/diagram.svg", get(diagram))
        .route("/wait", get(wait))
        .with_state(shared);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        ready(addr);
        axum::serve(listener, app).await
    })
}

/// Watches the directories of the model's files; each debounced burst of
/// changes to a YAML or JSON file in them rebuilds the pages (and the set
/// of directories watched).
fn watch(options: &ServeOptions, files: &[PathBuf], shared: AppState) -> std::io::Result<()> {
    let options = options.clone();
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, tx).map_err(std::io::Error::other)?;
    let mut dirs = directories(&options.path, files);
    for d in &dirs {
        let _ = debouncer.watcher().watch(d, RecursiveMode::NonRecursive);
    }
    // The thread owns the debouncer; both live as long as the process.
    std::thread::spawn(move || {
        for events in rx {
            let Ok(events) = events else { continue };
            if !events.iter().any(|e| relevant(&e.path)) {
                continue;
            }
            let pages = build(&options);
            let now = directories(&options.path, &pages.files);
            for d in now.difference(&dirs) {
                let _ = debouncer.watcher().watch(d, RecursiveMode::NonRecursive);
            }
            dirs.extend(now);
            if let Ok(mut p) = shared.pages.lock() {
                *p = pages;
            }
            shared.build.send_modify(|n| *n += 1);
        }
    });
    Ok(())
}

fn relevant(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The directories holding the model's files (and the model's own).
fn directories(model: &Path, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let own = if model.is_dir() {
        model.to_path_buf()
    } else {
        model.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let own = std::fs::canonicalize(&own).unwrap_or(own);
    let mut out: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    out.insert(own);
    out.retain(|d| d.is_dir());
    out
}

/// None when the request's `Host` is one of ours, else the refusal.
fn refuse(state: &Shared, headers: &HeaderMap) -> Option<Response> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match host {
        Some(h) if state.hosts.iter().any(|o| o == h) => None,
        _ => Some(
            (
                StatusCode::FORBIDDEN,
                "tmkit serve answers requests for 127.0.0.1 and localhost only\n",
            )
                .into_response(),
        ),
    }
}

fn page(body: String, content_type: &'static str, csp: Option<&'static str>) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(csp) = csp {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    r
}

async fn preview(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = refuse(&s, &headers) {
        return r;
    }
    page(preview_page(), "text/html; charset=utf-8", None)
}

async fn report(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = refuse(&s, &headers) {
        return r;
    }
    let body = s.pages.lock().map(|p| p.report.clone()).unwrap_or_default();
    page(
        body,
        "text/html; charset=utf-8",
        Some("frame-ancestors 'self'"),
    )
}

async fn diagram(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = refuse(&s, &headers) {
        return r;
    }
    let body = s
        .pages
        .lock()
        .map(|p| p.diagram.clone())
        .unwrap_or_default();
    // An SVG may hold no script: none runs.
    let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    page(body, "image/svg+xml", Some(csp))
}

async fn wait(State(s): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    if let Some(r) = refuse(&s, &headers) {
        return r;
    }
    let mut rx = s.build.subscribe();
    let since = (uri.query().unwrap_or(""))
        .split('&')
        .find_map(|kv| kv.strip_prefix("since="))
        .and_then(|v| v.parse::<u64>().ok());
    if since == Some(*rx.borrow_and_update()) {
        let _ = tokio::time::timeout(LONG_POLL, rx.changed()).await;
    }
    let n = *rx.borrow();
    page(n.to_string(), "text/plain; charset=utf-8", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_model_is_a_page_of_escaped_diagnostics() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = dir.path().join("threatmodel.yaml");
        std::fs::write(&model, "tmkit: 1\nid: X\ntitle: \"<script>x</script>\"\nthreats: [{ id: T, title: t, targets: [nope] }]\n")
            .expect("write");
        let pages = build(&ServeOptions::new(model, 0));
        assert!(pages.errors > 0);
        assert!(pages.report.contains("E0201"), "{}", pages.report);
        assert!(!pages.report.contains("<script>x"));
        assert!(pages.diagram.starts_with("<svg"));
    }

    #[test]
    fn the_preview_allows_exactly_its_own_script() {
        let p = preview_page();
        assert!(p.contains(&hash(RELOAD_JS)) && p.contains(&hash(PREVIEW_CSS)));
        assert!(p.contains(&format!("<script>{RELOAD_JS}</script>")));
        assert!(!p.contains("unsafe-inline"));
    }
}
