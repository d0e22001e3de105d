//! The one HTTP client of the trackers: JSON requests with a timeout,
//! retries with exponential backoff on 5xx and on network errors, and
//! waits on rate limits (`Retry-After`, GitHub's `x-ratelimit-*` and
//! secondary limits, GitLab's `RateLimit-Reset`, 429). Every tracker goes
//! through [`Client::send`].
//!
//! Secrets: the caller passes the authorization header as a [`Secret`],
//! which is never formatted (its `Debug` prints `***`), and no error message
//! carries a header: only the method, the URL and the server's message.

use std::fmt;
use std::time::Duration;

/// A header value that must never be printed (a token).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a header value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Retry and timeout settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Timeout of one request (connect, send, receive).
    pub timeout: Duration,
    /// Attempts after the first one, for 5xx, network errors and rate limits.
    pub retries: u32,
    /// First backoff after a 5xx; doubled each attempt.
    pub backoff: Duration,
    /// Longest wait for a rate limit; a longer one is an error.
    pub max_wait: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
        }
    }
}

/// An HTTP method of the trackers' APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

/// A response: status, the headers the trackers page and limit with, body.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl Response {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<serde_json::Value, HttpError> {
        serde_json::from_str(&self.body).map_err(|e| HttpError::Body(e.to_string()))
    }
}

/// What went wrong with a request (never carrying a header).
#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// The server answered with an error status (after retries for 5xx).
    Status {
        /// `GET https://...`
        request: String,
        /// HTTP status.
        status: u16,
        /// The server's `message` (or the start of its body).
        message: String,
    },
    /// A rate limit asks to wait longer than allowed.
    RateLimited {
        /// `GET https://...`
        request: String,
        /// Seconds asked for.
        wait: u64,
    },
    /// No answer: connection refused, timeout, TLS error.
    Network {
        /// `GET https://...`
        request: String,
        /// Why.
        message: String,
    },
    /// The body is not the JSON expected.
    Body(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Status {
                request,
                status,
                message,
            } => write!(f, "{request}: HTTP {status}: {message}"),
            HttpError::RateLimited { request, wait } => write!(
                f,
                "{request}: rate limited for {wait} s, longer than tmkit waits; run again later"
            ),
            HttpError::Network { request, message } => write!(f, "{request}: {message}"),
            HttpError::Body(m) => write!(f, "unexpected answer from the tracker: {m}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Told the seconds a retry waits and why.
pub type OnWait = Box<dyn Fn(f64, &str)>;

/// The client: one agent, its settings, the headers sent with every request.
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    headers: Vec<(String, String)>,
    auth: Option<(String, Secret)>,
    /// Called with the seconds waited and why (progress on a terminal).
    pub on_wait: Option<OnWait>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .field("headers", &self.headers)
            .field("auth", &self.auth)
            .finish()
    }
}

/// What one attempt's answer asks for.
enum Next {
    Done(Response),
    Retry(Duration, Response),
}

impl Client {
    /// A client with `settings`, sending `headers` and the authorization
    /// header `auth` (name, secret value) with every request.
    pub fn new(
        settings: Settings,
        headers: Vec<(String, String)>,
        auth: Option<(String, Secret)>,
    ) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("tmkit/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            settings,
            headers,
            auth,
            on_wait: None,
        }
    }

    /// Sends `method url` with an optional JSON body; retries 5xx, network
    /// errors and rate limits; returns the final response when its status
    /// is 2xx, else an [`HttpError::Status`].
    pub fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, HttpError> {
        let request = format!("{} {}", method.as_str(), strip_query_secrets(url));
        let mut attempt = 0u32;
        loop {
            let result = self.once(method, url, body);
            let next = match result {
                Ok(r) => self.classify(r, attempt, &request)?,
                Err(message) => {
                    if attempt >= self.settings.retries {
                        return Err(HttpError::Network { request, message });
                    }
                    Next::Retry(
                        self.backoff(attempt),
                        Response {
                            status: 0,
                            headers: Vec::new(),
                            body: message,
                        },
                    )
                }
            };
            match next {
                Next::Done(r) => return Ok(r),
                Next::Retry(wait, r) => {
                    if attempt >= self.settings.retries {
                        return Err(status_error(&request, &r));
                    }
                    if let Some(f) = &self.on_wait {
                        f(wait.as_secs_f64(), &format!("HTTP {}", r.status));
                    }
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.settings.backoff * 2u32.saturating_pow(attempt.min(10))
    }

    /// Whether `r` is final, to retry (and after how long), or an error.
    fn classify(&self, r: Response, attempt: u32, request: &str) -> Result<Next, HttpError> {
        if (200..300).contains(&r.status) {
            return Ok(Next::Done(r));
        }
        if let Some(wait) = rate_limit_wait(&r) {
            if wait > self.settings.max_wait {
                return Err(HttpError::RateLimited {
                    request: request.to_string(),
                    wait: wait.as_secs(),
                });
            }
            return Ok(Next::Retry(wait, r));
        }
        if r.status >= 500 {
            return Ok(Next::Retry(self.backoff(attempt), r));
        }
        Err(status_error(request, &r))
    }

    fn once(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, String> {
        macro_rules! headers {
            ($req:expr) => {{
                let mut req = $req.header("Content-Type", "application/json");
                if !self
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
                {
                    req = req.header("Accept", "application/json");
                }
                for (k, v) in &self.headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                if let Some((k, v)) = &self.auth {
                    req = req.header(k.as_str(), v.0.as_str());
                }
                req
            }};
        }
        let text = body.map(|b| b.to_string()).unwrap_or_default();
        let result = match method {
            Method::Get => headers!(self.agent.get(url)).call(),
            Method::Post => headers!(self.agent.post(url)).send(text.as_str()),
            Method::Put => headers!(self.agent.put(url)).send(text.as_str()),
            Method::Patch => headers!(self.agent.patch(url)).send(text.as_str()),
        };
        let mut resp = result.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A URL without its query's values that look like secrets (none of the
/// trackers' calls put one there, but a user-given `--api-url` might).
fn strip_query_secrets(url: &str) -> &str {
    url.split_once('?').map_or(url, |(base, _)| base)
}

/// The wait a rate-limited response asks for: `Retry-After` (seconds) on a
/// 403 or 429, or GitHub's `x-ratelimit-remaining: 0` with
/// `x-ratelimit-reset` (a Unix time) on a 403 or 429.
pub fn rate_limit_wait(r: &Response) -> Option<Duration> {
    if r.status != 429 && r.status != 403 {
        return None;
    }
    if let Some(s) = r.header("retry-after") {
        return Some(Duration::from_secs(s.trim().parse::<u64>().unwrap_or(60)));
    }
    if r.header("x-ratelimit-remaining").map(str::trim) == Some("0") {
        let reset = r.header("x-ratelimit-reset")?.trim().parse::<u64>().ok()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return Some(Duration::from_secs(reset.saturating_sub(now).max(1)));
    }
    // GitLab: `RateLimit-Reset` (a Unix time) on a 429 without `Retry-After`.
    if r.status == 429 {
        if let Some(reset) = r
            .header("ratelimit-reset")
            .and_then(|s| s.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_secs(reset.saturating_sub(now_secs()).max(1)));
        }
        return Some(Duration::from_secs(60));
    }
    None
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn status_error(request: &str, r: &Response) -> HttpError {
    let message = serde_json::from_str::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("error"))
                .or_else(|| {
                    v.get("errorMessages")
                        .filter(|m| m.as_array().is_none_or(|a| !a.is_empty()))
                })
                // Jira: field errors, with an empty `errorMessages`.
                .or_else(|| v.get("errors"))
                .map(|m| match m {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
        })
        .unwrap_or_else(|| r.body.chars().take(200).collect());
    HttpError::Status {
        request: request.to_string(),
        status: r.status,
        message,
    }
}

/// An API base URL a token may be sent to: `https://`, or `http://` to the
/// loopback interface only (a local proxy or test server), so that a token
/// never crosses a network in clear.
pub fn check_api_url(url: &str) -> Result<(), crate::SyncError> {
    if url.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Ok(());
        }
    }
    Err(crate::SyncError::usage(format!(
        "--api-url `{url}` is not an https:// URL: the token is only sent over HTTPS (plain http:// only to localhost)"
    )))
}

/// The next page number of GitLab's `X-Next-Page` header (empty on the
/// last page).
pub fn next_page(r: &Response) -> Option<u64> {
    r.header("x-next-page")?.trim().parse::<u64>().ok()
}

/// The `rel="next"` URL of a `Link` header (RFC 8288, as GitHub sends it).
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_over_https_or_to_localhost_only() {
        assert!(check_api_url("https://api.github.com").is_ok());
        assert!(check_api_url("http://127.0.0.1:8080").is_ok());
        assert!(check_api_url("http://localhost/api/v3").is_ok());
        assert!(check_api_url("http://ghe.example.com/api/v3").is_err());
        assert!(check_api_url("http://127.0.0.1.evil.com/").is_err());
        assert!(check_api_url("ftp://x").is_err());
    }

    #[test]
    fn link_header_next_is_found() {
        let h = "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
        let last =
            "<https://x/issues?page=1>; rel=\"prev\", <https://x/issues?page=1>; rel=\"first\"";
        assert_eq!(next_link(last), None);
    }

    fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn rate_limits_are_recognised() {
        assert_eq!(
            rate_limit_wait(&resp(429, &[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            rate_limit_wait(&resp(403, &[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        // A 403 without limit headers is a permission problem, not a wait.
        assert_eq!(rate_limit_wait(&resp(403, &[])), None);
        assert_eq!(rate_limit_wait(&resp(500, &[("retry-after", "3")])), None);
        let w = rate_limit_wait(&resp(
            403,
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")],
        ));
        assert_eq!(w, Some(Duration::from_secs(1)));
        // GitLab: a 429 with `RateLimit-Reset` only (a time in the past: 1 s).
        let w = rate_limit_wait(&resp(429, &[("ratelimit-reset", "1")]));
        assert_eq!(w, Some(Duration::from_secs(1)));
        assert_eq!(
            rate_limit_wait(&resp(429, &[])),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn gitlab_next_page_is_read() {
        assert_eq!(next_page(&resp(200, &[("x-next-page", "3")])), Some(3));
        assert_eq!(next_page(&resp(200, &[("x-next-page", "")])), None);
        assert_eq!(next_page(&resp(200, &[])), None);
    }

    #[test]
    fn secrets_are_not_formatted() {
        let c = Client::new(
            Settings::default(),
            Vec::new(),
            Some(("Authorization".into(), Secret::new("Bearer hunter2".into()))),
        );
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
