//! Data-flow diagrams with trust zones: native SVG, Mermaid, Graphviz DOT and
//! PlantUML.
//!
//! Every format draws the same picture ([`scene`]): trust zones as labelled
//! boxes showing their trust level, least trusted first (left to right, in
//! bands top to bottom when there are many), nested where
//! zones nest; assets inside their zone, shaped by kind; data flows as arrows
//! labelled with id, title and protocol, drawn distinctly when they cross a
//! trust boundary (inbound, outbound, both) and highlighted when a crossing
//! has unanswered exposed categories; out-of-scope elements grey and dashed;
//! components as groups inside each zone or as collapsed boxes
//! ([`DiagramOptions::depth`]); attackers as badges at the top of their zone
//! ([`DiagramOptions::attackers`]).
//!
//! The SVG needs no external program: [`layout()`] places everything on a
//! grid of zone columns (wrapped into bands, the plan with a readable aspect
//! ratio and fewest crossings kept) and routes flows through the channels
//! between cells.
//! Renderers draw the model they are given; callers pass a view (such as the
//! public one) to hide elements.
//!
//! The files: `scene.rs` (what is drawn, and the texts every format shares:
//! labels, tooltips, crossing notes, the outline of each node kind),
//! `build.rs` (model -> scene), `style.rs` (the palette), `layout.rs` and
//! `text.rs` (SVG geometry and text measurement), then one file per format
//! (`svg.rs`, `mermaid.rs`, `dot.rs`, `plantuml.rs`), each holding the one
//! escaping function of its language. A new format is one such file walking
//! the scene, a [`DiagramFormat`] variant and its snapshot.

mod build;
mod dot;
mod layout;
mod mermaid;
mod plantuml;
mod scene;
mod style;
mod svg;
mod text;

pub use dot::{DotText, escape_dot};
pub use layout::{ComponentBox, DiagramLayout, EdgePath, NodeBox, Rect, ZoneBox};
pub use mermaid::escape_mermaid;
pub use plantuml::escape_plantuml;
pub use svg::escape_xml;

use tmkit_analysis::Analysis;
use tmkit_model::Model;

/// An output format of `tmkit diagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagramFormat {
    /// A standalone SVG document, laid out natively.
    Svg,
    /// A Mermaid flowchart (the body of a ```` ```mermaid ```` block).
    Mermaid,
    /// A Graphviz digraph.
    Dot,
    /// A PlantUML diagram (`@startuml` ... `@enduml`).
    PlantUml,
}

impl DiagramFormat {
    /// All formats, in documentation order.
    pub const ALL: [DiagramFormat; 4] = [
        DiagramFormat::Svg,
        DiagramFormat::Mermaid,
        DiagramFormat::Dot,
        DiagramFormat::PlantUml,
    ];

    /// The name used on the command line (`svg`, `mermaid`, `dot`, `plantuml`).
    pub fn name(self) -> &'static str {
        match self {
            DiagramFormat::Svg => "svg",
            DiagramFormat::Mermaid => "mermaid",
            DiagramFormat::Dot => "dot",
            DiagramFormat::PlantUml => "plantuml",
        }
    }

    /// Parses a command-line name (case-insensitive; `puml` and `gv` too).
    pub fn parse(s: &str) -> Option<DiagramFormat> {
        match s.to_ascii_lowercase().as_str() {
            "svg" => Some(DiagramFormat::Svg),
            "mermaid" | "mmd" => Some(DiagramFormat::Mermaid),
            "dot" | "gv" | "graphviz" => Some(DiagramFormat::Dot),
            "plantuml" | "puml" => Some(DiagramFormat::PlantUml),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DiagramFormat::Svg => "svg",
            DiagramFormat::Mermaid => "mmd",
            DiagramFormat::Dot => "dot",
            DiagramFormat::PlantUml => "puml",
        }
    }
}

/// What to draw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiagramOptions {
    /// How many levels of components to expand below the root: `Some(0)`
    /// draws every component of the root as one collapsed box; `None`
    /// expands all of them.
    pub depth: Option<usize>,
    /// Draw the attackers as badges at the top of the zone they act from.
    pub attackers: bool,
}

impl DiagramOptions {
    /// Options with everything expanded and no attackers (the default).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`DiagramOptions::depth`].
    pub fn with_depth(mut self, depth: Option<usize>) -> Self {
        self.depth = depth;
        self
    }

    /// Sets [`DiagramOptions::attackers`].
    pub fn with_attackers(mut self, attackers: bool) -> Self {
        self.attackers = attackers;
        self
    }
}

/// Draws the data-flow diagram of `model` in `format`.
///
/// `analysis` must be the analysis of the same `model` (it supplies the
/// trust-boundary crossings). The output is deterministic.
pub fn render(
    model: &Model,
    analysis: &Analysis,
    format: DiagramFormat,
    opts: &DiagramOptions,
) -> String {
    let scene = scene::build(model, analysis, opts);
    match format {
        DiagramFormat::Svg => svg::render(&scene, &layout::layout(&scene)),
        DiagramFormat::Mermaid => mermaid::render(&scene),
        DiagramFormat::Dot => dot::render(&scene),
        DiagramFormat::PlantUml => plantuml::render(&scene),
    }
}

/// The boxes and paths of the native SVG diagram, as [`render`] with
/// [`DiagramFormat::Svg`] draws them (for checks, tests and image maps).
pub fn layout(model: &Model, analysis: &Analysis, opts: &DiagramOptions) -> DiagramLayout {
    let scene = scene::build(model, analysis, opts);
    layout::layout(&scene).describe(&scene)
}
