//! # tmkit-git: threat models read straight from git objects
//!
//! `tmkit diff` and `tmkit history` read a model as it was at a revision
//! without a checkout and without the `git` program: [`TreeFs`] implements
//! the syntax crate's [`FileSystem`] over a commit's tree, so the ordinary
//! loader and checker read it (one code path with `tmkit check`; every limit
//! still applies). Only blobs are files: a symbolic link or a submodule in
//! the tree is refused like a FIFO on disk (E0025).
//!
//! Built on `gix` with its default features off (no network, no worktree,
//! index or status): `revision` (rev-parse, merge-base), `sha1`, and a small
//! pack cache.

#![warn(missing_docs)]

use gix::ObjectId;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tmkit_syntax::fs::{FileSystem, NotRegularFile, normalise};
use tmkit_syntax::load::ParseCache;

/// An error of reading the repository, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

fn err(what: impl std::fmt::Display) -> GitError {
    GitError(what.to_string())
}

/// A repository found from a path inside its working tree.
pub struct Repo {
    repo: Mutex<gix::Repository>,
    workdir: PathBuf,
}

/// A commit, with what `tmkit history` shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hexadecimal id.
    pub id: String,
    /// Its tree.
    pub tree: ObjectId,
    /// First parent, if any.
    pub parent: Option<ObjectId>,
    /// Author name.
    pub author: String,
    /// Author date, seconds since the epoch.
    pub time: i64,
    /// Author date as `YYYY-MM-DD` (UTC).
    pub date: String,
}

impl Repo {
    /// The repository holding `path` (searched upwards).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let repo = gix::discover(path).map_err(|e| {
            err(format!(
                "{} is not inside a git repository: {e}",
                path.display()
            ))
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| err("the repository has no working tree (a bare repository)"))?;
        let workdir = std::fs::canonicalize(workdir).map_err(err)?;
        Ok(Repo {
            repo: Mutex::new(repo),
            workdir,
        })
    }

    /// The working tree's root directory (canonical).
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    fn with<T>(&self, f: impl FnOnce(&gix::Repository) -> T) -> T {
        let repo = self.repo.lock().unwrap_or_else(|e| e.into_inner());
        f(&repo)
    }

    /// The commit a revision names (`HEAD~2`, a branch, a tag, an id).
    pub fn resolve(&self, rev: &str) -> Result<ObjectId, GitError> {
        self.with(|r| {
            let id = r
                .rev_parse_single(rev)
                .map_err(|e| err(format!("unknown revision `{rev}`: {e}")))?;
            let commit = id
                .object()
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| err(format!("revision `{rev}` is not a commit: {e}")))?;
            Ok(commit.id)
        })
    }

    /// The default branch: the target of `origin/HEAD`, else `main`, else
    /// `master` (local, then `origin/`), as (name, commit).
    pub fn default_branch(&self) -> Result<(String, ObjectId), GitError> {
        [
            "origin/HEAD",
            "main",
            "origin/main",
            "master",
            "origin/master",
        ]
        .into_iter()
        .find_map(|name| self.resolve(name).ok().map(|id| (name.to_string(), id)))
        .ok_or_else(|| err("no default branch: no origin/HEAD, main or master; give --base"))
    }

    /// The default base of `tmkit diff`: the merge-base of HEAD with the
    /// default branch, as (description, commit).
    pub fn default_base(&self) -> Result<(String, ObjectId), GitError> {
        let head = self.resolve("HEAD")?;
        let (name, branch) = self.default_branch()?;
        let base = self.with(|r| {
            r.merge_base(head, branch)
                .map_err(|e| err(format!("no merge-base of HEAD and {name}: {e}")))?
                .map(|id| id.detach())
                .ok_or_else(|| {
                    err(format!(
                        "HEAD and {name} have no common ancestor; give --base"
                    ))
                })
        })?;
        let short = base.to_hex_with_len(7);
        Ok((format!("merge-base of HEAD and {name} ({short})"), base))
    }

    /// What `tmkit history` shows of a commit.
    pub fn commit(&self, id: ObjectId) -> Result<CommitInfo, GitError> {
        self.with(|r| {
            let c = r
                .find_object(id)
                .and_then(|o| o.peel_to_commit())
                .map_err(err)?;
            let author = c.author().map_err(err)?;
            let time = author.time().map_err(err)?.seconds;
            Ok(CommitInfo {
                id: id.to_string(),
                tree: c.tree_id().map_err(err)?.detach(),
                parent: c.parent_ids().next().map(|p| p.detach()),
                author: author.name.to_string(),
                time,
                date: civil_date(time),
            })
        })
    }

    /// The first-parent chain from `head` back to (not including) `since`,
    /// newest first.
    pub fn first_parents(
        &self,
        head: ObjectId,
        since: Option<ObjectId>,
    ) -> Result<Vec<CommitInfo>, GitError> {
        let mut out = Vec::new();
        let mut next = Some(head);
        while let Some(id) = next.filter(|&id| Some(id) != since) {
            let c = self.commit(id)?;
            next = c.parent;
            out.push(c);
        }
        Ok(out)
    }

    /// A file system over the tree of commit `commit`, rooted at the working
    /// tree's directory (paths are the same as on disk).
    pub fn tree_fs(&self, commit: ObjectId) -> Result<TreeFs<'_>, GitError> {
        let tree = self.commit(commit)?.tree;
        Ok(TreeFs::new(self, tree, None))
    }
}

/// `YYYY-MM-DD` of a Unix time, UTC.
fn civil_date(secs: i64) -> String {
    tmkit_syntax::date::Date::from_unix_seconds(secs)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// What a path is in a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A blob (its id).
    File(ObjectId),
    /// A tree.
    Dir,
    /// Something else that is not read (its description).
    Other(&'static str),
    /// Nothing by that name.
    Absent,
}

/// Every path a load looked up in a tree and what it was: when another tree
/// gives the same answers, the model is the same there (no file of it changed).
pub type Lookups = Vec<(PathBuf, Kind)>;

/// A commit's tree as a [`FileSystem`]: paths under the working tree's
/// directory name the tree's entries.
pub struct TreeFs<'r> {
    repo: &'r Repo,
    tree: ObjectId,
    cache: Option<&'r ParseCache>,
    lookups: Mutex<Lookups>,
}

impl<'r> TreeFs<'r> {
    /// The tree `tree` of `repo`, sharing parsed files through `cache`.
    pub fn new(repo: &'r Repo, tree: ObjectId, cache: Option<&'r ParseCache>) -> TreeFs<'r> {
        TreeFs {
            repo,
            tree,
            cache,
            lookups: Mutex::new(Vec::new()),
        }
    }

    /// Every path looked up so far, in order, with what it was.
    pub fn lookups(&self) -> Lookups {
        self.lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// True when every path of `lookups` is the same in this tree.
    pub fn same_as(&self, lookups: &Lookups) -> bool {
        lookups.iter().all(|(p, k)| self.lookup(p) == *k)
    }

    fn kind(&self, path: &Path) -> io::Result<Kind> {
        let kind = self.lookup(path);
        self.lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_path_buf(), kind));
        match kind {
            Kind::Absent => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            )),
            k => Ok(k),
        }
    }

    /// The path inside the tree, or None when `path` is outside the working tree.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        let abs = normalise(&std::env::current_dir().unwrap_or_default().join(path));
        abs.strip_prefix(&self.repo.workdir)
            .ok()
            .map(Path::to_path_buf)
    }

    /// What `path` is in the tree (Absent also when it cannot be read).
    fn lookup(&self, path: &Path) -> Kind {
        let Some(rel) = self.relative(path) else {
            return Kind::Absent;
        };
        if rel.as_os_str().is_empty() {
            return Kind::Dir;
        }
        self.repo.with(|r| {
            let Ok(tree) = r.find_object(self.tree).map(|o| o.into_tree()) else {
                return Kind::Absent;
            };
            let Ok(Some(entry)) = tree.lookup_entry_by_path(&rel) else {
                return Kind::Absent;
            };
            let mode = entry.mode();
            if mode.is_tree() {
                Kind::Dir
            } else if mode.is_blob() {
                Kind::File(entry.object_id())
            } else if mode.is_link() {
                Kind::Other("a symbolic link")
            } else {
                Kind::Other("a submodule")
            }
        })
    }
}

impl FileSystem for TreeFs<'_> {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.kind(path)? {
            Kind::File(id) => self.repo.with(|r| {
                let header = r.find_header(id).map_err(io::Error::other)?;
                if header.size() > limit {
                    return Err(io::Error::new(
                        io::ErrorKind::FileTooLarge,
                        format!("{} bytes", header.size()),
                    ));
                }
                Ok(r.find_object(id).map_err(io::Error::other)?.detach().data)
            }),
            Kind::Dir => Err(not_regular("a directory")),
            Kind::Other(kind) => Err(not_regular(kind)),
            Kind::Absent => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not in this revision",
            )),
        }
    }

    fn content_key(&self, path: &Path) -> Option<Vec<u8>> {
        match self.lookup(path) {
            Kind::File(id) => Some(id.as_bytes().to_vec()),
            _ => None,
        }
    }

    fn parse_cache(&self) -> Option<&ParseCache> {
        self.cache
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        self.kind(path)?;
        Ok(normalise(
            &std::env::current_dir().unwrap_or_default().join(path),
        ))
    }

    fn is_dir(&self, path: &Path) -> bool {
        matches!(self.kind(path), Ok(Kind::Dir))
    }
}

fn not_regular(kind: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, NotRegularFile { kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(1_764_892_800), "2025-12-05");
    }
}
