//! The validated, span-free model: what every later stage works on.
//!
//! A [`Model`] is the whole resolved project: the root threat model, its
//! components (recursively) and the catalogues they import, flattened into one
//! vector of [`ThreatModel`]s. Every reference between elements is already
//! resolved to the target's *qualified id* ([`Qid`]), so views (such as the
//! public filter) can drop elements and references without any source context.

pub use crate::refs::{StandardRef, WeaknessRef};
use crate::taxonomy::TargetKind;
pub use crate::treatment::{Date, Evidence, EvidenceKind, Treatment};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashMap;

pub use crate::qid::Qid;

/// Index of a [`ThreatModel`] in [`Model::models`].
pub type ModelIndex = usize;

/// The whole resolved project.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Model {
    /// Root first, then components depth-first in declaration order, then
    /// imported catalogues (in first-import order).
    pub models: Vec<ThreatModel>,
}

/// Whether a [`ThreatModel`] is analysed (root or component) or only supplies
/// shared elements (an imported catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelKind {
    /// The root model.
    Root,
    /// A component model included through `components`.
    Component,
    /// A catalogue brought in through `imports`: no questions of its own.
    Catalogue,
}

/// One model file (root, component or catalogue), resolved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ThreatModel {
    /// What role the file plays.
    pub kind: ModelKind,
    /// The model's own id (`LOGIN`).
    pub id: String,
    /// Qualified id of the model itself (`CCC.LOGIN`); for a catalogue its own id.
    pub qid: Qid,
    /// The including model (None for the root and for catalogues).
    pub parent: Option<ModelIndex>,
    /// Included components, in declaration order.
    pub children: Vec<ModelIndex>,
    /// Catalogues imported by this model.
    pub imports: Vec<ModelIndex>,
    /// Threat libraries, as written (paths relative to this model's file).
    pub libraries: Vec<String>,
    /// Path of the source file, relative to the root model's directory, with `/`.
    pub path: String,
    /// Title.
    pub title: String,
    /// Version string.
    pub version: Option<String>,
    /// Owning team (internal: never shown publicly).
    pub owner: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// A confidential model withholds all of its elements from the public view.
    pub confidential: bool,
    /// Level of abstraction and taxonomy.
    pub abstraction: Abstraction,
    /// High-level security requirements and compliance.
    pub requirements: Vec<Requirement>,
    /// Trust zones.
    pub zones: Vec<Zone>,
    /// Assets.
    pub assets: Vec<Asset>,
    /// Data flows.
    pub dataflows: Vec<DataFlow>,
    /// Attackers / threat agents.
    pub attackers: Vec<Attacker>,
    /// Captured assumptions.
    pub assumptions: Vec<Assumption>,
    /// Verdicts answering questions that no threat covers.
    pub analysis: Vec<Verdict>,
    /// Mitigations: shared ones first (declaration order), then the inline
    /// mitigations of threats (`shared == false`).
    pub mitigations: Vec<Mitigation>,
    /// Threats.
    pub threats: Vec<Threat>,
    /// The issue tracker of `tmkit sync` (internal; read from the root model).
    pub sync: SyncTarget,
}

/// The issue trackers of `tmkit sync` (the `sync:` section).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct SyncTarget {
    /// GitHub: the repository (`owner/name`) and the API's base URL.
    pub github: Option<(String, Option<String>)>,
    /// GitLab: the project path (`group/name`) and the API's base URL.
    pub gitlab: Option<(String, Option<String>)>,
    /// Jira: the project key, the site's base URL, the REST API version.
    pub jira: Option<(String, Option<String>, Option<f64>)>,
}

/// Level of abstraction and taxonomy of a model.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Abstraction {
    /// `context`, `container`, `component`, `code` or free text.
    pub level: Option<String>,
    /// Taxonomy of threat categories.
    pub taxonomy: Taxonomy,
    /// Notes.
    pub notes: Option<String>,
}

/// The taxonomy of categories that questions are asked in (a table entry
/// of [`crate::taxonomy::BUILTIN`], or custom).
pub use crate::taxonomy::Taxonomy;

/// A high-level requirement.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Requirement {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// `compliance`, `business`, `technical` (or free text).
    pub kind: Option<String>,
    /// External reference (standard, clause), free text.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Structured references to clauses of standards.
    pub refs: Vec<StandardRef>,
    /// Withheld from the public view.
    pub confidential: bool,
}

impl Requirement {
    /// True for a requirement of kind `compliance` (in any case).
    pub fn is_compliance(&self) -> bool {
        (self.kind.as_deref()).is_some_and(|k| k.trim().eq_ignore_ascii_case("compliance"))
    }
}

/// A trust zone.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Zone {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Trust level: higher is more trusted.
    pub trust: f64,
    /// The enclosing zone, when zones nest (`within:`).
    pub within: Option<Qid>,
    /// The element's id in the tool it was imported from (`source:`).
    pub source: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// Kind of an asset; drives STRIDE-per-element and diagram shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AssetKind {
    /// Data.
    Data,
    /// A credential.
    Credential,
    /// A key.
    Key,
    /// A certificate.
    Certificate,
    /// A service.
    Service,
    /// A process.
    Process,
    /// A datastore.
    Datastore,
    /// An external entity.
    External,
    /// Hardware.
    Hardware,
    /// Anything else (the default).
    Other,
}

impl AssetKind {
    /// All kinds, in the order of docs/format.md.
    pub const ALL: [AssetKind; 10] = [
        AssetKind::Data,
        AssetKind::Credential,
        AssetKind::Key,
        AssetKind::Certificate,
        AssetKind::Service,
        AssetKind::Process,
        AssetKind::Datastore,
        AssetKind::External,
        AssetKind::Hardware,
        AssetKind::Other,
    ];

    /// The name used in the format.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Data => "data",
            AssetKind::Credential => "credential",
            AssetKind::Key => "key",
            AssetKind::Certificate => "certificate",
            AssetKind::Service => "service",
            AssetKind::Process => "process",
            AssetKind::Datastore => "datastore",
            AssetKind::External => "external",
            AssetKind::Hardware => "hardware",
            AssetKind::Other => "other",
        }
    }

    /// Parses a format name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An asset.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Asset {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Kind.
    pub kind: AssetKind,
    /// Trust zone.
    pub zone: Option<Qid>,
    /// In scope of the analysis.
    pub in_scope: bool,
    /// Why it is out of scope.
    pub reason: Option<String>,
    /// The element's id in the tool it was imported from (`source:`).
    pub source: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// A data flow between two assets.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct DataFlow {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Source asset.
    pub from: Qid,
    /// Destination asset.
    pub to: Qid,
    /// Protocol.
    pub protocol: Option<String>,
    /// Assets (data) moved by the flow.
    pub carries: Vec<Qid>,
    /// Data moves both ways.
    pub bidirectional: bool,
    /// In scope of the analysis.
    pub in_scope: bool,
    /// Why it is out of scope.
    pub reason: Option<String>,
    /// The element's id in the tool it was imported from (`source:`).
    pub source: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// An attacker (threat agent).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Attacker {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// The zone the attacker acts from.
    pub zone: Option<Qid>,
    /// In scope of the analysis.
    pub in_scope: bool,
    /// Why it is out of scope.
    pub reason: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// An assumption captured during the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Assumption {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// How an analysis entry answers its questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum VerdictKind {
    /// Analysed: nothing can go wrong here.
    NoThreat,
    /// The question does not apply.
    NotApplicable,
}

impl VerdictKind {
    /// The name used in the format.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::NoThreat => "no-threat",
            VerdictKind::NotApplicable => "not-applicable",
        }
    }
}

/// An `analysis` entry: answers questions that no threat covers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Verdict {
    /// Target (asset or data flow).
    pub target: Qid,
    /// Attacker; None = every in-scope attacker.
    pub attacker: Option<Qid>,
    /// Category (normalised); None = every category.
    pub category: Option<String>,
    /// Verdict.
    pub verdict: VerdictKind,
    /// Why.
    pub rationale: String,
    /// The library pattern this entry suppresses for the target; such an
    /// entry answers no question (docs/library.md#suppressions).
    pub pattern: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// Kind of a mitigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MitigationKind {
    /// A design control.
    Design,
    /// An operational control (someone runs it).
    Operational,
    /// Residual risk accepted by someone: not a control.
    RiskAcceptance,
    /// Risk transferred to another party (insurer, provider): not a control.
    Transfer,
    /// The feature or flow was removed or redesigned: the threat is avoided.
    Avoid,
}

impl MitigationKind {
    /// The name used in the format.
    pub fn as_str(self) -> &'static str {
        match self {
            MitigationKind::Design => "design",
            MitigationKind::Operational => "operational",
            MitigationKind::RiskAcceptance => "risk-acceptance",
            MitigationKind::Transfer => "transfer",
            MitigationKind::Avoid => "avoid",
        }
    }

    /// True for design and operational mitigations, and for `avoid` (the
    /// exposure is designed away); false for the treatments that leave the
    /// risk in place: `risk-acceptance` and `transfer`.
    pub fn is_control(self) -> bool {
        !matches!(
            self,
            MitigationKind::RiskAcceptance | MitigationKind::Transfer
        )
    }
}

/// A mitigation (shared, or inline in a threat).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Mitigation {
    /// Qualified id.
    pub qid: Qid,
    /// Local id (for inline mitigations without one: `<threat id>/m<n>`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Kind.
    pub kind: MitigationKind,
    /// In place today.
    pub in_place: bool,
    /// Who runs an operational control (internal).
    pub operator: Option<String>,
    /// Who accepted the risk, for a `risk-acceptance` (internal).
    pub owner: Option<String>,
    /// Tracking ticket (internal).
    pub ticket: Option<String>,
    /// Risk treatment: acceptance dates, transfer, due date (internal).
    #[serde(flatten)]
    pub treatment: Treatment,
    /// What shows that it is in place (the public view keeps only the
    /// entries marked public).
    pub evidence: Vec<Evidence>,
    /// Entries of `evidence` withheld from this view (the public one).
    pub evidence_withheld: usize,
    /// Requirements it implements (qualified ids).
    pub requirements: Vec<Qid>,
    /// Declared under `mitigations:` (true) or inline in a threat (false).
    pub shared: bool,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// A threat (flaw, vulnerability).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Threat {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Categories, normalised to full lower-case names (`other` allowed).
    pub categories: Vec<String>,
    /// Targets (assets or data flows).
    pub targets: Vec<Qid>,
    /// Attackers; None = every in-scope attacker visible to the model.
    pub attackers: Option<Vec<Qid>>,
    /// Assumptions this finding relies on.
    pub assumptions: Vec<Qid>,
    /// CVSS vector (3.0, 3.1 or 4.0), validated.
    pub cvss: Option<String>,
    /// Tracking ticket: key or URL (internal).
    pub ticket: Option<String>,
    /// Mitigations (qualified ids into the model's mitigations).
    pub mitigations: Vec<Qid>,
    /// Requirements it concerns (qualified ids).
    pub requirements: Vec<Qid>,
    /// Weaknesses and attack techniques it is an instance of.
    pub refs: Vec<WeaknessRef>,
    /// The element's id in the tool it was imported from (`source:`).
    pub source: Option<String>,
    /// Withheld from the public view.
    pub confidential: bool,
}

/// What a qualified id points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementRef {
    /// A model (root, component or catalogue).
    Model(ModelIndex),
    /// `models[m].requirements[i]`.
    Requirement(ModelIndex, usize),
    /// `models[m].zones[i]`.
    Zone(ModelIndex, usize),
    /// `models[m].assets[i]`.
    Asset(ModelIndex, usize),
    /// `models[m].dataflows[i]`.
    DataFlow(ModelIndex, usize),
    /// `models[m].attackers[i]`.
    Attacker(ModelIndex, usize),
    /// `models[m].assumptions[i]`.
    Assumption(ModelIndex, usize),
    /// `models[m].mitigations[i]`.
    Mitigation(ModelIndex, usize),
    /// `models[m].threats[i]`.
    Threat(ModelIndex, usize),
}

impl ElementRef {
    /// The model that declares the element.
    pub fn model(self) -> ModelIndex {
        match self {
            ElementRef::Model(m)
            | ElementRef::Requirement(m, _)
            | ElementRef::Zone(m, _)
            | ElementRef::Asset(m, _)
            | ElementRef::DataFlow(m, _)
            | ElementRef::Attacker(m, _)
            | ElementRef::Assumption(m, _)
            | ElementRef::Mitigation(m, _)
            | ElementRef::Threat(m, _) => m,
        }
    }
}

/// A lookup table from qualified id to element, built by [`Model::index`].
#[derive(Debug, Clone, Default)]
pub struct ModelIndexTable {
    map: HashMap<Qid, ElementRef>,
}

impl ModelIndexTable {
    /// The element with that qualified id.
    pub fn get(&self, qid: &str) -> Option<ElementRef> {
        self.map.get(qid).copied()
    }

    /// Number of indexed elements.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Model {
    /// Creates a model from its parts (root first).
    pub fn new(models: Vec<ThreatModel>) -> Self {
        Model { models }
    }

    /// The root model.
    pub fn root(&self) -> &ThreatModel {
        &self.models[0]
    }

    /// Indices of the analysed models (root and components, not catalogues).
    pub fn analysed(&self) -> impl Iterator<Item = ModelIndex> + '_ {
        self.models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind != ModelKind::Catalogue)
            .map(|(i, _)| i)
    }

    /// Builds the qualified-id lookup table.
    pub fn index(&self) -> ModelIndexTable {
        let mut map = HashMap::new();
        for (m, tm) in self.models.iter().enumerate() {
            map.insert(tm.qid.clone(), ElementRef::Model(m));
            for (i, e) in tm.requirements.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Requirement(m, i));
            }
            for (i, e) in tm.zones.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Zone(m, i));
            }
            for (i, e) in tm.assets.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Asset(m, i));
            }
            for (i, e) in tm.dataflows.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::DataFlow(m, i));
            }
            for (i, e) in tm.attackers.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Attacker(m, i));
            }
            for (i, e) in tm.assumptions.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Assumption(m, i));
            }
            for (i, e) in tm.mitigations.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Mitigation(m, i));
            }
            for (i, e) in tm.threats.iter().enumerate() {
                map.insert(e.qid.clone(), ElementRef::Threat(m, i));
            }
        }
        ModelIndexTable { map }
    }

    /// The chain of ancestors of a model, nearest first (excluding itself).
    pub fn ancestors(&self, m: ModelIndex) -> Vec<ModelIndex> {
        let mut out = Vec::new();
        let mut cur = self.models[m].parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.models[p].parent;
        }
        out
    }

    /// True when `m` or one of the models that include it is confidential
    /// (a confidential model withholds everything below it).
    pub fn in_confidential_model(&self, m: ModelIndex) -> bool {
        self.models[m].confidential
            || self
                .ancestors(m)
                .iter()
                .any(|&a| self.models[a].confidential)
    }

    /// Models whose elements are visible to `m`: itself, its imports, then each
    /// ancestor and its imports, nearest first, without repetition.
    pub fn visible_models(&self, m: ModelIndex) -> Vec<ModelIndex> {
        let mut out: Vec<ModelIndex> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for owner in std::iter::once(m).chain(self.ancestors(m)) {
            for x in std::iter::once(owner).chain(self.models[owner].imports.iter().copied()) {
                if seen.insert(x) {
                    out.push(x);
                }
            }
        }
        out
    }

    /// How many questions the analysis asks: in-scope targets x in-scope
    /// attackers visible to their model x categories, summed over the
    /// analysed models (without building them).
    pub fn question_count(&self) -> u64 {
        self.analysed()
            .map(|m| {
                let tm = &self.models[m];
                let attackers = self.visible_attackers(m).len() as u64;
                let taxonomy = &tm.abstraction.taxonomy;
                let assets: u64 = tm
                    .assets
                    .iter()
                    .filter(|a| a.in_scope)
                    .map(|a| taxonomy.categories_for(TargetKind::Asset(a.kind)).len() as u64)
                    .sum();
                let flows = tm.dataflows.iter().filter(|f| f.in_scope).count() as u64
                    * taxonomy.categories_for(TargetKind::DataFlow).len() as u64;
                attackers * (assets + flows)
            })
            .sum()
    }

    /// In-scope attackers visible to model `m` (own, imported, ancestors'),
    /// as qualified ids in a deterministic order.
    pub fn visible_attackers(&self, m: ModelIndex) -> Vec<&Attacker> {
        self.visible_models(m)
            .into_iter()
            .flat_map(|v| self.models[v].attackers.iter())
            .filter(|a| a.in_scope)
            .collect()
    }
}
