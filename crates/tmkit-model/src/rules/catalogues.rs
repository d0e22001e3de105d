//! Rules on imported catalogues.

use super::DocCx;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::load::DocKind;
use tmkit_syntax::{Code, Diagnostic};

/// E0306: a catalogue shares zones, attackers, assumptions, requirements
/// and mitigations only; reported at its first asset, flow, threat or verdict.
pub(super) fn content(cx: &DocCx<'_>, out: &mut Diagnostics) {
    if cx.doc.kind != DocKind::Import {
        return;
    }
    let doc = cx.raw;
    let scope = doc.scope.as_ref();
    let first = scope
        .and_then(|s| s.assets.first().map(|a| a.id.span))
        .or_else(|| scope.and_then(|s| s.dataflows.first().map(|f| f.id.span)))
        .or_else(|| doc.threats.first().map(|t| t.id.span))
        .or_else(|| doc.analysis.first().map(|v| v.target.span));
    if let Some(s) = first {
        out.push(
            Diagnostic::new(
                Code::CatalogueContent,
                format!(
                    "imported catalogue '{}' declares assets, flows, threats or analysis",
                    doc.id.value.0
                ),
            )
            .at(s, "not allowed in a catalogue")
            .help("a catalogue shares zones, attackers, assumptions, requirements and mitigations; include the file as a component instead"),
        );
    }
}
