//! The compliance view's data: each requirement with the threats that
//! concern it, the mitigations that implement it, and its derived status
//! (docs/format.md#requirement-status). Serialized as is in the JSON
//! report's `compliance`.

use crate::analysis::Analysis;
use crate::status::Status;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashMap;
use tmkit_model::{MitigationKind, Model, Qid, StandardRef};

/// How far a requirement is met, derived from what traces to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RequirementStatus {
    /// Every control implementing it is in place, and every threat
    /// concerning it is mitigated.
    Met,
    /// Some control implementing it is in place, but a control is planned
    /// or a threat concerning it is not mitigated.
    Partly,
    /// Controls implement it, none of them in place.
    NotMet,
    /// No control (design or operational mitigation) implements it.
    NoEvidence,
}

impl RequirementStatus {
    /// Every status, best first.
    pub const ALL: [RequirementStatus; 4] = [
        RequirementStatus::Met,
        RequirementStatus::Partly,
        RequirementStatus::NotMet,
        RequirementStatus::NoEvidence,
    ];

    /// The name in JSON (`met`, `partly`, `not-met`, `no-evidence`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::Met => "met",
            RequirementStatus::Partly => "partly",
            RequirementStatus::NotMet => "not-met",
            RequirementStatus::NoEvidence => "no-evidence",
        }
    }

    /// The words in a report (`met`, `partly`, `not met`, `no evidence`).
    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::Met => "met",
            RequirementStatus::Partly => "partly met",
            RequirementStatus::NotMet => "not met",
            RequirementStatus::NoEvidence => "no evidence",
        }
    }

    /// The status of a requirement implemented by controls of which
    /// `in_place` are in place and `planned` are not, and concerned by
    /// `open` threats that are not mitigated.
    pub fn derive(in_place: usize, planned: usize, open: usize) -> RequirementStatus {
        match (in_place, planned, open) {
            (0, 0, _) => RequirementStatus::NoEvidence,
            (0, _, _) => RequirementStatus::NotMet,
            (_, 0, 0) => RequirementStatus::Met,
            _ => RequirementStatus::Partly,
        }
    }
}

/// A threat that concerns a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct TracedThreat {
    /// Qualified id.
    pub qid: Qid,
    /// Title.
    pub title: String,
    /// Its derived status.
    pub status: Status,
}

/// A mitigation that lists a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct TracedMitigation {
    /// Qualified id.
    pub qid: Qid,
    /// Title.
    pub title: String,
    /// `design`, `operational` or `risk-acceptance` (a risk acceptance is
    /// listed, but does not implement the requirement).
    pub kind: MitigationKind,
    /// In place today.
    pub in_place: bool,
}

/// A requirement traced to its threats and mitigations.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ComplianceEntry {
    /// Qualified id of the requirement.
    pub qid: Qid,
    /// Qualified id of the model declaring it.
    pub model: Qid,
    /// Title.
    pub title: String,
    /// `compliance`, `business`, `technical` (or free text).
    pub kind: Option<String>,
    /// The free-text reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Clauses of standards.
    pub refs: Vec<StandardRef>,
    /// Derived: `met`, `partly`, `not-met` or `no-evidence`.
    pub status: RequirementStatus,
    /// Threats listing it in their `requirements`, in model order.
    pub threats: Vec<TracedThreat>,
    /// Mitigations listing it in their `requirements`, in model order.
    pub mitigations: Vec<TracedMitigation>,
}

/// Every requirement of `model` (root, components, catalogues, in model
/// order), traced.
pub fn compliance(model: &Model, analysis: &Analysis) -> Vec<ComplianceEntry> {
    let mut threats: HashMap<&str, Vec<TracedThreat>> = HashMap::new();
    let mut mitigations: HashMap<&str, Vec<TracedMitigation>> = HashMap::new();
    for tm in &model.models {
        for t in &tm.threats {
            let status = analysis
                .threat(&t.qid)
                .map_or(Status::Unmitigated, |i| i.status);
            for r in &t.requirements {
                threats.entry(r).or_default().push(TracedThreat {
                    qid: t.qid.clone(),
                    title: t.title.clone(),
                    status,
                });
            }
        }
        for x in &tm.mitigations {
            for r in &x.requirements {
                mitigations.entry(r).or_default().push(TracedMitigation {
                    qid: x.qid.clone(),
                    title: x.title.clone(),
                    kind: x.kind,
                    in_place: x.in_place,
                });
            }
        }
    }
    let mut out = Vec::new();
    for tm in &model.models {
        for r in &tm.requirements {
            let threats = threats.remove(r.qid.as_str()).unwrap_or_default();
            let mitigations = mitigations.remove(r.qid.as_str()).unwrap_or_default();
            let controls = mitigations.iter().filter(|m| m.kind.is_control());
            let in_place = controls.clone().filter(|m| m.in_place).count();
            let planned = controls.filter(|m| !m.in_place).count();
            let open = threats
                .iter()
                .filter(|t| t.status != Status::Mitigated)
                .count();
            out.push(ComplianceEntry {
                qid: r.qid.clone(),
                model: tm.qid.clone(),
                title: r.title.clone(),
                kind: r.kind.clone(),
                reference: r.reference.clone(),
                refs: r.refs.clone(),
                status: RequirementStatus::derive(in_place, planned, open),
                threats,
                mitigations,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::RequirementStatus::{self, *};

    #[test]
    fn status_table() {
        let d = RequirementStatus::derive;
        assert_eq!(d(0, 0, 0), NoEvidence);
        assert_eq!(d(0, 0, 2), NoEvidence);
        assert_eq!(d(0, 1, 0), NotMet);
        assert_eq!(d(0, 1, 1), NotMet);
        assert_eq!(d(2, 0, 0), Met);
        assert_eq!(d(1, 1, 0), Partly);
        assert_eq!(d(1, 0, 1), Partly);
    }
}
