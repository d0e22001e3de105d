//! What OTM cannot hold of a model, kept in the project's `tmkit.models`
//! attribute so that an export imports back to the same model.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tmkit_model::Qid;
use tmkit_model::{Assumption, Attacker, Requirement, Verdict};

/// A model's own fields, kept in the project's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(super) struct ModelMeta {
    pub(super) qid: String,
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) parent: Option<String>,
    pub(super) path: String,
    pub(super) title: String,
    pub(super) version: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) authors: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) confidential: bool,
    pub(super) level: Option<String>,
    pub(super) taxonomy: Value,
    pub(super) notes: Option<String>,
    pub(super) imports: Vec<String>,
    pub(super) requirements: Vec<RequirementMeta>,
    pub(super) attackers: Vec<AttackerMeta>,
    pub(super) assumptions: Vec<AssumptionMeta>,
    pub(super) analysis: Vec<VerdictMeta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(super) struct RequirementMeta {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) kind: Option<String>,
    #[serde(rename = "ref")]
    pub(super) reference: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) refs: Vec<String>,
    pub(super) confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(super) struct AttackerMeta {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) zone: Option<String>,
    pub(super) in_scope: bool,
    pub(super) reason: Option<String>,
    pub(super) confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(super) struct AssumptionMeta {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(super) struct VerdictMeta {
    pub(super) target: String,
    pub(super) attacker: Option<String>,
    pub(super) category: Option<String>,
    pub(super) verdict: String,
    pub(super) rationale: String,
    pub(super) confidential: bool,
}

impl From<&Requirement> for RequirementMeta {
    fn from(r: &Requirement) -> Self {
        RequirementMeta {
            id: r.id.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            kind: r.kind.clone(),
            reference: r.reference.clone(),
            refs: r.refs.iter().map(ToString::to_string).collect(),
            confidential: r.confidential,
        }
    }
}

impl From<&Attacker> for AttackerMeta {
    fn from(a: &Attacker) -> Self {
        AttackerMeta {
            id: a.id.clone(),
            title: a.title.clone(),
            description: a.description.clone(),
            zone: a.zone.as_ref().map(Qid::to_string),
            in_scope: a.in_scope,
            reason: a.reason.clone(),
            confidential: a.confidential,
        }
    }
}

impl From<&Assumption> for AssumptionMeta {
    fn from(a: &Assumption) -> Self {
        AssumptionMeta {
            id: a.id.clone(),
            title: a.title.clone(),
            description: a.description.clone(),
            confidential: a.confidential,
        }
    }
}

impl From<&Verdict> for VerdictMeta {
    fn from(v: &Verdict) -> Self {
        VerdictMeta {
            target: v.target.to_string(),
            attacker: v.attacker.as_ref().map(Qid::to_string),
            category: v.category.clone(),
            verdict: v.verdict.as_str().into(),
            rationale: v.rationale.clone(),
            confidential: v.confidential,
        }
    }
}
