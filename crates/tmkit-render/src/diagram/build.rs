//! Builds the [`Scene`] of a model: the regions of its trust zones and
//! expanded components, the nodes (assets, attackers, collapsed components)
//! and the flows between them.

use super::DiagramOptions;
use super::scene::{Cross, Edge, Node, NodeKind, Region, RegionKind, Scene, ZoneEnd, fmt_trust};
use std::collections::{BTreeMap, HashMap, HashSet};
use tmkit_analysis::{Analysis, Crossing, Direction};
use tmkit_model::Qid;
use tmkit_model::{Model, ModelIndex, ModelKind};

/// The id of an element relative to the root model (`CCC.x` -> `x`).
fn rel_id<'a>(qid: &'a str, root: &str) -> &'a str {
    qid.strip_prefix(root)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(qid)
}

struct Builder<'a> {
    model: &'a Model,
    opts: &'a DiagramOptions,
    root_qid: &'a str,
    regions: Vec<Region<'a>>,
    by_key: HashMap<String, usize>,
    /// zone qid -> (model, index), for every zone of every model.
    zones: HashMap<&'a str, (ModelIndex, usize)>,
    zone_order: HashMap<&'a str, usize>,
    nodes: Vec<Node<'a>>,
    /// asset qid -> the node drawing it (its own, or its collapsed component's).
    asset_node: HashMap<&'a str, usize>,
    analysed: Vec<ModelIndex>,
    /// (zone, model) -> region, as [`Builder::home_region`] found it.
    homes: HashMap<(Option<&'a str>, ModelIndex), usize>,
}

impl<'a> Builder<'a> {
    fn new(model: &'a Model, opts: &'a DiagramOptions) -> Self {
        let mut zones = HashMap::new();
        let mut zone_order = HashMap::new();
        for (m, tm) in model.models.iter().enumerate() {
            for (i, z) in tm.zones.iter().enumerate() {
                let n = zone_order.len();
                zones.entry(z.qid.as_str()).or_insert((m, i));
                zone_order.entry(z.qid.as_str()).or_insert(n);
            }
        }
        Builder {
            model,
            opts,
            root_qid: &model.root().qid,
            regions: vec![],
            by_key: HashMap::new(),
            zones,
            zone_order,
            nodes: vec![],
            asset_node: HashMap::new(),
            analysed: model.analysed().collect(),
            homes: HashMap::new(),
        }
    }

    /// Whether the components of model `m` are drawn (not collapsed).
    fn expanded(&self, m: ModelIndex) -> bool {
        self.opts
            .depth
            .is_none_or(|d| self.model.ancestors(m).len() <= d)
    }

    /// The outermost collapsed model containing `m` (None when m is expanded).
    fn collapsed_into(&self, m: ModelIndex) -> Option<ModelIndex> {
        if self.expanded(m) {
            return None;
        }
        let mut cur = m;
        while let Some(p) = self.model.models[cur].parent {
            if self.expanded(p) {
                break;
            }
            cur = p;
        }
        Some(cur)
    }

    /// The region of a zone, creating it (and its enclosing zones) on demand.
    fn zone_region(&mut self, zone: Option<&str>) -> usize {
        let Some(z) = zone.filter(|z| self.zones.contains_key(*z)) else {
            return self.no_zone();
        };
        if let Some(&r) = self.by_key.get(z) {
            return r;
        }
        let mut parent = None;
        for key in self.zone_chain(z).into_iter().rev() {
            if let Some(&r) = self.by_key.get(key) {
                parent = Some(r);
                continue;
            }
            let (m, i) = self.zones[key];
            let zone = &self.model.models[m].zones[i];
            let order = self.zone_order[key];
            let r = self.push(Region {
                kind: RegionKind::Zone,
                key: key.to_string(),
                zone: Some(key),
                title: &zone.title,
                subtitle: format!("trust {}", fmt_trust(zone.trust)),
                trust: zone.trust,
                level: 0.0,
                parent,
                children: vec![],
                nodes: vec![],
                depth: 0,
                description: zone.description.as_deref(),
                order,
                component: None,
            });
            parent = Some(r);
        }
        parent.expect("chain is non-empty")
    }

    /// Zone `z` and the zones it is `within`, innermost first, up to the first
    /// one already drawn; stops at a cycle or an unknown zone.
    fn zone_chain(&self, z: &str) -> Vec<&'a str> {
        let (&first, _) = self.zones.get_key_value(z).expect("a known zone");
        let mut chain = vec![first];
        let mut seen: HashSet<&str> = HashSet::from([first]);
        loop {
            let (m, i) = self.zones[chain.last().expect("non-empty")];
            match &self.model.models[m].zones[i].within {
                Some(w) if self.zones.contains_key(w.as_str()) && seen.insert(w.as_str()) => {
                    chain.push(w.as_str());
                    if self.by_key.contains_key(w.as_str()) {
                        break;
                    }
                }
                _ => break,
            }
        }
        chain
    }

    fn no_zone(&mut self) -> usize {
        if let Some(&r) = self.by_key.get("-") {
            return r;
        }
        self.push(Region {
            kind: RegionKind::NoZone,
            key: "-".into(),
            zone: None,
            title: "No trust zone",
            subtitle: "zone not given".into(),
            trust: f64::NEG_INFINITY,
            level: 0.0,
            parent: None,
            children: vec![],
            nodes: vec![],
            depth: 0,
            description: None,
            order: 0,
            component: None,
        })
    }

    /// The region for an element of model `home` in zone `zone`: the zone
    /// itself for the root, else nested component groups inside the zone.
    fn home_region(&mut self, zone: Option<&'a str>, home: ModelIndex) -> usize {
        if let Some(&r) = self.homes.get(&(zone, home)) {
            return r;
        }
        let region = self.new_home_region(zone, home);
        self.homes.insert((zone, home), region);
        region
    }

    fn new_home_region(&mut self, zone: Option<&str>, home: ModelIndex) -> usize {
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
            region = match self.by_key.get(&key) {
                Some(&r) => r,
                None => {
                    let parent = &self.regions[region];
                    let r = Region {
                        kind: RegionKind::Component,
                        key,
                        zone: parent.zone,
                        title: &tm.title,
                        subtitle: format!("component {}", rel_id(&tm.qid, self.root_qid)),
                        trust: parent.trust,
                        level: 0.0,
                        parent: Some(region),
                        children: vec![],
                        nodes: vec![],
                        depth: 0,
                        description: None,
                        order: m,
                        component: Some(&tm.qid),
                    };
                    self.push(r)
                }
            };
        }
        region
    }

    fn push(&mut self, r: Region<'a>) -> usize {
        let i = self.regions.len();
        self.by_key.insert(r.key.clone(), i);
        if let Some(p) = r.parent {
            self.regions[p].children.push(i);
        }
        self.regions.push(r);
        i
    }

    /// Zones declared by the root and expanded components are drawn even
    /// when empty: an empty zone is still part of the picture.
    fn add_declared_zones(&mut self) {
        let model = self.model;
        for m in self.analysed.clone() {
            if self.expanded(m) {
                for z in &model.models[m].zones {
                    self.zone_region(Some(&z.qid));
                }
            }
        }
    }

    /// The attackers of expanded models and of what they import, each once.
    fn add_attackers(&mut self) {
        let model = self.model;
        let mut seen = HashSet::new();
        let mut sources: Vec<ModelIndex> = Vec::new();
        for &m in &self.analysed {
            if self.expanded(m) {
                sources.push(m);
                sources.extend(model.models[m].imports.iter().copied());
            }
        }
        for m in sources {
            for a in &model.models[m].attackers {
                if !seen.insert(a.qid.as_str()) {
                    continue;
                }
                let region = self.zone_region(a.zone.as_deref());
                let scope = (a.in_scope, a.reason.as_deref());
                self.push_node(NodeKind::Attacker, &a.qid, &a.title, scope, region);
            }
        }
    }

    /// Adds the node of an asset or attacker; `scope` is whether it is in
    /// scope and why not.
    fn push_node(
        &mut self,
        kind: NodeKind,
        qid: &'a str,
        title: &'a str,
        scope: (bool, Option<&'a str>),
        region: usize,
    ) {
        self.nodes.push(Node {
            kind,
            qid,
            id: rel_id(qid, self.root_qid),
            title,
            in_scope: scope.0,
            reason: scope.1,
            region,
        });
    }

    /// The assets of expanded models, and one box per collapsed component.
    fn add_assets(&mut self) {
        let model = self.model;
        let mut component_node: HashMap<ModelIndex, usize> = HashMap::new();
        for m in self.analysed.clone() {
            let tm = &model.models[m];
            let Some(top) = self.collapsed_into(m) else {
                for a in &tm.assets {
                    let region = self.home_region(a.zone.as_deref(), m);
                    self.asset_node.insert(&a.qid, self.nodes.len());
                    let scope = (a.in_scope, a.reason.as_deref());
                    self.push_node(NodeKind::Asset(a.kind), &a.qid, &a.title, scope, region);
                }
                continue;
            };
            let n = match component_node.get(&top) {
                Some(&n) => n,
                None => {
                    let node = self.collapsed_box(top);
                    self.nodes.push(node);
                    component_node.insert(top, self.nodes.len() - 1);
                    self.nodes.len() - 1
                }
            };
            for a in &tm.assets {
                self.asset_node.insert(&a.qid, n);
            }
        }
        // A catalogue declares no asset, but in a component's view (`--component`)
        // the ancestors are kept as catalogues with the assets its flows reach.
        let context = model
            .models
            .iter()
            .filter(|tm| tm.kind == ModelKind::Catalogue);
        for a in context.flat_map(|tm| &tm.assets) {
            let region = self.home_region(a.zone.as_deref(), 0);
            self.asset_node.insert(&a.qid, self.nodes.len());
            let scope = (a.in_scope, a.reason.as_deref());
            self.push_node(NodeKind::Asset(a.kind), &a.qid, &a.title, scope, region);
        }
    }

    /// One box standing for a collapsed component (and its own components),
    /// placed in the zone holding most of its assets.
    fn collapsed_box(&mut self, top: ModelIndex) -> Node<'a> {
        let model = self.model;
        let mut count: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut total = 0;
        for &m in &self.analysed {
            if self.collapsed_into(m) != Some(top) {
                continue;
            }
            for a in &model.models[m].assets {
                total += 1;
                if let Some(z) = &a.zone {
                    let n = first.len();
                    let order = *first.entry(z).or_insert(n);
                    *count.entry((order, z)).or_default() += 1;
                }
            }
        }
        // Most assets wins; ties go to the zone met first.
        let zone = count
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.0.cmp(&a.0.0)))
            .map(|((_, z), _)| *z);
        let tm = &model.models[top];
        let home = tm.parent.unwrap_or(0);
        let region = self.home_region(zone, home);
        Node {
            kind: NodeKind::Component(total),
            qid: &tm.qid,
            id: rel_id(&tm.qid, self.root_qid),
            title: &tm.title,
            in_scope: true,
            reason: None,
            region,
        }
    }

    /// The flows between drawn nodes (a flow inside one collapsed
    /// component is not drawn).
    fn edges(&self, analysis: &'a Analysis) -> Vec<Edge<'a>> {
        let model = self.model;
        let crossings: HashMap<&str, &Crossing> = analysis
            .crossings
            .iter()
            .map(|c| (c.flow.as_str(), c))
            .collect();
        let mut edges = Vec::new();
        for &m in &self.analysed {
            for f in &model.models[m].dataflows {
                let (Some(&from), Some(&to)) = (
                    self.asset_node.get(f.from.as_str()),
                    self.asset_node.get(f.to.as_str()),
                ) else {
                    continue;
                };
                if from == to && f.from != f.to {
                    continue; // inside a collapsed component
                }
                let c = crossings.get(f.qid.as_str()).copied();
                let cross = c.map_or(Cross::None, |c| cross_of(c.direction));
                edges.push(Edge {
                    qid: &f.qid,
                    id: rel_id(&f.qid, self.root_qid),
                    title: &f.title,
                    protocol: f.protocol.as_deref().filter(|p| !p.trim().is_empty()),
                    from,
                    to,
                    bidirectional: f.bidirectional,
                    in_scope: f.in_scope,
                    reason: f.reason.as_deref(),
                    cross,
                    zones: c
                        .filter(|_| cross != Cross::None)
                        .map(|c| self.crossing_zones(c)),
                    exposed: c.map_or(&[], |c| &c.exposed[..]),
                    unanswered: c.map_or(&[], |c| &c.unanswered[..]),
                });
            }
        }
        edges
    }

    /// The zones a crossing joins, named by their ids.
    fn crossing_zones(&self, c: &'a Crossing) -> [ZoneEnd<'a>; 2] {
        let end = |qid: &'a Option<Qid>, trust: Option<f64>| ZoneEnd {
            name: match qid.as_deref() {
                Some(q) => match self.zones.get(q) {
                    Some(&(m, i)) => self.model.models[m].zones[i].id.as_str(),
                    None => q,
                },
                None => "no zone",
            },
            trust,
        };
        [end(&c.from_zone, c.from_trust), end(&c.to_zone, c.to_trust)]
    }
}

fn cross_of(d: Direction) -> Cross {
    match d {
        Direction::Inbound => Cross::Inbound,
        Direction::Outbound => Cross::Outbound,
        Direction::Both => Cross::Both,
        _ => Cross::None,
    }
}

/// Builds the scene of a model.
pub(crate) fn build<'a>(
    model: &'a Model,
    analysis: &'a Analysis,
    opts: &'a DiagramOptions,
) -> Scene<'a> {
    let mut b = Builder::new(model, opts);
    b.add_declared_zones();
    // Attackers first, so they sit at the top edge of their zone.
    if opts.attackers {
        b.add_attackers();
    }
    b.add_assets();
    let edges = b.edges(analysis);
    for (i, n) in b.nodes.iter().enumerate() {
        b.regions[n.region].nodes.push(i);
    }
    let root = model.root();
    let mut regions = b.regions;
    let roots = order_regions(&mut regions);
    Scene {
        model_id: &root.id,
        title: &root.title,
        regions,
        roots,
        nodes: b.nodes,
        edges,
    }
}

/// Sorts the top-level regions and every region's children by trust (then
/// kind and declaration order), sets depths and tint levels, and returns the
/// top-level regions.
fn order_regions(regions: &mut [Region<'_>]) -> Vec<usize> {
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
    sort(&mut roots, regions);
    for r in 0..regions.len() {
        let mut c = std::mem::take(&mut regions[r].children);
        sort(&mut c, regions);
        regions[r].children = c;
    }
    // Depths, walking down from the roots.
    let mut stack: Vec<(usize, usize)> = roots.iter().map(|&r| (r, 0)).collect();
    while let Some((r, d)) = stack.pop() {
        regions[r].depth = d;
        stack.extend(regions[r].children.iter().map(|&c| (c, d + 1)));
    }
    set_levels(regions);
    roots
}

/// Tints follow the rank of the trust level among drawn zones.
fn set_levels(regions: &mut [Region<'_>]) {
    let mut levels: Vec<f64> = regions
        .iter()
        .filter(|r| r.kind == RegionKind::Zone)
        .map(|r| r.trust)
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    for r in regions {
        if let Some(pos) = levels.iter().position(|t| *t == r.trust) {
            r.level = if levels.len() > 1 {
                pos as f64 / (levels.len() - 1) as f64
            } else {
                0.5
            };
        }
    }
}
