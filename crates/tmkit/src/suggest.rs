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
