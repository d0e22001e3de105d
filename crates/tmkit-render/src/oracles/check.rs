//! Renders a model in every format of this crate and of the analysis text
//! outputs, each with the oracle of its language.

use super::{Oracle, Verdict, csv, dot, html, json, markdown, mermaid, plantuml, svg, terminal};
use crate::diagram::{self, DiagramFormat, DiagramOptions};
use crate::matrix::{self, MatrixFormat, MatrixOptions};
use crate::metrics::{self, MetricsFormat, MetricsOptions};
use crate::report::{self, ReportFormat, ReportOptions};
use tmkit_analysis::Analysis;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Model;

/// One rendered output and the oracle of its language.
pub struct Output {
    /// What it is, e.g. `report Public Markdown` or `diagram dot`.
    pub name: String,
    /// The output.
    pub text: String,
    /// The oracle it must pass.
    pub oracle: Oracle,
}

impl Output {
    /// An output to verify.
    pub fn new(name: String, text: String, oracle: Oracle) -> Self {
        Output { name, text, oracle }
    }

    /// The oracle's verdict, with the output's name and text on failure.
    pub fn verify(&self) -> Verdict {
        (self.oracle)(&self.text)
            .map_err(|e| format!("{}: {e}\n--- output ---\n{}", self.name, self.text))
    }
}

/// Every report view in Markdown, HTML and JSON.
pub fn reports(model: &Model) -> Vec<Output> {
    let options = ReportOptions::new().with_date(Some("2030-01-01".into()));
    let mut outputs = Vec::new();
    for kind in ViewKind::ALL {
        let view = View::new(model, kind);
        for format in ReportFormat::ALL {
            let oracle = match format {
                ReportFormat::Markdown => markdown,
                ReportFormat::Html => html,
                _ => json,
            };
            let text = report::render(&view, format, &options);
            outputs.push(Output::new(
                format!("report {kind:?} {format:?}"),
                text,
                oracle,
            ));
        }
    }
    outputs
}

/// Every diagram format, all expanded with attackers and all collapsed.
pub fn diagrams(model: &Model, analysis: &Analysis) -> Vec<Output> {
    let expanded = DiagramOptions::new().with_attackers(true);
    let collapsed = DiagramOptions::new().with_depth(Some(0));
    let mut outputs = Vec::new();
    for (how, options) in [("expanded", expanded), ("collapsed", collapsed)] {
        for format in DiagramFormat::ALL {
            let oracle = match format {
                DiagramFormat::Svg => svg,
                DiagramFormat::Mermaid => mermaid,
                DiagramFormat::Dot => dot,
                _ => plantuml,
            };
            let text = diagram::render(model, analysis, format, &options);
            outputs.push(Output::new(
                format!("diagram {} {how}", format.name()),
                text,
                oracle,
            ));
        }
    }
    outputs
}

/// A Markdown table that is also printed on a terminal.
fn markdown_text(out: &str) -> Verdict {
    markdown(out).and(terminal(out))
}

/// `tmkit metrics` (text, JSON) and `tmkit matrix` (text, Markdown, CSV,
/// JSON, each in full and open-only).
pub fn text_outputs(model: &Model, analysis: &Analysis) -> Vec<Output> {
    let mut outputs = Vec::new();
    for (format, oracle) in [
        (MetricsFormat::Text, terminal as Oracle),
        (MetricsFormat::Json, json),
    ] {
        let text = metrics::render(analysis, model, &MetricsOptions::new(format));
        outputs.push(Output::new(format!("metrics {format:?}"), text, oracle));
    }
    let formats: [(MatrixFormat, Oracle); 4] = [
        (MatrixFormat::Text, terminal),
        (MatrixFormat::Markdown, markdown_text),
        (MatrixFormat::Csv, csv),
        (MatrixFormat::Json, json),
    ];
    for (format, oracle) in formats {
        for open_only in [false, true] {
            let mut options = MatrixOptions::new(format);
            options.open_only = open_only;
            let text = matrix::render(analysis, model, &options);
            let name = format!("matrix {format:?} open_only={open_only}");
            outputs.push(Output::new(name, text, oracle));
        }
    }
    outputs
}

/// Every output of this crate for `model` (reports, diagrams, metrics,
/// matrix).
pub fn all_outputs(model: &Model) -> Vec<Output> {
    let analysis = Analysis::new(model);
    let mut outputs = reports(model);
    outputs.extend(diagrams(model, &analysis));
    outputs.extend(text_outputs(model, &analysis));
    outputs
}

/// The first violation among `outputs`.
pub fn verify(outputs: &[Output]) -> Verdict {
    outputs.iter().try_for_each(Output::verify)
}

/// Every output of [`all_outputs`] passes its oracle.
pub fn all(model: &Model) -> Verdict {
    verify(&all_outputs(model))
}
