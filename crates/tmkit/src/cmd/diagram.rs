//! `tmkit diagram`: the data-flow diagram with trust zones.

use super::OutputArg;
use clap::ValueEnum;
use std::path::PathBuf;
use tmkit::ExitStatus;
use tmkit_analysis::Analysis;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_render::diagram::{DiagramFormat, DiagramOptions, render};
use tmkit_syntax::node::Limits;

/// Output format of the diagram.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Standalone SVG, laid out natively (no external program needed).
    Svg,
    /// Mermaid flowchart (for Markdown on GitHub/GitLab).
    Mermaid,
    /// Graphviz DOT (render with `dot -Tsvg`).
    Dot,
    /// PlantUML.
    #[value(alias = "puml")]
    Plantuml,
}

/// Arguments of `tmkit diagram`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model: a file, or a directory holding threatmodel.yaml (default: found by walking up);
    /// a component stands for the model above it that includes it.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Svg)]
    pub format: Format,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub component: super::ComponentArg,
    /// Expand components down to N levels below the root; deeper ones are
    /// drawn as one collapsed box (0 = every component collapsed; default: all expanded).
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Draw the attackers at the top of the zone they act from.
    #[arg(long)]
    pub attackers: bool,
    /// Draw only what the public (distributable) extraction shows: the
    /// model after the confidentiality filter, without analysis highlights.
    #[arg(long)]
    pub public: bool,
}

/// Runs the command.
pub fn run(args: Args, limits: &Limits) -> ExitStatus {
    let (model, checked) = match super::load_valid(args.path.as_deref(), limits, &args.component) {
        Ok(x) => x,
        Err(status) => return status,
    };
    // The public picture is the public view's model and analysis: the
    // filter runs once, in tmkit-analysis, before anything is drawn.
    let (model, analysis) = if args.public {
        let view = View::new(&model, ViewKind::Public);
        (view.model, view.analysis)
    } else {
        let analysis = Analysis::new(&model);
        (model, analysis)
    };
    let format = match args.format {
        Format::Svg => DiagramFormat::Svg,
        Format::Mermaid => DiagramFormat::Mermaid,
        Format::Dot => DiagramFormat::Dot,
        Format::Plantuml => DiagramFormat::PlantUml,
    };
    let opts = DiagramOptions::new()
        .with_depth(args.depth)
        .with_attackers(args.attackers);
    let text = render(&model, &analysis, format, &opts);
    super::write_text(&args.output, &checked.files, &text)
}
