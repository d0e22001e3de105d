//! Threat status: how far a threat is mitigated (docs/format.md#threat-status).

use schemars::JsonSchema;
use serde::Serialize;
use tmkit_model::{Mitigation, MitigationKind, Model, Threat};

/// How far a threat is mitigated.
///
/// Variants are ordered from best to worst, so `a < b` means `a` is better
/// handled than `b`, and the `max` of a set of statuses is the worst one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    /// At least one control, and every control is in place.
    Mitigated,
    /// A `risk-acceptance` or a `transfer` is in place: the residual risk is owned.
    Accepted,
    /// Some control is in place, not all.
    Partial,
    /// Nothing in place (including a threat with no mitigation at all).
    Unmitigated,
}

impl Status {
    /// All statuses, best first.
    pub const ALL: [Status; 4] = [
        Status::Mitigated,
        Status::Accepted,
        Status::Partial,
        Status::Unmitigated,
    ];

    /// The name used in reports and JSON (`mitigated`, `accepted`, `partial`, `unmitigated`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
            Status::Partial => "partial",
            Status::Unmitigated => "unmitigated",
        }
    }

    /// The one-letter mark of compact tables (`M`, `A`, `P`, `U`).
    pub fn letter(self) -> &'static str {
        match self {
            Status::Mitigated => "M",
            Status::Accepted => "A",
            Status::Partial => "P",
            Status::Unmitigated => "U",
        }
    }

    /// True for the statuses a CI gate treats as open work: `unmitigated`
    /// and `partial` (an `accepted` risk is owned by someone; only
    /// `mitigated` counts as mitigated).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Unmitigated | Status::Partial)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of a threat given its (resolved) mitigations, and whether it
/// is *not secure by default* (mitigated, but only by operational controls).
///
/// The first rule that holds wins:
/// 1. `mitigated`: an `avoid` is in place (the exposure is designed away);
/// 2. `mitigated`: at least one control (design, operational or avoid), every control in place;
/// 3. `accepted`: a `risk-acceptance` or a `transfer` is in place;
/// 4. `partial`: some control is in place;
/// 5. `unmitigated`: otherwise.
pub fn status_from<'a>(mitigations: impl IntoIterator<Item = &'a Mitigation>) -> (Status, bool) {
    let mut controls = 0usize;
    let mut controls_in_place = 0usize;
    let mut design_in_place = false;
    let mut accepted = false;
    let mut avoided = false;
    for m in mitigations {
        avoided |= m.kind == MitigationKind::Avoid && m.in_place;
        if m.kind.is_control() {
            controls += 1;
            if m.in_place {
                controls_in_place += 1;
                if matches!(m.kind, MitigationKind::Design | MitigationKind::Avoid) {
                    design_in_place = true;
                }
            }
        } else if m.in_place {
            accepted = true;
        }
    }
    if avoided {
        (Status::Mitigated, false)
    } else if controls > 0 && controls_in_place == controls {
        (Status::Mitigated, !design_in_place)
    } else if accepted {
        (Status::Accepted, false)
    } else if controls_in_place > 0 {
        (Status::Partial, false)
    } else {
        (Status::Unmitigated, false)
    }
}

/// The status of one threat of `model` (see [`status_from`]).
///
/// Resolves the threat's mitigation references by scanning the model, so it
/// costs O(size of the model): use [`crate::Analysis`] to get the status of
/// every threat at once.
pub fn status_of(model: &Model, threat: &Threat) -> (Status, bool) {
    let found = threat.mitigations.iter().filter_map(|qid| {
        model
            .models
            .iter()
            .flat_map(|tm| tm.mitigations.iter())
            .find(|m| &m.qid == qid)
    });
    status_from(found)
}
