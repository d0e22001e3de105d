//! `tmkit suggest`: for each open question, the library patterns that
//! apply, ranked, with why, references and typical mitigations
//! (docs/library.md).

use super::{ComponentArg, OutputArg, load_valid, stderr_color, write_text};
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_analysis::Analysis;
use tmkit_analysis::suggest::{Filter, suggest};
use tmkit_render::suggest::{SuggestFormat, render};
use tmkit_syntax::diagnostic::render_human;
use tmkit_syntax::fs::RealFs;
use tmkit_syntax::node::Limits;
use tmkit_syntax::text::escape_controls;
use tmkit_syntax::{Diagnostics, FileId};

/// Output format of the suggestions.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Grouped per open question, for a terminal.
    Text,
    /// A Markdown document.
    Md,
    /// `{"suggestions": [...]}`.
    Json,
}

/// Arguments of `tmkit suggest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Only this target: its qualified id (`SHOP.db`) or its id as written.
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    /// Only this category (a name or letter of the model's taxonomy).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    #[command(flatten)]
    pub component: ComponentArg,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    /// Write the chosen suggestions into the model as threats (unmitigated, the
    /// pattern's mitigations planned): PATTERN on every target it is suggested
    /// for, or PATTERN@TARGET; repeatable.
    #[arg(long, value_name = "PATTERN[@TARGET]", value_parser = clap::value_parser!(tmkit::suggest::Pick))]
    pub apply: Vec<tmkit::suggest::Pick>,
    /// With --apply semantics, every suggestion the filters keep.
    #[arg(long)]
    pub all: bool,
    /// With --apply or --all: print the patch (a unified diff) instead of writing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let (model, mut checked) = match load_valid(args.path.as_deref(), limits, &args.component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let root_file = checked.files.get(FileId(0)).path.clone();
    let (library, diags) =
        tmkit::suggest::load_library(&RealFs, &root_file, &model, &mut checked.files, limits);
    let diags: Diagnostics = diags.into();
    if !diags.is_empty() {
        eprint!("{}", render_human(&diags, &checked.files, stderr_color()));
    }
    if diags.has_errors() {
        return ExitStatus::InvalidModel;
    }
    let category = match &args.category {
        None => None,
        Some(c) => match model.root().abstraction.taxonomy.normalise(c) {
            Some(c) => Some(c),
            None => {
                let known = model.root().abstraction.taxonomy.categories().join(", ");
                eprintln_escaped!(
                    "error: invalid value for '--category <CATEGORY>': `{c}` is not a category of the model's taxonomy ({known})"
                );
                return ExitStatus::UsageOrIo;
            }
        },
    };
    let analysis = Analysis::new(&model);
    if let Some(t) = &args.target {
        if !analysis.targets.iter().any(|x| x.qid == *t || x.id == *t) {
            eprintln_escaped!(
                "error: invalid value for '--target <ID>': `{t}` is no in-scope asset or data flow of the model"
            );
            return ExitStatus::UsageOrIo;
        }
    }
    let filter = Filter::default()
        .with_target(args.target.clone())
        .with_category(category);
    let suggestions = suggest(&model, &analysis, &library, &filter);
    if args.all || !args.apply.is_empty() {
        return apply(&args, &model, &analysis, &suggestions, &root_file, limits);
    }
    if args.dry_run {
        eprintln_escaped!("error: --dry-run goes with --apply or --all");
        return ExitStatus::UsageOrIo;
    }
    let format = match args.format {
        Format::Text => SuggestFormat::Text,
        Format::Md => SuggestFormat::Markdown,
        Format::Json => SuggestFormat::Json,
    };
    write_text(&args.output, &checked.files, &render(&suggestions, format))
}

/// `--apply` / `--all`: plans the threats, checks the model as it would be
/// (in memory), then writes the files (or, with `--dry-run`, prints the patch).
fn apply(
    args: &Args,
    model: &tmkit_model::Model,
    analysis: &Analysis,
    suggestions: &[tmkit_analysis::suggest::Suggestion],
    root_file: &std::path::Path,
    limits: &Limits,
) -> ExitStatus {
    use tmkit::suggest::{Choice, Overlay, plan_apply, unified_diff};
    let choice = Choice {
        picks: args.apply.clone(),
        all: args.all,
    };
    let plan = match plan_apply(
        &RealFs,
        root_file,
        model,
        analysis,
        suggestions,
        &choice,
        limits,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            return ExitStatus::UsageOrIo;
        }
    };
    if plan.threats.is_empty() {
        eprintln!("nothing to apply: no suggestion is kept by the filters");
        return ExitStatus::Ok;
    }
    let mut files = std::collections::HashMap::new();
    for (path, _, after) in &plan.files {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        files.insert(canon, after.clone().into_bytes());
    }
    let overlay = Overlay {
        base: &RealFs,
        files,
    };
    let options = tmkit::CheckOptions::new().with_limits(*limits);
    let before = tmkit::check_with(&RealFs, root_file, &options);
    let after = tmkit::check_with(&overlay, root_file, &options);
    if after.model.is_none() {
        eprint!(
            "{}",
            render_human(&after.diagnostics, &after.files, stderr_color())
        );
        eprintln!("error: refusing to apply: the model would not check (nothing was written)");
        return ExitStatus::InvalidModel;
    }
    let root_dir = root_file.parent().unwrap_or(std::path::Path::new("."));
    let shown = |p: &std::path::Path| {
        p.strip_prefix(root_dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    if args.dry_run {
        let patch: String = (plan.files.iter())
            .map(|(p, a, b)| unified_diff(&shown(p), a, b))
            .collect();
        return write_text(
            &args.output,
            &checked_files(&after),
            &escape_controls(&patch),
        );
    }
    for (path, before, text) in &plan.files {
        if let Err(e) = tmkit::output::write_model_edit(path, before, text) {
            eprintln_escaped!("error: cannot write {}: {e}", path.display());
            return ExitStatus::UsageOrIo;
        }
    }
    let coverage = |o: &tmkit::Outcome| {
        let m = o.model.as_ref()?;
        let a = o.analysis.as_ref()?;
        a.metrics(m, 0)
            .questions
            .and_then(|q| q.coverage.map(|c| c * 100.0))
    };
    for t in &plan.threats {
        eprintln_escaped!("added {} ({} on {})", t.qid, t.pattern, t.target);
    }
    let files: Vec<String> = plan.files.iter().map(|(p, _, _)| shown(p)).collect();
    eprintln_escaped!(
        "{} threat(s) written to {}; coverage {:.1}% -> {:.1}%",
        plan.threats.len(),
        files.join(", "),
        coverage(&before).unwrap_or(0.0),
        coverage(&after).unwrap_or(0.0)
    );
    ExitStatus::Ok
}

fn checked_files(o: &tmkit::Outcome) -> tmkit_syntax::Files {
    o.files.clone()
}
