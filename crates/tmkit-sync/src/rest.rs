//! What the three trackers' REST calls share: every call through the one
//! [`Client`], an HTTP failure turned into a [`SyncError`] with the
//! tracker's hint for its status, GitHub's and GitLab's pages of issues,
//! the proposal (a comment, then the proposal label), and reading an issue's
//! JSON. Each tracker keeps its own API knowledge (URLs, payloads, field
//! names, hints) in its own file.

use crate::http::{Client, HttpError, Method, Response};
use crate::items::Item;
use crate::plan::Remote;
use crate::{SyncError, proposed_before};
use serde_json::Value;

/// The most pages of issues read (100 each).
pub(crate) const MAX_PAGES: u64 = 10_000;

/// The error when a list has more than [`MAX_PAGES`] pages.
pub(crate) fn too_many_pages() -> SyncError {
    SyncError::usage(format!("more than {MAX_PAGES} pages of issues"))
}

/// `next` when it is under `api`: the token goes only where --api-url
/// points, so a next page on another host is refused, not followed.
pub(crate) fn under_api(next: String, api: &str) -> Result<String, SyncError> {
    if next.starts_with(&format!("{api}/")) {
        return Ok(next);
    }
    Err(SyncError::usage(format!(
        "the tracker's next page `{next}` is not under {api}: refusing to send the token there"
    )))
}

/// A tracker's REST side: its client, its hints, and how it comments and
/// marks a proposal; the rest is shared.
pub(crate) trait Rest {
    /// The client every call goes through.
    fn client(&self) -> &Client;

    /// What to fix after an HTTP `status` (empty: nothing to add).
    fn hint(&self, status: u16) -> String;

    /// Comments on the issue at `url` that `item` is done in the model.
    fn comment(&self, url: &str, item: &Item) -> Result<(), SyncError>;

    /// Adds the proposal label to the issue at `url`.
    fn mark_proposed(&self, url: &str) -> Result<(), SyncError>;

    /// The error with what to fix.
    fn explain(&self, e: HttpError) -> SyncError {
        let hint = match &e {
            HttpError::Status { status, .. } => self.hint(*status),
            _ => String::new(),
        };
        SyncError::http(e, hint)
    }

    /// An unexpected answer (`what` is wrong with it).
    fn unexpected(&self, what: &str) -> SyncError {
        self.explain(HttpError::Body(what.to_string()))
    }

    /// Sends `method url` with an optional JSON body.
    fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Result<Response, SyncError> {
        self.client()
            .send(method, url, body)
            .map_err(|e| self.explain(e))
    }

    /// The JSON of a response.
    fn json(&self, r: &Response) -> Result<Value, SyncError> {
        r.json().map_err(|e| self.explain(e))
    }

    /// Every issue of the pages from `first`: each page a JSON array,
    /// `next` the URL of the page after a response (if any).
    fn pages(
        &self,
        first: String,
        next: &dyn Fn(&Response) -> Result<Option<String>, SyncError>,
    ) -> Result<Vec<Value>, SyncError> {
        let mut out = Vec::new();
        let mut url = Some(first);
        let mut pages = 0;
        while let Some(u) = url.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(too_many_pages());
            }
            let r = self.send(Method::Get, &u, None)?;
            let Value::Array(list) = self.json(&r)? else {
                return Err(self.unexpected("the issue list is not an array"));
            };
            out.extend(list);
            url = next(&r)?;
        }
        Ok(out)
    }

    /// Proposes closing: the comment, then the proposal label.
    fn propose(&self, url: &str, item: &Item) -> Result<(), SyncError> {
        self.comment(url, item)?;
        self.mark_proposed(url)
    }

    /// The comment of `--close`, unless an earlier run proposed closing
    /// `remote` (and so commented) already; true when it had.
    fn comment_once(&self, remote: &Remote, url: &str, item: &Item) -> Result<bool, SyncError> {
        let proposed = proposed_before(remote);
        if !proposed {
            self.comment(url, item)?;
        }
        Ok(proposed)
    }
}

/// The text at `pointer` in `v` ("" when there is none).
pub(crate) fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// What `pick` finds in each element of the array `v` (none when `v` is
/// not an array): label names, assignees.
pub(crate) fn texts<'a>(
    v: Option<&'a Value>,
    pick: impl Fn(&'a Value) -> Option<&'a str>,
) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(pick).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The day of a date or time (`2027-03-31T07:00:00Z` is `2027-03-31`).
pub(crate) fn day(d: &str) -> String {
    d.chars().take(10).collect()
}

/// `title` cut to `max` characters (an ellipsis marks the cut), for a
/// tracker that refuses a longer one.
pub(crate) fn cut(title: &str, max: usize) -> String {
    if title.chars().count() <= max {
        return title.to_string();
    }
    let mut t: String = title.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Oldest first, by `number` of each id: with two tickets of one element,
/// the first one wins.
pub(crate) fn oldest_first(list: &mut [Remote], number: impl Fn(&str) -> u64) {
    list.sort_by_key(|r| number(&r.id));
}
