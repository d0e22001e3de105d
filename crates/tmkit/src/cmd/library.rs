//! `tmkit library list|show|check`: the threat library (docs/library.md).

use super::{OutputArg, find_model, load_valid, stderr_color, write_text};
use clap::{Subcommand, ValueEnum};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tmkit::ExitStatus;
use tmkit_analysis::library::{Entry, Library, builtin, parse_library};
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::fs::{FileSystem, RealFs};
use tmkit_syntax::node::{Limits, into_text};
use tmkit_syntax::text::escape_controls;
use tmkit_syntax::{Diagnostics, FileId, Files, SourceFile};

/// Output format of `library list` and `library show`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// For a terminal.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `tmkit library`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: LibraryCommand,
}

/// The subcommands of `tmkit library`.
#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// List the patterns: the built-in library, or with a model the library it uses (its `libraries:` layered over the built-in one).
    List(ListArgs),
    /// Show one pattern in full: categories, conditions, references, mitigations.
    Show(ShowArgs),
    /// Check library files (the format, ids, categories, references); exit 2 when one has an error.
    Check(CheckArgs),
}

/// Arguments of `tmkit library list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// A model whose `libraries:` to layer over the built-in library.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `tmkit library show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The pattern's id.
    pub id: String,
    /// A model whose `libraries:` to layer over the built-in library.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `tmkit library check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Library files to check; none: the built-in library.
    pub files: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    match args.command {
        LibraryCommand::List(a) => list(a, limits),
        LibraryCommand::Show(a) => show(a, limits),
        LibraryCommand::Check(a) => check(a, limits),
    }
}

/// The library of a model (or the built-in one), with its files for rendering.
fn library_of(path: Option<&Path>, limits: &Limits) -> Result<(Library, Files), ExitStatus> {
    let Some(path) = path else {
        return Ok((builtin::builtin(), Files::new()));
    };
    let path = find_model(Some(path))?;
    let (model, mut checked) = load_valid(Some(&path), limits, &Default::default())?;
    let root = checked.files.get(FileId(0)).path.clone();
    let (lib, diags) =
        tmkit::suggest::load_library(&RealFs, &root, &model, &mut checked.files, limits);
    let diags: Diagnostics = diags.into();
    if !diags.is_empty() {
        eprint!("{}", render_human(&diags, &checked.files, stderr_color()));
    }
    if diags.has_errors() {
        return Err(ExitStatus::InvalidModel);
    }
    Ok((lib, checked.files))
}

fn categories(e: &Entry) -> String {
    e.pattern.categories.all().collect::<Vec<_>>().join(", ")
}

fn list(args: ListArgs, limits: &Limits) -> ExitStatus {
    let (lib, files) = match library_of(args.path.as_deref(), limits) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let text = match args.format {
        Format::Json => {
            let layers: Vec<_> = (lib.layers.iter())
                .map(|o| serde_json::json!({"name": o.library, "version": o.version, "file": o.file}))
                .collect();
            let patterns: Vec<_> = (lib.patterns.values())
                .map(|e| {
                    serde_json::json!({
                        "id": e.pattern.id,
                        "title": e.pattern.title,
                        "targets": e.pattern.applies.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                        "categories": e.pattern.categories.all().collect::<Vec<_>>(),
                        "refs": e.refs.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "library": e.origin.library,
                    })
                })
                .collect();
            let disabled: Vec<_> = lib.disabled.keys().collect();
            let doc = serde_json::json!({
                "builtin_version": builtin::version(),
                "layers": layers,
                "disabled": disabled,
                "patterns": patterns,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut out = String::new();
            let mut seen = std::collections::BTreeSet::new();
            for o in &lib.layers {
                if seen.insert((o.library.clone(), o.version.clone())) {
                    let _ = writeln!(out, "library {} {}", o.library, o.version);
                }
            }
            for e in lib.patterns.values() {
                let targets: Vec<_> = e
                    .pattern
                    .applies
                    .targets
                    .iter()
                    .map(|t| t.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "{}  {}  [{}] ({})",
                    e.pattern.id,
                    e.pattern.title,
                    targets.join(", "),
                    categories(e)
                );
            }
            let _ = writeln!(
                out,
                "{} patterns, {} disabled",
                lib.len(),
                lib.disabled.len()
            );
            escape_controls(&out).into_owned()
        }
    };
    write_text(&args.output, &files, &text)
}

fn show(args: ShowArgs, limits: &Limits) -> ExitStatus {
    let (lib, files) = match library_of(args.path.as_deref(), limits) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let Some(e) = lib.get(&args.id) else {
        eprintln_escaped!(
            "error: no pattern `{}` in the library (`tmkit library list` lists them)",
            args.id
        );
        return ExitStatus::UsageOrIo;
    };
    let p = &e.pattern;
    let a = &p.applies;
    let mitigations: Vec<_> = (p.mitigations.iter().zip(&e.mitigation_refs))
        .map(|(m, r)| {
            (
                m.title.clone(),
                r.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )
        })
        .collect();
    let targets: Vec<_> = a.targets.iter().map(|t| t.as_str()).collect();
    let refs: Vec<_> = e.refs.iter().map(ToString::to_string).collect();
    let text = match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "id": p.id, "title": p.title, "description": p.description,
                "categories": {"cia": p.categories.cia, "stride": p.categories.stride, "linddun": p.categories.linddun},
                "applies": {
                    "targets": targets, "protocols": a.protocols, "encrypted": a.encrypted,
                    "authenticated": a.authenticated,
                    "crossing": a.crossing.map(|c| format!("{c:?}").to_lowercase()),
                    "min_trust_delta": a.min_trust_delta,
                    "attacker": a.attacker.map(|c| format!("{c:?}").to_lowercase()),
                },
                "refs": refs,
                "mitigations": mitigations.iter().map(|(t, r)| serde_json::json!({"title": t, "refs": r})).collect::<Vec<_>>(),
                "library": e.origin.library, "version": e.origin.version, "file": e.origin.file,
                "overrides": e.overrides,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut out = format!("{}: {}\n\n{}\n\n", p.id, p.title, p.description);
            let _ = writeln!(out, "categories: {}", categories(e));
            let _ = writeln!(out, "targets: {}", targets.join(", "));
            if let Some(x) = &a.protocols {
                let _ = writeln!(out, "protocols: {}", x.join(", "));
            }
            if let Some(x) = a.encrypted {
                let _ = writeln!(out, "encrypted: {x}");
            }
            if let Some(x) = a.authenticated {
                let _ = writeln!(out, "authenticated: {x}");
            }
            if let Some(x) = a.crossing {
                let _ = writeln!(out, "crossing: {}", format!("{x:?}").to_lowercase());
            }
            if let Some(x) = a.min_trust_delta {
                let _ = writeln!(out, "min_trust_delta: {x}");
            }
            if let Some(x) = a.attacker {
                let _ = writeln!(out, "attacker: {}", format!("{x:?}").to_lowercase());
            }
            if !refs.is_empty() {
                let _ = writeln!(out, "refs: {}", refs.join(", "));
            }
            for (t, r) in &mitigations {
                let r = if r.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.join(", "))
                };
                let _ = writeln!(out, "mitigation: {t}{r}");
            }
            let _ = writeln!(
                out,
                "from: {} {} ({})",
                e.origin.library, e.origin.version, e.origin.file
            );
            escape_controls(&out).into_owned()
        }
    };
    write_text(&args.output, &files, &text)
}

fn check(args: CheckArgs, limits: &Limits) -> ExitStatus {
    let mut files = Files::new();
    let mut diags = Diagnostics::default();
    let mut checked = 0;
    let mut patterns = 0;
    if args.files.is_empty() {
        for (shown, text) in builtin::FILES {
            let (f, d) =
                tmkit_analysis::library::parse_library_str(&mut files, shown, text, limits);
            patterns += f.map_or(0, |f| f.patterns.len());
            d.into_iter().for_each(|d| diags.push(d));
            checked += 1;
        }
    }
    for path in &args.files {
        let shown = path.to_string_lossy().replace('\\', "/");
        let text = RealFs
            .read(path, limits.max_file_bytes)
            .map_err(|e| e.to_string())
            .and_then(|b| into_text(b, FileId(u32::MAX), &shown).map_err(|(d, _)| d.message));
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                eprintln_escaped!("error: {shown} cannot be read: {e}");
                return ExitStatus::UsageOrIo;
            }
        };
        let id = files.add(SourceFile::new(shown.clone(), shown, path.clone(), text));
        let (f, d) = parse_library(files.get(id), id, limits);
        patterns += f.map_or(0, |f| f.patterns.len());
        d.into_iter().for_each(|d| diags.push(d));
        checked += 1;
    }
    if !diags.is_empty() {
        eprint!("{}", render_human(&diags, &files, stderr_color()));
    }
    if diags.has_errors() {
        return ExitStatus::InvalidModel;
    }
    eprintln!("{checked} library file(s) checked, {patterns} patterns, no error");
    ExitStatus::Ok
}
