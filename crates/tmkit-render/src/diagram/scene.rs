//! The picture before it is drawn: trust zones (and component groups) as a
//! tree of regions, the nodes inside them and the flows between nodes.
//!
//! Every output format draws the same [`Scene`] ([`build`] makes it), so the
//! SVG, Mermaid, DOT and PlantUML pictures agree on what is shown, and the
//! texts they share (node and flow labels, tooltips, crossing notes) are
//! written here once; each back end only escapes them for its language. Only
//! the SVG also computes coordinates ([`super::layout`]).
//!
//! A scene borrows its texts from the model, so drawing a large model copies
//! no titles or ids.

pub(crate) use super::build::build;
use super::text;
use tmkit_model::AssetKind;

/// Which way a flow crosses a trust boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cross {
    /// Both ends in zones of the same trust (or a zone is unknown).
    None,
    /// From less trusted to more trusted.
    Inbound,
    /// From more trusted to less trusted.
    Outbound,
    /// A bidirectional flow between zones of different trust.
    Both,
}

impl Cross {
    /// Word used in tooltips and legends.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Cross::None => "no boundary crossed",
            Cross::Inbound => "inbound crossing",
            Cross::Outbound => "outbound crossing",
            Cross::Both => "crossing in both directions",
        }
    }
}

/// What a region is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionKind {
    /// A trust zone.
    Zone,
    /// The elements of one (expanded) component inside a zone.
    Component,
    /// Elements without a (visible) zone.
    NoZone,
}

/// A box that holds nodes and other regions.
#[derive(Debug, Clone)]
pub(crate) struct Region<'a> {
    pub kind: RegionKind,
    /// Unique key: zone qid, `zone@component`, or `-`.
    pub key: String,
    /// The innermost zone this region belongs to (None for [`RegionKind::NoZone`]).
    pub zone: Option<&'a str>,
    pub title: &'a str,
    /// `trust 2`, `component CCC.LOGIN`.
    pub subtitle: String,
    pub trust: f64,
    /// 0 (least trusted drawn zone) ..= 1 (most trusted); for tints.
    pub level: f64,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub nodes: Vec<usize>,
    pub depth: usize,
    pub description: Option<&'a str>,
    /// Declaration order, for stable sorting.
    pub(super) order: usize,
    /// For a component group: the qid of the component it draws.
    pub component: Option<&'a str>,
}

impl Region<'_> {
    /// Title and subtitle, as the tooltip of the region shows them.
    pub(crate) fn heading(&self) -> String {
        format!("{} ({})", self.title, self.subtitle)
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Asset(AssetKind),
    /// A collapsed component, with the number of assets inside.
    Component(usize),
    Attacker,
}

impl NodeKind {
    /// The kind as one word (`datastore`, `component`, `attacker`).
    pub(crate) fn word(self) -> &'static str {
        match self {
            NodeKind::Asset(a) => a.as_str(),
            NodeKind::Component(_) => "component",
            NodeKind::Attacker => "attacker",
        }
    }
}

/// The outline a node is drawn with, in every format; kinds sharing an
/// outline share a legend entry. In legend order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    /// External entities: a plain box.
    Box,
    /// Services and processes: a rounded box.
    Rounded,
    /// Datastores: a cylinder.
    Cylinder,
    /// Data, credentials, keys and certificates: a page with a folded corner.
    Document,
    /// Hardware: a box with an inner frame.
    Hardware,
    /// Any other asset.
    Other,
    /// A collapsed component: stacked boxes.
    Stack,
    /// An attacker: a hexagon.
    Hexagon,
}

impl NodeKind {
    /// The outline of a node of this kind.
    pub(crate) fn shape(self) -> Shape {
        match self {
            NodeKind::Asset(AssetKind::External) => Shape::Box,
            NodeKind::Asset(AssetKind::Service | AssetKind::Process) => Shape::Rounded,
            NodeKind::Asset(AssetKind::Datastore) => Shape::Cylinder,
            NodeKind::Asset(
                AssetKind::Data | AssetKind::Credential | AssetKind::Key | AssetKind::Certificate,
            ) => Shape::Document,
            NodeKind::Asset(AssetKind::Hardware) => Shape::Hardware,
            NodeKind::Asset(_) => Shape::Other,
            NodeKind::Component(_) => Shape::Stack,
            NodeKind::Attacker => Shape::Hexagon,
        }
    }
}

/// How a node is painted; each back end maps it to its own colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeClass {
    OutOfScope,
    Attacker,
    Component,
    Asset,
}

/// Something drawn inside a region.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub kind: NodeKind,
    pub qid: &'a str,
    /// Id relative to the root model (`login-endpoint`, `LOGIN.api`).
    pub id: &'a str,
    pub title: &'a str,
    pub in_scope: bool,
    pub reason: Option<&'a str>,
    pub region: usize,
}

impl Node<'_> {
    /// The line under the title: the id, and for a collapsed component how
    /// many assets it holds (`LOGIN · 3 assets`).
    pub(crate) fn id_line(&self) -> String {
        match self.kind {
            NodeKind::Component(k) => {
                format!("{} · {k} asset{}", self.id, if k == 1 { "" } else { "s" })
            }
            _ => self.id.to_string(),
        }
    }

    /// How the node is painted.
    pub(crate) fn class(&self) -> NodeClass {
        if !self.in_scope {
            NodeClass::OutOfScope
        } else {
            match self.kind {
                NodeKind::Attacker => NodeClass::Attacker,
                NodeKind::Component(_) => NodeClass::Component,
                NodeKind::Asset(_) => NodeClass::Asset,
            }
        }
    }

    /// A sentence describing the node, for tooltips: id, title and kind,
    /// then why it is out of scope.
    pub(crate) fn tooltip(&self) -> String {
        format!(
            "{}: {} ({}){}",
            self.id,
            text::one_line(self.title),
            self.kind.word(),
            self.scope_note()
        )
    }

    /// `; out of scope` and the reason, when the node is out of scope.
    pub(crate) fn scope_note(&self) -> String {
        scope_note(self.in_scope, self.reason)
    }
}

/// `; out of scope` and the reason, when not in scope; else nothing.
fn scope_note(in_scope: bool, reason: Option<&str>) -> String {
    match (in_scope, reason) {
        (true, _) => String::new(),
        (false, None) => "; out of scope".into(),
        (false, Some(r)) => format!("; out of scope: {}", text::one_line(r)),
    }
}

/// How a flow is emphasised; each back end maps it to its own line widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emphasis {
    /// In scope, crossing a boundary with unanswered categories.
    Unanswered,
    /// In scope, crossing a boundary.
    Crossing,
    /// Anything else.
    Plain,
}

/// A data flow between two nodes.
#[derive(Debug, Clone)]
pub(crate) struct Edge<'a> {
    pub qid: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub protocol: Option<&'a str>,
    pub from: usize,
    pub to: usize,
    pub bidirectional: bool,
    pub in_scope: bool,
    pub reason: Option<&'a str>,
    pub cross: Cross,
    /// The zones joined (`internet (0)`, `internal (2)`) when the flow
    /// crosses a boundary.
    pub zones: Option<[ZoneEnd<'a>; 2]>,
    pub exposed: &'a [std::sync::Arc<str>],
    pub unanswered: &'a [std::sync::Arc<str>],
}

impl Edge<'_> {
    /// The label drawn on the arrow: id, title and protocol.
    pub(crate) fn label(&self) -> String {
        let mut s = format!("{}: {}", self.id, text::one_line(self.title));
        if let Some(p) = self.protocol {
            s.push_str(&format!(" ({})", text::one_line(p)));
        }
        s
    }

    /// Whether the flow crosses a boundary whose exposed categories are not
    /// all answered.
    pub(crate) fn is_unanswered(&self) -> bool {
        self.in_scope && !self.unanswered.is_empty()
    }

    /// How the flow is emphasised.
    pub(crate) fn emphasis(&self) -> Emphasis {
        if self.is_unanswered() {
            Emphasis::Unanswered
        } else if self.in_scope && self.cross != Cross::None {
            Emphasis::Crossing
        } else {
            Emphasis::Plain
        }
    }

    /// The unanswered categories, abbreviated (`S, T, E`).
    pub(crate) fn unanswered_short(&self) -> String {
        self.unanswered
            .iter()
            .map(|c| tmkit_model::taxonomy::short_label(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The crossing words added under a flow label in the text formats.
    pub(crate) fn crossing_note(&self) -> Option<String> {
        if !self.in_scope {
            return Some("out of scope".into());
        }
        let mut parts = Vec::new();
        if self.cross != Cross::None {
            parts.push(self.cross.word().to_string());
        }
        if self.is_unanswered() {
            parts.push(format!("UNANSWERED: {}", self.unanswered_short()));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// A sentence describing the flow, for tooltips.
    pub(crate) fn tooltip(&self, nodes: &[Node<'_>]) -> String {
        let mut s = format!(
            "{} ({} -> {}{})",
            self.label(),
            nodes[self.from].id,
            nodes[self.to].id,
            if self.bidirectional {
                ", both ways"
            } else {
                ""
            }
        );
        if let Some([from, to]) = &self.zones {
            s.push_str(&format!("; {}: {from} -> {to}", self.cross.word()));
        }
        if !self.exposed.is_empty() {
            s.push_str(&format!("; exposed: {}", self.exposed.join(", ")));
        }
        if self.is_unanswered() {
            s.push_str(&format!("; unanswered: {}", self.unanswered.join(", ")));
        }
        s.push_str(&scope_note(self.in_scope, self.reason));
        s
    }
}

/// One end of a boundary crossing: the zone's id (or qid, or `no zone`)
/// and its trust level; shown as `internet (0)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ZoneEnd<'a> {
    pub name: &'a str,
    pub trust: Option<f64>,
}

impl std::fmt::Display for ZoneEnd<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.trust {
            Some(t) => write!(f, "{} ({})", self.name, fmt_trust(t)),
            None => f.write_str(self.name),
        }
    }
}

/// Everything a diagram shows.
#[derive(Debug, Clone)]
pub(crate) struct Scene<'a> {
    /// Root model id.
    pub model_id: &'a str,
    /// Root model title.
    pub title: &'a str,
    pub regions: Vec<Region<'a>>,
    /// Top-level regions, least trusted first.
    pub roots: Vec<usize>,
    pub nodes: Vec<Node<'a>>,
    pub edges: Vec<Edge<'a>>,
}

/// One step of a depth-first walk over the regions ([`Scene::walk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Entering region `r` at nesting depth `depth` (0 for a top-level one).
    Open { r: usize, depth: usize },
    /// Leaving region `r`, after its nodes and children.
    Close { r: usize, depth: usize },
}

impl Scene<'_> {
    /// The deepest nesting level of any region (0 when nothing nests).
    pub(crate) fn max_depth(&self) -> usize {
        self.regions.iter().map(|r| r.depth).max().unwrap_or(0)
    }

    /// The innermost zone a node sits in, as a zone qid.
    pub(crate) fn node_zone(&self, n: usize) -> Option<&str> {
        self.regions[self.nodes[n].region].zone
    }

    /// Walks the regions depth first, least trusted first, calling `f` when
    /// entering and when leaving each: the nesting every format draws.
    pub(crate) fn walk(&self, f: impl FnMut(Step)) {
        self.walk_from(&self.roots, f);
    }

    /// [`Scene::walk`] over the regions under `roots` only.
    pub(crate) fn walk_from(&self, roots: &[usize], mut f: impl FnMut(Step)) {
        let mut stack: Vec<(Step, usize)> = roots
            .iter()
            .rev()
            .map(|&r| (Step::Open { r, depth: 0 }, r))
            .collect();
        while let Some((step, r)) = stack.pop() {
            f(step);
            if let Step::Open { depth, .. } = step {
                stack.push((Step::Close { r, depth }, r));
                for &c in self.regions[r].children.iter().rev() {
                    stack.push((
                        Step::Open {
                            r: c,
                            depth: depth + 1,
                        },
                        c,
                    ));
                }
            }
        }
    }

    /// The heading drawn above the diagram.
    pub(crate) fn heading(&self) -> String {
        text::truncate(
            &format!(
                "{} · {} — data flows and trust zones",
                self.model_id, self.title
            ),
            100,
        )
    }
}

/// Formats a trust level without a useless `.0`.
pub(crate) fn fmt_trust(t: f64) -> String {
    if t.fract() == 0.0 && t.abs() < 1e15 {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    }
}
