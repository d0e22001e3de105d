//! The report outline: the sections of the Markdown and HTML reports as
//! data, written once.
//!
//! [`SECTIONS`] lists every section in report order with its anchor, title,
//! when the view has it, and a builder that emits neutral [`Block`]s:
//! headings, paragraphs, tables, key/value facts, descriptions, and a few
//! domain widgets (the summary, the matrix, a threat card) that each
//! language draws its own way. The builders decide *what* is shown; the
//! renderers (`markdown.rs`, `html.rs`) only know how to print each block in
//! their language, every user string through that language's one escaping
//! function. Text in an [`Inline::Text`] is raw user text, escaped when
//! printed; [`Inline::Raw`] is fixed text, safe as is in both languages.

mod treatment;

pub(crate) use treatment::{mitigation_notes, ticket_state};

use crate::escape::anchor;
use crate::report::{SEVERITIES, percent, severity_key, severity_label};
use std::borrow::Cow;
use std::collections::HashMap;
use tmkit_analysis::Crossing;
use tmkit_analysis::views::{
    ChecklistItem, ChecklistKind, MatrixTable, Named, ThreatEntry, View, ViewKind,
};
use tmkit_model::Qid;
use tmkit_model::{Abstraction, ModelIndex, ModelKind, Requirement, WeaknessRef};

/// Inline content of a paragraph, a cell or a heading.
#[derive(Debug, Clone)]
pub(crate) enum Inline<'a> {
    /// User text: escaped when printed.
    Text(Cow<'a, str>),
    /// Fixed or computed text with nothing to escape (numbers, names of the
    /// format, entities): printed as is in both languages.
    Raw(Cow<'a, str>),
    /// Fixed text worded differently per language.
    Fixed {
        /// In Markdown.
        md: &'static str,
        /// In HTML.
        html: &'static str,
    },
    /// A qualified id, shown as an id.
    Qid(&'a str),
    /// A link to an element's anchor, showing its qualified id.
    QidLink(&'a str),
    /// A qualified id after a title (`Title (id)`).
    QidNote(&'a str),
    /// A value shown as code (a path).
    Code(&'a str),
    /// An element by title and qualified id; a link when `link`.
    Named(&'a Named, bool),
    /// A ticket: a link when it is a safe URL, else code.
    Ticket(&'a str),
    /// Text that needs attention.
    Warn(Vec<Inline<'a>>),
    /// A weakness reference: a link to its MITRE page in HTML, plain text
    /// in Markdown (text and URL are built from its validated numbers).
    Weakness(WeaknessRef),
    /// The trust-boundary cell of a data flow.
    Crossing(&'a Crossing),
}

/// A cell or a paragraph: inlines printed one after the other.
pub(crate) type Line<'a> = Vec<Inline<'a>>;

/// One table row; `anchor` is the qualified id the row is the anchor of.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    pub anchor: Option<&'a str>,
    pub cells: Vec<Line<'a>>,
}

/// A block of a section.
#[derive(Debug, Clone)]
pub(crate) enum Block<'a> {
    /// A heading below the section's own (`level` 3 or 4), with its anchor.
    Heading {
        level: usize,
        id: String,
        title: Line<'a>,
    },
    /// A paragraph.
    Para(Line<'a>),
    /// A paragraph explaining what follows.
    Legend(Line<'a>),
    /// A table with a header row.
    Table { head: Line<'a>, rows: Vec<Row<'a>> },
    /// Key/value facts about one element.
    Facts(Vec<(&'static str, Line<'a>)>),
    /// A Markdown description (rendered through the description renderer).
    Description(Option<&'a str>),
    /// Warnings, one per item.
    Warnings(Vec<String>),
    /// The executive summary (counts drawn as cards or lines).
    Summary,
    /// The data-flow diagram.
    Diagram,
    /// The abstraction and taxonomy of a model.
    Abstraction(&'a Abstraction),
    /// What a matrix cell shows.
    MatrixLegend,
    /// The analysis matrix of one model (computed as it is written when
    /// the view was built without its tables).
    Matrix(Cow<'a, MatrixTable>),
    /// The list of every threat of the view, in report order.
    ThreatIndex,
    /// One threat: its facts shared by every language, then its
    /// description and mitigations.
    Threat {
        entry: &'a ThreatEntry,
        facts: Vec<(&'static str, Line<'a>)>,
    },
    /// Items of the review checklist.
    Checklist(Vec<&'a ChecklistItem>),
}

/// An entry of the table of contents below a section.
pub(crate) struct TocItem<'a> {
    /// The anchor linked to.
    pub href: String,
    /// The text, with its count when it has one.
    pub title: Line<'a>,
    /// A detail entry (a severity group) shown only where the contents are
    /// a side bar, not in a printed list of sections.
    pub detail: bool,
}

/// One section of the report.
pub(crate) struct Section {
    /// Anchor suffix: the section's anchor is `_<id>`.
    pub id: &'static str,
    /// Its title (in the contents and, unless [`Section::retitle`] gives
    /// another, as its heading).
    pub title: Inline<'static>,
    /// The heading of the section in a view that words it differently.
    pub retitle: fn(&View) -> Option<&'static str>,
    /// The view has the section (it is listed in the contents).
    pub listed: fn(&View) -> bool,
    /// The section has something to show (else it is left out of the body).
    pub printed: fn(&View) -> bool,
    /// Emits its blocks in order.
    pub build: for<'a> fn(&'a View, &mut dyn FnMut(Block<'a>)),
    /// Its entries in the table of contents.
    pub toc: for<'a> fn(&'a View) -> Vec<TocItem<'a>>,
}

impl Section {
    /// The heading of the section in `view`.
    pub fn heading(&self, view: &View) -> Inline<'static> {
        (self.retitle)(view).map_or_else(|| self.title.clone(), raw)
    }
}

fn same_title(_: &View) -> Option<&'static str> {
    None
}

fn always(_: &View) -> bool {
    true
}

fn no_toc(_: &View) -> Vec<TocItem<'_>> {
    Vec::new()
}

pub(crate) const fn raw(s: &'static str) -> Inline<'static> {
    Inline::Raw(Cow::Borrowed(s))
}

pub(crate) fn text(s: &str) -> Inline<'_> {
    Inline::Text(Cow::Borrowed(s))
}

/// The sections of every report, in order.
pub(crate) static SECTIONS: [Section; 11] = [
    Section {
        id: "summary",
        title: raw("Executive summary"),
        retitle: same_title,
        listed: |v| v.sections.summary,
        printed: always,
        build: |_, out| out(Block::Summary),
        toc: no_toc,
    },
    Section {
        id: "diagram",
        title: raw("Data-flow diagram"),
        retitle: same_title,
        listed: |v| v.sections.diagram,
        printed: |v| v.model.models.iter().any(|m| !m.assets.is_empty()),
        build: |_, out| out(Block::Diagram),
        toc: no_toc,
    },
    Section {
        id: "scope",
        title: raw("Scope"),
        retitle: same_title,
        listed: |v| v.sections.scope,
        printed: always,
        build: |v, out| scope(v, 0, 3, out),
        toc: no_toc,
    },
    Section {
        id: "analysis",
        title: Inline::Fixed {
            md: "Analysis",
            html: "Analysis matrix",
        },
        retitle: same_title,
        listed: |v| v.sections.analysis,
        printed: always,
        build: analysis,
        toc: no_toc,
    },
    Section {
        id: "threats",
        title: raw("Threats"),
        retitle: |v| {
            (v.kind == ViewKind::Unmitigated).then_some("Unmitigated threats, worst first")
        },
        listed: |v| v.sections.threats,
        printed: always,
        build: threats,
        toc: severity_toc,
    },
    Section {
        id: "register",
        title: raw("Acceptance register"),
        retitle: same_title,
        listed: |v| v.sections.register && !v.register.is_empty(),
        printed: |v| !v.register.is_empty(),
        build: treatment::register,
        toc: no_toc,
    },
    Section {
        id: "mitigations",
        title: raw("Security controls"),
        retitle: same_title,
        listed: |v| v.sections.mitigations,
        printed: |v| shared_mitigations(v).next().is_some(),
        build: mitigations,
        toc: no_toc,
    },
    Section {
        id: "components",
        title: raw("Components"),
        retitle: same_title,
        listed: |v| v.sections.components && v.components().next().is_some(),
        printed: always,
        build: components,
        toc: component_toc,
    },
    Section {
        id: "catalogues",
        title: raw("Imported catalogues"),
        retitle: same_title,
        listed: |v| v.sections.components && v.catalogues().next().is_some(),
        printed: always,
        build: catalogues,
        toc: no_toc,
    },
    Section {
        id: "checklist",
        title: raw("Checklist"),
        retitle: same_title,
        listed: |v| v.sections.checklist,
        printed: always,
        build: checklist,
        toc: no_toc,
    },
    Section {
        id: "compliance",
        title: raw("Requirements and compliance"),
        retitle: same_title,
        listed: |v| v.sections.compliance,
        printed: always,
        build: crate::compliance::build,
        toc: no_toc,
    },
];

/// The anchor of a heading below a section: `_<id>`, which no qualified id
/// starts with, so it never collides with an element's anchor.
pub(crate) fn section_anchor(id: &str) -> String {
    format!("_{id}")
}

/// `items` separated by `sep`, or `none` when there is none.
pub(crate) fn joined<'a>(
    items: Vec<Inline<'a>>,
    sep: &'static str,
    none: &'static str,
) -> Line<'a> {
    if items.is_empty() {
        return if none.is_empty() {
            Vec::new()
        } else {
            vec![raw(none)]
        };
    }
    let mut out = Vec::with_capacity(items.len() * 2);
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(raw(sep));
        }
        out.push(x);
    }
    out
}

/// An optional text cell.
fn opt_text(s: Option<&str>) -> Line<'_> {
    s.map(|s| vec![text(s)]).unwrap_or_default()
}

/// An optional link cell.
fn opt_link(s: Option<&str>) -> Line<'_> {
    s.map(|s| vec![Inline::QidLink(s)]).unwrap_or_default()
}

fn qid_links<'a>(qids: impl IntoIterator<Item = &'a str>) -> Vec<Inline<'a>> {
    qids.into_iter().map(Inline::QidLink).collect()
}

/// A row anchored at `qid`, its first cell showing the qid.
pub(crate) fn element_row<'a>(qid: &'a str, rest: Vec<Line<'a>>) -> Row<'a> {
    let mut cells = vec![vec![Inline::Qid(qid)]];
    cells.extend(rest);
    Row {
        anchor: Some(qid),
        cells,
    }
}

pub(crate) fn table<'a>(head: &[&'static str], rows: Vec<Row<'a>>) -> Block<'a> {
    Block::Table {
        head: head.iter().map(|h| raw(h)).collect(),
        rows,
    }
}

/// A table of a model's scope: its anchor id, title, head and rows.
struct ScopePart {
    id: &'static str,
    title: &'static str,
    head: &'static [Inline<'static>],
    rows: for<'a> fn(&'a View, ModelIndex) -> Vec<Row<'a>>,
}

/// The tables of a model's scope, in order; a table without rows is left out.
static SCOPE_PARTS: [ScopePart; 7] = [
    ScopePart {
        id: "requirements",
        title: "Security requirements",
        head: &[raw("ID"), raw("Requirement"), raw("Kind"), raw("Reference")],
        rows: requirement_rows,
    },
    ScopePart {
        id: "zones",
        title: "Trust zones",
        head: &[raw("ID"), raw("Zone"), raw("Trust"), raw("Within")],
        rows: zone_rows,
    },
    ScopePart {
        id: "assets",
        title: "Assets",
        head: &[raw("ID"), raw("Asset"), raw("Kind"), raw("Zone")],
        rows: asset_rows,
    },
    ScopePart {
        id: "dataflows",
        title: "Data flows",
        head: &[
            raw("ID"),
            raw("Data flow"),
            Inline::Fixed {
                md: "From / to",
                html: "From &rarr; to",
            },
            raw("Protocol"),
            raw("Carries"),
            raw("Trust boundary"),
        ],
        rows: dataflow_rows,
    },
    ScopePart {
        id: "attackers",
        title: "Attackers",
        head: &[raw("ID"), raw("Attacker"), raw("Acts from")],
        rows: attacker_rows,
    },
    ScopePart {
        id: "assumptions",
        title: "Assumptions",
        head: &[raw("ID"), raw("Assumption")],
        rows: |v, m| {
            (v.model.models[m].assumptions.iter())
                .map(|a| element_row(&a.qid, vec![vec![text(&a.title)]]))
                .collect()
        },
    },
    ScopePart {
        id: "out-of-scope",
        title: "Out of scope",
        head: &[raw("ID"), raw("Element"), raw("Kind"), raw("Why")],
        rows: out_of_scope_rows,
    },
];

/// The scope of model `m`, its headings at `level`.
fn scope<'a>(view: &'a View, m: ModelIndex, level: usize, out: &mut dyn FnMut(Block<'a>)) {
    let tm = &view.model.models[m];
    let model_anchor = anchor(&tm.qid);
    let heading = |id: &str, title: &'static str| Block::Heading {
        level,
        id: format!("{}-{model_anchor}", section_anchor(id)),
        title: vec![raw(title)],
    };
    if tm.kind != ModelKind::Catalogue {
        out(heading("abstraction", "Abstraction and taxonomy"));
        out(Block::Abstraction(&tm.abstraction));
    }
    for part in &SCOPE_PARTS {
        let rows = (part.rows)(view, m);
        if !rows.is_empty() {
            out(heading(part.id, part.title));
            out(Block::Table {
                head: part.head.to_vec(),
                rows,
            });
        }
    }
}

fn requirement_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    (view.model.models[m].requirements.iter())
        .map(|r| {
            element_row(
                &r.qid,
                vec![
                    vec![text(&r.title)],
                    opt_text(r.kind.as_deref()),
                    references(r),
                ],
            )
        })
        .collect()
}

/// A requirement's references: its clauses of standards, then its
/// free-text `ref`.
pub(crate) fn references(r: &Requirement) -> Line<'_> {
    let refs = r
        .refs
        .iter()
        .map(|x| Inline::Text(Cow::Owned(x.to_string())));
    let free = r.reference.as_deref().map(text);
    joined(refs.chain(free).collect(), "; ", "")
}

fn zone_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    (view.model.models[m].zones.iter())
        .map(|z| {
            element_row(
                &z.qid,
                vec![
                    vec![text(&z.title)],
                    vec![Inline::Raw(Cow::Owned(z.trust.to_string()))],
                    opt_link(z.within.as_deref()),
                ],
            )
        })
        .collect()
}

fn asset_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    (view.model.models[m].assets.iter().filter(|a| a.in_scope))
        .map(|a| {
            element_row(
                &a.qid,
                vec![
                    vec![text(&a.title)],
                    vec![raw(a.kind.as_str())],
                    opt_link(a.zone.as_deref()),
                ],
            )
        })
        .collect()
}

fn attacker_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    (view.model.models[m].attackers.iter().filter(|a| a.in_scope))
        .map(|a| {
            element_row(
                &a.qid,
                vec![vec![text(&a.title)], opt_link(a.zone.as_deref())],
            )
        })
        .collect()
}

/// The in-scope data flows of model `m`, with their trust boundary.
fn dataflow_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    let tm = &view.model.models[m];
    let crossings: HashMap<&str, &Crossing> = (view.analysis.crossings.iter())
        .filter(|c| c.model == m && c.direction.crosses())
        .map(|c| (c.flow.as_str(), c))
        .collect();
    (tm.dataflows.iter().filter(|f| f.in_scope))
        .map(|f| {
            let route = vec![
                Inline::QidLink(&f.from),
                raw(if f.bidirectional {
                    " &harr; "
                } else {
                    " &rarr; "
                }),
                Inline::QidLink(&f.to),
            ];
            let boundary = match crossings.get(f.qid.as_str()) {
                Some(c) => vec![Inline::Crossing(c)],
                None => vec![raw("-")],
            };
            element_row(
                &f.qid,
                vec![
                    vec![text(&f.title)],
                    route,
                    opt_text(f.protocol.as_deref()),
                    joined(qid_links(f.carries.iter().map(Qid::as_str)), ", ", ""),
                    boundary,
                ],
            )
        })
        .collect()
}

/// The out-of-scope assets, data flows and attackers of model `m`.
fn out_of_scope_rows(view: &View, m: ModelIndex) -> Vec<Row<'_>> {
    let tm = &view.model.models[m];
    let mut rows = Vec::new();
    let assets = (tm.assets.iter().filter(|a| !a.in_scope))
        .map(|a| (&a.qid, "asset", &a.title, a.reason.as_deref()));
    let flows = (tm.dataflows.iter().filter(|f| !f.in_scope))
        .map(|f| (&f.qid, "data flow", &f.title, f.reason.as_deref()));
    let attackers = (tm.attackers.iter().filter(|a| !a.in_scope))
        .map(|a| (&a.qid, "attacker", &a.title, a.reason.as_deref()));
    for (qid, kind, title, reason) in assets.chain(flows).chain(attackers) {
        rows.push(element_row(
            qid,
            vec![vec![text(title)], vec![raw(kind)], opt_text(reason)],
        ));
    }
    rows
}

fn analysis<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    out(Block::MatrixLegend);
    for table in view.matrix_tables() {
        out(Block::Matrix(table));
    }
    let warnings: Vec<String> = (view.analysis.crossings.iter())
        .flat_map(|c| c.warnings())
        .collect();
    if !warnings.is_empty() {
        out(Block::Heading {
            level: 3,
            id: section_anchor("crossing-warnings"),
            title: vec![raw("Unanswered trust-boundary crossings")],
        });
        out(Block::Warnings(warnings));
    }
    let verdicts: Vec<Row> = (view.analysis.analysed().iter())
        .flat_map(|&m| view.model.models[m].analysis.iter())
        .filter(|v| v.pattern.is_none())
        .map(|v| Row {
            anchor: None,
            cells: vec![
                vec![Inline::QidLink(&v.target)],
                vec![
                    v.attacker
                        .as_deref()
                        .map_or(raw("every attacker"), Inline::QidLink),
                ],
                vec![v.category.as_deref().map_or(raw("every category"), text)],
                vec![raw(v.verdict.as_str())],
                vec![text(&v.rationale)],
            ],
        })
        .collect();
    if !verdicts.is_empty() {
        out(Block::Heading {
            level: 3,
            id: section_anchor("verdicts"),
            title: vec![raw("Verdicts")],
        });
        out(table(
            &["Target", "Attacker", "Category", "Verdict", "Rationale"],
            verdicts,
        ));
    }
    suppressions(view, out);
}

/// The library patterns suppressed for a target (`analysis` entries with
/// `pattern`, docs/library.md#suppressions); the public view has none.
fn suppressions<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    let rows: Vec<Row> = (view.analysis.analysed().iter())
        .flat_map(|&m| view.model.models[m].analysis.iter())
        .filter_map(|v| {
            let pattern = v.pattern.as_deref()?;
            Some(Row {
                anchor: None,
                cells: vec![
                    vec![Inline::QidLink(&v.target)],
                    vec![text(pattern)],
                    vec![
                        v.attacker
                            .as_deref()
                            .map_or(raw("every attacker"), Inline::QidLink),
                    ],
                    vec![v.category.as_deref().map_or(raw("every category"), text)],
                    vec![text(&v.rationale)],
                ],
            })
        })
        .collect();
    if !rows.is_empty() {
        out(Block::Heading {
            level: 3,
            id: section_anchor("suppressions"),
            title: vec![raw("Suppressed library patterns")],
        });
        out(table(
            &["Target", "Pattern", "Attacker", "Category", "Rationale"],
            rows,
        ));
    }
}

/// The threats of the view with each severity, in report order.
pub(crate) fn severity_groups(
    view: &View,
) -> impl Iterator<Item = (Option<tmkit_analysis::Rating>, Vec<&ThreatEntry>)> {
    SEVERITIES.into_iter().filter_map(|sev| {
        let group: Vec<&ThreatEntry> = view.threats.iter().filter(|t| t.severity == sev).collect();
        (!group.is_empty()).then_some((sev, group))
    })
}

fn group_title(sev: Option<tmkit_analysis::Rating>, n: usize) -> Inline<'static> {
    Inline::Raw(Cow::Owned(format!("{} ({n})", severity_label(sev))))
}

fn severity_toc(view: &View) -> Vec<TocItem<'_>> {
    severity_groups(view)
        .map(|(sev, group)| TocItem {
            href: format!("#_severity-{}", severity_key(sev)),
            title: vec![group_title(sev, group.len())],
            detail: true,
        })
        .collect()
}

fn threats<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    if view.threats.is_empty() {
        out(Block::Para(vec![raw("No threat to list.")]));
        return;
    }
    out(Block::ThreatIndex);
    for (sev, group) in severity_groups(view) {
        out(Block::Heading {
            level: 3,
            id: section_anchor(&format!("severity-{}", severity_key(sev))),
            title: vec![group_title(sev, group.len())],
        });
        for t in group {
            out(Block::Threat {
                entry: t,
                facts: threat_facts(view, t),
            });
        }
    }
}

/// The facts of a threat that every language shows: categories, targets,
/// attackers, assumptions, ticket and (in a composed model) the model.
fn threat_facts<'a>(view: &'a View, t: &'a ThreatEntry) -> Vec<(&'static str, Line<'a>)> {
    let link = view.sections.scope;
    let list = |names: &'a [Named]| {
        joined(
            names.iter().map(|n| Inline::Named(n, link)).collect(),
            "; ",
            "none",
        )
    };
    let mut attackers = list(&t.attackers);
    if t.all_attackers {
        attackers.insert(0, raw("every in-scope attacker: "));
    }
    let categories = t.categories.iter().map(|c| text(c)).collect();
    let mut facts = vec![
        ("Categories", joined(categories, ", ", "")),
        ("Targets", list(&t.targets)),
        ("Attackers", attackers),
    ];
    if !t.assumptions.is_empty() {
        facts.push(("Assumptions", list(&t.assumptions)));
    }
    if !t.requirements.is_empty() {
        facts.push(("Requirements", list(&t.requirements)));
    }
    if !t.refs.is_empty() {
        let refs = t.refs.iter().map(|&w| Inline::Weakness(w)).collect();
        facts.push(("Weaknesses", joined(refs, ", ", "")));
    }
    if let Some(tk) = &t.ticket {
        facts.push(("Ticket", ticket_cell(view, tk)));
    } else if t.untracked {
        facts.push((
            "Ticket",
            vec![Inline::Warn(vec![raw("none: open and untracked")])],
        ));
    }
    if view.model.models.len() > 1 {
        facts.push(("Model", vec![Inline::Named(&t.component, link)]));
    }
    facts
}

/// A ticket, then its state in the tracker when known (`#12 (open in
/// GitHub, due 2027-01-10)`).
fn ticket_cell<'a>(view: &'a View, t: &'a str) -> Line<'a> {
    let mut cell = vec![Inline::Ticket(t)];
    if let Some(state) = ticket_state(&view.tickets, t, view.calendar.as_ref()) {
        cell.push(raw(" ("));
        cell.extend(state);
        cell.push(raw(")"));
    }
    cell
}

fn shared_mitigations(view: &View) -> impl Iterator<Item = &tmkit_model::Mitigation> {
    (view.model.models.iter()).flat_map(|tm| tm.mitigations.iter().filter(|m| m.shared))
}

fn mitigations<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    let public = view.kind == ViewKind::Public;
    let users = crate::report::mitigation_users(view);
    let rows = shared_mitigations(view).map(|m| {
        let mut cells = vec![
            vec![text(&m.title)],
            vec![raw(m.kind.as_str())],
            vec![if m.in_place {
                raw("yes")
            } else {
                Inline::Warn(vec![raw("planned")])
            }],
        ];
        if !public {
            cells.push(opt_text(m.operator.as_deref()));
            cells.push(
                m.ticket
                    .as_deref()
                    .map(|t| ticket_cell(view, t))
                    .unwrap_or_default(),
            );
        }
        let used = users
            .get(m.qid.as_str())
            .map(|v| qid_links(v.iter().copied()));
        cells.push(joined(used.unwrap_or_default(), ", ", ""));
        element_row(&m.qid, cells)
    });
    out(Block::Legend(vec![Inline::Fixed {
        md: "Shared mitigations (inline ones are listed with their threat).",
        html: "Shared mitigations; inline ones are listed with their threat.",
    }]));
    let head: &[&'static str] = if public {
        &["ID", "Control", "Kind", "In place", "Mitigates"]
    } else {
        &[
            "ID",
            "Mitigation",
            "Kind",
            "In place",
            "Operator",
            "Ticket",
            "Mitigates",
        ]
    };
    out(table(head, rows.collect()));
}

fn component_toc(view: &View) -> Vec<TocItem<'_>> {
    view.components()
        .map(|m| {
            let tm = &view.model.models[m];
            TocItem {
                href: format!("#{}", anchor(&tm.qid)),
                title: vec![text(&tm.title)],
                detail: false,
            }
        })
        .collect()
}

/// The heading of a component or catalogue: its title and qualified id.
fn model_heading(view: &View, m: ModelIndex) -> Block<'_> {
    let tm = &view.model.models[m];
    Block::Heading {
        level: 3,
        id: anchor(&tm.qid),
        title: vec![text(&tm.title), raw(" "), Inline::QidNote(&tm.qid)],
    }
}

fn components<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    for m in view.components() {
        let tm = &view.model.models[m];
        out(model_heading(view, m));
        let mut facts = vec![("File", vec![Inline::Code(&tm.path)])];
        if let Some(p) = tm.parent {
            facts.push(("Part of", vec![Inline::QidLink(&view.model.models[p].qid)]));
        }
        if let Some(o) = &tm.owner {
            facts.push(("Owner", vec![text(o)]));
        }
        let mm = (view.sections.analysis).then(|| view.analysis.metrics(&view.model, m));
        if let Some(q) = mm.and_then(|mm| mm.questions) {
            let coverage = format!(
                "{} ({} of {} questions)",
                percent(q.coverage),
                q.answered,
                q.total
            );
            facts.push(("Coverage", vec![Inline::Raw(Cow::Owned(coverage))]));
        }
        let threats = qid_links(view.threats_of(m).map(|t| t.qid.as_str()));
        facts.push(("Threats", joined(threats, ", ", "none")));
        out(Block::Facts(facts));
        out(Block::Description(tm.description.as_deref()));
        scope(view, m, 4, out);
    }
}

fn catalogues<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    for m in view.catalogues() {
        out(model_heading(view, m));
        out(Block::Description(
            view.model.models[m].description.as_deref(),
        ));
        scope(view, m, 4, out);
    }
}

fn checklist<'a>(view: &'a View, out: &mut dyn FnMut(Block<'a>)) {
    out(Block::Para(vec![raw(
        "Review a new feature against every item: tick it when the feature keeps the requirement, or when the assumption still holds. An assumption that no longer holds reopens the threats relying on it.",
    )]));
    for (kind, title, question) in [
        (
            ChecklistKind::Requirement,
            "Security requirements",
            "Does the feature keep each requirement?",
        ),
        (
            ChecklistKind::Assumption,
            "Assumptions",
            "Does each assumption still hold with the feature?",
        ),
    ] {
        let items: Vec<_> = view.checklist.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        out(Block::Heading {
            level: 3,
            id: section_anchor(&format!("checklist-{}", kind.as_str())),
            title: vec![raw(title)],
        });
        out(Block::Legend(vec![raw(question)]));
        out(Block::Checklist(items));
    }
}
