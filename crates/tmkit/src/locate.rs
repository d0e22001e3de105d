//! Finding the root model that includes a component (docs/format.md,
//! "Working on one component"): the one code path every command takes
//! from a model argument to the files it loads.
//!
//! Given a file (or a directory holding `threatmodel.yaml`), each
//! directory from the file's own up to the repository's is searched for a
//! `threatmodel.yaml`; one whose `components` include the file,
//! transitively, becomes the root, and the search goes on above it, so the
//! root is the outermost model that includes the file. The search stops
//! after the first directory holding `.git` (the repository's root), or at
//! the file system's root. A file that no model above includes is its own
//! root.

use std::path::{Path, PathBuf};
use tmkit_syntax::fs::FileSystem;
use tmkit_syntax::load::{DocKind, Loaded, MODEL_FILE, load};
use tmkit_syntax::node::Limits;
use tmkit_syntax::span::FileId;

/// What a model argument leads to: the root model to check and, when the
/// file given (or found) is a component of it, that component.
#[derive(Debug)]
#[non_exhaustive]
pub struct Located {
    /// The root model's file.
    pub root: PathBuf,
    /// The component the argument named, when a model above includes it.
    pub component: Option<PathBuf>,
    /// The root's files, loaded while searching (None: not loaded yet).
    loaded: Option<Loaded>,
}

impl Located {
    /// The root's files: those loaded while searching, or loaded now.
    pub(crate) fn into_loaded(self, fs: &(dyn FileSystem + Sync), limits: &Limits) -> Loaded {
        self.loaded.unwrap_or_else(|| load(fs, &self.root, limits))
    }
}

/// The component of a check: the file the user works on, inside a larger model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Focus {
    /// Qualified id of the component (`SHOP.LOGIN`), when its file decoded.
    pub qid: Option<String>,
    /// Its path as shown in messages.
    pub path: String,
    /// Its file and the files of its own components, transitively: the
    /// diagnostics shown first.
    pub files: Vec<FileId>,
}

/// Finds the root model that includes `path` (see the module's text),
/// loading each candidate through `fs` within `limits`.
pub fn locate(fs: &(dyn FileSystem + Sync), path: &Path, limits: &Limits) -> Located {
    let file = if fs.is_dir(path) {
        path.join(MODEL_FILE)
    } else {
        path.to_path_buf()
    };
    let alone = |file: PathBuf| Located {
        root: file,
        component: None,
        loaded: None,
    };
    let Ok(target) = fs.canonicalize(&file) else {
        return alone(file);
    };
    let mut found: Option<(PathBuf, Loaded)> = None;
    let mut dir = target.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        let candidate = d.join(MODEL_FILE);
        let current = found.as_ref().map_or(&target, |(root, _)| root);
        let is_model = fs.canonicalize(&candidate).is_ok() && !fs.is_dir(&candidate);
        if is_model && candidate != *current {
            let loaded = load(fs, &candidate, limits);
            if includes(&loaded, current) {
                found = Some((candidate, loaded));
            }
        }
        if fs.canonicalize(&d.join(".git")).is_ok() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    match found {
        Some((root, loaded)) => Located {
            root,
            component: Some(target),
            loaded: Some(loaded),
        },
        None => alone(file),
    }
}

/// True when `loaded` reads `file` as a component, at any depth.
fn includes(loaded: &Loaded, file: &Path) -> bool {
    loaded.component_files.iter().any(|p| p == file)
}

/// The component `file` of `loaded`: its qualified id and its files.
pub(crate) fn focus(loaded: &Loaded, file: &Path) -> Focus {
    let file_of = |p: &Path| {
        loaded
            .files
            .iter()
            .find(|(_, f)| f.path == p)
            .map(|(id, f)| (id, f.display.clone()))
    };
    let Some((id, shown)) = file_of(file) else {
        return Focus {
            path: file.to_string_lossy().into_owned(),
            ..Focus::default()
        };
    };
    let doc = loaded
        .docs
        .iter()
        .position(|d| d.file == id && d.kind == DocKind::Component);
    let mut files = vec![id];
    let qid = doc.map(|i| {
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            files.extend(loaded.docs[x].children.iter().map(|&c| loaded.docs[c].file));
            stack.extend(loaded.docs[x].children.iter().copied());
        }
        let mut chain = Vec::new();
        let mut cur = Some(i);
        while let Some(x) = cur {
            chain.push(loaded.docs[x].doc.id.value.0.as_str());
            cur = loaded.docs[x].parent;
        }
        chain.reverse();
        chain.join(".")
    });
    files.sort();
    files.dedup();
    Focus {
        qid,
        path: shown,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckOptions, ExitStatus, check_with};
    use tmkit_syntax::fs::MemoryFs;

    fn project(extra: &[(&str, &str)]) -> MemoryFs {
        let mut fs = MemoryFs::new();
        fs.insert(
            "threatmodel.yaml",
            "tmkit: 1\nid: SHOP\ntitle: Shop\nscope:\n  zones:\n    - { id: dmz, title: DMZ, trust: 1 }\n  attackers: [{ id: anon, title: Anon, zone: dmz }]\ncomponents: [login]\n",
        );
        fs.insert(
            "login/threatmodel.yaml",
            "tmkit: 1\nid: LOGIN\ntitle: Login\nscope:\n  assets:\n    - { id: api, title: API, kind: service, zone: dmz }\n",
        );
        for (path, text) in extra {
            fs.insert(path, *text);
        }
        fs
    }

    #[test]
    fn a_component_leads_to_the_model_that_includes_it() {
        let fs = project(&[]);
        let found = locate(&fs, Path::new("login"), &Limits::default());
        assert_eq!(found.root, Path::new("/threatmodel.yaml"));
        assert_eq!(
            found.component.as_deref(),
            Some(Path::new("/login/threatmodel.yaml"))
        );
        let outcome = check_with(&fs, Path::new("login"), &CheckOptions::new());
        assert_eq!(outcome.status, ExitStatus::Ok, "{:?}", outcome.diagnostics);
        let focus = outcome.component.as_ref().expect("checked as a component");
        assert_eq!(focus.qid.as_deref(), Some("SHOP.LOGIN"));
        assert_eq!(outcome.files.len(), 2);
        let (own, others) = outcome.split().expect("a component");
        assert!(own.is_empty() && others == 0);
    }

    #[test]
    fn the_root_is_its_own_root_and_a_repository_bounds_the_search() {
        let fs = project(&[("login/.git/HEAD", "ref: refs/heads/main\n")]);
        let found = locate(&fs, Path::new("threatmodel.yaml"), &Limits::default());
        assert!(found.component.is_none());
        // The component is a repository of its own: the shop is not searched.
        let found = locate(&fs, Path::new("login"), &Limits::default());
        assert!(found.component.is_none());
        assert_eq!(found.root, Path::new("login/threatmodel.yaml"));
        let outcome = check_with(&fs, Path::new("login"), &CheckOptions::new());
        assert_eq!(outcome.status, ExitStatus::InvalidModel);
        assert!(outcome.split().is_none());
    }
}
