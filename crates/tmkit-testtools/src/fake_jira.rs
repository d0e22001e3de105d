//! A local stand-in for the Jira REST API, on 127.0.0.1, over plain HTTP:
//! the calls `tmkit sync jira` makes, in the shapes of Jira Cloud (REST v3:
//! `POST /rest/api/3/search/jql` paged by `nextPageToken`, descriptions
//! and comments in Atlassian Document Format, HTTP Basic with an e-mail
//! address and API token) or of Jira Server / Data Center (REST v2:
//! `POST /rest/api/2/search` paged by `startAt` / `total`, wiki-markup
//! strings, a Bearer personal access token). It answers 401 to other
//! credentials, 404 for another project, 400 for fields Jira rejects
//! (a description in the wrong format, a label with a space, another
//! issue type), 410 for the removed Cloud `/rest/api/3/search`, a small
//! workflow behind `GET`/`POST .../issue/{KEY}/transitions` ([`Workflow`]:
//! To Do, In Progress, Done; or one without a way to Done; or an account
//! without the Transition issues permission, offered none), and scripted
//! faults: a 429 with `Retry-After`, a 500, and a persistent
//! failure after N created issues.

use crate::fake_http::{self, Shared};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::MutexGuard;

pub use crate::fake_github::{Fault, Seen};

/// An answer: status, extra headers, JSON body (none for 204).
type Answer = (u16, Vec<(String, String)>, Option<Value>);

/// The server's state, open to the test.
#[derive(Debug, Default)]
pub struct State {
    /// Issues (Jira's JSON shape: `id`, `key`, `self`, `fields`), oldest first.
    pub issues: Vec<Value>,
    /// Comments: (issue key, body as sent).
    pub comments: Vec<(String, Value)>,
    /// Faults served in order, one per request.
    pub faults: VecDeque<Fault>,
    /// After this many created issues, every create answers 500.
    pub fail_creates_after: Option<usize>,
    /// The project has no issue type Task: creates answer 400.
    pub no_task_type: bool,
    /// Largest page of a search (Jira: 100, or 5000 for ids only).
    pub max_results: usize,
    /// Every request.
    pub seen: Vec<Seen>,
    /// The body of every request (as received), in order.
    pub bodies: Vec<Value>,
    /// The project's workflow (default: [`Workflow::simple`]).
    pub workflow: Workflow,
    /// The account lacks the Transition issues permission: no transition
    /// is offered, and making one answers 400.
    pub no_transition_permission: bool,
    /// A field the screen of every transition to a Done status requires
    /// (`resolution`): a transition made without it in `fields` answers 400
    /// with Jira's per-field error, and the issue stays where it was.
    pub done_screen_requires: Option<&'static str>,
    created: usize,
}

/// A transition of the fake workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its id (`"21"`).
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The statuses it starts from (empty: a global transition, from any).
    pub from: Vec<&'static str>,
    /// The status it leads to.
    pub to: &'static str,
}

/// A project's workflow: its statuses (name, status category key) and
/// transitions, in the order Jira lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// (status name, category key `new` | `indeterminate` | `done`).
    pub statuses: Vec<(&'static str, &'static str)>,
    /// The transitions.
    pub steps: Vec<Step>,
}

impl Default for Workflow {
    fn default() -> Workflow {
        Workflow::simple()
    }
}

impl Workflow {
    /// To Do → In Progress → Done (Done also straight from To Do), with
    /// the way back.
    pub fn simple() -> Workflow {
        let step = |id, name, from: &[&'static str], to| Step {
            id,
            name,
            from: from.to_vec(),
            to,
        };
        Workflow {
            statuses: vec![
                ("To Do", "new"),
                ("In Progress", "indeterminate"),
                ("Done", "done"),
            ],
            steps: vec![
                step("11", "Start progress", &["To Do"], "In Progress"),
                step("21", "Stop progress", &["In Progress"], "To Do"),
                step("31", "Done", &["To Do", "In Progress"], "Done"),
                step("41", "Reopen", &["Done"], "To Do"),
            ],
        }
    }

    /// A workflow where Done exists but no transition leads to it (only
    /// an administrator's bulk change would): To Do → In Progress → In Review.
    pub fn without_done() -> Workflow {
        let mut w = Workflow::simple();
        w.statuses.insert(2, ("In Review", "indeterminate"));
        w.steps = vec![
            Step {
                id: "11",
                name: "Start progress",
                from: vec!["To Do"],
                to: "In Progress",
            },
            Step {
                id: "51",
                name: "Request review",
                from: vec!["In Progress"],
                to: "In Review",
            },
            Step {
                id: "61",
                name: "Back to work",
                from: vec!["In Review"],
                to: "In Progress",
            },
        ];
        w
    }

    /// The `status` field of an issue in status `name`, with its category.
    pub fn status(&self, name: &str) -> Value {
        let category = (self.statuses.iter())
            .find(|(n, _)| *n == name)
            .map_or("new", |(_, c)| *c);
        let (id, label, color) = match category {
            "done" => (3, "Done", "green"),
            "indeterminate" => (4, "In Progress", "yellow"),
            _ => (2, "To Do", "blue-gray"),
        };
        let status_id = 10000
            + self
                .statuses
                .iter()
                .position(|(n, _)| *n == name)
                .unwrap_or(0);
        json!({
            "name": name,
            "id": status_id.to_string(),
            "statusCategory": {"id": id, "key": category, "colorName": color, "name": label},
        })
    }

    /// The transitions offered from status `from`, in order.
    pub fn from(&self, from: &str) -> Vec<&Step> {
        (self.steps.iter())
            .filter(|s| s.from.is_empty() || s.from.contains(&from))
            .collect()
    }
}

/// The fake server; it runs until the process ends.
#[derive(Debug, Clone)]
pub struct FakeJira {
    /// `http://127.0.0.1:PORT`, the site URL (`--api-url`).
    pub url: String,
    /// The project key it serves.
    pub project: String,
    /// 3 (Cloud) or 2 (Server / Data Center).
    pub version: u32,
    /// The `Authorization` header it accepts.
    pub authorization: String,
    state: Shared<State>,
}

/// HTTP Basic credentials as a header value.
pub fn basic(user: &str, token: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"))
    )
}

impl FakeJira {
    /// Jira Cloud (REST v3) for project `key`, accepting `user` and API `token`.
    pub fn cloud(key: &str, user: &str, token: &str) -> FakeJira {
        FakeJira::start(key, 3, basic(user, token))
    }

    /// Jira Server / Data Center (REST v2) for project `key`, accepting the
    /// personal access token `pat`.
    pub fn server(key: &str, pat: &str) -> FakeJira {
        FakeJira::start(key, 2, format!("Bearer {pat}"))
    }

    fn start(key: &str, version: u32, authorization: String) -> FakeJira {
        let make = |url| FakeJira {
            url,
            project: key.to_string(),
            version,
            authorization,
            state: Shared::new(State {
                max_results: 100,
                ..State::default()
            }),
        };
        fake_http::start("application/json;charset=UTF-8", make, |fake, r| {
            let (status, extra, answer) = fake.answer(&Seen::from(r), &r.body);
            (status, extra, answer.map(|v| v.to_string()))
        })
    }

    /// The state (issues, faults, requests seen).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Issue `key` (`SEC-1`), as stored.
    pub fn issue(&self, key: &str) -> Option<Value> {
        self.state()
            .issues
            .iter()
            .find(|i| i["key"] == key)
            .cloned()
    }

    /// Changes the fields of issue `key` as a user would in Jira.
    pub fn edit(&self, key: &str, f: impl FnOnce(&mut Value)) {
        let mut st = self.state();
        if let Some(i) = st.issues.iter_mut().find(|i| i["key"] == key) {
            f(&mut i["fields"]);
        }
    }

    /// Moves issue `key` to Done (status category `done`).
    pub fn close(&self, key: &str) {
        self.move_to(key, "Done");
    }

    /// Moves issue `key` to the workflow's status `status`, as a user would.
    pub fn move_to(&self, key: &str, status: &str) {
        let value = self.state().workflow.status(status);
        self.edit(key, |f| f["status"] = value);
    }

    fn answer(&self, seen: &Seen, body: &[u8]) -> Answer {
        let mut st = self.state();
        st.seen.push(seen.clone());
        let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        st.bodies.push(input.clone());
        if let Some(f) = st.faults.pop_front() {
            return match f {
                Fault::TooManyRequests(s) | Fault::SecondaryLimit(s) => (
                    429,
                    vec![fake_http::retry_after(s)],
                    Some(json!({"errorMessages": ["Rate limit exceeded."], "errors": {}})),
                ),
                Fault::ServerError => (
                    500,
                    vec![],
                    Some(json!({"errorMessages": ["Internal server error"], "errors": {}})),
                ),
            };
        }
        if seen.auth.as_deref() != Some(self.authorization.as_str()) {
            return (
                401,
                vec![],
                Some(
                    json!({"errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {}}),
                ),
            );
        }
        let prefix = format!("/rest/api/{}/", self.version);
        let Some(rest) = seen
            .path
            .split('?')
            .next()
            .and_then(|p| p.strip_prefix(&prefix))
        else {
            return (
                404,
                vec![],
                Some(json!({"errorMessages": ["Not found"], "errors": {}})),
            );
        };
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        let ok = |v: Value| -> Answer { (200, vec![], Some(v)) };
        match (seen.method.as_str(), parts.as_slice()) {
            ("GET", ["project", key]) => {
                if *key == self.project {
                    ok(
                        json!({"id": "10000", "key": key, "name": "Security", "self": format!("{}/rest/api/{}/project/10000", self.url, self.version)}),
                    )
                } else {
                    no_project(key)
                }
            }
            ("POST", ["search", "jql"]) if self.version == 3 => self.search(&st, &input),
            ("POST", ["search"]) if self.version == 2 => self.search(&st, &input),
            ("POST", ["search"]) => (
                410,
                vec![],
                Some(
                    json!({"errorMessages": ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."], "errors": {}}),
                ),
            ),
            ("POST", ["issue"]) => self.create(&mut st, &input),
            ("PUT", ["issue", key]) => self.edit_issue(&mut st, key, &input),
            ("GET", ["issue", key, "transitions"]) => self.transitions(&st, key),
            ("POST", ["issue", key, "transitions"]) => transition(&mut st, key, &input),
            ("POST", ["issue", key, "comment"]) => {
                if !st.issues.iter().any(|i| i["key"] == *key) {
                    return no_issue();
                }
                let body = input.get("body").cloned().unwrap_or(Value::Null);
                if let Err(e) = check_text(self.version, &body, "body") {
                    return e;
                }
                st.comments.push((key.to_string(), body.clone()));
                let id = 20000 + st.comments.len();
                (
                    201,
                    vec![],
                    Some(
                        json!({"id": id.to_string(), "body": body, "self": format!("{}/rest/api/{}/issue/{key}/comment/{id}", self.url, self.version)}),
                    ),
                )
            }
            _ => (
                404,
                vec![],
                Some(json!({"errorMessages": ["Not found"], "errors": {}})),
            ),
        }
    }

    /// `PUT issue/{key}`: sets the description and labels, adds labels.
    fn edit_issue(&self, st: &mut State, key: &str, input: &Value) -> Answer {
        let version = self.version;
        let Some(i) = st.issues.iter_mut().find(|i| i["key"] == key) else {
            return no_issue();
        };
        if let Some(f) = input.get("fields") {
            if let Some(d) = f.get("description") {
                if let Err(e) = check_text(version, d, "description") {
                    return e;
                }
                i["fields"]["description"] = d.clone();
            }
            if let Some(l) = f.get("labels") {
                if let Err(e) = check_labels(l) {
                    return e;
                }
                i["fields"]["labels"] = l.clone();
            }
        }
        for op in input
            .pointer("/update/labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(add) = op.get("add") {
                if let Err(e) = check_labels(&json!([add])) {
                    return e;
                }
                if let Some(a) = i["fields"]["labels"]
                    .as_array_mut()
                    .filter(|a| !a.contains(add))
                {
                    a.push(add.clone());
                }
            }
        }
        (204, vec![], None)
    }

    /// `GET issue/{key}/transitions`: those offered from its status.
    fn transitions(&self, st: &State, key: &str) -> Answer {
        let Some(i) = st.issues.iter().find(|i| i["key"] == key) else {
            return no_issue();
        };
        let status = i["fields"]["status"]["name"].as_str().unwrap_or("");
        let offered: Vec<Value> = if st.no_transition_permission {
            Vec::new()
        } else {
            (st.workflow.from(status).into_iter())
                .map(|s| {
                    let mut to = st.workflow.status(s.to);
                    to["self"] = format!(
                        "{}/rest/api/{}/status/{}",
                        self.url,
                        self.version,
                        to["id"].as_str().unwrap_or("")
                    )
                    .into();
                    json!({
                        "id": s.id, "name": s.name, "to": to,
                        "hasScreen": false, "isGlobal": s.from.is_empty(),
                        "isInitial": false, "isAvailable": true,
                        "isConditional": false, "isLooped": false,
                    })
                })
                .collect()
        };
        (
            200,
            vec![],
            Some(json!({"expand": "transitions", "transitions": offered})),
        )
    }

    fn create(&self, st: &mut State, input: &Value) -> Answer {
        if st.fail_creates_after.is_some_and(|n| st.created >= n) {
            return (
                500,
                vec![],
                Some(json!({"errorMessages": ["Internal server error"], "errors": {}})),
            );
        }
        let f = input.get("fields").cloned().unwrap_or(Value::Null);
        if f.pointer("/project/key").and_then(Value::as_str) != Some(self.project.as_str()) {
            return bad("project", "valid project is required");
        }
        if st.no_task_type || f.pointer("/issuetype/name").and_then(Value::as_str) != Some("Task") {
            return bad("issuetype", "Specify a valid issue type");
        }
        match f.get("summary").and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() && s.chars().count() <= 255 && !s.contains('\n') => {}
            _ => return bad("summary", "You must specify a summary of the issue."),
        }
        let description = f.get("description").cloned().unwrap_or(Value::Null);
        if let Err(e) = check_text(self.version, &description, "description") {
            return e;
        }
        let labels = f.get("labels").cloned().unwrap_or(json!([]));
        if let Err(e) = check_labels(&labels) {
            return e;
        }
        let n = st.issues.len() + 1;
        let id = (10000 + n).to_string();
        let key = format!("{}-{n}", self.project);
        let this = format!("{}/rest/api/{}/issue/{id}", self.url, self.version);
        st.issues.push(json!({
            "id": id,
            "key": key,
            "self": this,
            "fields": {
                "summary": f["summary"],
                "description": description,
                "labels": labels,
                "issuetype": {"name": "Task"},
                "project": {"key": self.project},
                "status": st.workflow.status("To Do"),
                "assignee": null,
                "duedate": null,
            }
        }));
        st.created += 1;
        (
            201,
            vec![],
            Some(json!({"id": id, "key": key, "self": this})),
        )
    }

    fn search(&self, st: &State, input: &Value) -> Answer {
        let jql = input.get("jql").and_then(Value::as_str).unwrap_or("");
        let Some(project) = jql_value(jql, "project") else {
            return (
                400,
                vec![],
                Some(
                    json!({"errorMessages": ["Unbounded JQL queries are not allowed here."], "errors": {}}),
                ),
            );
        };
        if project != self.project {
            return (
                400,
                vec![],
                Some(
                    json!({"errorMessages": [format!("The value '{project}' does not exist for the field 'project'.")], "errors": {}}),
                ),
            );
        }
        let label = jql_value(jql, "labels");
        let fields: Vec<&str> = input
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let all: Vec<Value> = st
            .issues
            .iter()
            .filter(|i| {
                label.as_ref().is_none_or(|l| {
                    i["fields"]["labels"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == l.as_str()))
                })
            })
            .map(|i| {
                // Only the fields asked for (Jira's default is navigable fields).
                let mut out =
                    json!({"id": i["id"], "key": i["key"], "self": i["self"], "fields": {}});
                for f in &fields {
                    out["fields"][*f] = i["fields"][*f].clone();
                }
                out
            })
            .collect();
        let max = input
            .get("maxResults")
            .and_then(Value::as_u64)
            .unwrap_or(50)
            .clamp(1, st.max_results as u64) as usize;
        if self.version == 3 {
            let start = match input.get("nextPageToken").and_then(Value::as_str) {
                None => 0,
                Some(t) => match t.strip_prefix("tok-").and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) => n,
                    None => {
                        return (
                            400,
                            vec![],
                            Some(
                                json!({"errorMessages": ["Invalid nextPageToken."], "errors": {}}),
                            ),
                        );
                    }
                },
            };
            let page: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
            let end = start + page.len();
            let mut v = json!({"issues": page, "isLast": end >= all.len()});
            if end < all.len() {
                v["nextPageToken"] = format!("tok-{end}").into();
            }
            (200, vec![], Some(v))
        } else {
            let start = input.get("startAt").and_then(Value::as_u64).unwrap_or(0) as usize;
            let page: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
            (
                200,
                vec![],
                Some(
                    json!({"expand": "schema,names", "startAt": start, "maxResults": max, "total": all.len(), "issues": page}),
                ),
            )
        }
    }
}

/// `POST issue/{key}/transitions` with `{"transition": {"id": ...}}`: 204
/// and the issue in the transition's status, or 400 as Jira answers an id
/// not offered from the issue's status.
fn transition(st: &mut State, key: &str, input: &Value) -> Answer {
    let workflow = st.workflow.clone();
    let allowed = !st.no_transition_permission;
    let required = st.done_screen_requires;
    let Some(i) = st.issues.iter_mut().find(|i| i["key"] == key) else {
        return no_issue();
    };
    let id = match input.pointer("/transition/id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return (
                400,
                vec![],
                Some(json!({"errorMessages": ["Missing 'transition' identifier"], "errors": {}})),
            );
        }
    };
    let status = i["fields"]["status"]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let Some(step) = workflow
        .from(&status)
        .into_iter()
        .find(|s| s.id == id)
        .filter(|_| allowed)
    else {
        return (
            400,
            vec![],
            Some(
                json!({"errorMessages": [format!("Transition id '{id}' is not valid for this issue.")], "errors": {}}),
            ),
        );
    };
    let to = workflow.status(step.to);
    let missing = required
        .filter(|_| to["statusCategory"]["key"] == "done")
        .filter(|field| input.pointer(&format!("/fields/{field}")).is_none());
    if let Some(field) = missing {
        let message = format!("{} is required.", capitalised(field));
        return (
            400,
            vec![],
            Some(json!({"errorMessages": [], "errors": {field: message}})),
        );
    }
    i["fields"]["status"] = to;
    (204, vec![], None)
}

/// `resolution` as Jira names it in a message: `Resolution`.
fn capitalised(field: &str) -> String {
    let mut c = field.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The value of `field = "VALUE"` (or unquoted) in a JQL query.
fn jql_value(jql: &str, field: &str) -> Option<String> {
    let at = jql.find(&format!("{field} = "))? + field.len() + 3;
    let rest = &jql[at..];
    let v = match rest.strip_prefix('"') {
        Some(q) => q.split('"').next()?,
        None => rest.split_whitespace().next()?,
    };
    Some(v.to_string())
}

/// A description or comment body in the API's format: an ADF document
/// (v3) or a string (v2).
fn check_text(version: u32, v: &Value, field: &str) -> Result<(), Answer> {
    let fine = match version {
        3 => v.is_null() || (v["type"] == "doc" && v["version"] == 1 && v["content"].is_array()),
        _ => v.is_null() || v.is_string(),
    };
    if fine {
        Ok(())
    } else {
        Err(bad(
            field,
            "Operation value must be an Atlassian Document (see the Atlassian Document Format) or a string",
        ))
    }
}

fn check_labels(v: &Value) -> Result<(), Answer> {
    for l in v.as_array().into_iter().flatten() {
        match l.as_str() {
            Some(s)
                if !s.is_empty()
                    && !s.contains(char::is_whitespace)
                    && s.chars().count() <= 255 => {}
            _ => {
                return Err(bad(
                    "labels",
                    &format!("The label '{l}' contains spaces which is invalid."),
                ));
            }
        }
    }
    Ok(())
}

fn bad(field: &str, message: &str) -> Answer {
    (
        400,
        vec![],
        Some(json!({"errorMessages": [], "errors": {field: message}})),
    )
}

fn no_project(key: &str) -> Answer {
    (
        404,
        vec![],
        Some(
            json!({"errorMessages": [format!("No project could be found with key '{key}'.")], "errors": {}}),
        ),
    )
}

fn no_issue() -> Answer {
    (
        404,
        vec![],
        Some(
            json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
        ),
    )
}
