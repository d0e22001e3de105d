//! The facade's `diff`: a model at two git revisions (or in two folders),
//! each side read and checked like `tmkit check` does, then compared
//! ([`tmkit_analysis::diff::PostureDiff`]).

use crate::check::{CheckOptions, GateResult, GateViolation, Outcome, check_with};
use crate::{ExitStatus, Limits};
use std::io;
use std::path::{Path, PathBuf};
use tmkit_analysis::Analysis;
use tmkit_analysis::diff::{DiffPolicy, PostureDiff, Side};
use tmkit_git::{GitError, Repo};
use tmkit_model::Model;
use tmkit_syntax::fs::{FileSystem, RealFs, normalise};
use tmkit_syntax::load::MODEL_FILE;

/// What to compare.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DiffSource {
    /// The model at `path` at two revisions: `base` (None: the merge-base
    /// of HEAD with the default branch) and `head` (None: the working tree).
    Git {
        /// The model (file or folder) as in the working tree.
        path: PathBuf,
        /// Base revision.
        base: Option<String>,
        /// Head revision.
        head: Option<String>,
    },
    /// Two folders (or model files): old, new.
    Dirs(PathBuf, PathBuf),
}

/// How to compare.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DiffOptions {
    /// Limits of loading, on both sides.
    pub limits: Limits,
    /// Compare the public views (docs/reports.md#the-public-extraction) of both sides.
    pub public: bool,
    /// The `--fail-on` gates of `tmkit diff`.
    pub fail_on: Vec<DiffPolicy>,
}

/// A side that does not check: its name and what `check` found.
#[derive(Debug)]
#[non_exhaustive]
pub struct SideError {
    /// `base` or `head`.
    pub side: &'static str,
    /// The revision or folder.
    pub label: String,
    /// The diagnostics and the files they point into.
    pub outcome: Outcome,
}

/// Why a diff could not be made.
#[derive(Debug)]
pub enum DiffError {
    /// A side's model is invalid (exit 2).
    Invalid(Box<SideError>),
    /// The repository or a revision cannot be read (exit 3).
    Git(GitError),
}

impl DiffError {
    /// The exit status it means.
    pub fn status(&self) -> ExitStatus {
        match self {
            DiffError::Invalid(_) => ExitStatus::InvalidModel,
            DiffError::Git(_) => ExitStatus::UsageOrIo,
        }
    }
}

/// A diff and its gates: the object of `tmkit diff --format json`
/// (its schema: [`diff_schema`], `tmkit schema diff`).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "tmkit diff")]
#[non_exhaustive]
pub struct DiffOutcome {
    /// The comparison.
    #[serde(flatten)]
    pub diff: PostureDiff,
    /// The `--fail-on` gates, in the order given.
    pub gates: Vec<GateResult>,
    /// 0, or 1 when a gate failed.
    #[serde(skip)]
    #[schemars(skip)]
    pub status: ExitStatus,
}

/// The JSON Schema of `tmkit diff --format json`.
pub fn diff_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(DiffOutcome)).unwrap_or_default()
}

/// A checked side: None when the model does not exist there.
type Loaded = Option<(Model, Analysis)>;

/// Reads and checks one side through `fs`; `may_be_absent` lets a missing
/// root model mean "nothing there" (the base side).
fn side(
    fs: &(dyn FileSystem + Sync),
    path: &Path,
    name: &'static str,
    label: &str,
    options: &DiffOptions,
    may_be_absent: bool,
) -> Result<Loaded, DiffError> {
    let root = if fs.is_dir(path) {
        path.join(MODEL_FILE)
    } else {
        path.to_path_buf()
    };
    if may_be_absent
        && fs
            .canonicalize(&root)
            .is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
    {
        return Ok(None);
    }
    let check = CheckOptions::new().with_limits(options.limits);
    let mut outcome = check_with(fs, path, &check);
    match outcome.model.take() {
        Some(model) if !outcome.diagnostics.has_errors() => {
            let model = if options.public {
                tmkit_analysis::views::public(&model)
            } else {
                model
            };
            let analysis = Analysis::new(&model);
            Ok(Some((model, analysis)))
        }
        _ => Err(DiffError::Invalid(Box::new(SideError {
            side: name,
            label: label.to_string(),
            outcome,
        }))),
    }
}

/// The absolute, lexically normalised form of `path`.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    normalise(&cwd.join(path))
}

/// Compares the model on two sides (docs/history.md).
pub fn diff(source: &DiffSource, options: &DiffOptions) -> Result<DiffOutcome, DiffError> {
    let (base, head, labels) = match source {
        DiffSource::Dirs(old, new) => {
            let labels = (old.display().to_string(), new.display().to_string());
            let base = side(&RealFs, old, "base", &labels.0, options, true)?;
            let head = side(&RealFs, new, "head", &labels.1, options, false)?;
            (base, head, labels)
        }
        DiffSource::Git { path, base, head } => git_sides(path, base, head, options)?,
    };
    let Some((head_model, head_analysis)) = &head else {
        return Err(DiffError::Git(GitError("no model at head".into())));
    };
    let base_side = base
        .as_ref()
        .map(|(model, analysis)| Side { model, analysis });
    let head_side = Side {
        model: head_model,
        analysis: head_analysis,
    };
    let diff = PostureDiff::new(base_side, head_side, labels);
    let gates: Vec<GateResult> = options.fail_on.iter().map(|p| gate(p, &diff)).collect();
    let status = if gates.iter().any(|g| !g.passed) {
        ExitStatus::GateFailed
    } else {
        ExitStatus::Ok
    };
    Ok(DiffOutcome {
        diff,
        gates,
        status,
    })
}

fn git_sides(
    path: &Path,
    base: &Option<String>,
    head: &Option<String>,
    options: &DiffOptions,
) -> Result<(Loaded, Loaded, (String, String)), DiffError> {
    let path = absolute(path);
    let start = if path.is_dir() {
        path.clone()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let repo = Repo::discover(&existing_ancestor(&start)).map_err(DiffError::Git)?;
    let (base_label, base_id) = match base {
        Some(rev) => (rev.clone(), repo.resolve(rev).map_err(DiffError::Git)?),
        None => repo.default_base().map_err(DiffError::Git)?,
    };
    let base_fs = repo.tree_fs(base_id).map_err(DiffError::Git)?;
    let base_side = side(&base_fs, &path, "base", &base_label, options, true)?;
    let (head_label, head_side) = match head {
        Some(rev) => {
            let id = repo.resolve(rev).map_err(DiffError::Git)?;
            let fs = repo.tree_fs(id).map_err(DiffError::Git)?;
            (rev.clone(), side(&fs, &path, "head", rev, options, false)?)
        }
        None => {
            let label = "working tree".to_string();
            (
                label.clone(),
                side(&RealFs, &path, "head", &label, options, false)?,
            )
        }
    };
    Ok((base_side, head_side, (base_label, head_label)))
}

/// The nearest existing directory at or above `p` (git discovery needs one).
pub(crate) fn existing_ancestor(p: &Path) -> PathBuf {
    p.ancestors()
        .find(|a| a.is_dir())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn gate(policy: &DiffPolicy, diff: &PostureDiff) -> GateResult {
    let violations = policy
        .evaluate(diff)
        .into_iter()
        .map(|(element, message)| GateViolation { element, message })
        .collect();
    GateResult::of(policy.to_string(), violations)
}
