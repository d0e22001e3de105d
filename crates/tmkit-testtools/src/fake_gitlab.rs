//! A local stand-in for the GitLab REST v4 issues API, on 127.0.0.1, over
//! plain HTTP: the request and response shapes `tmkit sync gitlab` uses.
//! The project is addressed by its URL-encoded path
//! (`/projects/group%2Fname/issues`; a raw `/` in it is a 404, as on
//! GitLab); pages carry `X-Next-Page`, `X-Page`, `X-Per-Page`, `X-Total`
//! and a `Link` header (newest first, as GitLab lists); the token is
//! checked in `PRIVATE-TOKEN` (401 `{"message":"401 Unauthorized"}`);
//! another project is `404 Project Not Found`. Scripted faults: a 429 with
//! `Retry-After` (or only `RateLimit-Reset`), a 500, and a persistent
//! failure after N created issues.

use crate::fake_http::{self, Shared};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::MutexGuard;

/// A fault served instead of the next request's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: N`.
    TooManyRequests(u64),
    /// 429 with `RateLimit-Reset` N seconds ahead and no `Retry-After`.
    RateLimitReset(u64),
    /// 500.
    ServerError,
}

/// One request received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `GET`, `POST`...
    pub method: String,
    /// Path and query, as sent (still URL-encoded).
    pub path: String,
    /// The `PRIVATE-TOKEN` header as sent.
    pub token: Option<String>,
    /// The `Authorization` header as sent (never expected).
    pub authorization: Option<String>,
    /// The JSON body (`null` when none).
    pub body: Value,
}

/// The server's state, open to the test.
#[derive(Debug, Default)]
pub struct State {
    /// Issues (GitLab's JSON shape), oldest first.
    pub issues: Vec<Value>,
    /// Notes: (issue iid, body).
    pub notes: Vec<(u64, String)>,
    /// Faults served in order, one per request.
    pub faults: VecDeque<Fault>,
    /// After this many created issues, every create answers 500.
    pub fail_creates_after: Option<usize>,
    /// Largest page (GitLab: 100).
    pub max_per_page: usize,
    /// Every request.
    pub seen: Vec<Seen>,
    /// A hostile server: only a `Link` header, whose URLs start here.
    pub link_only_base: Option<String>,
    created: usize,
}

/// The fake server; it runs until the process ends.
#[derive(Debug, Clone)]
pub struct FakeGitLab {
    /// `http://127.0.0.1:PORT/api/v4`, the `--api-url`.
    pub url: String,
    /// The project it serves (`group/name`).
    pub project: String,
    /// The token it accepts.
    pub token: String,
    state: Shared<State>,
}

impl FakeGitLab {
    /// Starts a server for `project` accepting `token`.
    pub fn start(project: &str, token: &str) -> FakeGitLab {
        let make = |url| FakeGitLab {
            url: format!("{url}/api/v4"),
            project: project.to_string(),
            token: token.to_string(),
            state: Shared::new(State {
                max_per_page: 100,
                ..State::default()
            }),
        };
        fake_http::start("application/json", make, |fake, r| {
            let seen = Seen {
                method: r.method.clone(),
                path: r.path.clone(),
                token: r.header("private-token"),
                authorization: r.header("authorization"),
                body: serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            };
            let (status, extra, json) = fake.answer(&seen);
            (status, extra, Some(json.to_string()))
        })
    }

    /// The state (issues, faults, requests seen).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Issue `iid`, as stored.
    pub fn issue(&self, iid: u64) -> Option<Value> {
        find(&mut self.state(), &iid.to_string()).cloned()
    }

    /// Changes issue `iid` as a user would in the web interface.
    pub fn edit(&self, iid: u64, f: impl FnOnce(&mut Value)) {
        if let Some(i) = find(&mut self.state(), &iid.to_string()) {
            f(i);
        }
    }

    fn answer(&self, seen: &Seen) -> (u16, Vec<(String, String)>, Value) {
        let mut st = self.state();
        st.seen.push(seen.clone());
        if let Some(f) = st.faults.pop_front() {
            let limit = |extra: Vec<(String, String)>| {
                let mut h = vec![
                    ("ratelimit-limit".to_string(), "600".to_string()),
                    ("ratelimit-remaining".to_string(), "0".to_string()),
                ];
                h.extend(extra);
                h
            };
            let too_many = json!({"message": "Retry later"});
            return match f {
                Fault::TooManyRequests(s) => {
                    (429, limit(vec![fake_http::retry_after(s)]), too_many)
                }
                Fault::RateLimitReset(s) => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    (
                        429,
                        limit(vec![("ratelimit-reset".into(), (now + s).to_string())]),
                        too_many,
                    )
                }
                Fault::ServerError => {
                    (500, vec![], json!({"message": "500 Internal Server Error"}))
                }
            };
        }
        if seen.token.as_deref() != Some(self.token.as_str()) {
            return (401, vec![], json!({"message": "401 Unauthorized"}));
        }
        let (path, query) = seen.path.split_once('?').unwrap_or((&seen.path, ""));
        let Some(rest) = path.strip_prefix(&format!("{}/projects/", self.base_path())) else {
            return (404, vec![], json!({"error": "404 Not Found"}));
        };
        // The project is one segment: its path URL-encoded.
        let (id, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if id != self.project.replace('/', "%2F") {
            return (404, vec![], json!({"message": "404 Project Not Found"}));
        }
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        let input = &seen.body;
        match (seen.method.as_str(), parts.as_slice()) {
            ("GET", ["issues"]) => self.list(&st, query),
            ("POST", ["issues"]) => self.create(&mut st, input),
            ("PUT", ["issues", n]) => edit(&mut st, n, input),
            ("POST", ["issues", n, "notes"]) => {
                let Ok(iid) = n.parse::<u64>() else {
                    return issue_not_found();
                };
                if find(&mut st, n).is_none() {
                    return issue_not_found();
                }
                let Some(text) = input["body"].as_str().map(str::to_string) else {
                    return (400, vec![], json!({"error": "body is missing"}));
                };
                st.notes.push((iid, text.clone()));
                (
                    201,
                    vec![],
                    json!({"id": st.notes.len(), "body": text, "noteable_iid": iid, "noteable_type": "Issue", "system": false}),
                )
            }
            _ => (404, vec![], json!({"error": "404 Not Found"})),
        }
    }

    /// The path of the API root (`/api/v4`).
    fn base_path(&self) -> &str {
        self.url.find("/api/").map_or("/api/v4", |i| &self.url[i..])
    }

    fn create(&self, st: &mut State, input: &Value) -> (u16, Vec<(String, String)>, Value) {
        if st.fail_creates_after.is_some_and(|n| st.created >= n) {
            return (500, vec![], json!({"message": "500 Internal Server Error"}));
        }
        let Some(title) = input["title"].as_str() else {
            return (400, vec![], json!({"error": "title is missing"}));
        };
        if title.chars().count() > 255 {
            return (
                400,
                vec![],
                json!({"message": {"title": ["is too long (maximum is 255 characters)"]}}),
            );
        }
        let iid = st.issues.len() as u64 + 1;
        let issue = json!({
            "id": 5000 + iid,
            "iid": iid,
            "project_id": 77,
            "title": title,
            "description": input["description"],
            "state": "opened",
            "created_at": "2026-12-06T00:00:00.000Z",
            "updated_at": "2026-12-06T00:00:00.000Z",
            "closed_at": null,
            "closed_by": null,
            "labels": split_labels(&input["labels"]),
            "milestone": null,
            "assignees": [],
            "assignee": null,
            "author": {"id": 1, "username": "tmkit-bot", "name": "tmkit bot", "state": "active"},
            "type": "ISSUE",
            "user_notes_count": 0,
            "due_date": null,
            "confidential": false,
            "web_url": format!("https://gitlab.example/{}/-/issues/{iid}", self.project),
            "references": {
                "short": format!("#{iid}"),
                "relative": format!("#{iid}"),
                "full": format!("{}#{iid}", self.project),
            },
        });
        st.created += 1;
        st.issues.push(issue.clone());
        (201, vec![], issue)
    }

    fn list(&self, st: &State, query: &str) -> (u16, Vec<(String, String)>, Value) {
        // GitLab lists only open issues unless told `state=all`.
        let state = fake_http::param(query, "state").unwrap_or_else(|| "opened".into());
        let all = fake_http::newest_first(&st.issues, &state);
        let fake_http::Page {
            page,
            per_page,
            pages,
            items,
        } = fake_http::page(&all, query, 20, st.max_per_page);
        let base = st
            .link_only_base
            .clone()
            .unwrap_or_else(|| self.url.clone());
        let link_to = |p: usize| {
            format!(
                "<{base}/projects/{}/issues?page={p}&per_page={per_page}&scope=all&state={state}>",
                self.project.replace('/', "%2F")
            )
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
        }
        if page < pages {
            links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
        }
        links.push(format!("{}; rel=\"first\"", link_to(1)));
        links.push(format!("{}; rel=\"last\"", link_to(pages)));
        let mut headers = vec![("link".to_string(), links.join(", "))];
        if st.link_only_base.is_none() {
            let next = if page < pages {
                (page + 1).to_string()
            } else {
                String::new()
            };
            headers.extend([
                ("x-next-page".to_string(), next),
                ("x-page".to_string(), page.to_string()),
                ("x-per-page".to_string(), per_page.to_string()),
                ("x-total".to_string(), all.len().to_string()),
                ("x-total-pages".to_string(), pages.to_string()),
            ]);
        }
        (200, headers, Value::Array(items))
    }
}

/// `PUT /projects/:id/issues/:iid`: description, labels, `add_labels`,
/// `state_event` (`close` or `reopen`; the other value is a 400).
fn edit(st: &mut State, n: &str, input: &Value) -> (u16, Vec<(String, String)>, Value) {
    let Some(i) = find(st, n) else {
        return issue_not_found();
    };
    for key in ["title", "description"] {
        if let Some(v) = input.get(key) {
            i[key] = v.clone();
        }
    }
    if let Some(l) = input.get("labels") {
        i["labels"] = split_labels(l);
    }
    if let Some(l) = input.get("add_labels") {
        let mut names = i["labels"].as_array().cloned().unwrap_or_default();
        for l in split_labels(l).as_array().into_iter().flatten() {
            if !names.contains(l) {
                names.push(l.clone());
            }
        }
        i["labels"] = Value::Array(names);
    }
    match input.get("state_event").and_then(Value::as_str) {
        Some("close") if i["state"] == "opened" => {
            i["state"] = "closed".into();
            i["closed_at"] = "2026-12-06T01:00:00.000Z".into();
            i["closed_by"] = json!({"id": 1, "username": "tmkit-bot"});
        }
        Some("reopen") if i["state"] == "closed" => {
            i["state"] = "opened".into();
            i["closed_at"] = Value::Null;
            i["closed_by"] = Value::Null;
        }
        Some("close" | "reopen") | None => {}
        Some(_) => {
            return (
                400,
                vec![],
                json!({"error": "state_event does not have a valid value"}),
            );
        }
    }
    (200, vec![], i.clone())
}

fn find<'a>(st: &'a mut State, n: &str) -> Option<&'a mut Value> {
    fake_http::numbered(&mut st.issues, "iid", n)
}

/// Labels given as one comma-separated text, stored as names.
fn split_labels(v: &Value) -> Value {
    Value::Array(
        v.as_str()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Value::String(l.to_string()))
            .collect(),
    )
}

fn issue_not_found() -> (u16, Vec<(String, String)>, Value) {
    (404, vec![], json!({"message": "404 Not found"}))
}
