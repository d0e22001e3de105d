//! The JSON report: the resolved model of the view plus every derived value
//! (qualified ids, statuses, severities and scores, questions, boundary
//! crossings, metrics), in a stable key order. Its JSON Schema, generated
//! from these types, is printed by `tmkit schema report`.

use crate::report::ReportOptions;
use schemars::JsonSchema;
use serde::Serialize;
use tmkit_analysis::Metrics;
use tmkit_analysis::views::{ChecklistItem, View};
use tmkit_model::{Model, ModelKind, ThreatModel};

/// Version of the JSON report layout.
pub const REPORT_VERSION: u32 = 2;

/// The JSON report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// Version of this layout (1).
    pub tmkit_report: u32,
    /// Which extraction: `full`, `unmitigated`, `public` or `checklist`.
    pub view: String,
    /// Date given with `--date` or `SOURCE_DATE_EPOCH`, else null.
    pub date: Option<String>,
    /// Qualified id of the root model.
    pub root: String,
    /// Every model of the view (root, components depth-first, catalogues),
    /// resolved: every reference is a qualified id.
    pub models: Vec<ModelJson>,
    /// The threats the view lists, as qualified ids in report order (by
    /// severity, then score, then status, worst first).
    pub threats: Vec<String>,
    /// The questions of the analysis, one entry per target x attacker with
    /// its open and answered categories (null in views without the analysis:
    /// public, unmitigated, checklist).
    pub questions: Option<Vec<QuestionsJson>>,
    /// Threats of category `other` per target (null without the analysis).
    pub other: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Boundary analysis of every in-scope data flow.
    pub crossings: Vec<CrossingJson>,
    /// Metrics of the root, rolled up over its components.
    pub metrics: MetricsJson,
    /// The review checklist (checklist view only, else empty).
    pub checklist: Vec<ChecklistJson>,
}

/// One model file, resolved.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ModelJson {
    /// `root`, `component` or `catalogue`.
    pub kind: String,
    /// Own id.
    pub id: String,
    /// Qualified id.
    pub qid: String,
    /// Qualified id of the including model.
    pub parent: Option<String>,
    /// Qualified ids of the components.
    pub components: Vec<String>,
    /// Qualified ids of the imported catalogues.
    pub imports: Vec<String>,
    /// Source path relative to the root model's directory.
    pub path: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: Option<String>,
    /// Owner (internal).
    pub owner: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Confidential model.
    pub confidential: bool,
    /// Level of abstraction and taxonomy.
    pub abstraction: AbstractionJson,
    /// Requirements.
    pub requirements: Vec<RequirementJson>,
    /// Trust zones.
    pub zones: Vec<ZoneJson>,
    /// Assets.
    pub assets: Vec<AssetJson>,
    /// Data flows.
    pub dataflows: Vec<DataFlowJson>,
    /// Attackers.
    pub attackers: Vec<AttackerJson>,
    /// Assumptions.
    pub assumptions: Vec<AssumptionJson>,
    /// Verdicts.
    pub analysis: Vec<VerdictJson>,
    /// Mitigations, shared then inline.
    pub mitigations: Vec<MitigationJson>,
    /// Threats with their derived values.
    pub threats: Vec<ThreatJson>,
}

/// Abstraction and taxonomy.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AbstractionJson {
    /// Level.
    pub level: Option<String>,
    /// Taxonomy name (`CIA`, `STRIDE`, `STRIDE-per-element`, `LINDDUN`, `custom`).
    pub taxonomy: String,
    /// Its categories, in order (without `other`).
    pub categories: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A requirement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RequirementJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// External reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// A trust zone.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ZoneJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Trust level (higher = more trusted).
    pub trust: f64,
    /// Enclosing zone.
    pub within: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// An asset.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AssetJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Kind.
    pub kind: String,
    /// Zone.
    pub zone: Option<String>,
    /// In scope.
    pub in_scope: bool,
    /// Why out of scope.
    pub reason: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// A data flow.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DataFlowJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Source asset.
    pub from: String,
    /// Destination asset.
    pub to: String,
    /// Protocol.
    pub protocol: Option<String>,
    /// Assets carried.
    pub carries: Vec<String>,
    /// Both ways.
    pub bidirectional: bool,
    /// In scope.
    pub in_scope: bool,
    /// Why out of scope.
    pub reason: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// An attacker.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttackerJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Zone acted from.
    pub zone: Option<String>,
    /// In scope.
    pub in_scope: bool,
    /// Why out of scope.
    pub reason: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// An assumption.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AssumptionJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Confidential.
    pub confidential: bool,
}

/// A verdict (analysis entry).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerdictJson {
    /// Target.
    pub target: String,
    /// Attacker; null = every attacker.
    pub attacker: Option<String>,
    /// Category; null = every category.
    pub category: Option<String>,
    /// `no-threat` or `not-applicable`.
    pub verdict: String,
    /// Why.
    pub rationale: String,
    /// Confidential.
    pub confidential: bool,
}

/// A mitigation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MitigationJson {
    /// Qualified id (`<threat qid>/m<n>` for an inline one).
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// `design`, `operational` or `risk-acceptance`.
    pub kind: String,
    /// In place.
    pub in_place: bool,
    /// Operator (internal).
    pub operator: Option<String>,
    /// Ticket (internal).
    pub ticket: Option<String>,
    /// Shared (true) or inline.
    pub shared: bool,
    /// Confidential.
    pub confidential: bool,
}

/// A threat with its derived values.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ThreatJson {
    /// Qualified id.
    pub qid: String,
    /// Local id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Categories (normalised).
    pub categories: Vec<String>,
    /// Targets.
    pub targets: Vec<String>,
    /// Attackers as written; null = every in-scope attacker visible to the model.
    pub attackers: Option<Vec<String>>,
    /// Assumptions relied on.
    pub assumptions: Vec<String>,
    /// CVSS vector.
    pub cvss: Option<String>,
    /// Ticket (internal).
    pub ticket: Option<String>,
    /// Mitigations (qualified ids).
    pub mitigations: Vec<String>,
    /// Confidential.
    pub confidential: bool,
    /// Derived: `mitigated`, `accepted`, `partial` or `unmitigated`.
    pub status: String,
    /// Derived: mitigated only by operational controls.
    pub not_secure_by_default: bool,
    /// Derived: CVSS score.
    pub score: Option<f64>,
    /// Derived: `none`, `low`, `medium`, `high`, `critical`; null = unscored.
    pub severity: Option<String>,
    /// Derived: open and tracked by no ticket.
    pub untracked: bool,
}

/// The questions one target is asked about one attacker: one entry per
/// target x attacker, so the report grows with the pairs, not with every
/// category of every pair (docs/reports.md).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuestionsJson {
    /// Qualified id of the model asking them.
    pub model: String,
    /// Target.
    pub target: String,
    /// Attacker.
    pub attacker: String,
    /// Categories no threat or verdict answers yet (the open questions).
    pub open: Vec<String>,
    /// Categories answered, each with what answers it.
    pub answered: Vec<AnswerJson>,
}

/// An answered question: its category and what answers it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AnswerJson {
    /// Category.
    pub category: String,
    /// Threats answering it.
    pub threats: Vec<String>,
    /// Verdict answering it.
    pub verdict: Option<String>,
}

/// The questions of a view, one entry per target x attacker.
fn question_groups(view: &View) -> Vec<QuestionsJson> {
    let model = &view.model;
    let analysis = &view.analysis;
    let mut groups = Vec::new();
    for &m in analysis.analysed() {
        for pair in analysis.question_pairs_of(m) {
            let (answered, open): (Vec<_>, Vec<_>) = pair.iter().partition(|q| q.answered);
            groups.push(QuestionsJson {
                model: model.models[m].qid.clone(),
                target: pair[0].target.to_string(),
                attacker: pair[0].attacker.to_string(),
                open: open.iter().map(|q| q.category.to_string()).collect(),
                answered: answered
                    .iter()
                    .map(|q| AnswerJson {
                        category: q.category.to_string(),
                        threats: q.threats.iter().map(|t| t.to_string()).collect(),
                        verdict: q.verdict.map(|v| v.as_str().to_string()),
                    })
                    .collect(),
            });
        }
    }
    groups
}

/// The boundary analysis of a data flow.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CrossingJson {
    /// Data flow.
    pub flow: String,
    /// Source zone.
    pub from_zone: Option<String>,
    /// Destination zone.
    pub to_zone: Option<String>,
    /// Source trust.
    pub from_trust: Option<f64>,
    /// Destination trust.
    pub to_trust: Option<f64>,
    /// `none`, `inbound`, `outbound` or `both`.
    pub direction: String,
    /// Exposed categories.
    pub exposed: Vec<String>,
    /// Exposed categories nobody answered (always empty in the public view).
    pub unanswered: Vec<String>,
}

/// Metrics of a model, rolled up over its components.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MetricsJson {
    /// Model qualified id.
    pub model: String,
    /// Questions asked (null in views without the analysis, such as public).
    pub questions: Option<usize>,
    /// Questions answered (null without the analysis).
    pub answered: Option<usize>,
    /// answered / questions (4 decimals; 1 with no question; null without the analysis).
    pub coverage: Option<f64>,
    /// Threats.
    pub threats: usize,
    /// Mitigated threats.
    pub mitigated: usize,
    /// Accepted threats.
    pub accepted: usize,
    /// Partial threats.
    pub partial: usize,
    /// Unmitigated threats.
    pub unmitigated: usize,
    /// Mitigated only by operational controls.
    pub not_secure_by_default: usize,
    /// Threats per severity: critical, high, medium, low, none, unscored.
    pub by_severity: std::collections::BTreeMap<String, usize>,
    /// Mitigations declared.
    pub mitigations: usize,
    /// Mitigations in place.
    pub mitigations_in_place: usize,
    /// Data flows crossing a trust boundary.
    pub crossings: usize,
    /// Crossings with an unanswered exposure (null without the analysis).
    pub crossings_unanswered: Option<usize>,
    /// Open threats with no ticket.
    pub untracked: usize,
    /// The same for each direct component.
    pub components: Vec<MetricsJson>,
}

/// An item of the review checklist.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChecklistJson {
    /// `requirement` or `assumption`.
    pub kind: String,
    /// Qualified id.
    pub qid: String,
    /// Declaring model.
    pub model: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Kind and reference of a requirement.
    pub detail: Option<String>,
    /// The question to answer.
    pub question: String,
    /// Threats relying on an assumption.
    pub relied_on_by: Vec<String>,
}

/// The JSON Schema of [`Report`] (`tmkit schema report`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

/// Builds the report data of a view.
pub fn report(view: &View, options: &ReportOptions) -> Report {
    let model = &view.model;
    let questions = view.sections.analysis.then(|| question_groups(view));
    Report {
        tmkit_report: REPORT_VERSION,
        view: view.kind.as_str().to_string(),
        date: options.date.clone(),
        root: model.root().qid.clone(),
        models: model
            .models
            .iter()
            .map(|tm| model_json(view, model, tm))
            .collect(),
        threats: view.threats.iter().map(|t| t.qid.clone()).collect(),
        questions,
        other: view.sections.analysis.then(|| view.analysis.other.clone()),
        crossings: view
            .analysis
            .crossings
            .iter()
            .map(|c| CrossingJson {
                flow: c.flow.clone(),
                from_zone: c.from_zone.clone(),
                to_zone: c.to_zone.clone(),
                from_trust: c.from_trust,
                to_trust: c.to_trust,
                direction: c.direction.as_str().to_string(),
                exposed: c.exposed.clone(),
                unanswered: c.unanswered.clone(),
            })
            .collect(),
        metrics: metrics_json(&view.metrics, view.sections.analysis),
        checklist: view.checklist.iter().map(checklist_json).collect(),
    }
}

/// Renders the view as pretty-printed JSON (two-space indent, trailing newline).
pub fn render(view: &View, options: &ReportOptions) -> String {
    let mut s = serde_json::to_string_pretty(&report(view, options)).unwrap_or_default();
    s.push('\n');
    s
}

/// Metrics as the report shows them. Without the analysis section (public
/// view) the coverage and unanswered-crossing counts are left out: on a
/// filtered model they would point at where withheld threats were.
fn metrics_json(m: &Metrics, analysis: bool) -> MetricsJson {
    let s = &m.threats.by_severity;
    MetricsJson {
        model: m.model.clone(),
        questions: analysis.then_some(m.questions.total),
        answered: analysis.then_some(m.questions.answered),
        coverage: analysis.then_some(m.questions.coverage),
        threats: m.threats.total,
        mitigated: m.threats.mitigated,
        accepted: m.threats.accepted,
        partial: m.threats.partial,
        unmitigated: m.threats.unmitigated,
        not_secure_by_default: m.threats.not_secure_by_default,
        by_severity: [
            ("critical", s.critical),
            ("high", s.high),
            ("medium", s.medium),
            ("low", s.low),
            ("none", s.none),
            ("unscored", s.unscored),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        mitigations: m.mitigations.total,
        mitigations_in_place: m.mitigations.in_place,
        crossings: m.boundary_crossings.total,
        crossings_unanswered: analysis.then_some(m.boundary_crossings.unanswered),
        untracked: m.untracked_unmitigated,
        components: m
            .components
            .iter()
            .map(|c| metrics_json(c, analysis))
            .collect(),
    }
}

fn checklist_json(i: &ChecklistItem) -> ChecklistJson {
    ChecklistJson {
        kind: i.kind.as_str().to_string(),
        qid: i.qid.clone(),
        model: i.model.qid.clone(),
        title: i.title.clone(),
        description: i.description.clone(),
        detail: i.detail.clone(),
        question: i.question().to_string(),
        relied_on_by: i.relied_on_by.clone(),
    }
}

fn model_json(view: &View, model: &Model, tm: &ThreatModel) -> ModelJson {
    let qids = |v: &[usize]| v.iter().map(|&i| model.models[i].qid.clone()).collect();
    ModelJson {
        kind: match tm.kind {
            ModelKind::Root => "root",
            ModelKind::Component => "component",
            _ => "catalogue",
        }
        .to_string(),
        id: tm.id.clone(),
        qid: tm.qid.clone(),
        parent: tm.parent.map(|p| model.models[p].qid.clone()),
        components: qids(&tm.children),
        imports: qids(&tm.imports),
        path: tm.path.clone(),
        title: tm.title.clone(),
        version: tm.version.clone(),
        owner: tm.owner.clone(),
        authors: tm.authors.clone(),
        description: tm.description.clone(),
        confidential: tm.confidential,
        abstraction: AbstractionJson {
            level: tm.abstraction.level.clone(),
            taxonomy: tm.abstraction.taxonomy.name().to_string(),
            categories: tm
                .abstraction
                .taxonomy
                .categories()
                .into_iter()
                .map(str::to_string)
                .collect(),
            notes: tm.abstraction.notes.clone(),
        },
        requirements: tm
            .requirements
            .iter()
            .map(|r| RequirementJson {
                qid: r.qid.clone(),
                id: r.id.clone(),
                title: r.title.clone(),
                description: r.description.clone(),
                kind: r.kind.clone(),
                reference: r.reference.clone(),
                confidential: r.confidential,
            })
            .collect(),
        zones: tm
            .zones
            .iter()
            .map(|z| ZoneJson {
                qid: z.qid.clone(),
                id: z.id.clone(),
                title: z.title.clone(),
                description: z.description.clone(),
                trust: z.trust,
                within: z.within.clone(),
                confidential: z.confidential,
            })
            .collect(),
        assets: tm
            .assets
            .iter()
            .map(|a| AssetJson {
                qid: a.qid.clone(),
                id: a.id.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                kind: a.kind.as_str().to_string(),
                zone: a.zone.clone(),
                in_scope: a.in_scope,
                reason: a.reason.clone(),
                confidential: a.confidential,
            })
            .collect(),
        dataflows: tm
            .dataflows
            .iter()
            .map(|f| DataFlowJson {
                qid: f.qid.clone(),
                id: f.id.clone(),
                title: f.title.clone(),
                description: f.description.clone(),
                from: f.from.clone(),
                to: f.to.clone(),
                protocol: f.protocol.clone(),
                carries: f.carries.clone(),
                bidirectional: f.bidirectional,
                in_scope: f.in_scope,
                reason: f.reason.clone(),
                confidential: f.confidential,
            })
            .collect(),
        attackers: tm
            .attackers
            .iter()
            .map(|a| AttackerJson {
                qid: a.qid.clone(),
                id: a.id.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                zone: a.zone.clone(),
                in_scope: a.in_scope,
                reason: a.reason.clone(),
                confidential: a.confidential,
            })
            .collect(),
        assumptions: tm
            .assumptions
            .iter()
            .map(|a| AssumptionJson {
                qid: a.qid.clone(),
                id: a.id.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                confidential: a.confidential,
            })
            .collect(),
        analysis: tm
            .analysis
            .iter()
            .map(|v| VerdictJson {
                target: v.target.clone(),
                attacker: v.attacker.clone(),
                category: v.category.clone(),
                verdict: v.verdict.as_str().to_string(),
                rationale: v.rationale.clone(),
                confidential: v.confidential,
            })
            .collect(),
        mitigations: tm
            .mitigations
            .iter()
            .map(|x| MitigationJson {
                qid: x.qid.clone(),
                id: x.id.clone(),
                title: x.title.clone(),
                description: x.description.clone(),
                kind: x.kind.as_str().to_string(),
                in_place: x.in_place,
                operator: x.operator.clone(),
                ticket: x.ticket.clone(),
                shared: x.shared,
                confidential: x.confidential,
            })
            .collect(),
        threats: tm
            .threats
            .iter()
            .map(|t| {
                let info = view.analysis.threat(&t.qid);
                ThreatJson {
                    qid: t.qid.clone(),
                    id: t.id.clone(),
                    title: t.title.clone(),
                    description: t.description.clone(),
                    categories: t.categories.clone(),
                    targets: t.targets.clone(),
                    attackers: t.attackers.clone(),
                    assumptions: t.assumptions.clone(),
                    cvss: t.cvss.clone(),
                    ticket: t.ticket.clone(),
                    mitigations: t.mitigations.clone(),
                    confidential: t.confidential,
                    status: info
                        .map_or("unmitigated", |i| i.status.as_str())
                        .to_string(),
                    not_secure_by_default: info.is_some_and(|i| i.not_secure_by_default),
                    score: info.and_then(|i| i.cvss.as_ref().map(|c| c.score)),
                    severity: info.and_then(|i| i.severity.map(|s| s.as_str().to_string())),
                    untracked: info.is_some_and(|i| i.untracked),
                }
            })
            .collect(),
    }
}
