//! Views of a model: the extractions of docs/reports.md#views.
//!
//! A [`View`] is computed once, as data, by [`View::new`]: the model it shows
//! (the public one is smaller, see [`public()`]), its [`Analysis`], the
//! threats it lists in report order, the analysis matrix as a grid, the
//! checklist, and which sections a report has. Renderers (Markdown, HTML,
//! JSON in `tmkit-render`) only lay this data out: they never decide what is
//! visible.
//!
//! - [`ViewKind::Full`] -- everything.
//! - [`ViewKind::Unmitigated`] -- the confidential "jewels": every threat that
//!   is not `mitigated`, worst first, with targets, attackers, CVSS, tickets
//!   and planned mitigations.
//! - [`ViewKind::Public`] -- the distributable version, [`public()`] applied to
//!   the model; it shows no analysis progress (coverage, open questions,
//!   unanswered boundary crossings), which would point at where withheld
//!   threats are.
//! - [`ViewKind::Checklist`] -- requirements and assumptions as a task list
//!   for reviewing a new feature.
//! - [`ViewKind::Compliance`] -- each requirement traced to the threats that
//!   concern it and the mitigations that implement it, with its status.

mod compliance;
mod component;
mod public;
mod tickets;

pub use compliance::{
    ComplianceEntry, RequirementStatus, TracedMitigation, TracedThreat, compliance,
};
pub use component::{UnknownComponent, component, find_component};
pub use public::public;
pub use tickets::{TicketFlag, TicketState, Tickets};

use crate::treatment::{Calendar, RegisterEntry, fill_deadlines, register};

use crate::analysis::{Analysis, ThreatInfo};
use crate::metrics::{Metrics, coverage};
use crate::question::{Cell, Target};
use crate::severity::worst_first;
use crate::status::Status;
use std::borrow::Cow;
use std::collections::HashMap;
use tmkit_model::cvss::Rating;
use tmkit_model::{Mitigation, Model, ModelIndex, ModelKind, Qid, VerdictKind, WeaknessRef};

/// Which extraction a view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ViewKind {
    /// Everything (confidential).
    Full,
    /// Every threat that is not mitigated, worst first (confidential).
    Unmitigated,
    /// The non-confidential, distributable version.
    Public,
    /// Requirements and assumptions as a review checklist.
    Checklist,
    /// Requirements traced to threats and mitigations (confidential).
    Compliance,
}

impl ViewKind {
    /// Every view, in documentation order.
    pub const ALL: [ViewKind; 5] = [
        ViewKind::Full,
        ViewKind::Unmitigated,
        ViewKind::Public,
        ViewKind::Checklist,
        ViewKind::Compliance,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewKind::Full => "full",
            ViewKind::Unmitigated => "unmitigated",
            ViewKind::Public => "public",
            ViewKind::Checklist => "checklist",
            ViewKind::Compliance => "compliance",
        }
    }

    /// Parses a command-line name.
    pub fn parse(s: &str) -> Option<ViewKind> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// A human title for the report.
    pub fn title(self) -> &'static str {
        match self {
            ViewKind::Full => "Threat model",
            ViewKind::Unmitigated => "Unmitigated threats",
            ViewKind::Public => "Threat model (public edition)",
            ViewKind::Checklist => "Security review checklist",
            ViewKind::Compliance => "Requirements and compliance",
        }
    }

    /// The classification line printed on the report.
    pub fn classification(self) -> &'static str {
        match self {
            ViewKind::Full => "CONFIDENTIAL: contains unmitigated threats and internal names.",
            ViewKind::Unmitigated => {
                "CONFIDENTIAL: the unmitigated vulnerabilities of the system. Do not distribute."
            }
            ViewKind::Public => {
                "Distributable under NDA: contains only mitigated threats and their security features."
            }
            ViewKind::Checklist => "Internal: a review aid for new features.",
            ViewKind::Compliance => {
                "CONFIDENTIAL: traces requirements to open threats and planned controls."
            }
        }
    }
}

impl std::fmt::Display for ViewKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which sections a report of the view has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sections {
    /// Executive summary (counts).
    pub summary: bool,
    /// Coverage, the analysis matrix, open questions, boundary-crossing warnings.
    pub analysis: bool,
    /// The data-flow diagram.
    pub diagram: bool,
    /// Scope: requirements, abstraction, zones, assets, flows, attackers,
    /// assumptions, out of scope.
    pub scope: bool,
    /// The threat list ([`View::threats`]).
    pub threats: bool,
    /// Shared mitigations (security features).
    pub mitigations: bool,
    /// One section per component model.
    pub components: bool,
    /// The checklist ([`View::checklist`]).
    pub checklist: bool,
    /// The acceptance register ([`View::register`]).
    pub register: bool,
    /// The requirements traced ([`View::compliance`]).
    pub compliance: bool,
}

impl Sections {
    fn of(kind: ViewKind) -> Sections {
        let all = Sections {
            summary: true,
            analysis: true,
            diagram: true,
            scope: true,
            threats: true,
            mitigations: true,
            components: true,
            checklist: false,
            register: true,
            compliance: false,
        };
        match kind {
            ViewKind::Full => all,
            ViewKind::Public => Sections {
                analysis: false,
                register: false,
                ..all
            },
            ViewKind::Unmitigated => Sections {
                summary: true,
                threats: true,
                register: true,
                ..Sections::none()
            },
            ViewKind::Checklist => Sections {
                checklist: true,
                ..Sections::none()
            },
            ViewKind::Compliance => Sections {
                compliance: true,
                ..Sections::none()
            },
        }
    }

    fn none() -> Sections {
        Sections {
            summary: false,
            analysis: false,
            diagram: false,
            scope: false,
            threats: false,
            mitigations: false,
            components: false,
            checklist: false,
            register: false,
            compliance: false,
        }
    }
}

/// An element named by another one: qualified id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Named {
    /// Qualified id.
    pub qid: Qid,
    /// Title (the qid when the element is not in the model).
    pub title: String,
}

/// A threat as a report lists it, with its derived values and everything it
/// names resolved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ThreatEntry {
    /// Qualified id.
    pub qid: Qid,
    /// Local id.
    pub id: String,
    /// Model declaring it.
    pub model: ModelIndex,
    /// The declaring model (qid, title).
    pub component: Named,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Categories (normalised).
    pub categories: Vec<String>,
    /// Targets (assets or data flows).
    pub targets: Vec<Named>,
    /// Attackers it lists, or every in-scope attacker visible to its model.
    pub attackers: Vec<Named>,
    /// True when the threat lists no attacker (so it names them all).
    pub all_attackers: bool,
    /// Assumptions it relies on.
    pub assumptions: Vec<Named>,
    /// Status.
    pub status: Status,
    /// Mitigated only by operational controls.
    pub not_secure_by_default: bool,
    /// CVSS vector.
    pub cvss: Option<String>,
    /// Score of the vector.
    pub score: Option<f64>,
    /// Severity of the score; None = unscored.
    pub severity: Option<Rating>,
    /// Ticket (internal).
    pub ticket: Option<String>,
    /// Open and tracked by no ticket.
    pub untracked: bool,
    /// Its mitigations, in the order written (the model's own values).
    pub mitigations: Vec<Mitigation>,
    /// Requirements it concerns.
    pub requirements: Vec<Named>,
    /// Weaknesses and attack techniques it is an instance of.
    pub refs: Vec<WeaknessRef>,
}

impl ThreatEntry {
    /// The mitigations not yet in place.
    pub fn planned(&self) -> impl Iterator<Item = &Mitigation> {
        self.mitigations.iter().filter(|m| !m.in_place)
    }
}

/// How a cell of the analysis matrix stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CellState {
    /// The taxonomy does not ask this category of the target.
    NotAsked,
    /// Every attacker's question is answered, by verdicts or mitigated (or
    /// accepted) threats.
    Answered,
    /// Some attackers' questions are answered, not all.
    PartlyOpen,
    /// No attacker's question is answered.
    Open,
    /// A threat answering it is unmitigated or partial.
    Unmitigated,
}

impl CellState {
    /// The name used in JSON and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::NotAsked => "not-asked",
            CellState::Answered => "answered",
            CellState::PartlyOpen => "partly-open",
            CellState::Open => "open",
            CellState::Unmitigated => "unmitigated",
        }
    }
}

/// One cell of the analysis matrix: a target and a category, over every attacker.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MatrixCell {
    /// Category.
    pub category: String,
    /// How it stands.
    pub state: CellState,
    /// Threats naming the target and category, with their status.
    pub threats: Vec<(Qid, Status)>,
    /// Verdicts: kind and attacker (None = every attacker).
    pub verdicts: Vec<(VerdictKind, Option<Qid>)>,
    /// Attackers whose question nobody answered.
    pub open: Vec<Qid>,
    /// Questions answered / asked in this cell.
    pub answered: usize,
    /// Questions asked in this cell (the model's attackers, or 0 if not asked).
    pub asked: usize,
}

/// One row of the matrix: a target.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MatrixRow {
    /// The target.
    pub target: Named,
    /// `data flow` or the asset kind.
    pub kind: String,
    /// One cell per category of the table.
    pub cells: Vec<MatrixCell>,
    /// Threats of category `other` naming it.
    pub other: Vec<(Qid, Status)>,
}

/// The matrix of one analysed model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MatrixTable {
    /// The model.
    pub model: Named,
    /// Index of the model.
    pub index: ModelIndex,
    /// Column categories (the taxonomy, without `other`).
    pub categories: Vec<String>,
    /// The attackers asked about.
    pub attackers: Vec<Named>,
    /// Rows.
    pub rows: Vec<MatrixRow>,
}

impl MatrixTable {
    /// (answered, asked) questions over the table's own cells (this model
    /// only, not rolled up over its components).
    pub fn questions(&self) -> (usize, usize) {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .fold((0, 0), |(answered, asked), c| {
                (answered + c.answered, asked + c.asked)
            })
    }

    /// Answered / asked ([`coverage`]).
    pub fn coverage(&self) -> Option<f64> {
        let (answered, asked) = self.questions();
        coverage(answered, asked)
    }
}

/// What a checklist item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecklistKind {
    /// A security requirement.
    Requirement,
    /// An assumption.
    Assumption,
}

impl ChecklistKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistKind::Requirement => "requirement",
            ChecklistKind::Assumption => "assumption",
        }
    }
}

/// One item of the review checklist.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChecklistItem {
    /// Requirement or assumption.
    pub kind: ChecklistKind,
    /// Qualified id.
    pub qid: Qid,
    /// The declaring model.
    pub model: Named,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Requirement kind and reference, e.g. `compliance, PCI-DSS 4.0`.
    pub detail: Option<String>,
    /// Threats relying on the assumption (qualified ids).
    pub relied_on_by: Vec<Qid>,
}

impl ChecklistItem {
    /// The question a reviewer answers for this item.
    pub fn question(&self) -> &'static str {
        match self.kind {
            ChecklistKind::Requirement => "Does the feature keep this requirement?",
            ChecklistKind::Assumption => "Does this assumption still hold with the feature?",
        }
    }
}

/// An extraction of a model, computed once as data.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct View {
    /// Which extraction.
    pub kind: ViewKind,
    /// The model it shows (for [`ViewKind::Public`], the filtered one).
    pub model: Model,
    /// The analysis of [`View::model`].
    pub analysis: Analysis,
    /// Metrics of the root, rolled up (computed on [`View::model`]).
    pub metrics: Metrics,
    /// The sections a report of this view has.
    pub sections: Sections,
    /// The threats listed, in report order: by severity (critical first),
    /// then score, then status (worst first), then model order.
    pub threats: Vec<ThreatEntry>,
    /// The analysis matrix of every analysed model (empty when the view has
    /// no analysis section).
    pub matrix: Vec<MatrixTable>,
    /// The checklist (empty unless [`ViewKind::Checklist`]).
    pub checklist: Vec<ChecklistItem>,
    /// The acceptance register of the listed threats (empty in views
    /// without it); days left once [`View::dated`] gives the date.
    pub register: Vec<RegisterEntry>,
    /// The date of [`View::dated`], if given.
    pub calendar: Option<Calendar>,
    /// The requirements traced (compliance view only, else empty).
    pub compliance: Vec<ComplianceEntry>,
    /// The tickets' states as their tracker reported them
    /// ([`View::with_tickets`]; empty unless given, and in the public view).
    pub tickets: Tickets,
}

impl View {
    /// The five worst open threats, for the executive summary of the full
    /// view (other views show none: the public one has no open threats, the
    /// unmitigated one lists them all).
    pub fn worst_open(&self) -> Vec<&ThreatEntry> {
        if self.kind != ViewKind::Full {
            return Vec::new();
        }
        self.threats
            .iter()
            .filter(|t| t.status.is_open())
            .take(5)
            .collect()
    }

    /// Computes the view `kind` of a checked model.
    pub fn new(model: &Model, kind: ViewKind) -> View {
        View::build(model.clone(), kind, true)
    }

    /// [`View::new`], taking the model (no copy of it is made; the public
    /// view filters it into a new one), and without the matrix tables:
    /// [`View::matrix`] is empty and [`View::matrix_tables`] computes each as
    /// it is asked for. On a large model the tables are the largest part of
    /// a view; reports hold one at a time, the JSON report none.
    pub fn without_matrix(model: Model, kind: ViewKind) -> View {
        View::build(model, kind, false)
    }

    fn build(model: Model, kind: ViewKind, with_matrix: bool) -> View {
        let model = match kind {
            ViewKind::Public => public(&model),
            _ => model,
        };
        let mut analysis = Analysis::new(&model);
        let sections = Sections::of(kind);
        if !sections.analysis {
            // Unanswered exposures of the filtered model could point at where
            // a withheld threat was (diagrams highlight them).
            for c in &mut analysis.crossings {
                c.unanswered.clear();
            }
        }
        let mut metrics = analysis.metrics(&model, 0);
        if !sections.analysis {
            metrics.withhold_progress();
        }
        let lookup = Lookup::new(&model);
        let mut threats: Vec<ThreatEntry> = match kind {
            ViewKind::Checklist | ViewKind::Compliance => Vec::new(),
            _ => analysis
                .threats
                .iter()
                .filter(|t| kind != ViewKind::Unmitigated || t.status != Status::Mitigated)
                .map(|t| threat_entry(&model, &analysis, &lookup, t))
                .collect(),
        };
        threats.sort_by_key(|t| worst_first(t.severity, t.score, t.status));
        let matrix = if sections.analysis && with_matrix {
            matrix(&model, &analysis, &lookup)
        } else {
            Vec::new()
        };
        let checklist = if sections.checklist {
            checklist(&model)
        } else {
            Vec::new()
        };
        let register = if sections.register {
            register(&threats, None)
        } else {
            Vec::new()
        };
        let compliance = if sections.compliance {
            compliance(&model, &analysis)
        } else {
            Vec::new()
        };
        View {
            kind,
            model,
            analysis,
            metrics,
            sections,
            threats,
            matrix,
            checklist,
            register,
            calendar: None,
            compliance,
            tickets: Tickets::default(),
        }
    }

    /// The view on a report's date (`--date`, `YYYY-MM-DD`), if it is one:
    /// a report never reads the clock, so without a date it stays undated.
    pub fn dated_on(self, date: Option<&str>) -> View {
        match date.and_then(|d| tmkit_model::Date::parse(d).ok()) {
            Some(today) => self.dated(&Calendar::new(today)),
            None => self,
        }
    }

    /// The view on a date: days left in the register, and the metrics'
    /// counts of expired and expiring acceptances and overdue mitigations
    /// (not in the public view, which shows no treatment).
    pub fn dated(mut self, cal: &Calendar) -> View {
        self.calendar = Some(*cal);
        if self.sections.register {
            self.register = register(&self.threats, Some(cal));
        }
        if self.kind != ViewKind::Public {
            fill_deadlines(&mut self.metrics, &self.model, 0, cal);
        }
        self
    }

    /// The matrix tables, one per analysed model, in model order: the
    /// view's own ([`View::matrix`]) or, for a view built without them
    /// ([`View::without_matrix`]), each computed as it is asked for, so that
    /// only one is held at a time.
    pub fn matrix_tables(&self) -> Box<dyn Iterator<Item = Cow<'_, MatrixTable>> + '_> {
        if !self.sections.analysis || !self.matrix.is_empty() {
            return Box::new(self.matrix.iter().map(Cow::Borrowed));
        }
        let lookup = Lookup::new(&self.model);
        Box::new(
            self.analysis
                .analysed()
                .iter()
                .map(move |&m| Cow::Owned(matrix_table(&self.model, &self.analysis, &lookup, m))),
        )
    }

    /// The threats of one model, in report order.
    pub fn threats_of(&self, m: ModelIndex) -> impl Iterator<Item = &ThreatEntry> {
        self.threats.iter().filter(move |t| t.model == m)
    }

    /// The analysed component models (not the root), in model order.
    pub fn components(&self) -> impl Iterator<Item = ModelIndex> + '_ {
        self.model
            .analysed()
            .filter(|&m| self.model.models[m].kind == ModelKind::Component)
    }

    /// The imported catalogues, in model order.
    pub fn catalogues(&self) -> impl Iterator<Item = ModelIndex> + '_ {
        self.model
            .models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind == ModelKind::Catalogue)
            .map(|(i, _)| i)
    }
}

/// Qualified id -> title of every element, for resolving names.
struct Lookup<'a> {
    titles: HashMap<&'a str, &'a str>,
    mitigations: HashMap<&'a str, &'a Mitigation>,
}

impl<'a> Lookup<'a> {
    fn new(model: &'a Model) -> Lookup<'a> {
        let mut titles = HashMap::new();
        let mut mitigations = HashMap::new();
        for tm in &model.models {
            titles.insert(tm.qid.as_str(), tm.title.as_str());
            for x in &tm.requirements {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.zones {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.assets {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.dataflows {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.attackers {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.assumptions {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.threats {
                titles.insert(x.qid.as_str(), x.title.as_str());
            }
            for x in &tm.mitigations {
                titles.insert(x.qid.as_str(), x.title.as_str());
                mitigations.insert(x.qid.as_str(), x);
            }
        }
        Lookup {
            titles,
            mitigations,
        }
    }

    fn named(&self, qid: &str) -> Named {
        Named {
            qid: qid.into(),
            title: self.titles.get(qid).copied().unwrap_or(qid).to_string(),
        }
    }
}

fn threat_entry(
    model: &Model,
    analysis: &Analysis,
    lookup: &Lookup,
    info: &ThreatInfo,
) -> ThreatEntry {
    let tm = &model.models[info.model];
    let t = &tm.threats[info.index];
    let (attackers, all_attackers) = match &t.attackers {
        Some(list) => (list.iter().map(|q| lookup.named(q)).collect(), false),
        None => (
            analysis
                .attackers_of(info.model)
                .iter()
                .map(|a| Named {
                    qid: a.qid.clone(),
                    title: a.title.clone(),
                })
                .collect(),
            true,
        ),
    };
    ThreatEntry {
        qid: t.qid.clone(),
        id: t.id.clone(),
        model: info.model,
        component: Named {
            qid: tm.qid.clone(),
            title: tm.title.clone(),
        },
        title: t.title.clone(),
        description: t.description.clone(),
        categories: t.categories.clone(),
        targets: t.targets.iter().map(|q| lookup.named(q)).collect(),
        attackers,
        all_attackers,
        assumptions: t.assumptions.iter().map(|q| lookup.named(q)).collect(),
        status: info.status,
        not_secure_by_default: info.not_secure_by_default,
        cvss: t.cvss.clone(),
        score: info.cvss.as_ref().map(|c| c.score),
        severity: info.severity,
        ticket: t.ticket.clone(),
        untracked: info.untracked,
        mitigations: t
            .mitigations
            .iter()
            .filter_map(|q| lookup.mitigations.get(q.as_str()))
            .map(|&m| m.clone())
            .collect(),
        requirements: t.requirements.iter().map(|q| lookup.named(q)).collect(),
        refs: t.refs.clone(),
    }
}

fn matrix(model: &Model, analysis: &Analysis, lookup: &Lookup) -> Vec<MatrixTable> {
    (analysis.analysed().iter())
        .map(|&m| matrix_table(model, analysis, lookup, m))
        .collect()
}

/// The matrix of analysed model `m`.
fn matrix_table(model: &Model, analysis: &Analysis, lookup: &Lookup, m: ModelIndex) -> MatrixTable {
    let named = |qid: &Qid, title: &String| Named {
        qid: qid.clone(),
        title: title.clone(),
    };
    let tm = &model.models[m];
    let categories: Vec<String> = analysis
        .categories_of(m)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let rows = analysis
        .targets_of(m)
        .iter()
        .map(|target| matrix_row(analysis, lookup, target, &categories))
        .collect();
    MatrixTable {
        model: named(&tm.qid, &tm.title),
        index: m,
        categories,
        attackers: analysis
            .attackers_of(m)
            .iter()
            .map(|a| named(&a.qid, &a.title))
            .collect(),
        rows,
    }
}

/// The row of a target: one cell per category of the table.
fn matrix_row(
    analysis: &Analysis,
    lookup: &Lookup,
    target: &Target,
    categories: &[String],
) -> MatrixRow {
    let threat_ref = |&ti: &usize| {
        let t = &analysis.threats[ti];
        (t.qid.clone(), t.status)
    };
    let cells = categories
        .iter()
        .map(
            |cat| match target.cells.iter().find(|c| &*c.category == cat) {
                Some(cell) => matrix_cell(analysis, target, cell),
                None => MatrixCell {
                    category: cat.clone(),
                    state: CellState::NotAsked,
                    threats: Vec::new(),
                    verdicts: Vec::new(),
                    open: Vec::new(),
                    answered: 0,
                    asked: 0,
                },
            },
        )
        .collect();
    MatrixRow {
        target: lookup.named(&target.qid),
        kind: match target.kind {
            tmkit_model::taxonomy::TargetKind::DataFlow => "data flow".to_string(),
            tmkit_model::taxonomy::TargetKind::Asset(k) => k.as_str().to_string(),
        },
        cells,
        other: target.other.iter().map(threat_ref).collect(),
    }
}

/// A cell the taxonomy asks: what answers it, and how it stands.
fn matrix_cell(analysis: &Analysis, target: &Target, cell: &Cell) -> MatrixCell {
    let open: Vec<Qid> = analysis
        .open_attackers(target, cell)
        .map(|a| a.qid.clone())
        .collect();
    let threats: Vec<(Qid, Status)> = cell
        .threats
        .iter()
        .map(|&ti| {
            (
                analysis.threats[ti].qid.clone(),
                analysis.threats[ti].status,
            )
        })
        .collect();
    let asked = analysis.attackers_of(target.model).len();
    let answered = asked - open.len();
    let state = if threats.iter().any(|(_, s)| s.is_open()) {
        CellState::Unmitigated
    } else if asked == 0 || answered == asked {
        CellState::Answered
    } else if answered == 0 {
        CellState::Open
    } else {
        CellState::PartlyOpen
    };
    MatrixCell {
        category: cell.category.to_string(),
        state,
        threats,
        verdicts: cell
            .verdicts
            .iter()
            .map(|v| (v.verdict, v.attacker.clone()))
            .collect(),
        open,
        answered,
        asked,
    }
}

fn checklist(model: &Model) -> Vec<ChecklistItem> {
    let mut relied: HashMap<&str, Vec<Qid>> = HashMap::new();
    for tm in &model.models {
        for t in &tm.threats {
            for a in &t.assumptions {
                relied.entry(a.as_str()).or_default().push(t.qid.clone());
            }
        }
    }
    let mut items = Vec::new();
    for tm in &model.models {
        let owner = Named {
            qid: tm.qid.clone(),
            title: tm.title.clone(),
        };
        for r in &tm.requirements {
            let detail: Vec<&str> = [r.kind.as_deref(), r.reference.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            items.push(ChecklistItem {
                kind: ChecklistKind::Requirement,
                qid: r.qid.clone(),
                model: owner.clone(),
                title: r.title.clone(),
                description: r.description.clone(),
                detail: (!detail.is_empty()).then(|| detail.join(", ")),
                relied_on_by: Vec::new(),
            });
        }
    }
    for tm in &model.models {
        let owner = Named {
            qid: tm.qid.clone(),
            title: tm.title.clone(),
        };
        for a in &tm.assumptions {
            items.push(ChecklistItem {
                kind: ChecklistKind::Assumption,
                qid: a.qid.clone(),
                model: owner.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                detail: None,
                relied_on_by: relied.get(a.qid.as_str()).cloned().unwrap_or_default(),
            });
        }
    }
    items
}
