//! `tmkit sync github|gitlab|jira [PATH]`: a plan of the tickets to create, update,
//! link and propose to close (or close, with `--close`); `--apply` does it
//! and writes the tickets back into the model. See docs/trackers.md.

use super::OutputArg;
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit::sync::WriteBack;
use tmkit_analysis::Analysis;
use tmkit_sync::github::{self, GitHub};
use tmkit_sync::gitlab::{self, GitLab};
use tmkit_sync::http::{Client, Settings};
use tmkit_sync::items::{self, Rows};
use tmkit_sync::jira::{self, Jira};
use tmkit_sync::plan::{self, Action, Plan};
use tmkit_sync::{Applied, Tracker};
use tmkit_syntax::node::Limits;
use tmkit_syntax::text::escape_controls;

/// The tracker.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TrackerKind {
    /// GitHub issues (github.com or GitHub Enterprise Server, `--api-url`).
    Github,
    /// GitLab issues (gitlab.com or self-managed GitLab, `--api-url`).
    Gitlab,
    /// Jira issues (Jira Cloud, or Jira Server / Data Center; the site is `--api-url`).
    Jira,
}

/// What one ticket stands for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RowKind {
    /// One ticket per unmitigated or partial threat.
    Threats,
    /// One ticket per mitigation not yet in place.
    Mitigations,
}

/// Format of the plan.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Lines for people.
    Text,
    /// One JSON object (plan, linked tickets, what was applied).
    Json,
}

/// Arguments of `tmkit sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tracker.
    #[arg(value_enum)]
    pub tracker: TrackerKind,
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up).
    pub path: Option<PathBuf>,
    /// GitHub: the repository, `owner/name` (default: `sync.github.repo` of the root model).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// GitLab: the project path `group/name`; Jira: the project key
    /// (default: the `sync:` section of the root model).
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// The API's base URL (GitHub Enterprise Server: `https://HOST/api/v3`;
    /// self-managed GitLab: `https://HOST/api/v4`; default: the `api_url` of
    /// the root model's `sync:` section, else the public API).
    /// Jira: the site's base URL, like `https://acme.atlassian.net` (default: `sync.jira.url`).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Do it: create, update, comment, and write the tickets into the model.
    #[arg(long)]
    pub apply: bool,
    /// With --apply: mark the mitigations of closed tickets in place, with the
    /// ticket as evidence.
    #[arg(long)]
    pub accept_closed: bool,
    /// With --apply: close the open tickets of elements done in the model
    /// instead of only proposing it: the same comment, then the issue is
    /// closed (Jira: the first transition to a status in the Done category;
    /// a ticket the workflow offers none for stays open, commented, and is
    /// reported). Only tickets carrying tmkit's marker; a closed ticket is
    /// never reopened. Without --apply, the plan shows `would close`.
    #[arg(long)]
    pub close: bool,
    /// One ticket per threat or per planned mitigation.
    #[arg(long, value_enum, default_value_t = RowKind::Threats)]
    pub rows: RowKind,
    /// Format of the plan.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Seconds before one request times out.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    if args.accept_closed && !args.apply {
        eprintln!("error: --accept-closed changes the model: give --apply too");
        return ExitStatus::UsageOrIo;
    }
    let (model, checked) =
        match super::load_valid(args.path.as_deref(), limits, &Default::default()) {
            Ok(x) => x,
            Err(status) => return status,
        };
    let tracker = match connect(&args, &model.root().sync) {
        Ok(t) => t,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            return ExitStatus::UsageOrIo;
        }
    };
    let analysis = Analysis::new(&model);
    let rows = match args.rows {
        RowKind::Threats => Rows::Threats,
        RowKind::Mitigations => Rows::Mitigations,
    };
    let items = tracker.native(items::items(&model, &analysis, rows));
    let remotes = match tracker.list() {
        Ok(r) => r,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            return ExitStatus::UsageOrIo;
        }
    };
    let plan = plan::plan_with(&items, &remotes, plan::Options { close: args.close });
    let mut status = ExitStatus::Ok;
    let mut applied = None;
    let mut written = Vec::new();
    if args.apply {
        let (done, accepted, w, st) = apply(
            &args,
            limits,
            tracker.as_ref(),
            &model,
            &checked,
            &items,
            &remotes,
            &plan,
        );
        written = w;
        status = st;
        applied = Some((done, accepted));
    }
    let text = match args.format {
        Format::Text => text(
            tracker.name(),
            &plan,
            applied.as_ref(),
            &written,
            args.apply,
        ),
        Format::Json => json(tracker.name(), &plan, applied.as_ref(), &written),
    };
    let wrote = super::write_text(&args.output, &checked.files, &text);
    if status == ExitStatus::Ok {
        wrote
    } else {
        status
    }
}

/// `--apply`: runs the plan, writes back what was done, checks the model
/// again. Returns what was done, the accepted closures, the files written
/// and the exit status.
#[allow(clippy::too_many_arguments)]
fn apply(
    args: &Args,
    limits: &Limits,
    tracker: &dyn Tracker,
    model: &tmkit_model::Model,
    checked: &tmkit_model::Checked,
    items: &[tmkit_sync::items::Item],
    remotes: &[tmkit_sync::plan::Remote],
    plan: &Plan,
) -> (Applied, Vec<(String, String)>, Vec<String>, ExitStatus) {
    let mut status = ExitStatus::Ok;
    let mut written = Vec::new();
    let done = tmkit_sync::execute(tracker, items, remotes, plan, &mut |_| {});
    let mut wb = WriteBack {
        tickets: done.write_back.clone(),
        accepted: Vec::new(),
    };
    if args.accept_closed && done.error.is_none() {
        for a in &plan.actions {
            if let Action::ClosedNotInPlace {
                ticket,
                mitigations,
                ..
            } = a
            {
                wb.accepted
                    .extend(mitigations.iter().map(|m| (m.clone(), ticket.clone())));
            }
        }
    }
    // Only what was done is written back, also after a failure.
    match tmkit::sync::write_back(model, &checked.files, limits, &wb) {
        Ok(w) => written = w,
        Err(e) => {
            eprintln_escaped!("error: writing the tickets into the model: {e}");
            status = ExitStatus::UsageOrIo;
        }
    }
    // Also on stderr: the JSON or a file (-o) may hide it from a person.
    if args.format == Format::Json || args.output.output.is_some() {
        for (qid, ticket, why) in &done.not_closed {
            eprintln_escaped!("warning: {qid}: {ticket} was not closed: {why}");
        }
    }
    if let Some(e) = &done.error {
        eprintln_escaped!("error: {e}");
        eprintln!("  note: what was done is written into the model; run again to resume");
        status = ExitStatus::UsageOrIo;
    }
    if !written.is_empty() {
        // The model must still check after the write-back.
        let path = super::find_model(args.path.as_deref()).unwrap_or_default();
        let again = tmkit::load(&tmkit_syntax::fs::RealFs, &path, limits);
        if again.has_errors() {
            eprint!(
                "{}",
                tmkit_syntax::diagnostic::render_human(
                    &again.diagnostics,
                    &again.files,
                    super::stderr_color()
                )
            );
            status = ExitStatus::InvalidModel;
        }
    }
    (done, wb.accepted, written, status)
}

fn connect(args: &Args, target: &tmkit_model::SyncTarget) -> Result<Box<dyn Tracker>, String> {
    let settings = Settings {
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        ..Settings::default()
    };
    match args.tracker {
        TrackerKind::Github => {
            let (repo, api_url) = place(
                (args.repo.as_deref(), args.api_url.as_deref()),
                target.github.as_ref(),
                "GitHub needs --repo OWNER/NAME, or `sync: {github: {repo: OWNER/NAME}}` in the root model",
            )?;
            let token = token(github::TOKEN_VAR, || {
                format!(
                    "give a token that may read and write the issues of {repo} (fine-grained: \"Issues: read and write\"; classic: the `repo` scope)"
                )
            })?;
            let mut gh = GitHub::new(api_url, repo, token, settings).map_err(|e| e.to_string())?;
            show_waits(gh.client_mut());
            Ok(Box::new(gh))
        }
        TrackerKind::Gitlab => {
            if args.repo.is_some() {
                return Err(
                    "--repo names a GitHub repository: GitLab takes --project GROUP/NAME".into(),
                );
            }
            let (project, api_url) = place(
                (args.project.as_deref(), args.api_url.as_deref()),
                target.gitlab.as_ref(),
                "GitLab needs --project GROUP/NAME, or `sync: {gitlab: {project: GROUP/NAME}}` in the root model",
            )?;
            let token = token(gitlab::TOKEN_VAR, || {
                format!(
                    "give a token with the `api` scope that may read and write the issues of {project} (Planner or Reporter role)"
                )
            })?;
            let mut gl =
                GitLab::new(api_url, project, token, settings).map_err(|e| e.to_string())?;
            show_waits(gl.client_mut());
            Ok(Box::new(gl))
        }
        TrackerKind::Jira => {
            let from_model = target.jira.as_ref();
            let project = args
                .project
                .as_deref()
                .or(from_model.map(|(p, _, _)| p.as_str()))
                .ok_or("Jira needs --project KEY, or `sync: {jira: {project: KEY, url: SITE}}` in the root model")?;
            let site = args
                .api_url
                .as_deref()
                .or(from_model.and_then(|(_, u, _)| u.as_deref()))
                .ok_or("Jira needs the site's URL: --api-url https://SITE (like https://acme.atlassian.net), or `url:` in `sync: {jira: ...}` of the root model")?;
            let api = match from_model.and_then(|(_, _, a)| *a) {
                None => jira::Api::for_site(site),
                Some(v) => jira::Api::from_version(v as u32)
                    .filter(|_| v.fract() == 0.0)
                    .ok_or_else(|| {
                        format!("`api: {v}` in `sync: {{jira: ...}}` is not 3 (Jira Cloud) or 2 (Jira Server / Data Center)")
                    })?,
            };
            let auth = jira::Auth::from_env(api, project, &|k| std::env::var(k).ok())
                .map_err(|e| e.to_string())?;
            let mut j = Jira::new(site, project, api, auth, settings).map_err(|e| e.to_string())?;
            show_waits(j.client_mut());
            Ok(Box::new(j))
        }
    }
}

/// The place (a GitHub repository, a GitLab project) and API URL: each
/// flag (`flag`, `api_url`) first, else the root model's `sync:` section
/// (`from_model`: place, URL); `missing` when neither names the place.
fn place<'a>(
    (flag, api_url): (Option<&'a str>, Option<&'a str>),
    from_model: Option<&'a (String, Option<String>)>,
    missing: &str,
) -> Result<(&'a str, Option<&'a str>), String> {
    let place = flag
        .or(from_model.map(|(p, _)| p.as_str()))
        .ok_or(missing)?;
    let api_url = api_url.or(from_model.and_then(|(_, u)| u.as_deref()));
    Ok((place, api_url))
}

/// The token in the environment variable `var` (trimmed), or the error
/// saying it is not set and what it needs (`needs`).
fn token(var: &str, needs: impl FnOnce() -> String) -> Result<String, String> {
    std::env::var(var)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("{var} is not set: {}", needs()))
}

/// On a terminal, each wait of `client` (a rate limit, a retry) is said on
/// stderr.
fn show_waits(client: &mut Client) {
    if std::io::stderr().is_terminal() {
        client.on_wait = Some(Box::new(|secs, why| {
            eprintln!("waiting {secs:.0} s ({why})");
        }));
    }
}

fn text(
    tracker: &str,
    plan: &Plan,
    applied: Option<&(Applied, Vec<(String, String)>)>,
    written: &[String],
    apply: bool,
) -> String {
    let mut out = String::new();
    let verb = if apply { "" } else { "would " };
    for a in &plan.actions {
        let line = match a {
            Action::Create { qid, title } => format!("{verb}create  {qid}: {title}"),
            Action::Link { qid, ticket } => {
                format!("{verb}link    {qid}: {ticket} (found by its marker)")
            }
            Action::Update { qid, ticket } => format!("{verb}update  {qid}: {ticket}"),
            Action::ProposeClose { qid, ticket } => {
                format!("{verb}propose closing {qid}: {ticket} (done in the model)")
            }
            Action::Close { qid, ticket } => {
                format!("{verb}close   {qid}: {ticket} (done in the model)")
            }
            Action::ClosedNotInPlace { qid, ticket, .. } => {
                format!(
                    "closed in the tracker, not in place in the model: {qid}: {ticket} (--apply --accept-closed marks it in place)"
                )
            }
        };
        out.push_str(&escape_controls(&line));
        out.push('\n');
    }
    for l in &plan.linked {
        let mut line = format!(
            "ticket  {}: {} {}",
            l.qid,
            l.ticket,
            if l.open { "open" } else { "closed" }
        );
        if !l.assignees.is_empty() {
            line.push_str(&format!(", assigned to {}", l.assignees.join(", ")));
        }
        if let Some(d) = &l.due {
            line.push_str(&format!(", due {d}"));
        }
        out.push_str(&escape_controls(&line));
        out.push('\n');
    }
    for (qid, t) in &plan.elsewhere {
        out.push_str(&escape_controls(&format!(
            "elsewhere {qid}: {t} (not one of the tickets read from {tracker}; left alone)"
        )));
        out.push('\n');
    }
    for (qid, ticket, why) in applied.iter().flat_map(|(d, _)| &d.not_closed) {
        out.push_str(&escape_controls(&format!(
            "not closed {qid}: {ticket}: {why}"
        )));
        out.push('\n');
    }
    let count = |f: fn(&Action) -> bool| plan.actions.iter().filter(|a| f(a)).count();
    let to_close = count(|a| matches!(a, Action::Close { .. }));
    match applied {
        None => out.push_str(&format!(
            "{tracker}: {} to create, {} to link, {} to update, {} to propose closing, {}{} closed not in place{}\n",
            count(|a| matches!(a, Action::Create { .. })),
            count(|a| matches!(a, Action::Link { .. })),
            count(|a| matches!(a, Action::Update { .. })),
            count(|a| matches!(a, Action::ProposeClose { .. })),
            if to_close > 0 { format!("{to_close} to close, ") } else { String::new() },
            count(|a| matches!(a, Action::ClosedNotInPlace { .. })),
            if plan.is_empty() { "; in sync" } else { "; run with --apply to do it" }
        )),
        Some((done, accepted)) => {
            out.push_str(&format!(
                "{tracker}: created {}, updated {}, proposed closing {}, closed {}; {} tickets and {} accepted closures written into {}\n",
                done.created,
                done.updated,
                done.proposed,
                done.closed,
                done.write_back.len(),
                accepted.len(),
                if written.is_empty() { "no file".to_string() } else { escape_controls(&written.join(", ")).into_owned() }
            ));
        }
    }
    out
}

/// The sync JSON: its version, the tracker, the day it was read
/// (`SOURCE_DATE_EPOCH` when set, else the clock), the plan with every
/// linked ticket's state (what `report --tickets` reads back), and what was
/// applied.
fn json(
    tracker: &str,
    plan: &Plan,
    applied: Option<&(Applied, Vec<(String, String)>)>,
    written: &[String],
) -> String {
    let as_of = super::report::date_or_epoch(None)
        .unwrap_or_else(|| tmkit_model::Date::today_utc().to_string());
    let mut v = serde_json::json!({
        "tmkit_sync": tmkit_sync::state::SYNC_JSON_VERSION,
        "tracker": tracker,
        "as_of": as_of,
        "plan": plan,
    });
    if let Some((done, accepted)) = applied {
        v["applied"] = serde_json::json!({
            "created": done.created,
            "updated": done.updated,
            "proposed": done.proposed,
            "closed": done.closed,
            "not_closed": done.not_closed.iter().map(|(qid, ticket, reason)| {
                serde_json::json!({"qid": qid, "ticket": ticket, "reason": reason})
            }).collect::<Vec<_>>(),
            "write_back": done.write_back,
            "accepted": accepted,
            "files": written,
            "error": done.error.as_ref().map(|e| e.to_string()),
        });
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
