//! Requirement rules: a compliance requirement is traced to the threats and
//! mitigations that concern and implement it.

use super::ModelCx;
use crate::model::Qid;
use std::collections::HashSet;
use tmkit_syntax::diagnostic::Diagnostics;
use tmkit_syntax::{Code, Diagnostic};

/// W0601: a `kind: compliance` requirement that no threat and no
/// mitigation lists in its `requirements:` (the audit cannot trace it).
pub(super) fn unreferenced_compliance(cx: &ModelCx<'_>, out: &mut Diagnostics) {
    let models = &cx.model.models;
    let threats = models.iter().flat_map(|tm| &tm.threats);
    let mitigations = models.iter().flat_map(|tm| &tm.mitigations);
    let referenced: HashSet<&str> = threats
        .flat_map(|t| &t.requirements)
        .chain(mitigations.flat_map(|m| &m.requirements))
        .map(Qid::as_str)
        .collect();
    for r in models.iter().flat_map(|tm| &tm.requirements) {
        if !r.is_compliance() || referenced.contains(r.qid.as_str()) {
            continue;
        }
        let Some(span) = cx.spans.get(&r.qid) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Code::UnreferencedComplianceRequirement,
                format!(
                    "compliance requirement '{}' is referenced by no threat or mitigation",
                    r.qid
                ),
            )
            .at(span, "nothing traces to it")
            .general_help(),
        );
    }
}
