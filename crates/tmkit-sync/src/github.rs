//! GitHub (REST v3 issues; github.com or GitHub Enterprise Server).
//!
//! Calls: `GET /repos/{owner}/{repo}/issues?state=all&per_page=100` (pages
//! followed by the `Link` header; pull requests skipped), `POST .../issues`,
//! `PATCH .../issues/{number}` (body and labels; with `--close`,
//! `{"state": "closed", "state_reason": "completed"}`),
//! `POST .../issues/{number}/comments` and
//! `POST .../issues/{number}/labels`. Token: `GITHUB_TOKEN`, sent as
//! `Authorization: Bearer`.

use crate::http::{self, Client, Method, Secret, Settings};
use crate::items::{Item, PROPOSED_LABEL};
use crate::plan::{Remote, labels};
use crate::rest::{self, Rest};
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

    fn remote(&self, v: &Value) -> Option<Remote> {
        let number = v.get("number")?.as_u64()?;
        let body = rest::text(v, "/body");
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
            title: rest::text(v, "/title"),
            body,
            labels: rest::texts(v.get("labels"), |l| {
                l.get("name").and_then(Value::as_str).or(l.as_str())
            }),
            open: v.get("state").and_then(Value::as_str) != Some("closed"),
            assignees: rest::texts(v.get("assignees"), |u| {
                u.get("login").and_then(Value::as_str)
            }),
            due: v
                .pointer("/milestone/due_on")
                .and_then(Value::as_str)
                .map(rest::day),
            status: None,
        })
    }

    fn issue(&self, remote: &Remote) -> String {
        format!("{}/{}", self.issues(), remote.id)
    }
}

impl Rest for GitHub {
    fn client(&self) -> &Client {
        &self.client
    }

    fn hint(&self, status: u16) -> String {
        match status {
            401 => format!("GitHub refused the token: set {TOKEN_VAR} to a valid token"),
            403 => format!(
                "the token may not write issues of {}: it needs the \"Issues: read and write\" permission on it (fine-grained token) or the `repo` scope (classic token)",
                self.repo
            ),
            404 => format!(
                "repository {} not found at {}, or {TOKEN_VAR} cannot see it (check --repo, --api-url and the token's repository access)",
                self.repo, self.api
            ),
            410 => format!("issues are disabled in {}", self.repo),
            _ => String::new(),
        }
    }

    fn comment(&self, url: &str, item: &Item) -> Result<(), SyncError> {
        let comment = json!({ "body": crate::close_comment(item) });
        self.send(Method::Post, &format!("{url}/comments"), Some(&comment))
            .map(|_| ())
    }

    fn mark_proposed(&self, url: &str) -> Result<(), SyncError> {
        let label = json!({ "labels": [PROPOSED_LABEL] });
        self.send(Method::Post, &format!("{url}/labels"), Some(&label))
            .map(|_| ())
    }
}

impl Tracker for GitHub {
    fn name(&self) -> &str {
        "GitHub"
    }

    fn list(&self) -> Result<Vec<Remote>, SyncError> {
        let first = format!("{}?state=all&per_page=100", self.issues());
        let issues = self.pages(first, &|r| {
            (r.header("link").and_then(http::next_link))
                .map(|next| rest::under_api(next, &self.api))
                .transpose()
        })?;
        // Pull requests are issues to the API; they are never tmkit's.
        let mut out: Vec<Remote> = (issues.iter())
            .filter(|i| i.get("pull_request").is_none())
            .filter_map(|i| self.remote(i))
            .collect();
        rest::oldest_first(&mut out, |id| id.parse().unwrap_or(u64::MAX));
        Ok(out)
    }

    fn create(&self, item: &Item) -> Result<Remote, SyncError> {
        let body = json!({
            "title": item.title,
            "body": item.body,
            "labels": labels(item, &[]),
        });
        let r = self.send(Method::Post, &self.issues(), Some(&body))?;
        self.remote(&self.json(&r)?)
            .ok_or_else(|| self.unexpected("the created issue has no number"))
    }

    fn update(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        let body = json!({
            "body": item.body,
            "labels": labels(item, &remote.labels),
        });
        self.send(Method::Patch, &self.issue(remote), Some(&body))
            .map(|_| ())
    }

    fn propose_close(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        self.propose(&self.issue(remote), item)
    }

    fn close(&self, remote: &Remote, item: &Item) -> Result<Closing, SyncError> {
        let url = self.issue(remote);
        self.comment_once(remote, &url, item)?;
        let state = json!({ "state": "closed", "state_reason": "completed" });
        self.send(Method::Patch, &url, Some(&state))?;
        Ok(Closing::Closed)
    }
}
