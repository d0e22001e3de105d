//! The JSON report: the resolved model of the view plus every derived value
//! (qualified ids, statuses, severities and scores, questions, boundary
//! crossings, metrics), in a stable key order.
//!
//! The report is serialized from the model's and the analysis's own types
//! (they derive `Serialize` and `JsonSchema`), borrowed, and written as it
//! is produced ([`write_report`]): nothing is copied, and memory does not
//! grow with the output. The types below only add what a model file does
//! not hold by itself: references resolved to qualified ids, derived values
//! and the view's choices. Its JSON Schema ([`schema`], printed by
//! `tmkit schema report`) is generated from the same types.

use crate::report::ReportOptions;
use schemars::{JsonSchema, SchemaGenerator};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write as _};
use tmkit_analysis::treatment::RegisterEntry;
use tmkit_analysis::views::{ChecklistItem, ComplianceEntry, TicketFlag, View};
use tmkit_analysis::{Crossing, Metrics, Question};
use tmkit_model::Qid;
use tmkit_model::{
    Asset, Assumption, Attacker, DataFlow, Mitigation, Model, ModelKind, Requirement, Threat,
    ThreatModel, Verdict, Zone,
};

/// Major version of the JSON report layout: a reader that knows this major
/// reads every report of it (see docs/reports.md, "Versions").
pub const REPORT_VERSION: u32 = 3;

/// Minor version of the JSON report layout: within one major, a minor only
/// adds keys (1: the governance fields of issue 13; 2: `pattern` of
/// analysis entries, the threat library suppressions, and a null
/// `questions.coverage` when a model asks no question; 3: `tickets`, the
/// tickets' states read back from a tracker).
pub const REPORT_MINOR: u32 = 3;

/// A sequence serialized item by item as it is produced: nothing is
/// collected. Its schema is that of an array of `T`.
pub struct Stream<'a, T>(Box<dyn Fn() -> Box<dyn Iterator<Item = T> + 'a> + 'a>);

impl<'a, T> Stream<'a, T> {
    fn new<I: Iterator<Item = T> + 'a>(make: impl Fn() -> I + 'a) -> Self {
        Stream(Box::new(move || Box::new(make())))
    }
}

impl<T: Serialize> Serialize for Stream<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl<T: JsonSchema> JsonSchema for Stream<'_, T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        <Vec<T>>::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> schemars::Schema {
        <Vec<T>>::json_schema(generator)
    }
}

/// The JSON report.
#[derive(Serialize, JsonSchema)]
pub struct Report<'a> {
    /// Major version of this layout (3).
    pub tmkit_report: u32,
    /// Minor version of this layout: additions within the major (1).
    pub tmkit_report_minor: u32,
    /// Which extraction: `full`, `unmitigated`, `public`, `checklist` or `compliance`.
    pub view: &'static str,
    /// Date given with `--date` or `SOURCE_DATE_EPOCH`, else null.
    pub date: Option<&'a str>,
    /// Qualified id of the root model.
    pub root: &'a str,
    /// Every model of the view (root, components depth-first, catalogues),
    /// resolved: every reference is a qualified id.
    pub models: Stream<'a, ModelJson<'a>>,
    /// The threats the view lists, as qualified ids in report order (by
    /// severity, then score, then status, worst first).
    pub threats: Stream<'a, &'a str>,
    /// The questions of the analysis, one entry per target x attacker with
    /// its open and answered categories (null in views without the analysis:
    /// public, unmitigated, checklist).
    pub questions: Option<Stream<'a, QuestionsJson<'a>>>,
    /// Threats of category `other` per target (null without the analysis).
    pub other: Option<&'a BTreeMap<Qid, Vec<Qid>>>,
    /// Boundary analysis of every in-scope data flow.
    pub crossings: &'a [Crossing],
    /// Metrics of the root, rolled up over its components: the object of
    /// `tmkit metrics --format json`, with the analysis progress
    /// (questions, unanswered crossings, open questions) null in views
    /// without the analysis (public, unmitigated, checklist).
    pub metrics: &'a Metrics,
    /// The acceptance register: each risk accepted or transferred, per
    /// threat, soonest expiry first (full and unmitigated views; empty in
    /// the others).
    pub register: &'a [RegisterEntry],
    /// The review checklist (checklist view only, else empty).
    pub checklist: Stream<'a, ChecklistJson<'a>>,
    /// Every requirement traced to the threats that concern it and the
    /// mitigations that implement it, with its derived status (compliance
    /// view only, else empty).
    pub compliance: &'a [ComplianceEntry],
    /// The tickets the model names, as their tracker last reported them
    /// (`report --tickets FILE`; empty without it, and in the public view).
    pub tickets: Vec<TicketJson<'a>>,
}

/// A ticket as its tracker last reported it, with what needs attention.
#[derive(Serialize, JsonSchema)]
pub struct TicketJson<'a> {
    /// The ticket as the model's `ticket:` holds it.
    pub ticket: &'a str,
    /// The tracker (`GitHub`, `GitLab`, `Jira`).
    pub tracker: &'a str,
    /// Open in the tracker.
    pub open: bool,
    /// Assignees, as the tracker names them.
    pub assignees: &'a [String],
    /// Due date (`YYYY-MM-DD`).
    pub due: Option<String>,
    /// The day the tracker was read.
    pub as_of: Option<String>,
    /// Derived: open and past its due date on the report's date (false
    /// without a date).
    pub overdue: bool,
    /// Derived: closed in the tracker while its element is still open in
    /// the model (an open threat, a mitigation not in place).
    pub closed_not_done: bool,
}

/// One model file, resolved: its elements as the model holds them, its
/// links to other files as qualified ids, its threats with their derived
/// values.
#[derive(Serialize, JsonSchema)]
pub struct ModelJson<'a> {
    /// `root`, `component` or `catalogue`.
    pub kind: &'static str,
    /// Own id.
    pub id: &'a str,
    /// Qualified id.
    pub qid: &'a str,
    /// Qualified id of the including model.
    pub parent: Option<&'a str>,
    /// Qualified ids of the components.
    pub components: Vec<&'a str>,
    /// Qualified ids of the imported catalogues.
    pub imports: Vec<&'a str>,
    /// Source path relative to the root model's directory.
    pub path: &'a str,
    /// Title.
    pub title: &'a str,
    /// Version.
    pub version: Option<&'a str>,
    /// Owner (internal).
    pub owner: Option<&'a str>,
    /// Authors.
    pub authors: &'a [String],
    /// Markdown description.
    pub description: Option<&'a str>,
    /// Confidential model.
    pub confidential: bool,
    /// Level of abstraction and taxonomy.
    pub abstraction: AbstractionJson<'a>,
    /// Requirements.
    pub requirements: &'a [Requirement],
    /// Trust zones.
    pub zones: &'a [Zone],
    /// Assets.
    pub assets: &'a [Asset],
    /// Data flows.
    pub dataflows: &'a [DataFlow],
    /// Attackers.
    pub attackers: &'a [Attacker],
    /// Assumptions.
    pub assumptions: &'a [Assumption],
    /// Verdicts.
    pub analysis: &'a [Verdict],
    /// Mitigations, shared then inline.
    pub mitigations: &'a [Mitigation],
    /// Threats with their derived values.
    pub threats: Stream<'a, ThreatJson<'a>>,
}

/// Abstraction and taxonomy.
#[derive(Serialize, JsonSchema)]
pub struct AbstractionJson<'a> {
    /// Level.
    pub level: Option<&'a str>,
    /// Taxonomy name (`CIA`, `STRIDE`, `STRIDE-per-element`, `LINDDUN`, `custom`).
    pub taxonomy: &'a str,
    /// Its categories, in order (without `other`).
    pub categories: Vec<&'a str>,
    /// Notes.
    pub notes: Option<&'a str>,
}

/// A threat as the model holds it, then its derived values.
#[derive(Serialize, JsonSchema)]
pub struct ThreatJson<'a> {
    /// The threat.
    #[serde(flatten)]
    pub threat: &'a Threat,
    /// Derived: `mitigated`, `accepted`, `partial` or `unmitigated`.
    pub status: &'static str,
    /// Derived: mitigated only by operational controls.
    pub not_secure_by_default: bool,
    /// Derived: CVSS score.
    pub score: Option<f64>,
    /// Derived: `none`, `low`, `medium`, `high`, `critical`; null = unscored.
    pub severity: Option<&'static str>,
    /// Derived: open and tracked by no ticket.
    pub untracked: bool,
}

/// The questions one target is asked about one attacker: one entry per
/// target x attacker, so the report grows with the pairs, not with every
/// category of every pair (docs/reports.md).
#[derive(Serialize, JsonSchema)]
pub struct QuestionsJson<'a> {
    /// Qualified id of the model asking them.
    pub model: &'a str,
    /// Target.
    pub target: &'a str,
    /// Attacker.
    pub attacker: &'a str,
    /// Categories no threat or verdict answers yet (the open questions).
    pub open: Vec<&'a str>,
    /// Categories answered, each with what answers it.
    pub answered: Vec<AnswerJson<'a>>,
}

/// An answered question: its category and what answers it.
#[derive(Serialize, JsonSchema)]
pub struct AnswerJson<'a> {
    /// Category.
    pub category: &'a str,
    /// Threats answering it.
    pub threats: Vec<&'a str>,
    /// Verdict answering it.
    pub verdict: Option<&'static str>,
}

/// An item of the review checklist.
#[derive(Serialize, JsonSchema)]
pub struct ChecklistJson<'a> {
    /// `requirement` or `assumption`.
    pub kind: &'static str,
    /// Qualified id.
    pub qid: &'a str,
    /// Declaring model.
    pub model: &'a str,
    /// Title.
    pub title: &'a str,
    /// Markdown description.
    pub description: Option<&'a str>,
    /// Kind and reference of a requirement.
    pub detail: Option<&'a str>,
    /// The question to answer.
    pub question: &'static str,
    /// Threats relying on an assumption.
    pub relied_on_by: &'a [Qid],
}

fn tickets(view: &View) -> Vec<TicketJson<'_>> {
    let cal = view.calendar.as_ref();
    (view.tickets.states.values())
        .map(|s| {
            let flags = view.tickets.flags(&s.ticket, cal);
            TicketJson {
                ticket: &s.ticket,
                tracker: &s.tracker,
                open: s.open,
                assignees: &s.assignees,
                due: s.due.map(|d| d.to_string()),
                as_of: s.as_of.map(|d| d.to_string()),
                overdue: flags.contains(&TicketFlag::Overdue),
                closed_not_done: flags.contains(&TicketFlag::ClosedNotDone),
            }
        })
        .collect()
}

/// The JSON Schema of [`Report`] (`tmkit schema report`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report<'static>)).unwrap_or_default()
}

/// The report data of a view, borrowed from it; serializing it produces
/// each part as it is written.
pub fn report<'a>(view: &'a View, options: &'a ReportOptions) -> Report<'a> {
    let model = &view.model;
    let analysis = view.sections.analysis;
    Report {
        tmkit_report: REPORT_VERSION,
        tmkit_report_minor: REPORT_MINOR,
        view: view.kind.as_str(),
        date: options.date.as_deref(),
        root: &model.root().qid,
        models: Stream::new(move || model.models.iter().map(move |tm| model_json(view, tm))),
        threats: Stream::new(move || view.threats.iter().map(|t| t.qid.as_str())),
        questions: analysis.then(|| Stream::new(move || question_groups(view))),
        other: analysis.then_some(&view.analysis.other),
        crossings: &view.analysis.crossings,
        metrics: &view.metrics,
        register: &view.register,
        checklist: Stream::new(move || view.checklist.iter().map(checklist_json)),
        compliance: &view.compliance,
        tickets: tickets(view),
    }
}

/// Writes the view as pretty-printed JSON (two-space indent, trailing
/// newline) to `out`, as it is produced. `out` should be buffered.
pub fn write_report(
    view: &View,
    options: &ReportOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    // serde_json makes a write per token: a concrete buffer here keeps
    // those inlined, and hands `out` (a trait object) large chunks only.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    let mut ser = serde_json::Serializer::pretty(&mut buffered);
    report(view, options).serialize(&mut ser)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Renders the view as pretty-printed JSON (two-space indent, trailing newline).
pub fn render(view: &View, options: &ReportOptions) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only if serializing fails, which these types never do.
    let _ = write_report(view, options, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The questions of a view, one entry per target x attacker.
fn question_groups(view: &View) -> impl Iterator<Item = QuestionsJson<'_>> {
    let analysis = &view.analysis;
    analysis.analysed().iter().flat_map(move |&m| {
        let model = view.model.models[m].qid.as_str();
        analysis
            .question_pairs_of(m)
            .map(move |pair| questions_json(model, &pair))
    })
}

fn questions_json<'a>(model: &'a str, pair: &[Question<'a>]) -> QuestionsJson<'a> {
    let (answered, open): (Vec<_>, Vec<_>) = pair.iter().partition(|q| q.answered);
    QuestionsJson {
        model,
        target: pair[0].target,
        attacker: pair[0].attacker,
        open: open.iter().map(|q| q.category).collect(),
        answered: answered
            .iter()
            .map(|q| AnswerJson {
                category: q.category,
                threats: q.threats.clone(),
                verdict: q.verdict.map(|v| v.as_str()),
            })
            .collect(),
    }
}

fn checklist_json(i: &ChecklistItem) -> ChecklistJson<'_> {
    ChecklistJson {
        kind: i.kind.as_str(),
        qid: &i.qid,
        model: &i.model.qid,
        title: &i.title,
        description: i.description.as_deref(),
        detail: i.detail.as_deref(),
        question: i.question(),
        relied_on_by: &i.relied_on_by,
    }
}

fn model_json<'a>(view: &'a View, tm: &'a ThreatModel) -> ModelJson<'a> {
    let model: &Model = &view.model;
    let qids = |v: &[usize]| v.iter().map(|&i| model.models[i].qid.as_str()).collect();
    ModelJson {
        kind: match tm.kind {
            ModelKind::Root => "root",
            ModelKind::Component => "component",
            _ => "catalogue",
        },
        id: &tm.id,
        qid: &tm.qid,
        parent: tm.parent.map(|p| model.models[p].qid.as_str()),
        components: qids(&tm.children),
        imports: qids(&tm.imports),
        path: &tm.path,
        title: &tm.title,
        version: tm.version.as_deref(),
        owner: tm.owner.as_deref(),
        authors: &tm.authors,
        description: tm.description.as_deref(),
        confidential: tm.confidential,
        abstraction: AbstractionJson {
            level: tm.abstraction.level.as_deref(),
            taxonomy: tm.abstraction.taxonomy.name(),
            categories: tm.abstraction.taxonomy.categories(),
            notes: tm.abstraction.notes.as_deref(),
        },
        requirements: &tm.requirements,
        zones: &tm.zones,
        assets: &tm.assets,
        dataflows: &tm.dataflows,
        attackers: &tm.attackers,
        assumptions: &tm.assumptions,
        analysis: &tm.analysis,
        mitigations: &tm.mitigations,
        threats: Stream::new(move || tm.threats.iter().map(move |t| threat_json(view, t))),
    }
}

fn threat_json<'a>(view: &'a View, t: &'a Threat) -> ThreatJson<'a> {
    let info = view.analysis.threat(&t.qid);
    ThreatJson {
        threat: t,
        status: info.map_or("unmitigated", |i| i.status.as_str()),
        not_secure_by_default: info.is_some_and(|i| i.not_secure_by_default),
        score: info.and_then(|i| i.cvss.as_ref().map(|c| c.score)),
        severity: info.and_then(|i| i.severity.map(|s| s.as_str())),
        untracked: info.is_some_and(|i| i.untracked),
    }
}
