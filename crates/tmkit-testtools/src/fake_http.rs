//! The HTTP/1.1 side of the fake trackers ([`crate::fake_github`],
//! [`crate::fake_gitlab`], [`crate::fake_jira`]): a listener on 127.0.0.1,
//! one thread per connection, keep-alive requests read with `httparse`, and
//! each answer written as JSON with its status and extra headers. The fakes
//! only decide the answers; what they share is here too: their state
//! ([`Shared`]), starting one ([`start`]), reading a query ([`param`]),
//! GitHub's and GitLab's lists ([`newest_first`], [`page`]) and rate
//! limits ([`retry_after`]).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};

/// A request as received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`...
    pub method: String,
    /// Path and query, as sent (still URL-encoded).
    pub path: String,
    /// Headers, as sent.
    pub headers: Vec<(String, String)>,
    /// The body (`content-length` bytes).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        (self.headers.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// An answer: status, extra headers, body (none for 204).
pub type Answer = (u16, Vec<(String, String)>, Option<String>);

/// A listener on a free port of 127.0.0.1.
pub fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1")
}

/// Serves `listener` in the background: every request is answered by
/// `answer`, with `content-type: {content_type}`.
pub fn serve(
    listener: TcpListener,
    content_type: &'static str,
    answer: impl Fn(&Request) -> Answer + Send + Sync + 'static,
) {
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || connection(stream, content_type, &*answer));
        }
    });
}

/// Reads one request of a keep-alive connection; None when it ends.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&head), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let headers: Vec<(String, String)> = (req.headers.iter())
        .filter_map(|h| {
            Some((
                h.name.to_string(),
                std::str::from_utf8(h.value).ok()?.to_string(),
            ))
        })
        .collect();
    let mut request = Request {
        method: req.method.unwrap_or("").to_string(),
        path: req.path.unwrap_or("").to_string(),
        headers,
        body: Vec::new(),
    };
    let len: usize = (request.header("content-length"))
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    request.body = vec![0; len];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}

fn connection(stream: TcpStream, content_type: &str, answer: &dyn Fn(&Request) -> Answer) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let (status, extra, body) = answer(&request);
        let text = body.unwrap_or_default();
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n",
            text.len()
        );
        for (k, v) in extra {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&text);
        if writer.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

/// A fake's state, shared by its server threads and the test.
#[derive(Debug, Default)]
pub struct Shared<T>(Arc<Mutex<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    /// Shares `state`.
    pub fn new(state: T) -> Shared<T> {
        Shared(Arc::new(Mutex::new(state)))
    }

    /// The state (a panicked test thread does not lock the others out).
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts a fake on a free port of 127.0.0.1: `make` builds it from its
/// address (`http://127.0.0.1:PORT`), then every request is answered by
/// `answer` with the fake, with `content-type: {content_type}`.
pub fn start<F: Clone + Send + Sync + 'static>(
    content_type: &'static str,
    make: impl FnOnce(String) -> F,
    answer: impl Fn(&F, &Request) -> Answer + Send + Sync + 'static,
) -> F {
    let listener = bind();
    let fake = make(format!(
        "http://{}",
        listener.local_addr().expect("local address")
    ));
    let server = fake.clone();
    serve(listener, content_type, move |r| answer(&server, r));
    fake
}

/// The value of `key` in a query (`state=all&page=2`).
pub fn param(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

/// The issues in `state` (`all`, or the value of their `state`), newest
/// first, as GitHub and GitLab list them by default.
pub fn newest_first<'a>(issues: &'a [Value], state: &str) -> Vec<&'a Value> {
    (issues.iter().rev())
        .filter(|i| state == "all" || i["state"] == state)
        .collect()
}

/// The issue whose number field `key` (GitHub's `number`, GitLab's `iid`)
/// is `n` (a path segment).
pub fn numbered<'a>(issues: &'a mut [Value], key: &str, n: &str) -> Option<&'a mut Value> {
    let n: u64 = n.parse().ok()?;
    issues.iter_mut().find(|i| i[key] == n)
}

/// One page of a list, as GitHub and GitLab page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page asked for (from 1).
    pub page: usize,
    /// The issues per page.
    pub per_page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// The issues of the page.
    pub items: Vec<Value>,
}

/// The page of `all` that `query` asks for (`page`, default 1; `per_page`,
/// default `default`, at most `max`).
pub fn page(all: &[&Value], query: &str, default: usize, max: usize) -> Page {
    let per_page = param(query, "per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max);
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let items = (all.iter())
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|v| (*v).clone())
        .collect();
    Page {
        page,
        per_page,
        pages: all.len().div_ceil(per_page).max(1),
        items,
    }
}

/// The `retry-after` header of a rate limit of `seconds`.
pub fn retry_after(seconds: u64) -> (String, String) {
    ("retry-after".into(), seconds.to_string())
}
