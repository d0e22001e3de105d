//! The facade's `history`: the model's numbers at every commit that
//! changed it, along the first-parent chain (docs/history.md#tmkit-history).

use crate::Limits;
use crate::check::{CheckOptions, check_with};
use std::path::Path;
use tmkit_analysis::history::{History, HistoryRow, Snapshot};
use tmkit_git::{GitError, Lookups, Repo, TreeFs};
use tmkit_syntax::fs::FileSystem;
use tmkit_syntax::load::{MODEL_FILE, ParseCache};

/// The JSON Schema of `tmkit history --format json`.
pub fn history_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(History)).unwrap_or_default()
}

/// The model at `path` (as in the working tree) at every commit of the
/// first-parent chain of HEAD after `since` (exclusive; None: from the
/// first commit) that changed one of its files.
pub fn history(path: &Path, since: Option<&str>, limits: &Limits) -> Result<History, GitError> {
    let path = crate::diff::absolute(path);
    let repo = Repo::discover(&crate::diff::existing_ancestor(&path))?;
    let head = repo.resolve("HEAD")?;
    let since = since.map(|s| repo.resolve(s)).transpose()?;
    let mut commits = repo.first_parents(head, since)?;
    commits.reverse();
    let cache = ParseCache::new();
    let options = CheckOptions::new().with_limits(*limits);
    let mut rows = Vec::new();
    // With --since, the commit named is the baseline: the first commit
    // after it has a row only if it changed the model.
    let mut previous: Option<Lookups> = match since {
        Some(id) => {
            let fs = TreeFs::new(&repo, repo.commit(id)?.tree, Some(&cache));
            check_with(&fs, &path, &options);
            Some(fs.lookups())
        }
        None => None,
    };
    for c in commits {
        let fs = TreeFs::new(&repo, c.tree, Some(&cache));
        if previous.as_ref().is_some_and(|p| fs.same_as(p)) {
            continue;
        }
        let root = if fs.is_dir(&path) {
            path.join(MODEL_FILE)
        } else {
            path.clone()
        };
        if fs.canonicalize(&root).is_err() {
            // No model at this commit: no row, until one appears.
            previous = Some(fs.lookups());
            continue;
        }
        let outcome = check_with(&fs, &path, &options);
        let metrics = match (&outcome.model, &outcome.analysis) {
            (Some(m), Some(a)) if !outcome.diagnostics.has_errors() => Some(Snapshot::new(m, a)),
            _ => None,
        };
        previous = Some(fs.lookups());
        cache.sweep();
        rows.push(HistoryRow {
            commit: c.id,
            date: c.date,
            author: c.author,
            metrics,
        });
    }
    let shown = path
        .strip_prefix(repo.workdir())
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/");
    Ok(History {
        path: shown,
        rows,
        cache_hits: cache.hits(),
    })
}
