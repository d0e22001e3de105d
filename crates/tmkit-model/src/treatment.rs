//! Risk treatment and evidence of a mitigation (docs/format.md#risk-treatment,
//! docs/format.md#evidence): the model's values.

use schemars::JsonSchema;
use serde::Serialize;
pub use tmkit_syntax::date::Date;

/// The risk-treatment fields of a mitigation (all internal: the public view
/// shows no acceptance and no transfer, and clears `due`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Treatment {
    /// When the risk was accepted (`risk-acceptance`).
    pub accepted: Option<Date>,
    /// When the acceptance ends (`risk-acceptance`); None with `permanent`.
    pub expires: Option<Date>,
    /// Accepted without end (`risk-acceptance`).
    pub permanent: bool,
    /// Why the risk is accepted, transferred or avoided.
    pub rationale: Option<String>,
    /// Who carries a transferred risk (`transfer`).
    pub party: Option<String>,
    /// Contract or policy of a transfer (`transfer`).
    pub reference: Option<String>,
    /// When a mitigation not in place is due.
    pub due: Option<Date>,
}

/// What kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// A test, `PATH::NAME`.
    Test,
    /// A file in the repository.
    File,
    /// A link.
    Url,
    /// A ticket key.
    Ticket,
}

impl EvidenceKind {
    /// The key of the format (`test`, `file`, `url`, `ticket`).
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Test => "test",
            EvidenceKind::File => "file",
            EvidenceKind::Url => "url",
            EvidenceKind::Ticket => "ticket",
        }
    }
}

/// One piece of evidence of a mitigation.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Evidence {
    /// Kind.
    pub kind: EvidenceKind,
    /// The test (`PATH::NAME`), path, URL or ticket key, as written.
    pub target: String,
    /// A note.
    pub note: Option<String>,
    /// Shown in the public view.
    pub public: bool,
}
