//! Jira: Jira Cloud (REST v3, descriptions in Atlassian Document Format)
//! and Jira Server / Data Center (REST v2, descriptions in wiki markup).
//!
//! Calls, under `{site}/rest/api/{3|2}`: `GET project/{KEY}` (the project
//! exists and may be browsed), the JQL search `project = KEY AND labels =
//! threat-model` with fields summary, description, labels, status,
//! assignee and duedate (v3: `POST search/jql`, pages by `nextPageToken`;
//! v2: `POST search`, pages by `startAt` / `total`), `POST issue` (a Task),
//! `PUT issue/{KEY}` (description and labels, or one label added),
//! `POST issue/{KEY}/comment` and, with `--close`, `GET
//! issue/{KEY}/transitions` then `POST issue/{KEY}/transitions` (the first
//! transition to a status in the Done category; see [`done_transition`]).
//!
//! Credentials only from the environment ([`Auth::from_env`]): Cloud,
//! `JIRA_USER` and `JIRA_API_TOKEN` (HTTP Basic); Server / Data Center, a
//! personal access token `JIRA_PAT` (Bearer), or `JIRA_USER` and
//! `JIRA_API_TOKEN` (Basic with a password or token).
//!
//! Bodies: [`Tracker::native`] turns each item's Markdown body into the
//! description Jira stores ([`doc`]), so that the plan compares like with
//! like; the marker is the visible last line `tmkit:id=QID`.

pub mod doc;

use crate::http::{self, Client, HttpError, Method, Secret, Settings};
use crate::items::{Item, PROPOSED_LABEL};
use crate::plan::{Remote, labels};
use crate::rest::{self, Rest};
use crate::{Closing, SyncError, Tracker};
use base64::Engine as _;
use serde_json::{Value, json};

/// The Atlassian account's e-mail address (Basic authentication).
pub const USER_VAR: &str = "JIRA_USER";
/// The API token of that account (Cloud) or its password (Server).
pub const TOKEN_VAR: &str = "JIRA_API_TOKEN";
/// A personal access token (Jira Server / Data Center, Bearer).
pub const PAT_VAR: &str = "JIRA_PAT";

/// The permissions in the project that a sync needs.
pub const PERMISSIONS: &str = "Browse projects, Create issues, Edit issues and Add comments (and Transition issues for --close)";

/// Issues asked for per page of a search.
const PAGE: u64 = 100;

/// Longest summary Jira accepts (characters).
const SUMMARY_MAX: usize = 255;

/// The fields read from each issue.
const FIELDS: [&str; 6] = [
    "summary",
    "description",
    "labels",
    "status",
    "assignee",
    "duedate",
];

/// Which REST API a site speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Jira Cloud: REST v3, Atlassian Document Format.
    Cloud,
    /// Jira Server / Data Center: REST v2, wiki markup.
    Server,
}

impl Api {
    /// The API of version `n` (3 or 2).
    pub fn from_version(n: u32) -> Option<Api> {
        match n {
            3 => Some(Api::Cloud),
            2 => Some(Api::Server),
            _ => None,
        }
    }

    /// The default for a site: Cloud for `*.atlassian.net`, else Server.
    pub fn for_site(site: &str) -> Api {
        let host = site
            .split_once("://")
            .map_or(site, |(_, r)| r)
            .split(['/', ':', '?'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if host.ends_with(".atlassian.net") {
            Api::Cloud
        } else {
            Api::Server
        }
    }

    /// The REST API's version number.
    pub fn version(self) -> u32 {
        match self {
            Api::Cloud => 3,
            Api::Server => 2,
        }
    }
}

/// The credentials.
#[derive(Clone)]
pub enum Auth {
    /// HTTP Basic: user and API token (or password).
    Basic(String, String),
    /// A personal access token (Server / Data Center).
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth(***)")
    }
}

impl Auth {
    /// The credentials from the environment (`var` reads a variable): for
    /// Server, [`PAT_VAR`] first; else [`USER_VAR`] and [`TOKEN_VAR`].
    /// Empty values are missing. The error names the variables and the
    /// permissions needed in `project`.
    pub fn from_env(
        api: Api,
        project: &str,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Auth, SyncError> {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(pat) = get(PAT_VAR).filter(|_| api == Api::Server) {
            return Ok(Auth::Bearer(pat));
        }
        if let (Some(u), Some(t)) = (get(USER_VAR), get(TOKEN_VAR)) {
            return Ok(Auth::Basic(u, t));
        }
        Err(SyncError::usage(match api {
            Api::Cloud => format!(
                "{USER_VAR} and {TOKEN_VAR} are not set: Jira Cloud needs the e-mail address of an Atlassian account in {USER_VAR} and an API token of it (id.atlassian.com, Security, API tokens) in {TOKEN_VAR}; the account needs {PERMISSIONS} in project {project}"
            ),
            Api::Server => format!(
                "{PAT_VAR} is not set (nor {USER_VAR} and {TOKEN_VAR}): Jira Server / Data Center needs a personal access token (profile, Personal Access Tokens) in {PAT_VAR}; its account needs {PERMISSIONS} in project {project}"
            ),
        }))
    }

    fn header(&self) -> Secret {
        match self {
            Auth::Basic(u, t) => Secret::new(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{t}"))
            )),
            Auth::Bearer(t) => Secret::new(format!("Bearer {t}")),
        }
    }
}

/// A Jira project's issues.
#[derive(Debug)]
pub struct Jira {
    client: Client,
    site: String,
    api: Api,
    project: String,
}

impl Jira {
    /// The issues of project `project` (its key) on `site` (the base URL,
    /// `https://example.atlassian.net` or `https://jira.example.com/jira`).
    pub fn new(
        site: &str,
        project: &str,
        api: Api,
        auth: Auth,
        settings: Settings,
    ) -> Result<Jira, SyncError> {
        let valid = project
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            && project
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && project.len() <= 255;
        if !valid {
            return Err(SyncError::usage(format!(
                "Jira project key `{project}` is not a key (upper-case letters, digits and `_`, starting with a letter, like `SEC`)"
            )));
        }
        let site = site.trim_end_matches('/');
        http::check_api_url(site)?;
        let client = Client::new(
            settings,
            Vec::new(),
            Some(("Authorization".into(), auth.header())),
        );
        Ok(Jira {
            client,
            site: site.to_string(),
            api,
            project: project.to_string(),
        })
    }

    /// The client (to set its `on_wait`).
    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    /// The API spoken.
    pub fn api(&self) -> Api {
        self.api
    }

    fn base(&self) -> String {
        format!("{}/rest/api/{}", self.site, self.api.version())
    }

    /// The description Jira stores for a Markdown body (ADF or wiki).
    pub fn description(&self, markdown: &str) -> Value {
        let blocks = doc::parse(markdown);
        match self.api {
            Api::Cloud => doc::to_adf(&blocks),
            Api::Server => Value::String(doc::to_wiki(&blocks)),
        }
    }

    /// A description as the plan compares it: normalized ADF as JSON text,
    /// or the wiki markup.
    fn body_text(&self, description: &Value) -> String {
        match description {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            v => doc::normalize_adf(v).to_string(),
        }
    }

    /// The description to send for a native body ([`Tracker::native`]).
    fn payload(&self, body: &str) -> Value {
        match self.api {
            Api::Server => Value::String(body.to_string()),
            Api::Cloud => serde_json::from_str(body).unwrap_or_else(|_| self.description(body)),
        }
    }

    fn browse(&self, key: &str) -> String {
        format!("{}/browse/{key}", self.site)
    }

    fn remote(&self, v: &Value) -> Option<Remote> {
        let key = v.get("key")?.as_str()?.to_string();
        let f = v.get("fields").cloned().unwrap_or(Value::Null);
        let description = f.get("description").cloned().unwrap_or(Value::Null);
        let text = match &description {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => doc::adf_text(v),
        };
        let mut aliases = vec![key.clone()];
        if let Some(s) = v.get("self").and_then(Value::as_str) {
            aliases.push(s.to_string());
        }
        Some(Remote {
            key: self.browse(&key),
            aliases,
            qid: doc::find_marker(&text),
            title: rest::text(&f, "/summary"),
            body: self.body_text(&description),
            labels: rest::texts(f.get("labels"), Value::as_str),
            open: f
                .pointer("/status/statusCategory/key")
                .and_then(Value::as_str)
                != Some("done"),
            assignees: f
                .pointer("/assignee/displayName")
                .and_then(Value::as_str)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
            due: f.get("duedate").and_then(Value::as_str).map(rest::day),
            status: f
                .pointer("/status/name")
                .and_then(Value::as_str)
                .map(str::to_string),
            id: key,
        })
    }

    /// One page of the search: its issues and whether another follows.
    fn page(
        &self,
        jql: &str,
        token: Option<&str>,
        start: u64,
    ) -> Result<(Vec<Value>, Option<String>), SyncError> {
        let (url, body) = match self.api {
            Api::Cloud => {
                let mut b = json!({"jql": jql, "fields": FIELDS, "maxResults": PAGE});
                if let Some(t) = token {
                    b["nextPageToken"] = t.into();
                }
                (format!("{}/search/jql", self.base()), b)
            }
            Api::Server => (
                format!("{}/search", self.base()),
                json!({"jql": jql, "startAt": start, "maxResults": PAGE, "fields": FIELDS}),
            ),
        };
        let v = self.json(&self.send(Method::Post, &url, Some(&body))?)?;
        let Some(issues) = v.get("issues").and_then(Value::as_array).cloned() else {
            return Err(self.unexpected("the search answer has no `issues` list"));
        };
        let next = match self.api {
            Api::Cloud => v
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|_| v.get("isLast").and_then(Value::as_bool) != Some(true))
                .map(str::to_string),
            Api::Server => {
                let total = v.get("total").and_then(Value::as_u64).unwrap_or(0);
                let end = start + issues.len() as u64;
                (!issues.is_empty() && end < total).then(|| end.to_string())
            }
        };
        Ok((issues, next))
    }
}

/// The number of an issue key (`SEC-12` is 12): issues are listed oldest first.
fn key_number(key: &str) -> u64 {
    key.rsplit_once('-')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// A summary Jira accepts: at most 255 characters.
fn summary(title: &str) -> String {
    rest::cut(title, SUMMARY_MAX)
}

/// A transition offered by `GET issue/{KEY}/transitions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Its id, sent back to make it.
    pub id: String,
    /// Its name (`Done`, `Resolve issue`).
    pub name: String,
    /// The status it leads to.
    pub to: String,
    /// That status's category key: `new`, `indeterminate` or `done`.
    pub category: String,
}

/// The transitions of a `GET issue/{KEY}/transitions` answer, in its order
/// (an id may be a JSON string, or a number on old servers).
pub fn transitions(v: &Value) -> Vec<Transition> {
    let text = |t: &Value, p: &str| match t.pointer(p) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    v.get("transitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| Transition {
            id: text(t, "/id"),
            name: text(t, "/name"),
            to: text(t, "/to/name"),
            category: text(t, "/to/statusCategory/key"),
        })
        .filter(|t| !t.id.is_empty())
        .collect()
}

/// The transition `--close` makes: the first leading to a status in the
/// Done category (`to.statusCategory.key` is `done`).
pub fn done_transition(list: &[Transition]) -> Option<&Transition> {
    list.iter().find(|t| t.category == "done")
}

/// A label Jira accepts: no white space.
fn label(l: &str) -> String {
    l.split_whitespace().collect::<Vec<_>>().join("-")
}

impl Tracker for Jira {
    fn name(&self) -> &str {
        "Jira"
    }

    fn native(&self, items: Vec<Item>) -> Vec<Item> {
        items
            .into_iter()
            .map(|mut i| {
                i.body = self.body_text(&self.description(&i.body));
                i.severity_label = label(&i.severity_label);
                i
            })
            .collect()
    }

    fn list(&self) -> Result<Vec<Remote>, SyncError> {
        // The project first: a clear 404 for a wrong key or site.
        self.send(
            Method::Get,
            &format!("{}/project/{}", self.base(), self.project),
            None,
        )?;
        let jql = format!(
            "project = \"{}\" AND labels = \"{}\" ORDER BY created ASC",
            self.project,
            crate::items::LABEL
        );
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut start = 0u64;
        for pages in 0.. {
            if pages >= rest::MAX_PAGES {
                return Err(rest::too_many_pages());
            }
            let (issues, next) = self.page(&jql, token.as_deref(), start)?;
            start += issues.len() as u64;
            out.extend(issues.iter().filter_map(|i| self.remote(i)));
            match next {
                Some(n) if self.api == Api::Cloud => token = Some(n),
                Some(_) => {}
                None => break,
            }
        }
        rest::oldest_first(&mut out, key_number);
        Ok(out)
    }

    fn create(&self, item: &Item) -> Result<Remote, SyncError> {
        let body = json!({
            "fields": {
                "project": {"key": self.project},
                "summary": summary(&item.title),
                "description": self.payload(&item.body),
                "issuetype": {"name": "Task"},
                "labels": labels(item, &[]),
            }
        });
        let r = self.send(Method::Post, &format!("{}/issue", self.base()), Some(&body))?;
        let v = self.json(&r)?;
        let key = v
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| self.unexpected("the created issue has no key"))?;
        Ok(Remote {
            key: self.browse(key),
            aliases: vec![key.to_string()],
            id: key.to_string(),
            qid: Some(item.qid.clone()),
            title: item.title.clone(),
            body: item.body.clone(),
            labels: labels(item, &[]),
            open: true,
            assignees: Vec::new(),
            due: None,
            status: None,
        })
    }

    fn update(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        let body = json!({
            "fields": {
                "description": self.payload(&item.body),
                "labels": labels(item, &remote.labels),
            }
        });
        self.send(Method::Put, &self.issue(remote), Some(&body))
            .map(|_| ())
    }

    fn propose_close(&self, remote: &Remote, item: &Item) -> Result<(), SyncError> {
        self.propose(&self.issue(remote), item)
    }

    fn close(&self, remote: &Remote, item: &Item) -> Result<Closing, SyncError> {
        let url = self.issue(remote);
        let proposed = self.comment_once(remote, &url, item)?;
        let offered = transitions(&self.json(&self.send(
            Method::Get,
            &format!("{url}/transitions"),
            None,
        )?)?);
        let why = match done_transition(&offered) {
            Some(t) => {
                let body = json!({ "transition": { "id": t.id } });
                match self
                    .client
                    .send(Method::Post, &format!("{url}/transitions"), Some(&body))
                {
                    Ok(_) => return Ok(Closing::Closed),
                    // A transition screen asking for fields tmkit does not
                    // set: this ticket stays open, the run goes on.
                    Err(HttpError::Status {
                        status: 400,
                        message,
                        ..
                    }) => format!(
                        "Jira refused the transition \"{}\" to \"{}\": {message}; the comment was kept. Close it by hand (the transition may ask for fields on its screen that tmkit does not set)",
                        t.name, t.to
                    ),
                    Err(e) => return Err(self.explain(e)),
                }
            }
            None => self.no_done_transition(remote, &offered),
        };
        if !proposed {
            self.mark_proposed(&url)?;
        }
        Ok(Closing::NotClosed(why))
    }
}

impl Rest for Jira {
    fn client(&self) -> &Client {
        &self.client
    }

    fn hint(&self, status: u16) -> String {
        match status {
            401 => match self.api {
                Api::Cloud => format!(
                    "Jira refused the credentials: set {USER_VAR} to the account's e-mail address and {TOKEN_VAR} to a valid API token of it"
                ),
                Api::Server => format!(
                    "Jira refused the credentials: set {PAT_VAR} to a valid personal access token (or {USER_VAR} and {TOKEN_VAR})"
                ),
            },
            403 => format!(
                "the account may not do this in project {}: it needs {PERMISSIONS}",
                self.project
            ),
            404 => format!(
                "project {} not found at {}, or the account cannot browse it (check --project, --api-url or `url:`, and the Browse projects permission)",
                self.project, self.site
            ),
            400 => format!(
                "Jira rejected the fields: project {} needs the issue type Task, and the summary, description and labels fields on its create and edit screens",
                self.project
            ),
            _ => String::new(),
        }
    }

    /// The comment is the tracker-neutral Markdown sentence, read back
    /// into plain text and written in the site's format.
    fn comment(&self, url: &str, item: &Item) -> Result<(), SyncError> {
        let comment = json!({ "body": self.description(&crate::close_comment(item)) });
        self.send(Method::Post, &format!("{url}/comment"), Some(&comment))
            .map(|_| ())
    }

    fn mark_proposed(&self, url: &str) -> Result<(), SyncError> {
        let label = json!({ "update": { "labels": [{ "add": PROPOSED_LABEL }] } });
        self.send(Method::Put, url, Some(&label)).map(|_| ())
    }
}

impl Jira {
    fn issue(&self, remote: &Remote) -> String {
        format!("{}/issue/{}", self.base(), remote.id)
    }

    /// Why `remote` cannot be closed when no offered transition leads to
    /// a done status, and what to do.
    fn no_done_transition(&self, remote: &Remote, offered: &[Transition]) -> String {
        let status = remote.status.as_deref().unwrap_or("unknown");
        let offers = if offered.is_empty() {
            "none (an account without the Transition issues permission is offered none)".to_string()
        } else {
            offered
                .iter()
                .map(|t| format!("\"{}\" to \"{}\"", t.name, t.to))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "the workflow offers no transition to a status in the Done category from its current status \"{status}\" (offered: {offers}); the comment was kept. Close it by hand, or give the account the Transition issues permission in project {} and a workflow transition from \"{status}\" to a done status",
            self.project
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_follows_the_site() {
        assert_eq!(Api::for_site("https://acme.atlassian.net"), Api::Cloud);
        assert_eq!(Api::for_site("https://ACME.atlassian.net/"), Api::Cloud);
        assert_eq!(Api::for_site("https://jira.acme.com/jira"), Api::Server);
        assert_eq!(Api::for_site("https://atlassian.net.evil.com"), Api::Server);
        assert_eq!(Api::from_version(3), Some(Api::Cloud));
        assert_eq!(Api::from_version(4), None);
    }

    #[test]
    fn credentials_come_from_the_environment_and_are_never_formatted() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let basic = Auth::from_env(
            Api::Cloud,
            "SEC",
            &env(&[("JIRA_USER", "a@b.c"), ("JIRA_API_TOKEN", "tok123")]),
        )
        .unwrap();
        assert_eq!(format!("{:?}", basic.header()), "***");
        assert!(!format!("{basic:?}").contains("tok123"));
        // Cloud does not take a personal access token.
        let e = Auth::from_env(Api::Cloud, "SEC", &env(&[("JIRA_PAT", "p")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("JIRA_USER") && e.contains("JIRA_API_TOKEN") && e.contains("Create issues"),
            "{e}"
        );
        assert!(matches!(
            Auth::from_env(Api::Server, "SEC", &env(&[("JIRA_PAT", "p")])),
            Ok(Auth::Bearer(_))
        ));
        let e = Auth::from_env(Api::Server, "SEC", &env(&[("JIRA_PAT", " ")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("JIRA_PAT is not set") && e.contains("Add comments"),
            "{e}"
        );
    }

    #[test]
    fn keys_summaries_and_labels_fit_jira() {
        let s = Settings::default();
        assert!(
            Jira::new(
                "https://x.atlassian.net",
                "SEC",
                Api::Cloud,
                Auth::Bearer("t".into()),
                s.clone()
            )
            .is_ok()
        );
        for bad in ["sec", "SEC\" OR project = \"X", "", "1A", "SEC-1"] {
            assert!(
                Jira::new(
                    "https://x.atlassian.net",
                    bad,
                    Api::Cloud,
                    Auth::Bearer("t".into()),
                    s.clone()
                )
                .is_err(),
                "{bad}"
            );
        }
        assert!(
            Jira::new(
                "http://jira.example.com",
                "SEC",
                Api::Server,
                Auth::Bearer("t".into()),
                s
            )
            .is_err()
        );
        assert_eq!(summary(&"x".repeat(300)).chars().count(), 255);
        assert_eq!(label("severity:very high"), "severity:very-high");
        assert_eq!(key_number("SEC-12"), 12);
    }
}
