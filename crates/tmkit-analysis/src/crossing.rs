//! Trust-boundary crossings of data flows.
//!
//! A data flow from zone A to zone B crosses a boundary when their trust
//! levels differ. Inbound (low -> high trust) exposes the taxonomy's inbound
//! categories (CIA: integrity; STRIDE: spoofing, tampering, elevation of
//! privilege), outbound (high -> low) its outbound ones (CIA:
//! confidentiality; STRIDE: information disclosure; LINDDUN: data
//! disclosure), a bidirectional flow both; only categories the taxonomy asks
//! of a data flow count (STRIDE-per-element: tampering, information
//! disclosure, denial of service). An exposed category that no threat and no
//! verdict answers, for any attacker, is *unanswered*: a warning.

use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;
use tmkit_model::{Code, Diagnostic, ModelIndex, Qid, SpanTable};

/// Which way a data flow crosses a trust boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Direction {
    /// No crossing: same trust, or an endpoint without a zone.
    None,
    /// From a less trusted zone to a more trusted one.
    Inbound,
    /// From a more trusted zone to a less trusted one.
    Outbound,
    /// A bidirectional flow between zones of different trust.
    Both,
}

impl Direction {
    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::None => "none",
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Both => "both",
        }
    }

    /// True when the flow crosses a boundary.
    pub fn crosses(self) -> bool {
        self != Direction::None
    }

    /// The direction of a flow between two trust levels.
    pub fn between(from_trust: f64, to_trust: f64, bidirectional: bool) -> Direction {
        if from_trust == to_trust || from_trust.is_nan() || to_trust.is_nan() {
            Direction::None
        } else if bidirectional {
            Direction::Both
        } else if from_trust < to_trust {
            Direction::Inbound
        } else {
            Direction::Outbound
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The boundary analysis of one in-scope data flow of an analysed model
/// (every such flow has one, with [`Direction::None`] when it crosses nothing).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Crossing {
    /// Qualified id of the data flow.
    pub flow: Qid,
    /// Model declaring the flow.
    #[serde(skip)]
    pub model: ModelIndex,
    /// Zone of the source asset.
    pub from_zone: Option<Qid>,
    /// Zone of the destination asset.
    pub to_zone: Option<Qid>,
    /// Trust level of the source zone.
    pub from_trust: Option<f64>,
    /// Trust level of the destination zone.
    pub to_trust: Option<f64>,
    /// Which way it crosses.
    pub direction: Direction,
    /// Categories the crossing exposes (taxonomy order).
    pub exposed: Vec<Arc<str>>,
    /// Exposed categories that no threat and no verdict answers (warnings).
    pub unanswered: Vec<Arc<str>>,
}

/// An end of a crossing as text: the zone, with its trust level in
/// parentheses after `trust_prefix` when it has one; `?` without a zone.
fn zone_text(zone: Option<&str>, trust: Option<f64>, trust_prefix: &str) -> String {
    match (zone, trust) {
        (Some(z), Some(t)) => format!("{z} ({trust_prefix}{t})"),
        (Some(z), None) => z.to_string(),
        _ => "?".to_string(),
    }
}

impl Crossing {
    /// The source and destination ends as text: each zone, with its trust
    /// level in parentheses after `trust_prefix` when it has one (`?`
    /// without a zone).
    pub fn ends(&self, trust_prefix: &str) -> (String, String) {
        (
            zone_text(self.from_zone.as_deref(), self.from_trust, trust_prefix),
            zone_text(self.to_zone.as_deref(), self.to_trust, trust_prefix),
        )
    }

    /// A human warning for each unanswered exposed category, naming the flow
    /// and the two zones.
    pub fn warnings(&self) -> Vec<String> {
        let (from, to) = self.ends("trust ");
        self.unanswered
            .iter()
            .map(|c| {
                format!(
                    "{} crosses a trust boundary {} from {from} to {to}: {c} is exposed, but no threat or verdict answers it",
                    self.flow, self.direction,
                )
            })
            .collect()
    }
}

/// The W0401 warnings of a model: one per exposed category of a crossing
/// that no threat or verdict answers, placed at the flow's id. Made one at
/// a time as they are taken, so that a capped [`tmkit_model::Diagnostics`]
/// extended with them never holds more than it keeps.
pub fn crossing_diagnostics<'a>(
    crossings: &'a [Crossing],
    spans: &'a SpanTable,
) -> impl Iterator<Item = Diagnostic> + 'a {
    crossings.iter().flat_map(move |c| {
        c.warnings().into_iter().map(move |msg| {
            let d = Diagnostic::new(Code::UnansweredCrossing, msg).help(
                "add a threat for the exposed category, or an `analysis` verdict with a rationale",
            );
            match spans.get(&c.flow) {
                Some(span) => d.at(span, format!("{} crossing", c.direction)),
                None => d,
            }
        })
    })
}

#[cfg(test)]
mod diagnostic_tests {
    use super::*;

    #[test]
    fn unanswered_crossings_become_w0401_at_the_flow() {
        let checked = tmkit_model::check_str(
            "tmkit: 1\nid: X\ntitle: t\nscope:\n  zones:\n    - { id: out, title: Out, trust: 0 }\n    - { id: in, title: In, trust: 3 }\n  assets:\n    - { id: a, title: A, kind: external, zone: out }\n    - { id: b, title: B, kind: service, zone: in }\n  dataflows:\n    - { id: f, title: F, from: a, to: b }\n",
        );
        let model = checked.model.as_ref().expect("valid");
        let analysis = crate::Analysis::new(model);
        let diags: Vec<_> = crossing_diagnostics(&analysis.crossings, &checked.spans).collect();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, Code::UnansweredCrossing);
        assert!(
            diags[0].message.contains("integrity"),
            "{}",
            diags[0].message
        );
        let at = diags[0].primary.as_ref().expect("placed");
        assert_eq!(
            (at.span.line, at.message.as_str()),
            (12, "inbound crossing")
        );
    }
}
