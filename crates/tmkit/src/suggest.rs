//! The facade's threat library: the built-in library with the libraries a
//! model lists (`libraries:`) layered over it, read through the
//! [`FileSystem`] like the model (regular files inside the model's tree
//! only), and the warnings about suppressions.

use std::path::Path;
use tmkit_analysis::library::{Library, builtin, parse_library};
use tmkit_analysis::suggest::suppressions;
use tmkit_model::Model;
use tmkit_syntax::fs::{FileSystem, normalise};
use tmkit_syntax::node::{Limits, into_text};
use tmkit_syntax::{Code, Diagnostic, Files, SourceFile};

/// The built-in library and every library listed by the analysed models
/// (root first, then components in model order; each list in order),
/// layered. `root_file` is the root model's path; `files` receives the
/// library files (for rendering the diagnostics). Returns the library and
/// the diagnostics: E0701-E0703 errors (the library file is then left
/// out), W0701 and W0702 warnings.
pub fn load_library(
    fs: &dyn FileSystem,
    root_file: &Path,
    model: &Model,
    files: &mut Files,
    limits: &Limits,
) -> (Library, Vec<Diagnostic>) {
    let mut library = builtin::builtin();
    let mut diags = Vec::new();
    let root_dir = root_file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let root_canon = fs
        .canonicalize(&root_dir)
        .unwrap_or_else(|_| root_dir.clone());
    for m in model.analysed() {
        let tm = &model.models[m];
        let base = normalise(&root_dir.join(&tm.path));
        let base = base.parent().unwrap_or(&root_dir);
        for written in &tm.libraries {
            let path = normalise(&base.join(written));
            let not_read = |why: String| {
                Diagnostic::new(
                    Code::LibraryNotRead,
                    format!("{}: library `{written}` cannot be read: {why}", tm.path),
                )
                .help("give a path relative to the model file, to a regular file inside the model's tree")
            };
            let text = match read_inside(fs, &path, &root_dir, &root_canon, limits) {
                Ok(t) => t,
                Err(why) => {
                    diags.push(not_read(why));
                    continue;
                }
            };
            let shown = path.to_string_lossy().replace('\\', "/");
            let id = files.add(SourceFile::new(
                shown.clone(),
                written.clone(),
                path.clone(),
                text,
            ));
            let (file, mut found) = parse_library(files.get(id), id, limits);
            diags.append(&mut found);
            let Some(file) = file else { continue };
            for unknown in library.layer(&file, &shown) {
                diags.push(
                    Diagnostic::new(
                        Code::UnknownDisabled,
                        format!("{shown} disables `{unknown}`, which no library below it has"),
                    )
                    .general_help(),
                );
            }
        }
    }
    for s in suppressions(model, &library) {
        if !s.known {
            diags.push(
                Diagnostic::new(
                    Code::UnknownSuppressed,
                    format!(
                        "the suppression for {} names pattern `{}`, which no library has",
                        s.target, s.pattern
                    ),
                )
                .general_help(),
            );
        }
    }
    (library, diags)
}

/// The text of a regular file inside the model's tree: refused when it
/// leaves the tree lexically or once links are followed, when it is not a
/// regular file, is larger than the file limit, or is not UTF-8.
fn read_inside(
    fs: &dyn FileSystem,
    path: &Path,
    root_dir: &Path,
    root_canon: &Path,
    limits: &Limits,
) -> Result<String, String> {
    if !path.starts_with(root_dir) {
        return Err("it is outside the model's directory".into());
    }
    let canon = fs.canonicalize(path).map_err(|e| e.to_string())?;
    if !canon.starts_with(root_canon) {
        return Err("it leads outside the model's directory".into());
    }
    let bytes = fs
        .read(&canon, limits.max_file_bytes)
        .map_err(|e| e.to_string())?;
    into_text(
        bytes,
        tmkit_syntax::FileId(u32::MAX),
        &path.to_string_lossy(),
    )
    .map_err(|(d, _)| d.message)
}

/// One `--apply` choice: a pattern, on one target or on every target it is
/// suggested for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The pattern id.
    pub pattern: String,
    /// The target (qualified id or id as written); None: every target.
    pub target: Option<String>,
}

impl std::str::FromStr for Pick {
    type Err = String;

    /// `PATTERN` or `PATTERN@TARGET`.
    fn from_str(s: &str) -> Result<Pick, String> {
        let (pattern, target) = match s.split_once('@') {
            Some((p, t)) => (p, Some(t.to_string())),
            None => (s, None),
        };
        if pattern.is_empty() || target.as_deref() == Some("") {
            return Err(format!("`{s}` is not PATTERN or PATTERN@TARGET"));
        }
        Ok(Pick {
            pattern: pattern.to_string(),
            target,
        })
    }
}

/// What `--apply` writes: the picks, or every suggestion (`--all`).
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// `--apply PATTERN[@TARGET]`, in order.
    pub picks: Vec<Pick>,
    /// `--all`: every suggestion the filters keep.
    pub all: bool,
}

/// A threat written by `--apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedThreat {
    /// Its qualified id.
    pub qid: String,
    /// The pattern it comes from.
    pub pattern: String,
    /// Its target's qualified id.
    pub target: String,
}

/// The files `--apply` changes: (path, text before, text after), and the
/// threats it adds.
#[derive(Debug, Clone, Default)]
pub struct ApplyPlan {
    /// Each changed file: its path, its text before and after.
    pub files: Vec<(std::path::PathBuf, String, String)>,
    /// The threats added, in suggestion order.
    pub threats: Vec<AppliedThreat>,
}

/// Every id declared in a model file (a new threat id must differ).
fn ids_of(tm: &tmkit_model::ThreatModel) -> std::collections::HashSet<String> {
    let mut ids: std::collections::HashSet<String> = std::collections::HashSet::new();
    ids.extend(tm.requirements.iter().map(|x| x.id.clone()));
    ids.extend(tm.zones.iter().map(|x| x.id.clone()));
    ids.extend(tm.assets.iter().map(|x| x.id.clone()));
    ids.extend(tm.dataflows.iter().map(|x| x.id.clone()));
    ids.extend(tm.attackers.iter().map(|x| x.id.clone()));
    ids.extend(tm.assumptions.iter().map(|x| x.id.clone()));
    ids.extend(tm.mitigations.iter().map(|x| x.id.clone()));
    ids.extend(tm.threats.iter().map(|x| x.id.clone()));
    ids
}

/// The threat of one (target, pattern) group of suggestions, as a YAML
/// mapping at column 0: status unmitigated (its mitigations planned), the
/// categories and attackers of the open questions it was suggested for
/// (no `attackers:` when that is every attacker of the model), the
/// pattern's refs, its typical mitigations as inline planned mitigations.
fn threat_yaml(
    id: &str,
    group: &[&tmkit_analysis::suggest::Suggestion],
    analysis: &tmkit_analysis::Analysis,
    model: &Model,
) -> String {
    use tmkit_syntax::edit::scalar;
    let s = group[0];
    let p = &s.entry.pattern;
    let tm = &model.models[s.target.model];
    let mut categories: Vec<&str> = Vec::new();
    let mut attackers: Vec<&str> = Vec::new();
    for x in group {
        if !categories.contains(&x.category) {
            categories.push(x.category);
        }
        if !attackers.contains(&x.attacker) {
            attackers.push(x.attacker);
        }
    }
    let all = analysis.attackers_of(s.target.model);
    let mut out = format!("id: {}\ntitle: {}\n", scalar(id), scalar(&p.title));
    out += &format!("description: {}\n", scalar(&p.description));
    let cats: Vec<String> = categories.iter().map(|c| scalar(c)).collect();
    out += &format!("categories: [{}]\n", cats.join(", "));
    out += &format!("targets: [{}]\n", scalar(&s.target.id));
    if attackers.len() < all.len() {
        let own = |q: &str| {
            all.iter()
                .find(|a| a.qid == q && q == format!("{}.{}", tm.qid, a.id))
                .map(|a| a.id.clone())
        };
        let names: Vec<String> = (attackers.iter())
            .map(|a| scalar(&own(a).unwrap_or_else(|| a.to_string())))
            .collect();
        out += &format!("attackers: [{}]\n", names.join(", "));
    }
    if !s.entry.refs.is_empty() {
        let refs: Vec<String> = s.entry.refs.iter().map(|r| r.to_string()).collect();
        out += &format!("refs: [{}]\n", refs.join(", "));
    }
    if !p.mitigations.is_empty() {
        out += "mitigations:\n";
        for (m, refs) in p.mitigations.iter().zip(&s.entry.mitigation_refs) {
            out += &format!(
                "  - title: {}\n    kind: design\n    in_place: false\n",
                scalar(&m.title)
            );
            if !refs.is_empty() {
                let r: Vec<String> = refs.iter().map(ToString::to_string).collect();
                let d = format!("Implements {}.", r.join(", "));
                out += &format!("    description: {}\n", scalar(&d));
            }
        }
    }
    out
}

/// Plans `--apply`: the suggestions `picks` name (every one with `all`),
/// each (target, pattern) becoming one threat in the target's model file,
/// with a stable id (`PATTERN.TARGET`, then `-2`, `-3`... if taken). Files
/// are read through `fs` and edited with [`tmkit_syntax::edit`] only (every
/// byte outside the inserted text kept). Errors: a pick that names no
/// suggestion, or a file that cannot be read or edited.
pub fn plan_apply(
    fs: &dyn FileSystem,
    root_file: &Path,
    model: &Model,
    analysis: &tmkit_analysis::Analysis,
    suggestions: &[tmkit_analysis::suggest::Suggestion],
    choice: &Choice,
    limits: &Limits,
) -> Result<ApplyPlan, String> {
    let (picks, all) = (choice.picks.as_slice(), choice.all);
    use std::collections::BTreeMap;
    let chosen = |s: &tmkit_analysis::suggest::Suggestion, pick: &Pick| {
        pick.pattern == s.entry.pattern.id
            && (pick.target.as_deref()).is_none_or(|t| t == s.target.qid || t == s.target.id)
    };
    for pick in picks {
        if !suggestions.iter().any(|s| chosen(s, pick)) {
            let at = pick
                .target
                .as_deref()
                .map(|t| format!("@{t}"))
                .unwrap_or_default();
            return Err(format!(
                "`{}{at}` is not suggested for any open question (`tmkit suggest` lists the suggestions)",
                pick.pattern
            ));
        }
    }
    // (target, pattern) groups, in suggestion order.
    let mut order: Vec<(tmkit_model::Qid, String)> = Vec::new();
    let mut groups: BTreeMap<
        (tmkit_model::Qid, String),
        Vec<&tmkit_analysis::suggest::Suggestion>,
    > = BTreeMap::new();
    for s in suggestions
        .iter()
        .filter(|s| all || picks.iter().any(|p| chosen(s, p)))
    {
        let key = (s.target.qid.clone(), s.entry.pattern.id.clone());
        let g = groups.entry(key.clone()).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(s);
    }
    let root_dir = root_file.parent().unwrap_or(Path::new("."));
    let mut texts: BTreeMap<usize, String> = BTreeMap::new();
    let mut originals: BTreeMap<usize, String> = BTreeMap::new();
    let mut taken: BTreeMap<usize, std::collections::HashSet<String>> = BTreeMap::new();
    let mut plan = ApplyPlan::default();
    for key in &order {
        let group = &groups[key];
        let m = group[0].target.model;
        let tm = &model.models[m];
        let path = normalise(&root_dir.join(&tm.path));
        if let std::collections::btree_map::Entry::Vacant(e) = texts.entry(m) {
            let bytes = fs
                .read(&path, limits.max_file_bytes)
                .map_err(|e| format!("{} cannot be read: {e}", tm.path))?;
            let text =
                into_text(bytes, tmkit_syntax::FileId(0), &tm.path).map_err(|(d, _)| d.message)?;
            originals.insert(m, text.clone());
            e.insert(text);
            taken.insert(m, ids_of(tm));
        }
        let ids = taken.entry(m).or_default();
        let base = format!("{}.{}", group[0].entry.pattern.id, group[0].target.id);
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(id.clone());
        let item = threat_yaml(&id, group, analysis, model);
        let text = texts.get_mut(&m).expect("read above");
        let source = SourceFile::new(tm.path.clone(), tm.path.clone(), path.clone(), text.clone());
        let root = tmkit_syntax::node::parse(&source, tmkit_syntax::FileId(0), limits)
            .map_err(|d| d.message)?;
        let steps = [tmkit_syntax::edit::Step::Key("threats")];
        let edit = tmkit_syntax::edit::append_item(text, &root, &steps, &item)
            .map_err(|e| format!("{}: {e}", tm.path))?;
        *text =
            tmkit_syntax::edit::apply(text, &[edit]).map_err(|e| format!("{}: {e}", tm.path))?;
        plan.threats.push(AppliedThreat {
            qid: format!("{}.{id}", tm.qid),
            pattern: key.1.clone(),
            target: key.0.to_string(),
        });
    }
    for (m, after) in texts {
        let path = normalise(&root_dir.join(&model.models[m].path));
        plan.files
            .push((path, originals.remove(&m).unwrap_or_default(), after));
    }
    Ok(plan)
}

/// A file system that shows planned contents in place of some files (to
/// check the model as `--apply` would leave it before writing anything).
pub struct Overlay<'a> {
    /// The file system underneath.
    pub base: &'a (dyn FileSystem + Sync),
    /// Contents by path (as the loader asks for them: canonical).
    pub files: std::collections::HashMap<std::path::PathBuf, Vec<u8>>,
}

impl FileSystem for Overlay<'_> {
    fn read(&self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
        let canon = self
            .base
            .canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf());
        match self.files.get(&canon) {
            Some(b) if b.len() as u64 > limit => Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("{} bytes", b.len()),
            )),
            Some(b) => Ok(b.clone()),
            None => self.base.read(path, limit),
        }
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<std::path::PathBuf> {
        self.base.canonicalize(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.base.is_dir(path)
    }
}

/// A unified diff of one file's change (`--dry-run`): the changed lines
/// between the common first and last lines, with up to 3 lines of context.
pub fn unified_diff(shown: &str, before: &str, after: &str) -> String {
    let a: Vec<&str> = before.split_inclusive('\n').collect();
    let b: Vec<&str> = after.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = (a.iter().rev().zip(b.iter().rev()))
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    if prefix == a.len() && prefix == b.len() {
        return String::new();
    }
    let start = prefix.saturating_sub(3);
    let a_end = (a.len() - suffix + 3).min(a.len());
    let b_end = (b.len() - suffix + 3).min(b.len());
    let mut out = format!("--- a/{shown}\n+++ b/{shown}\n");
    out += &format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        a_end - start,
        start + 1,
        b_end - start
    );
    let line = |sign: char, l: &str| {
        let mut s = format!("{sign}{l}");
        if !s.ends_with('\n') {
            s.push_str("\n\\ No newline at end of file\n");
        }
        s
    };
    for l in &a[start..prefix] {
        out += &line(' ', l);
    }
    for l in &a[prefix..a.len() - suffix] {
        out += &line('-', l);
    }
    for l in &b[prefix..b.len() - suffix] {
        out += &line('+', l);
    }
    for l in &b[b.len() - suffix..b_end] {
        out += &line(' ', l);
    }
    out
}
