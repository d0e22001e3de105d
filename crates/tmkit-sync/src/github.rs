//! GitHub (REST v3 issues; github.com or GitHub Enterprise Server).
//!
//! Calls: `GET /repos/{owner}/{repo}/issues?state=all&per_page=100` (pages
//! followed by the `Link` header; pull requests skipped), `POST .../issues`,
//! `PATCH .../issues/{number}` (body and labels; with `--close`,
//! `{"state": "closed", "state_reason": "completed"}`),
//! `POST .../issues/{number}/comments` and
//! `POST .../issues/{number}/labels`. Token: `GITHUB_TOKEN`, sent as
//! `Authorization: Bearer`.

use crate::http::{self, Client, HttpError, Method, Secret, Settings};
use crate::items::{Item, PROPOSED_LABEL};
use crate::plan::{Remote, labels};
use crate::{Closing, SyncError, Tracker, marker};
use serde_json::{Value, json};

/// The public API's address.
pub const DEFAULT_API: &str = "https://api.github.com";

/// The token's environment variable.
pub const TOKEN_VAR: &str = "GITHUB_TOKEN";

/// A GitHub repository's issues.
#[derive(Debug)]
pub struct GitHub {
    client: Client,
    api: String,
    repo: String,
}

impl GitHub {
    /// The issues of `repo` (`owner/name`) at `api` (default
    /// [`DEFAULT_API`]), with `token`.
    pub fn new(
        api: Option<&str>,
        repo: &str,
        token: String,
        settings: Settings,
    ) -> Result<GitHub, SyncError> {
        let valid = repo.split_once('/').is_some_and(|(o, n)| {
            !o.is_empty()
                && !n.is_empty()
                && !n.contains('/')
                && repo
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        });
        if !valid {
            return Err(SyncError::usage(format!(
                "GitHub repository `{repo}` is not `owner/name`"
            )));
        }
        let api = api.unwrap_or(DEFAULT_API).trim_end_matches('/');
        crate::http::check_api_url(api)?;
        let client = Client::new(
            settings,
            vec![
                ("Accept".into(), "application/vnd.github+json".into()),
                ("X-GitHub-Api-Version".into(), "2022-11-28".into()),
            ],
            Some((
                "Authorization".into(),
                Secret::new(format!("Bearer {token}")),
            )),
        );
        Ok(GitHub {
            client,
            api: api.to_string(),
            repo: repo.to_string(),
        })
    }

    /// The client (to set its `on_wait`).
    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    fn issues(&self) -> String {
        format!("{}/repos/{}/issues", self.api, self.repo)
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<http::Response, SyncError> {
        self.client
            .send(method, url, body)
            .map_err(|e| self.explain(e))
    }

    /// The error with what to fix.
    fn explain(&self, e: HttpError) -> SyncError {
        let hint = match &e {
            HttpError::Status { status: 401, .. } => {
                format!("GitHub refused the token: set {TOKEN_VAR} to a valid token")
            }
            HttpError::Status { status: 403, .. } => format!(
                "the token may not write issues of {}: it needs the \"Issues: read and write\" permission on it (fine-grained token) or the `repo` scope (classic token)",
                self.repo
            ),
            HttpError::Status { status: 404, .. } => format!(
                "repository {} not found at {}, or {TOKEN_VAR} cannot see it (check --repo, --api-url and the token's repository access)",
                self.repo, self.api
            ),
            HttpError::Status { status: 410, .. } => {
                format!("issues are disabled in {}", self.repo)
            }
            _ => String::new(),
        };
        SyncError::http(e, hint)
    }

    fn remote(&self, v: &Value) -> Option<Remote> {
        let number = v.get("number")?.as_u64()?;
        let body = v
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let key = v
            .get("html_url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{number}", self.repo));
        Some(Remote {
            aliases: vec![
                format!("#{number}"),
                format!("{}#{number}", self.repo),
                format!("{}/{number}", self.issues()),
            ],
            key,
            id: number.to_string(),
            qid: marker::find(&body),
            title: v
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            body,
            labels: v
                .get("labels")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.get("name").and_then(Value::as_str).or(l.as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            open: v.get("state").and_then(Value::as_str) != Some("closed"),
            assignees: v
                .get("assignees")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.get("login").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            due: v
                .pointer("/milestone/due_on")
                .and_then(Value::as_str)
                .map(|d| d.chars().take(10).collect()),
            status: None,
        })
    }
}

impl Tracker for GitHub {
    fn name(&self) -> &str {
        "GitHub"
    }

    fn list(&self) -> Result<Vec<Remote>, SyncError> {
        let mut out = Vec::new();
        let mut url = Some(format!("{}?state=all&per_page=100", self.issues()));
        let mut pages = 0;
        while let Some(u) = url.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(SyncError::usage("more than 10000 pages of issues".into()));
            }
            let r = self.send(Method::Get, &u, None)?;
            let v = r.json().map_err(|e| self.explain(e))?;
            let Some(list) = v.as_array() else {
                return Err(self.explain(HttpError::Body("the issue list is not an array".into())));
            };
            // Pull requests are issues to the API; they are never tmkit's.
            out.extend(
                list.iter()
                    .filter(|i| i.get("pull_request").is_none())
                    .filter_map(|i| self.remote(i)),
            );
            url = r.header("link").and_then(http::next_link);
            // The token goes only where --api-url points: a next page on
            // another host is refused, not followed.
            if let Some(next) = &url {
                if !next.starts_with(&format!("{}/", self.api)) {
                    return Err(SyncError::usage(format!(
                        "the tracker's next page `{next}` is not under {}: refusing to send the token there",
                        self.api
                    )));
                }
            }
        }
        // Oldest first: with two tickets of one element, the first one wins.
        out.sort_by_key(|r| r.id.parse::<u64>().unwrap_or(u64::MAX));
        Ok(out)
    }

    fn create(&self, item: &Item) -> Result<Remote, SyncError> {
        let body = json!({
            "title": item.title,
            "body": item.body,
            "labels": labels(item, &[]),
        });
        let r = self.send(Method::Post, &self.issues(), Some(&body))?;
        let v = r.json().map_err(|e| self.explain(e))?;
        self.remote(&v)
            .ok_or_else(|| self.explain(HttpError::Body("the created issue has no number".into())))
    }

    fn update(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        let body = json!({
            "body": item.body,
            "labels": labels(item, &remote.labels),
        });
        let url = format!("{}/{}", self.issues(), remote.id);
        self.send(Method::Patch, &url, Some(&body)).map(|_| ())
    }

    fn propose_close(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        let url = format!("{}/{}", self.issues(), remote.id);
        let comment = json!({ "body": crate::close_comment(item) });
        self.send(Method::Post, &format!("{url}/comments"), Some(&comment))?;
        let label = json!({ "labels": [PROPOSED_LABEL] });
        self.send(Method::Post, &format!("{url}/labels"), Some(&label))
            .map(|_| ())
    }

    fn close(&self, remote: &Remote, item: &Item) -> Result<Closing, SyncError> {
        let url = format!("{}/{}", self.issues(), remote.id);
        if !crate::proposed_before(remote) {
            let comment = json!({ "body": crate::close_comment(item) });
            self.send(Method::Post, &format!("{url}/comments"), Some(&comment))?;
        }
        let state = json!({ "state": "closed", "state_reason": "completed" });
        self.send(Method::Patch, &url, Some(&state))?;
        Ok(Closing::Closed)
    }
}
