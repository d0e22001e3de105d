//! GitLab (REST v4 issues; gitlab.com or a self-managed instance).
//!
//! Calls, with `:id` the URL-encoded project path (`group%2Fname`):
//! `GET /projects/:id/issues?scope=all&state=all&per_page=100&page=N`
//! (pages followed by `X-Next-Page`, else the `Link` header),
//! `POST /projects/:id/issues` (title, description, labels as one
//! comma-separated text), `PUT /projects/:id/issues/:iid` (description,
//! labels; `add_labels` for the proposal; `state_event=close` with
//! `--close`) and
//! `POST /projects/:id/issues/:iid/notes` (body). Token: `GITLAB_TOKEN`,
//! sent as `PRIVATE-TOKEN`.

use crate::http::{self, Client, Method, Secret, Settings};
use crate::items::{Item, PROPOSED_LABEL};
use crate::plan::{Remote, labels};
use crate::rest::{self, Rest};
use crate::{Closing, SyncError, Tracker, marker};
use serde_json::{Value, json};

/// The API of gitlab.com.
pub const DEFAULT_API: &str = "https://gitlab.com/api/v4";

/// The token's environment variable.
pub const TOKEN_VAR: &str = "GITLAB_TOKEN";

/// The longest title GitLab accepts (characters).
pub const MAX_TITLE: usize = 255;

/// A GitLab project's issues.
#[derive(Debug)]
pub struct GitLab {
    client: Client,
    api: String,
    project: String,
}

/// A project path `group/subgroup/name` (each part made of letters, digits,
/// `.`, `_`, `-`, never starting with `.` or `-`), or a numeric project id.
fn valid_project(p: &str) -> bool {
    if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let parts: Vec<&str> = p.split('/').collect();
    parts.len() >= 2
        && parts.iter().all(|s| {
            !s.is_empty()
                && !s.starts_with(['.', '-'])
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

impl GitLab {
    /// The issues of `project` (`group/name`, or a numeric id) at `api`
    /// (default [`DEFAULT_API`]), with `token`.
    pub fn new(
        api: Option<&str>,
        project: &str,
        token: String,
        settings: Settings,
    ) -> Result<GitLab, SyncError> {
        if !valid_project(project) {
            return Err(SyncError::usage(format!(
                "GitLab project `{project}` is not a project path `group/name` (or `group/subgroup/name`)"
            )));
        }
        let api = api.unwrap_or(DEFAULT_API).trim_end_matches('/');
        http::check_api_url(api)?;
        let client = Client::new(
            settings,
            Vec::new(),
            Some(("PRIVATE-TOKEN".into(), Secret::new(token))),
        );
        Ok(GitLab {
            client,
            api: api.to_string(),
            project: project.to_string(),
        })
    }

    /// The client (to set its `on_wait`).
    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    /// `.../projects/group%2Fname/issues`: the path is one URL segment.
    fn issues(&self) -> String {
        format!(
            "{}/projects/{}/issues",
            self.api,
            self.project.replace('/', "%2F")
        )
    }

    fn remote(&self, v: &Value) -> Option<Remote> {
        let iid = v.get("iid")?.as_u64()?;
        let body = rest::text(v, "/description");
        let key = v
            .get("web_url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{iid}", self.project));
        let text = |k: &str| v.pointer(k).and_then(Value::as_str);
        Some(Remote {
            aliases: vec![format!("#{iid}"), format!("{}#{iid}", self.project)],
            key,
            id: iid.to_string(),
            qid: marker::find(&body),
            title: rest::text(v, "/title"),
            body,
            // Names (the default), or objects with `name`
            // (`with_labels_details=true`).
            labels: rest::texts(v.get("labels"), |l| {
                l.as_str().or(l.get("name").and_then(Value::as_str))
            }),
            open: v.get("state").and_then(Value::as_str) != Some("closed"),
            assignees: rest::texts(v.get("assignees"), |u| {
                u.get("username").and_then(Value::as_str)
            }),
            due: text("/due_date")
                .or(text("/milestone/due_date"))
                .map(rest::day),
            status: None,
        })
    }

    /// The URL of the next page of a list: `X-Next-Page`, else a `Link`
    /// header's `rel="next"` under the API (never another host).
    fn next_url(&self, r: &http::Response) -> Result<Option<String>, SyncError> {
        if let Some(n) = http::next_page(r) {
            return Ok(Some(self.page_url(n)));
        }
        (r.header("link").and_then(http::next_link))
            .map(|next| rest::under_api(next, &self.api))
            .transpose()
    }

    fn page_url(&self, page: u64) -> String {
        format!(
            "{}?scope=all&state=all&per_page=100&page={page}",
            self.issues()
        )
    }

    /// `title` cut to [`MAX_TITLE`] characters (an ellipsis marks the cut):
    /// GitLab refuses a longer one. The qualified id comes first, so a cut
    /// title still names its element.
    fn title(title: &str) -> String {
        rest::cut(title, MAX_TITLE)
    }

    fn labels_text(item: &Item, current: &[String]) -> String {
        labels(item, current).join(",")
    }

    fn issue(&self, remote: &Remote) -> String {
        format!("{}/{}", self.issues(), remote.id)
    }
}

impl Rest for GitLab {
    fn client(&self) -> &Client {
        &self.client
    }

    fn hint(&self, status: u16) -> String {
        match status {
            401 => format!(
                "GitLab refused the token: set {TOKEN_VAR} to a valid personal, group or project access token with the `api` scope"
            ),
            403 => format!(
                "the token may not write issues of {}: it needs the `api` scope and at least the Planner or Reporter role in the project, and issues must be enabled",
                self.project
            ),
            404 => format!(
                "project {} not found at {}, or {TOKEN_VAR} cannot see it (check --project, the full path `group/subgroup/name`, --api-url `https://HOST/api/v4`, and the token's access)",
                self.project, self.api
            ),
            _ => String::new(),
        }
    }

    fn comment(&self, url: &str, item: &Item) -> Result<(), SyncError> {
        let note = json!({ "body": crate::close_comment(item) });
        self.send(Method::Post, &format!("{url}/notes"), Some(&note))
            .map(|_| ())
    }

    fn mark_proposed(&self, url: &str) -> Result<(), SyncError> {
        let label = json!({ "add_labels": PROPOSED_LABEL });
        self.send(Method::Put, url, Some(&label)).map(|_| ())
    }
}

impl Tracker for GitLab {
    fn name(&self) -> &str {
        "GitLab"
    }

    fn list(&self) -> Result<Vec<Remote>, SyncError> {
        let issues = self.pages(self.page_url(1), &|r| self.next_url(r))?;
        let mut out: Vec<Remote> = issues.iter().filter_map(|i| self.remote(i)).collect();
        rest::oldest_first(&mut out, |id| id.parse().unwrap_or(u64::MAX));
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }

    fn create(&self, item: &Item) -> Result<Remote, SyncError> {
        let body = json!({
            "title": Self::title(&item.title),
            "description": item.body,
            "labels": Self::labels_text(item, &[]),
        });
        let r = self.send(Method::Post, &self.issues(), Some(&body))?;
        self.remote(&self.json(&r)?)
            .ok_or_else(|| self.unexpected("the created issue has no iid"))
    }

    fn update(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        let body = json!({
            "description": item.body,
            "labels": Self::labels_text(item, &remote.labels),
        });
        self.send(Method::Put, &self.issue(remote), Some(&body))
            .map(|_| ())
    }

    fn propose_close(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        self.propose(&self.issue(remote), item)
    }

    fn close(&self, remote: &Remote, item: &Item) -> Result<Closing, SyncError> {
        let url = self.issue(remote);
        self.comment_once(remote, &url, item)?;
        let state = json!({ "state_event": "close" });
        self.send(Method::Put, &url, Some(&state))?;
        Ok(Closing::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_are_checked() {
        for ok in ["acme/shop", "acme/platform/shop", "a.b/c_d-e", "12345"] {
            assert!(valid_project(ok), "{ok}");
        }
        for bad in [
            "",
            "shop",
            "acme/",
            "/shop",
            "acme//shop",
            "acme/../x",
            "acme/sh op",
            "acme/x?y",
            "acme/-x",
            "acme/x%2Fy",
        ] {
            assert!(!valid_project(bad), "{bad}");
        }
    }

    #[test]
    fn long_titles_are_cut_to_what_gitlab_accepts() {
        assert_eq!(GitLab::title("SHOP.T1: short"), "SHOP.T1: short");
        let long = format!("SHOP.T1: {}", "é".repeat(300));
        let cut = GitLab::title(&long);
        assert_eq!(cut.chars().count(), MAX_TITLE);
        assert!(cut.starts_with("SHOP.T1: é") && cut.ends_with('…'));
    }

    #[test]
    fn the_project_path_is_one_url_segment() {
        let g = GitLab::new(None, "acme/platform/shop", "t".into(), Settings::default()).unwrap();
        assert_eq!(
            g.issues(),
            "https://gitlab.com/api/v4/projects/acme%2Fplatform%2Fshop/issues"
        );
    }

    #[test]
    fn an_issue_is_read_with_its_due_date_or_its_milestones() {
        let g = GitLab::new(None, "acme/shop", "t".into(), Settings::default()).unwrap();
        let mut v = json!({
            "iid": 4, "title": "T", "state": "closed",
            "description": format!("x\n\n{}\n", marker::marker("SHOP.T1")),
            "labels": ["threat-model", "severity:high"],
            "assignees": [{"username": "ann", "name": "Ann"}],
            "milestone": {"title": "Q1", "due_date": "2027-03-31"},
            "due_date": null,
            "web_url": "https://gitlab.com/acme/shop/-/issues/4",
        });
        let r = g.remote(&v).unwrap();
        assert_eq!(r.key, "https://gitlab.com/acme/shop/-/issues/4");
        assert_eq!(r.aliases, ["#4", "acme/shop#4"]);
        assert_eq!(r.qid.as_deref(), Some("SHOP.T1"));
        assert!(!r.open);
        assert_eq!(r.assignees, ["ann"]);
        assert_eq!(r.due.as_deref(), Some("2027-03-31"));
        v["due_date"] = "2027-01-15".into();
        v["state"] = "opened".into();
        let r = g.remote(&v).unwrap();
        assert_eq!(r.due.as_deref(), Some("2027-01-15"));
        assert!(r.open);
    }
}
