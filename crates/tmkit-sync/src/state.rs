//! The tickets' states in the JSON of `tmkit sync -f json`, read back by
//! `tmkit report --tickets FILE` (docs/trackers.md, "Tickets in the
//! report"): a report never calls a tracker, it shows what the last sync
//! read.

use crate::plan::Linked;
use serde::Deserialize;
use tmkit_analysis::views::TicketState;
use tmkit_model::Date;

/// The version of the sync JSON (`tmkit_sync`): it changes when a key is
/// removed, renamed or changes meaning.
pub const SYNC_JSON_VERSION: u32 = 1;

#[derive(Deserialize)]
struct SyncJson {
    tmkit_sync: Option<u32>,
    tracker: String,
    as_of: Option<String>,
    plan: PlanJson,
}

#[derive(Deserialize)]
struct PlanJson {
    linked: Vec<Linked>,
}

fn date(s: Option<&str>, what: &str) -> Result<Option<Date>, String> {
    s.map(|d| Date::parse(d).map_err(|e| format!("{what}: {e}")))
        .transpose()
}

/// The linked tickets' states in the JSON `tmkit sync -f json` wrote.
/// The error says what is wrong (not sync JSON, a newer version, a bad
/// date).
pub fn ticket_states(json: &[u8]) -> Result<Vec<TicketState>, String> {
    let sync: SyncJson = serde_json::from_slice(json).map_err(|e| {
        format!("not the JSON of `tmkit sync -f json` ({e}); write it with `tmkit sync TRACKER -f json -o FILE`")
    })?;
    match sync.tmkit_sync {
        Some(SYNC_JSON_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "sync JSON version {v}, this tmkit reads version {SYNC_JSON_VERSION}: upgrade tmkit"
            ));
        }
        None => {
            return Err(
                "no `tmkit_sync` version: write it again with `tmkit sync TRACKER -f json -o FILE`"
                    .to_string(),
            );
        }
    }
    let as_of = date(sync.as_of.as_deref(), "as_of")?;
    sync.plan
        .linked
        .into_iter()
        .map(|l| {
            Ok(TicketState {
                due: date(l.due.as_deref(), &format!("the due date of {}", l.ticket))?,
                ticket: l.ticket,
                tracker: sync.tracker.clone(),
                open: l.open,
                assignees: l.assignees,
                as_of,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_read_with_their_tracker_and_dates() {
        let json = br#"{"tmkit_sync": 1, "tracker": "GitHub", "as_of": "2026-12-01",
            "plan": {"actions": [], "elsewhere": [], "linked": [
              {"qid": "T1", "ticket": "https://x/1", "open": true, "assignees": ["alice"], "due": "2027-01-10"},
              {"qid": "T2", "ticket": "https://x/2", "open": false, "assignees": [], "due": null}]}}"#;
        let s = ticket_states(json).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tracker, "GitHub");
        assert_eq!(s[0].assignees, vec!["alice".to_string()]);
        assert_eq!(
            s[0].due.map(|d| d.to_string()).as_deref(),
            Some("2027-01-10")
        );
        assert_eq!(
            s[0].as_of.map(|d| d.to_string()).as_deref(),
            Some("2026-12-01")
        );
        assert!(!s[1].open && s[1].due.is_none());
    }

    #[test]
    fn other_json_a_newer_version_and_bad_dates_are_refused() {
        let e = ticket_states(br#"{"tmkit_report": 3}"#).unwrap_err();
        assert!(e.contains("tmkit sync TRACKER -f json"), "{e}");
        let e = ticket_states(br#"{"tmkit_sync": 2, "tracker": "GitHub", "plan": {"linked": []}}"#)
            .unwrap_err();
        assert!(e.contains("version 2"), "{e}");
        let e = ticket_states(br#"{"tracker": "GitHub", "plan": {"linked": []}}"#).unwrap_err();
        assert!(e.contains("no `tmkit_sync`"), "{e}");
        let e = ticket_states(
            br#"{"tmkit_sync": 1, "tracker": "GitHub", "plan": {"linked": [
              {"qid": "T1", "ticket": "K-1", "open": true, "assignees": [], "due": "2027-02-30"}]}}"#,
        )
        .unwrap_err();
        assert!(e.contains("the due date of K-1"), "{e}");
    }
}
