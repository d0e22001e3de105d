//! The picture before it is drawn: trust zones (and component groups) as a
//! tree of regions, the nodes inside them and the flows between nodes.
//!
//! Every output format draws the same [`Scene`], so the SVG, Mermaid, DOT and
//! PlantUML pictures agree on what is shown; only the SVG also computes
//! coordinates ([`super::layout`]).

use super::DiagramOptions;
use std::collections::{BTreeMap, HashMap, HashSet};
use tmkit_analysis::{Analysis, Direction};
use tmkit_model::{AssetKind, Model, ModelIndex, ModelKind};

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
pub(crate) struct Region {
    pub kind: RegionKind,
    /// Unique key: zone qid, `zone@component`, or `-`.
    pub key: String,
    /// The innermost zone this region belongs to (None for [`RegionKind::NoZone`]).
    pub zone: Option<String>,
    pub title: String,
    /// `trust 2`, `component CCC.LOGIN`.
    pub subtitle: String,
    pub trust: f64,
    /// 0 (least trusted drawn zone) ..= 1 (most trusted); for tints.
    pub level: f64,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub nodes: Vec<usize>,
    pub depth: usize,
    pub description: Option<String>,
    /// Declaration order, for stable sorting.
    order: usize,
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Asset(AssetKind),
    /// A collapsed component, with the number of assets inside.
    Component(usize),
    Attacker,
}

/// Something drawn inside a region.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub qid: String,
    /// Id relative to the root model (`login-endpoint`, `LOGIN.api`).
    pub id: String,
    pub title: String,
    pub in_scope: bool,
    pub reason: Option<String>,
    pub region: usize,
}

/// A data flow between two nodes.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub qid: String,
    pub id: String,
    pub title: String,
    pub protocol: Option<String>,
    pub from: usize,
    pub to: usize,
    pub bidirectional: bool,
    pub in_scope: bool,
    pub reason: Option<String>,
    pub cross: Cross,
    /// `internet (0) -> internal (2)` when the flow crosses a boundary.
    pub zones: Option<String>,
    pub exposed: Vec<String>,
    pub unanswered: Vec<String>,
}

impl Edge {
    /// The label drawn on the arrow: id, title and protocol.
    pub(crate) fn label(&self) -> String {
        let mut s = format!("{}: {}", self.id, super::text::one_line(&self.title));
        if let Some(p) = &self.protocol {
            s.push_str(&format!(" ({})", super::text::one_line(p)));
        }
        s
    }

    /// Whether the flow crosses a boundary whose exposed categories are not
    /// all answered.
    pub(crate) fn is_unanswered(&self) -> bool {
        self.in_scope && !self.unanswered.is_empty()
    }

    /// The unanswered categories, abbreviated (`S, T, E`).
    pub(crate) fn unanswered_short(&self) -> String {
        self.unanswered
            .iter()
            .map(|c| tmkit_model::taxonomy::short_label(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A sentence describing the flow, for tooltips.
    pub(crate) fn tooltip(&self, nodes: &[Node]) -> String {
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
        if let Some(z) = &self.zones {
            s.push_str(&format!("; {}: {}", self.cross.word(), z));
        }
        if !self.exposed.is_empty() {
            s.push_str(&format!("; exposed: {}", self.exposed.join(", ")));
        }
        if self.is_unanswered() {
            s.push_str(&format!("; unanswered: {}", self.unanswered.join(", ")));
        }
        if !self.in_scope {
            s.push_str("; out of scope");
            if let Some(r) = &self.reason {
                s.push_str(&format!(": {}", super::text::one_line(r)));
            }
        }
        s
    }
}

/// Everything a diagram shows.
#[derive(Debug, Clone)]
pub(crate) struct Scene {
    /// Root model id.
    pub model_id: String,
    /// Root model title.
    pub title: String,
    pub regions: Vec<Region>,
    /// Top-level regions, least trusted first.
    pub roots: Vec<usize>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Scene {
    /// The deepest nesting level of any region (0 when nothing nests).
    pub(crate) fn max_depth(&self) -> usize {
        self.regions.iter().map(|r| r.depth).max().unwrap_or(0)
    }

    /// The innermost zone a node sits in, as a zone qid.
    pub(crate) fn node_zone(&self, n: usize) -> Option<&str> {
        self.regions[self.nodes[n].region].zone.as_deref()
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

/// The id of an element relative to the root model (`CCC.x` -> `x`).
fn rel_id(qid: &str, root: &str) -> String {
    qid.strip_prefix(root)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(qid)
        .to_string()
}

struct Builder<'a> {
    model: &'a Model,
    root_qid: String,
    regions: Vec<Region>,
    by_key: HashMap<String, usize>,
    /// zone qid -> (model, index), for every zone of every model.
    zones: HashMap<String, (ModelIndex, usize)>,
    zone_order: HashMap<String, usize>,
}

impl Builder<'_> {
    /// The region of a zone, creating it (and its enclosing zones) on demand.
    fn zone_region(&mut self, zone: Option<&str>) -> usize {
        let Some(z) = zone.filter(|z| self.zones.contains_key(*z)) else {
            return self.no_zone();
        };
        if let Some(&r) = self.by_key.get(z) {
            return r;
        }
        // Walk up `within`, stopping at a cycle or an unknown zone.
        let mut chain = vec![z.to_string()];
        let mut seen: HashSet<String> = HashSet::from([z.to_string()]);
        loop {
            let (m, i) = self.zones[chain.last().expect("non-empty")];
            match &self.model.models[m].zones[i].within {
                Some(w) if self.zones.contains_key(w) && seen.insert(w.clone()) => {
                    chain.push(w.clone());
                    if self.by_key.contains_key(w) {
                        break;
                    }
                }
                _ => break,
            }
        }
        let mut parent = None;
        for key in chain.iter().rev() {
            if let Some(&r) = self.by_key.get(key) {
                parent = Some(r);
                continue;
            }
            let (m, i) = self.zones[key];
            let zone = &self.model.models[m].zones[i];
            let r = self.push(Region {
                kind: RegionKind::Zone,
                key: key.clone(),
                zone: Some(key.clone()),
                title: zone.title.clone(),
                subtitle: format!("trust {}", fmt_trust(zone.trust)),
                trust: zone.trust,
                level: 0.0,
                parent,
                children: vec![],
                nodes: vec![],
                depth: 0,
                description: zone.description.clone(),
                order: self.zone_order[key],
            });
            parent = Some(r);
        }
        parent.expect("chain is non-empty")
    }

    fn no_zone(&mut self) -> usize {
        if let Some(&r) = self.by_key.get("-") {
            return r;
        }
        self.push(Region {
            kind: RegionKind::NoZone,
            key: "-".into(),
            zone: None,
            title: "No trust zone".into(),
            subtitle: "zone not given".into(),
            trust: f64::NEG_INFINITY,
            level: 0.0,
            parent: None,
            children: vec![],
            nodes: vec![],
            depth: 0,
            description: None,
            order: 0,
        })
    }

    /// The region for an element of model `home` in zone `zone`: the zone
    /// itself for the root, else nested component groups inside the zone.
    fn home_region(&mut self, zone: Option<&str>, home: ModelIndex) -> usize {
        let mut region = self.zone_region(zone);
        let mut chain: Vec<ModelIndex> = self.model.ancestors(home);
        chain.reverse();
        chain.push(home);
        for m in chain {
            let tm = &self.model.models[m];
            if tm.kind != ModelKind::Component {
                continue;
            }
            let key = format!("{}@{}", self.regions[region].key, tm.qid);
            region = if let Some(&r) = self.by_key.get(&key) {
                r
            } else {
                let parent = &self.regions[region];
                let r = Region {
                    kind: RegionKind::Component,
                    key,
                    zone: parent.zone.clone(),
                    title: tm.title.clone(),
                    subtitle: format!("component {}", rel_id(&tm.qid, &self.root_qid)),
                    trust: parent.trust,
                    level: 0.0,
                    parent: Some(region),
                    children: vec![],
                    nodes: vec![],
                    depth: 0,
                    description: None,
                    order: m,
                };
                self.push(r)
            };
        }
        region
    }

    fn push(&mut self, r: Region) -> usize {
        let i = self.regions.len();
        self.by_key.insert(r.key.clone(), i);
        if let Some(p) = r.parent {
            self.regions[p].children.push(i);
        }
        self.regions.push(r);
        i
    }
}

/// Crossing facts of one flow, as drawn.
#[derive(Debug, Clone)]
struct FlowCrossing {
    cross: Cross,
    zones: String,
    exposed: Vec<String>,
    unanswered: Vec<String>,
}

fn crossings(model: &Model, analysis: &Analysis) -> HashMap<String, FlowCrossing> {
    let index = model.index();
    let zone_name = |qid: &Option<String>, trust: Option<f64>| {
        let name = match qid.as_deref().map(|q| (q, index.get(q))) {
            Some((_, Some(tmkit_model::ElementRef::Zone(m, i)))) => {
                model.models[m].zones[i].id.clone()
            }
            Some((q, _)) => q.to_string(),
            None => "no zone".to_string(),
        };
        match trust {
            Some(t) => format!("{name} ({})", fmt_trust(t)),
            None => name,
        }
    };
    analysis
        .crossings
        .iter()
        .map(|c| {
            let cross = match c.direction {
                Direction::Inbound => Cross::Inbound,
                Direction::Outbound => Cross::Outbound,
                Direction::Both => Cross::Both,
                _ => Cross::None,
            };
            let zones = format!(
                "{} -> {}",
                zone_name(&c.from_zone, c.from_trust),
                zone_name(&c.to_zone, c.to_trust)
            );
            (
                c.flow.clone(),
                FlowCrossing {
                    cross,
                    zones,
                    exposed: c.exposed.clone(),
                    unanswered: c.unanswered.clone(),
                },
            )
        })
        .collect()
}

/// Builds the scene of a model.
pub(crate) fn build(model: &Model, analysis: &Analysis, opts: &DiagramOptions) -> Scene {
    let root = model.root();
    let mut b = Builder {
        model,
        root_qid: root.qid.clone(),
        regions: vec![],
        by_key: HashMap::new(),
        zones: HashMap::new(),
        zone_order: HashMap::new(),
    };
    for (m, tm) in model.models.iter().enumerate() {
        for (i, z) in tm.zones.iter().enumerate() {
            let n = b.zone_order.len();
            b.zones.entry(z.qid.clone()).or_insert((m, i));
            b.zone_order.entry(z.qid.clone()).or_insert(n);
        }
    }

    // Component depth and collapsing.
    let depth_of = |m: ModelIndex| model.ancestors(m).len();
    let expanded = |m: ModelIndex| opts.depth.is_none_or(|d| depth_of(m) <= d);
    // The outermost collapsed model containing `m` (None when m is expanded).
    let collapsed_into = |m: ModelIndex| -> Option<ModelIndex> {
        if expanded(m) {
            return None;
        }
        let mut cur = m;
        while let Some(p) = model.models[cur].parent {
            if expanded(p) {
                break;
            }
            cur = p;
        }
        Some(cur)
    };

    let mut nodes: Vec<Node> = Vec::new();
    let mut asset_node: HashMap<String, usize> = HashMap::new();
    let analysed: Vec<ModelIndex> = model.analysed().collect();

    // Zones declared by the root and expanded components are drawn even
    // when empty: an empty zone is still part of the picture.
    for &m in &analysed {
        if expanded(m) {
            for z in &model.models[m].zones {
                b.zone_region(Some(&z.qid));
            }
        }
    }

    // Attackers first, so they sit at the top edge of their zone.
    if opts.attackers {
        let mut seen = HashSet::new();
        let mut sources: Vec<ModelIndex> = Vec::new();
        for &m in &analysed {
            if expanded(m) {
                sources.push(m);
                sources.extend(model.models[m].imports.iter().copied());
            }
        }
        for m in sources {
            for a in &model.models[m].attackers {
                if !seen.insert(a.qid.clone()) {
                    continue;
                }
                let region = b.zone_region(a.zone.as_deref());
                nodes.push(Node {
                    kind: NodeKind::Attacker,
                    qid: a.qid.clone(),
                    id: rel_id(&a.qid, &root.qid),
                    title: a.title.clone(),
                    in_scope: a.in_scope,
                    reason: a.reason.clone(),
                    region,
                });
            }
        }
    }

    let mut component_node: HashMap<ModelIndex, usize> = HashMap::new();
    for &m in &analysed {
        let tm = &model.models[m];
        match collapsed_into(m) {
            None => {
                for a in &tm.assets {
                    let region = b.home_region(a.zone.as_deref(), m);
                    asset_node.insert(a.qid.clone(), nodes.len());
                    nodes.push(Node {
                        kind: NodeKind::Asset(a.kind),
                        qid: a.qid.clone(),
                        id: rel_id(&a.qid, &root.qid),
                        title: a.title.clone(),
                        in_scope: a.in_scope,
                        reason: a.reason.clone(),
                        region,
                    });
                }
            }
            Some(top) => {
                let n = match component_node.get(&top) {
                    Some(&n) => n,
                    None => {
                        let n = collapsed_box(model, top, &collapsed_into, &analysed, &mut b);
                        nodes.push(n);
                        component_node.insert(top, nodes.len() - 1);
                        nodes.len() - 1
                    }
                };
                for a in &tm.assets {
                    asset_node.insert(a.qid.clone(), n);
                }
            }
        }
    }

    let crossing = crossings(model, analysis);
    let mut edges = Vec::new();
    for &m in &analysed {
        for f in &model.models[m].dataflows {
            let (Some(&from), Some(&to)) = (asset_node.get(&f.from), asset_node.get(&f.to)) else {
                continue;
            };
            if from == to && f.from != f.to {
                continue; // inside a collapsed component
            }
            let c = crossing.get(&f.qid);
            edges.push(Edge {
                qid: f.qid.clone(),
                id: rel_id(&f.qid, &root.qid),
                title: f.title.clone(),
                protocol: f.protocol.clone().filter(|p| !p.trim().is_empty()),
                from,
                to,
                bidirectional: f.bidirectional,
                in_scope: f.in_scope,
                reason: f.reason.clone(),
                cross: c.map_or(Cross::None, |c| c.cross),
                zones: c
                    .filter(|c| c.cross != Cross::None)
                    .map(|c| c.zones.clone()),
                exposed: c.map(|c| c.exposed.clone()).unwrap_or_default(),
                unanswered: c.map(|c| c.unanswered.clone()).unwrap_or_default(),
            });
        }
    }

    for (i, n) in nodes.iter().enumerate() {
        b.regions[n.region].nodes.push(i);
    }
    finish(b, nodes, edges, root.id.clone(), root.title.clone())
}

/// One box standing for a collapsed component (and its own components),
/// placed in the zone holding most of its assets.
fn collapsed_box(
    model: &Model,
    top: ModelIndex,
    collapsed_into: &dyn Fn(ModelIndex) -> Option<ModelIndex>,
    analysed: &[ModelIndex],
    b: &mut Builder<'_>,
) -> Node {
    let mut count: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut total = 0;
    for &m in analysed {
        if collapsed_into(m) != Some(top) {
            continue;
        }
        for a in &model.models[m].assets {
            total += 1;
            if let Some(z) = &a.zone {
                let n = first.len();
                let order = *first.entry(z.clone()).or_insert(n);
                *count.entry((order, z.clone())).or_default() += 1;
            }
        }
    }
    // Most assets wins; ties go to the zone met first.
    let zone = count
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.0.cmp(&a.0.0)))
        .map(|((_, z), _)| z.clone());
    let tm = &model.models[top];
    let home = tm.parent.unwrap_or(0);
    let region = b.home_region(zone.as_deref(), home);
    Node {
        kind: NodeKind::Component(total),
        qid: tm.qid.clone(),
        id: rel_id(&tm.qid, &b.root_qid),
        title: tm.title.clone(),
        in_scope: true,
        reason: None,
        region,
    }
}

fn finish(b: Builder<'_>, nodes: Vec<Node>, edges: Vec<Edge>, id: String, title: String) -> Scene {
    let mut regions = b.regions;
    let key = |r: &Region| {
        let kind = match r.kind {
            RegionKind::NoZone => 0,
            RegionKind::Zone => 1,
            RegionKind::Component => 2,
        };
        (kind, r.order)
    };
    let sort = |list: &mut Vec<usize>, regions: &[Region]| {
        list.sort_by(|&a, &b| {
            let (ra, rb) = (&regions[a], &regions[b]);
            let ka = (ra.kind == RegionKind::Component, key(ra));
            let kb = (rb.kind == RegionKind::Component, key(rb));
            ra.trust.total_cmp(&rb.trust).then(ka.cmp(&kb))
        });
    };
    let mut roots: Vec<usize> = (0..regions.len())
        .filter(|&r| regions[r].parent.is_none())
        .collect();
    sort(&mut roots, &regions);
    for r in 0..regions.len() {
        let mut c = std::mem::take(&mut regions[r].children);
        sort(&mut c, &regions);
        regions[r].children = c;
    }
    // Depths, walking down from the roots.
    let mut stack: Vec<(usize, usize)> = roots.iter().map(|&r| (r, 0)).collect();
    while let Some((r, d)) = stack.pop() {
        regions[r].depth = d;
        stack.extend(regions[r].children.iter().map(|&c| (c, d + 1)));
    }
    // Tints follow the rank of the trust level among drawn zones.
    let mut levels: Vec<f64> = regions
        .iter()
        .filter(|r| r.kind == RegionKind::Zone)
        .map(|r| r.trust)
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    for r in &mut regions {
        if let Some(pos) = levels.iter().position(|t| *t == r.trust) {
            r.level = if levels.len() > 1 {
                pos as f64 / (levels.len() - 1) as f64
            } else {
                0.5
            };
        }
    }
    Scene {
        model_id: id,
        title,
        regions,
        roots,
        nodes,
        edges,
    }
}
