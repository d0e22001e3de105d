//! A local stand-in for the GitHub REST v3 issues API, on 127.0.0.1, over
//! plain HTTP: the request and response shapes `tmkit sync` uses, with
//! pagination by `Link` header (newest first, as GitHub lists), bearer-token
//! authentication (401 "Bad credentials"), 404 for another repository, and
//! scripted faults: a 429 or a secondary-rate-limit 403 with `Retry-After`,
//! a 500, and a persistent failure after N created issues.

use crate::fake_http::{self, Request, Shared};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::MutexGuard;

/// A fault served instead of the next request's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: N`.
    TooManyRequests(u64),
    /// 403 secondary rate limit with `Retry-After: N`.
    SecondaryLimit(u64),
    /// 500.
    ServerError,
}

/// One request received: method, path with query, authorization header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `GET`, `POST`...
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The `Authorization` header as sent.
    pub auth: Option<String>,
}

impl From<&Request> for Seen {
    fn from(r: &Request) -> Seen {
        Seen {
            method: r.method.clone(),
            path: r.path.clone(),
            auth: r.header("authorization"),
        }
    }
}

/// The server's state, open to the test.
#[derive(Debug, Default)]
pub struct State {
    /// Issues (GitHub's JSON shape), oldest first.
    pub issues: Vec<Value>,
    /// Comments: (issue number, body).
    pub comments: Vec<(u64, String)>,
    /// Faults served in order, one per request.
    pub faults: VecDeque<Fault>,
    /// After this many created issues, every create answers 500.
    pub fail_creates_after: Option<usize>,
    /// Largest page (GitHub: 100).
    pub max_per_page: usize,
    /// Every request.
    pub seen: Vec<Seen>,
    /// A hostile server: the base of the `Link` URLs (default: its own).
    pub link_base: Option<String>,
    created: usize,
}

/// The fake server; it runs until the process ends.
#[derive(Debug, Clone)]
pub struct FakeGitHub {
    /// `http://127.0.0.1:PORT`, the `--api-url`.
    pub url: String,
    /// The repository it serves (`owner/name`).
    pub repo: String,
    /// The token it accepts.
    pub token: String,
    state: Shared<State>,
}

impl FakeGitHub {
    /// Starts a server for `repo` accepting `token`.
    pub fn start(repo: &str, token: &str) -> FakeGitHub {
        let make = |url| FakeGitHub {
            url,
            repo: repo.to_string(),
            token: token.to_string(),
            state: Shared::new(State {
                max_per_page: 100,
                ..State::default()
            }),
        };
        fake_http::start("application/json; charset=utf-8", make, |fake, r| {
            let (status, extra, json) = fake.answer(&Seen::from(r), &r.body);
            (status, extra, Some(json.to_string()))
        })
    }

    /// The state (issues, faults, requests seen).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Issue `number`, as stored.
    pub fn issue(&self, number: u64) -> Option<Value> {
        find(&mut self.state(), &number.to_string()).cloned()
    }

    /// Changes issue `number` as a user would in the web interface.
    pub fn edit(&self, number: u64, f: impl FnOnce(&mut Value)) {
        if let Some(i) = find(&mut self.state(), &number.to_string()) {
            f(i);
        }
    }

    fn answer(&self, seen: &Seen, body: &[u8]) -> (u16, Vec<(String, String)>, Value) {
        let mut st = self.state();
        st.seen.push(seen.clone());
        if let Some(f) = st.faults.pop_front() {
            return match f {
                Fault::TooManyRequests(s) => (
                    429,
                    vec![fake_http::retry_after(s)],
                    json!({"message": "API rate limit exceeded"}),
                ),
                Fault::SecondaryLimit(s) => (
                    403,
                    vec![fake_http::retry_after(s)],
                    json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
                ),
                Fault::ServerError => (500, vec![], json!({"message": "Server Error"})),
            };
        }
        if seen.auth.as_deref() != Some(&format!("Bearer {}", self.token)) {
            return (
                401,
                vec![],
                json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
            );
        }
        let (path, query) = seen.path.split_once('?').unwrap_or((&seen.path, ""));
        let prefix = format!("/repos/{}/issues", self.repo);
        let Some(rest) = path.strip_prefix(&prefix) else {
            return not_found();
        };
        let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        match (seen.method.as_str(), parts.as_slice()) {
            ("GET", []) => self.list(&st, query),
            ("POST", []) => self.create(&mut st, &input),
            ("PATCH", [n]) => {
                let Some(i) = find(&mut st, n) else {
                    return not_found();
                };
                if let Some(state) = input.get("state") {
                    let reason = input.get("state_reason").cloned().unwrap_or(Value::Null);
                    match (state.as_str(), reason.as_str()) {
                        (Some("closed"), None | Some("completed" | "not_planned")) => {
                            i["closed_at"] = "2026-12-06T01:00:00Z".into();
                            i["state_reason"] = reason.clone();
                        }
                        (Some("open"), None | Some("reopened")) => {
                            i["closed_at"] = Value::Null;
                            i["state_reason"] = reason.clone();
                        }
                        _ => return (422, vec![], json!({"message": "Validation Failed"})),
                    }
                }
                for key in ["title", "body", "state"] {
                    if input.get(key).is_some() {
                        i[key] = input[key].clone();
                    }
                }
                if input.get("labels").is_some() {
                    i["labels"] = labels(&input["labels"]);
                }
                (200, vec![], i.clone())
            }
            ("POST", [n, "comments"]) => {
                let Ok(number) = n.parse::<u64>() else {
                    return not_found();
                };
                if find(&mut st, n).is_none() {
                    return not_found();
                }
                let text = input["body"].as_str().unwrap_or("").to_string();
                st.comments.push((number, text.clone()));
                (201, vec![], json!({"id": st.comments.len(), "body": text}))
            }
            ("POST", [n, "labels"]) => {
                let Some(i) = find(&mut st, n) else {
                    return not_found();
                };
                let mut names: Vec<Value> = i["labels"].as_array().cloned().unwrap_or_default();
                for l in labels(&input["labels"]).as_array().into_iter().flatten() {
                    if !names.iter().any(|x| x["name"] == l["name"]) {
                        names.push(l.clone());
                    }
                }
                i["labels"] = Value::Array(names.clone());
                (200, vec![], Value::Array(names))
            }
            _ => not_found(),
        }
    }

    fn create(&self, st: &mut State, input: &Value) -> (u16, Vec<(String, String)>, Value) {
        if st.fail_creates_after.is_some_and(|n| st.created >= n) {
            return (500, vec![], json!({"message": "Server Error"}));
        }
        let Some(title) = input["title"].as_str() else {
            return (422, vec![], json!({"message": "Validation Failed"}));
        };
        let number = st.issues.len() as u64 + 1;
        let issue = json!({
            "id": 1000 + number,
            "node_id": format!("I_{number}"),
            "url": format!("{}/repos/{}/issues/{number}", self.url, self.repo),
            "html_url": format!("https://github.example/{}/issues/{number}", self.repo),
            "number": number,
            "state": "open",
            "state_reason": null,
            "title": title,
            "body": input["body"],
            "user": {"login": "tmkit-bot"},
            "labels": labels(&input["labels"]),
            "assignee": null,
            "assignees": [],
            "milestone": null,
            "comments": 0,
            "created_at": "2026-12-06T00:00:00Z",
            "updated_at": "2026-12-06T00:00:00Z",
            "closed_at": null,
        });
        st.created += 1;
        st.issues.push(issue.clone());
        (201, vec![], issue)
    }

    fn list(&self, st: &State, query: &str) -> (u16, Vec<(String, String)>, Value) {
        let state = fake_http::param(query, "state").unwrap_or_else(|| "open".into());
        let all = fake_http::newest_first(&st.issues, &state);
        let fake_http::Page {
            page,
            per_page,
            pages,
            items,
        } = fake_http::page(&all, query, 30, st.max_per_page);
        let link_to = |p: usize| {
            format!(
                "<{}/repos/{}/issues?state={state}&per_page={per_page}&page={p}>",
                st.link_base.as_deref().unwrap_or(&self.url),
                self.repo
            )
        };
        let mut links = Vec::new();
        if page < pages {
            links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
            links.push(format!("{}; rel=\"last\"", link_to(pages)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
            links.push(format!("{}; rel=\"first\"", link_to(1)));
        }
        let headers = if links.is_empty() {
            vec![]
        } else {
            vec![("link".to_string(), links.join(", "))]
        };
        (200, headers, Value::Array(items))
    }
}

fn find<'a>(st: &'a mut State, n: &str) -> Option<&'a mut Value> {
    fake_http::numbered(&mut st.issues, "number", n)
}

fn labels(v: &Value) -> Value {
    Value::Array(
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|name| json!({"name": name, "color": "ededed"}))
            .collect(),
    )
}

fn not_found() -> (u16, Vec<(String, String)>, Value) {
    (
        404,
        vec![],
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    )
}
