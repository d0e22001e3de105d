//! `check --verify-evidence`: each `file` and `test` evidence names a
//! regular file inside the repository, and each test's name appears in
//! its file (docs/format.md#evidence).
//!
//! The repository root is the nearest directory, from the root model's
//! own upwards, holding a `.git` entry (a directory, or the file of a git
//! worktree); without one, the root model's directory. Files are read
//! through the same [`FileSystem`] as the model, within its size limit;
//! a path that leaves the root (`..`, an absolute path, a symbolic link
//! pointing outside) is not read.

use std::path::{Component, Path, PathBuf};
use tmkit_model::{EvidenceKind, Model, SpanTable};
use tmkit_syntax::decode::truncate;
use tmkit_syntax::diagnostic::{Code, Diagnostic};
use tmkit_syntax::fs::FileSystem;
use tmkit_syntax::node::Limits;

/// The repository root of the model at `model_path` (a file, or a
/// directory holding `threatmodel.yaml`).
pub fn repository_root(fs: &dyn FileSystem, model_path: &Path) -> PathBuf {
    let dir = if fs.is_dir(model_path) {
        model_path.to_path_buf()
    } else {
        match model_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let dir = fs.canonicalize(&dir).unwrap_or(dir);
    dir.ancestors()
        .find(|d| fs.canonicalize(&d.join(".git")).is_ok())
        .map_or(dir.clone(), Path::to_path_buf)
}

/// E0509 / E0510 for every `file` and `test` evidence of the model.
pub fn verify(
    fs: &dyn FileSystem,
    root: &Path,
    model: &Model,
    spans: &SpanTable,
    limits: &Limits,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for x in model.models.iter().flat_map(|tm| &tm.mitigations) {
        for (n, e) in x.evidence.iter().enumerate() {
            let (path, test) = match e.kind {
                EvidenceKind::File => (e.target.as_str(), None),
                EvidenceKind::Test => match tmkit_syntax::decode::split_test(&e.target) {
                    Some((p, name)) => (p, Some(name)),
                    None => continue,
                },
                _ => continue,
            };
            let problem = match read_inside(fs, root, path, limits.max_file_bytes) {
                Err(why) => Some(Diagnostic::new(
                    Code::EvidenceNotFound,
                    format!("evidence of {}: '{}' {why}", x.qid, truncate(path)),
                )),
                Ok(text) => test.filter(|name| !mentions(&text, name)).map(|name| {
                    Diagnostic::new(
                        Code::TestNotFound,
                        format!(
                            "evidence of {}: no test '{}' in '{}'",
                            x.qid,
                            truncate(name),
                            truncate(path)
                        ),
                    )
                }),
            };
            if let Some(mut d) = problem {
                if let Some(span) = spans.field(&x.qid, &format!("evidence.{n}")) {
                    d = d.at(span, "this evidence");
                }
                out.push(d.general_help());
            }
        }
    }
    out
}

/// Reads `rel` under `root` if it is a regular file inside it; else why not.
fn read_inside(fs: &dyn FileSystem, root: &Path, rel: &str, limit: u64) -> Result<String, String> {
    let p = Path::new(rel);
    let escapes = p
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes || rel.trim().is_empty() {
        return Err("is not a path inside the repository".into());
    }
    let full = root.join(p);
    let real = fs
        .canonicalize(&full)
        .map_err(|_| format!("does not exist under {}", root.display()))?;
    let real_root = fs.canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !real.starts_with(&real_root) {
        return Err("leads outside the repository".into());
    }
    let bytes = fs.read(&real, limit).map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => "is larger than the file size limit".to_string(),
        _ if fs.is_dir(&real) => "is a directory, not a file".to_string(),
        _ => format!("cannot be read: {e}"),
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// True when the test's name (its last `::` segment) appears in `text` as
/// a whole word.
fn mentions(text: &str, name: &str) -> bool {
    let word = name.rsplit("::").next().unwrap_or(name).trim();
    if word.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_name_must_be_a_whole_word() {
        assert!(mentions("fn locks_after_five() {}", "locks_after_five"));
        assert!(mentions("fn x() {}\n#[test]\nfn y()", "tests::y"));
        assert!(!mentions(
            "fn locks_after_five_more() {}",
            "locks_after_five"
        ));
        assert!(!mentions("fn a() {}", ""));
    }
}
