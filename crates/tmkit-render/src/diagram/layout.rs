//! The native layout: trust zones as nested columns ordered by trust,
//! wrapped into bands (rows of zones, read top to bottom) so the picture
//! keeps a readable shape, nodes on a grid inside them (ordered by a
//! barycentre pass, attackers first), flows routed orthogonally through the
//! free channels between grid rows and columns, and between bands through a
//! gutter on the left, reached along the bands' edge channels. The groups
//! of a component in neighbouring zones are placed side by side across the
//! zone border and share one outline ([`Outline`]). A few plans (band
//! count and cut, grid rows) are laid out and the best by [`Score`] is kept:
//! a readable aspect ratio, components kept together, few flow crossings.
//!
//! Why a domain-specific layout rather than a general graph layout crate:
//! the available Rust crates (`layout-rs`, `rust-sugiyama`, `dagre-rs`) lay
//! out flat graphs; none draws compound graphs (nested clusters), which is
//! what trust zones are. Laying zones out as columns also puts the least
//! trusted zone first by construction, and the grid makes the absence
//! of overlaps a property of the construction rather than a hope:
//!
//! * nodes occupy grid cells; flows run only through *channels*: a
//!   horizontal channel between two rows (spanning the whole width) and a
//!   vertical channel at the left of each grid column (inside the column's
//!   zone);
//! * a flow leaves its source on the side facing the target's row (bottom
//!   within one row), runs along the channel there to the vertical channel
//!   of the target column, along it to the channel next to the target, and
//!   enters the target on the side facing the source; when both ends touch
//!   the same channel it is a single horizontal run; a flow to another band
//!   runs along its source column's channel to the band's edge channel, to
//!   the gutter, to the target band's edge channel and along the target
//!   column's channel ([`Route`]); a vertical channel spans only its band,
//!   the gutter lies outside every zone, so no vertical run crosses a node
//!   or a zone header;
//! * every segment gets a *lane* of its channel, and two segments share a
//!   lane only when their extents (with the label, for the first horizontal
//!   segment) are disjoint, so labels never overlap each other, nodes or
//!   zone headers (which live in their own bands at the top); each
//!   horizontal channel then numbers its lanes in the direction that
//!   crosses fewer lines ([`flip_lanes`]).

use super::scene::{NodeKind, RegionKind, Scene, Shape, Step};
use super::text;

pub(crate) const MARGIN: f64 = 16.0;
pub(crate) const TITLE_FONT: f64 = 15.0;
pub(crate) const ZONE_FONT: f64 = 13.0;
pub(crate) const SUB_FONT: f64 = 11.0;
pub(crate) const NODE_FONT: f64 = 12.0;
pub(crate) const ID_FONT: f64 = 11.0;
pub(crate) const EDGE_FONT: f64 = 11.0;
pub(crate) const LINE_H: f64 = 15.0;
const TITLE_H: f64 = 30.0;
const HEADER_H: f64 = 26.0;
const REGION_PAD: f64 = 12.0;
const REGION_GAP: f64 = 18.0;
const BOTTOM_PAD: f64 = 10.0;
const CHAN_PAD: f64 = 7.0;
const LANE_W: f64 = 8.0;
const MIN_CHAN: f64 = 14.0;
const LANE_H: f64 = 20.0;
const HCHAN_PAD: f64 = 6.0;
const MIN_HCHAN: f64 = 22.0;
const NODE_PAD_X: f64 = 14.0;
const NODE_PAD_Y: f64 = 9.0;
const NODE_MIN_W: f64 = 100.0;
const NODE_COLS: usize = 24;
const NODE_LINES: usize = 3;
const EDGE_LABEL_COLS: usize = 60;
const LABEL_PAD: f64 = 3.0;
/// Radius of the ellipses closing a datastore cylinder.
pub(crate) const CYL_RY: f64 = 6.0;
/// Size of the folded corner of a document.
pub(crate) const FOLD: f64 = 10.0;
/// How far the points of an attacker hexagon stick out.
pub(crate) const HEX: f64 = 12.0;
/// Offset of the stacked box of a collapsed component.
pub(crate) const STACK: f64 = 4.0;
/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// A rectangle from its left, top, width and height.
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }

    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// True when the interiors intersect (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        self.x < o.right() - EPS
            && o.x < self.right() - EPS
            && self.y < o.bottom() - EPS
            && o.y < self.bottom() - EPS
    }

    /// True when `o` lies inside `self` (edges may touch).
    pub fn contains(&self, o: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        o.x >= self.x - EPS
            && o.y >= self.y - EPS
            && o.right() <= self.right() + EPS
            && o.bottom() <= self.bottom() + EPS
    }
}

/// The computed layout of a native SVG diagram, for checks and image maps.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiagramLayout {
    /// Width of the picture.
    pub width: f64,
    /// Height of the picture.
    pub height: f64,
    /// The diagram title.
    pub title: Rect,
    /// Zone boxes (and component groups), outermost first.
    pub zones: Vec<ZoneBox>,
    /// Assets, attackers and collapsed components.
    pub nodes: Vec<NodeBox>,
    /// Data flows.
    pub edges: Vec<EdgePath>,
    /// Legend entries.
    pub legend: Vec<Rect>,
    /// The outlines of the expanded components: one per component, enclosing
    /// its groups in every zone, or one per group when the component could
    /// not be kept together (see docs/diagrams.md).
    pub components: Vec<ComponentBox>,
}

/// The dashed outline of an expanded component.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ComponentBox {
    /// Qualified id of the component.
    pub qid: String,
    /// Keys of the component groups (one per zone) it encloses.
    pub groups: Vec<String>,
    /// The outline.
    pub rect: Rect,
    /// The title.
    pub label: Rect,
}

/// A drawn zone, component group or the "no zone" box.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ZoneBox {
    /// Zone qid; `zone@component` for a component group; `-` for no zone.
    pub key: String,
    /// True for a trust zone (false for component groups and "no zone").
    pub is_zone: bool,
    /// Nesting depth (0 = top level).
    pub depth: usize,
    /// The box.
    pub rect: Rect,
    /// The header text (title and trust level).
    pub label: Rect,
}

/// A drawn node.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NodeBox {
    /// Qualified id of the asset, attacker or collapsed component.
    pub qid: String,
    /// The innermost trust zone it is drawn in (None: no zone).
    pub zone: Option<String>,
    /// Key of the [`ZoneBox`] it is drawn in directly.
    pub region: String,
    /// In scope of the analysis.
    pub in_scope: bool,
    /// True for an attacker.
    pub attacker: bool,
    /// The shape's bounding box.
    pub rect: Rect,
    /// The text inside.
    pub label: Rect,
}

/// A drawn data flow.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EdgePath {
    /// Qualified id of the flow.
    pub qid: String,
    /// The polyline, from the source to the destination.
    pub points: Vec<(f64, f64)>,
    /// The label (id, title, protocol).
    pub label: Rect,
}

/// A legend entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegendKind {
    Shape(Shape),
    OutOfScope,
    Flow(super::scene::Cross),
    Unanswered,
    FlowOutOfScope,
}

/// A node's text, placed.
#[derive(Debug, Clone)]
pub(crate) struct NodeText {
    pub lines: Vec<String>,
    pub id_line: String,
}

/// The box of a region or a node, and where its text goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    pub rect: Rect,
    pub label: Rect,
}

/// A flow's polyline and where its label goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    pub points: Vec<(f64, f64)>,
    pub label: Rect,
}

/// Everything the SVG writer needs; the vectors are indexed like the
/// scene's regions, nodes and edges (no texts are copied).
#[derive(Debug, Clone)]
pub(crate) struct Geometry {
    pub width: f64,
    pub height: f64,
    pub title: Rect,
    pub zones: Vec<Placed>,
    pub nodes: Vec<Placed>,
    pub edges: Vec<Path>,
    pub legend: Vec<Rect>,
    pub node_text: Vec<NodeText>,
    /// Per region: (title, subtitle) as drawn (truncated).
    pub headers: Vec<(String, String)>,
    /// Per edge: drawn label text and baseline.
    pub edge_text: Vec<(String, f64)>,
    pub legend_kinds: Vec<LegendKind>,
    /// One outline per expanded component drawn in one piece, one per group
    /// of a component that could not be kept together.
    pub outlines: Vec<Outline>,
}

/// The dashed outline of an expanded component (or of one part of it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outline {
    /// The component groups (regions) it encloses, left to right.
    pub groups: Vec<usize>,
    pub rect: Rect,
    /// Where the title goes (the header of the first group).
    pub label: Rect,
    /// True when the component has groups in several zones and this one
    /// outline encloses them all.
    pub joined: bool,
    /// How many outlines the component is drawn with (1: kept together).
    pub parts: usize,
}

impl Geometry {
    /// The public description of the layout, naming what each box holds.
    pub(crate) fn describe(self, scene: &Scene<'_>) -> DiagramLayout {
        let zones = scene
            .regions
            .iter()
            .zip(&self.zones)
            .map(|(r, p)| ZoneBox {
                key: r.key.clone(),
                is_zone: r.kind == RegionKind::Zone,
                depth: r.depth,
                rect: p.rect,
                label: p.label,
            })
            .collect();
        let nodes = (0..scene.nodes.len())
            .map(|n| {
                let node = &scene.nodes[n];
                NodeBox {
                    qid: node.qid.to_string(),
                    zone: scene.node_zone(n).map(str::to_string),
                    region: scene.regions[node.region].key.clone(),
                    in_scope: node.in_scope,
                    attacker: node.kind == NodeKind::Attacker,
                    rect: self.nodes[n].rect,
                    label: self.nodes[n].label,
                }
            })
            .collect();
        let edges = scene
            .edges
            .iter()
            .zip(self.edges)
            .map(|(e, p)| EdgePath {
                qid: e.qid.to_string(),
                points: p.points,
                label: p.label,
            })
            .collect();
        let components = self
            .outlines
            .iter()
            .map(|o| ComponentBox {
                qid: scene.regions[o.groups[0]]
                    .component
                    .unwrap_or_default()
                    .to_string(),
                groups: o
                    .groups
                    .iter()
                    .map(|&g| scene.regions[g].key.clone())
                    .collect(),
                rect: o.rect,
                label: o.label,
            })
            .collect();
        DiagramLayout {
            width: self.width,
            height: self.height,
            title: self.title,
            zones,
            nodes,
            edges,
            legend: self.legend,
            components,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Open(usize),
    Col(usize),
    Close(usize),
}

/// A flow's route: horizontal runs along channels `h[0]`, `h[1]`, ...,
/// joined by vertical runs along channels `v[0]`, ... (`legs` horizontal
/// runs, one vertical run fewer). One run when source and target touch the
/// same channel; two in one band (through the target column's vertical
/// channel); up to four between bands: down (or up) the source column to
/// the band's edge channel, along it to the gutter, through the gutter to
/// the target band's edge channel, along it to the target column, and
/// down (or up) it to the channel next to the target.
#[derive(Debug, Clone, Copy)]
struct Route {
    h: [usize; 4],
    v: [usize; 3],
    legs: usize,
}

impl Route {
    fn new(h: &[usize], v: &[usize]) -> Route {
        let mut r = Route {
            h: [0; 4],
            v: [0; 3],
            legs: h.len(),
        };
        r.h[..h.len()].copy_from_slice(h);
        r.v[..v.len()].copy_from_slice(v);
        r
    }

    /// The vertical runs: (leg, channel, from h, to h).
    fn verticals(&self) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
        (0..self.legs - 1).map(|i| (i, self.v[i], self.h[i], self.h[i + 1]))
    }
}

fn node_text(scene: &Scene, n: usize) -> NodeText {
    let node = &scene.nodes[n];
    NodeText {
        lines: text::wrap(node.title, NODE_COLS, NODE_LINES),
        id_line: text::truncate(&node.id_line(), 34),
    }
}

/// Width and height of a node's shape, and of the text block inside.
#[derive(Debug, Clone, Copy)]
struct Size {
    w: f64,
    h: f64,
    tw: f64,
    th: f64,
}

/// Width of the text block and size of the shape around it.
fn node_size(kind: NodeKind, t: &NodeText) -> Size {
    let tw = t
        .lines
        .iter()
        .map(|l| text::width(l, NODE_FONT))
        .fold(text::width(&t.id_line, ID_FONT), f64::max);
    let th = t.lines.len() as f64 * LINE_H + 13.0;
    let (mut w, mut h) = (tw + 2.0 * NODE_PAD_X, th + 2.0 * NODE_PAD_Y);
    match kind.shape() {
        Shape::Rounded => w += 10.0,
        Shape::Cylinder => h += 2.0 * CYL_RY,
        Shape::Document => w += FOLD,
        Shape::Hardware => {
            w += 6.0;
            h += 6.0;
        }
        Shape::Stack => {
            w += STACK;
            h += STACK;
        }
        Shape::Hexagon => w += 2.0 * HEX,
        Shape::Box | Shape::Other => {}
    }
    Size {
        w: w.max(NODE_MIN_W).ceil(),
        h: h.ceil(),
        tw,
        th,
    }
}

/// y of the shape's outline at `x`, on its top (`top == true`) or bottom.
fn outline_y(kind: NodeKind, r: &Rect, x: f64, top: bool) -> f64 {
    if kind.shape() == Shape::Cylinder {
        let rx = r.w / 2.0;
        let dx = ((x - (r.x + rx)) / rx).clamp(-1.0, 1.0);
        let k = CYL_RY * (1.0 - dx * dx).sqrt();
        return if top {
            r.y + CYL_RY - k
        } else {
            r.bottom() - CYL_RY + k
        };
    }
    if top { r.y } else { r.bottom() }
}

/// How the picture is cut: the top-level regions of each band (least trusted
/// first, left to right, then band after band), and how many grid rows a
/// region's assets may fill before it takes another column.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    bands: Vec<Vec<usize>>,
    rows_target: usize,
}

/// The grid: each band is a row of top-level regions; each region's own
/// nodes fill k grid columns row by row, attackers in the first rows. Rows
/// are numbered across the bands; each band has its own horizontal channels
/// (one above each row and one below the last).
struct Grid {
    /// Per band: regions opened and closed and columns placed, left to right.
    events: Vec<Vec<Ev>>,
    /// Per node: (column, row).
    pos: Vec<(usize, usize)>,
    col_w: Vec<f64>,
    row_h: Vec<f64>,
    /// Per row: its band.
    row_band: Vec<usize>,
    /// Per band: its first row and the number of rows.
    band_rows: Vec<(usize, usize)>,
    /// Per region: its band.
    region_band: Vec<usize>,
}

/// The order of each region's own nodes: attackers first (declaration
/// order), then assets sorted by the mean row of the nodes they exchange
/// flows with (a few barycentre passes, ties keep the previous order), so
/// connected nodes share rows and their flows run straight.
fn node_order(scene: &Scene, rows_target: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<Vec<usize>> = scene.regions.iter().map(|r| r.nodes.clone()).collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); scene.nodes.len()];
    for e in &scene.edges {
        if e.from != e.to {
            adj[e.from].push(e.to);
            adj[e.to].push(e.from);
        }
    }
    let mut row = vec![0usize; scene.nodes.len()];
    let set_rows = |order: &[Vec<usize>], row: &mut Vec<usize>| {
        for own in order {
            let (att, k) = region_shape(scene, own, rows_target);
            let att_rows = att.div_ceil(k);
            for (j, &n) in own.iter().enumerate() {
                row[n] = if j < att {
                    j / k
                } else {
                    att_rows + (j - att) / k
                };
            }
        }
    };
    set_rows(&order, &mut row);
    for _ in 0..4 {
        let mut changed = false;
        for own in order.iter_mut() {
            let att = own
                .iter()
                .take_while(|&&n| scene.nodes[n].kind == NodeKind::Attacker)
                .count();
            let key = |n: usize| -> f64 {
                if adj[n].is_empty() {
                    row[n] as f64
                } else {
                    adj[n].iter().map(|&m| row[m] as f64).sum::<f64>() / adj[n].len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize, usize)> = own[att..]
                .iter()
                .enumerate()
                .map(|(i, &n)| (key(n), i, n))
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (slot, (_, _, n)) in own[att..].iter_mut().zip(keyed) {
                changed |= *slot != n;
                *slot = n;
            }
        }
        set_rows(&order, &mut row);
        if !changed {
            break;
        }
    }
    order
}

/// How many of a region's own nodes are attackers (they come first), and
/// how many grid columns the region's nodes fill.
fn region_shape(scene: &Scene, own: &[usize], rows_target: usize) -> (usize, usize) {
    let att = own
        .iter()
        .take_while(|&&n| scene.nodes[n].kind == NodeKind::Attacker)
        .count();
    let assets = own.len() - att;
    let k = assets.div_ceil(rows_target).max(att.div_ceil(rows_target));
    (att, k.max(1))
}

/// Where a component group goes among the columns of its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupSide {
    /// Before the zone's own nodes: the component also has a group in a
    /// zone drawn further left.
    Leading,
    /// Not a component group, or a component drawn in this zone only.
    Middle,
    /// After everything else: the component also has a group in a zone
    /// drawn further right.
    Trailing,
}

/// For every region, where it goes among its parent's columns, so that the
/// groups of one component in neighbouring zones touch across the zone
/// border and can share one outline.
fn group_sides(scene: &Scene) -> Vec<GroupSide> {
    let mut rank = vec![0usize; scene.regions.len()];
    let mut next = 0;
    scene.walk(|step| {
        if let Step::Open { r, .. } = step {
            rank[r] = next;
            next += 1;
        }
    });
    // The walk rank of the zone holding each group.
    let zone_rank = |mut r: usize| {
        while scene.regions[r].kind == RegionKind::Component {
            match scene.regions[r].parent {
                Some(p) => r = p,
                None => break,
            }
        }
        rank[r]
    };
    let mut span: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    for (r, region) in scene.regions.iter().enumerate() {
        if let Some(c) = region.component {
            let z = zone_rank(r);
            let e = span.entry(c).or_insert((z, z));
            *e = (e.0.min(z), e.1.max(z));
        }
    }
    scene
        .regions
        .iter()
        .enumerate()
        .map(|(r, region)| match region.component.map(|c| span[c]) {
            Some((lo, _)) if zone_rank(r) > lo => GroupSide::Leading,
            Some((_, hi)) if zone_rank(r) < hi => GroupSide::Trailing,
            _ => GroupSide::Middle,
        })
        .collect()
}

/// One step of the left-to-right walk over the columns of a band.
#[derive(Debug, Clone, Copy)]
enum Walk {
    Open(usize),
    /// The columns of the region's own nodes.
    Own(usize),
    Close(usize),
}

/// Walks the regions under `roots` depth first, in the order their columns
/// are placed: a region opens, then come its leading component groups, its
/// own nodes, its other children (sub-zones and groups in declaration
/// order) and its trailing groups, and it closes.
fn walk_columns(scene: &Scene, roots: &[usize], sides: &[GroupSide], mut f: impl FnMut(Walk)) {
    let mut stack: Vec<Walk> = roots.iter().rev().map(|&r| Walk::Open(r)).collect();
    while let Some(step) = stack.pop() {
        f(step);
        if let Walk::Open(r) = step {
            let mut children = scene.regions[r].children.clone();
            // Stable: children of one side keep their order.
            children.sort_by_key(|&c| sides[c]);
            stack.push(Walk::Close(r));
            let lead = children
                .iter()
                .take_while(|&&c| sides[c] == GroupSide::Leading)
                .count();
            for &c in children[lead..].iter().rev() {
                stack.push(Walk::Open(c));
            }
            stack.push(Walk::Own(r));
            for &c in children[..lead].iter().rev() {
                stack.push(Walk::Open(c));
            }
        }
    }
}

impl Grid {
    fn new(scene: &Scene, sizes: &[Size], plan: &Plan, order: &[Vec<usize>]) -> Grid {
        let n_nodes = scene.nodes.len();
        let mut events = Vec::with_capacity(plan.bands.len());
        let mut col_rows: Vec<usize> = Vec::new();
        let mut col_band: Vec<usize> = Vec::new();
        let mut local = vec![(0usize, 0usize); n_nodes];
        let mut region_band = vec![0usize; scene.regions.len()];
        let sides = group_sides(scene);
        for (b, roots) in plan.bands.iter().enumerate() {
            let mut ev = Vec::new();
            walk_columns(scene, roots, &sides, |step| {
                let r = match step {
                    Walk::Close(r) => return ev.push(Ev::Close(r)),
                    Walk::Open(r) => {
                        region_band[r] = b;
                        return ev.push(Ev::Open(r));
                    }
                    Walk::Own(r) => r,
                };
                let region = &scene.regions[r];
                let own = &order[r];
                if own.is_empty() && !region.children.is_empty() {
                    return;
                }
                let (att, k) = region_shape(scene, own, plan.rows_target);
                let att_rows = att.div_ceil(k);
                let first = col_rows.len();
                for _ in 0..k {
                    ev.push(Ev::Col(col_rows.len()));
                    col_rows.push(0);
                    col_band.push(b);
                }
                for (j, &n) in own.iter().enumerate() {
                    let (c, row) = if j < att {
                        (j % k, j / k)
                    } else {
                        ((j - att) % k, att_rows + (j - att) / k)
                    };
                    local[n] = (first + c, row);
                    col_rows[first + c] = col_rows[first + c].max(row + 1);
                }
            });
            events.push(ev);
        }
        let n_bands = plan.bands.len();
        let mut band_rows = vec![(0usize, 1usize); n_bands];
        for (g, &rows) in col_rows.iter().enumerate() {
            let b = col_band[g];
            band_rows[b].1 = band_rows[b].1.max(rows);
        }
        let mut first = 0;
        let mut row_band = Vec::new();
        for (b, br) in band_rows.iter_mut().enumerate() {
            br.0 = first;
            first += br.1;
            row_band.extend(std::iter::repeat_n(b, br.1));
        }
        let pos: Vec<(usize, usize)> = local
            .iter()
            .map(|&(g, r)| (g, band_rows[col_band.get(g).copied().unwrap_or(0)].0 + r))
            .collect();
        let mut col_w = vec![NODE_MIN_W; col_rows.len()];
        let mut row_h = vec![0.0f64; first.max(1)];
        for (n, &(g, r)) in pos.iter().enumerate() {
            col_w[g] = col_w[g].max(sizes[n].w);
            row_h[r] = row_h[r].max(sizes[n].h);
        }
        for h in &mut row_h {
            if *h == 0.0 {
                *h = 40.0;
            }
        }
        if row_band.is_empty() {
            row_band.push(0);
        }
        Grid {
            events,
            pos,
            col_w,
            row_h,
            row_band,
            band_rows,
            region_band,
        }
    }

    fn n_cols(&self) -> usize {
        self.col_w.len()
    }

    fn n_rows(&self) -> usize {
        self.row_h.len()
    }

    fn n_bands(&self) -> usize {
        self.band_rows.len()
    }

    /// Number of horizontal channels: one above each row, and one below the
    /// last row of each band.
    fn n_chan(&self) -> usize {
        self.n_rows() + self.n_bands()
    }

    /// The channel above row `r`.
    fn above(&self, r: usize) -> usize {
        r + self.row_band[r]
    }

    /// The channel below row `r`.
    fn below(&self, r: usize) -> usize {
        r + self.row_band[r] + 1
    }

    /// Which sides of the source and target a flow uses, and the channels
    /// next to them: down to a lower row leaves at the bottom and enters at
    /// the top; up to a higher row leaves at the top and enters at the
    /// bottom; within one row both ends use the bottom, so the flow runs
    /// straight along the channel below the row.
    fn sides(&self, rs: usize, rt: usize) -> (bool, usize, bool, usize) {
        use std::cmp::Ordering::*;
        match rt.cmp(&rs) {
            Greater => (false, self.below(rs), true, self.above(rt)),
            Less => (true, self.above(rs), false, self.below(rt)),
            Equal => (false, self.below(rs), false, self.below(rs)),
        }
    }

    /// The vertical channel of the gutter left of every band, which carries
    /// the flows from one band to another.
    fn gutter(&self) -> usize {
        self.n_cols()
    }
}

/// Lanes are searched a block at a time (the least end of each block is
/// kept), so a channel of many lanes costs no scan of them all.
const LANE_BLOCK: usize = 64;

/// Gives each interval a lane of its channel: the first lane whose last
/// interval `fits` before it (`fits(end, lo)`, true for every end below
/// one for which it is true), else a new lane. The intervals `(channel, lo,
/// hi)` come sorted by channel, then start. Returns the lane of each
/// interval and the number of lanes of each channel.
fn assign_lanes<T: Copy + PartialOrd>(
    items: impl Iterator<Item = (usize, T, T)>,
    n_chan: usize,
    fits: impl Fn(T, T) -> bool,
) -> (Vec<usize>, Vec<usize>) {
    let mut lane_of = Vec::new();
    let mut lanes = vec![0usize; n_chan];
    let mut ends: Vec<T> = Vec::new();
    // The least end of each block of LANE_BLOCK lanes.
    let mut least: Vec<T> = Vec::new();
    let mut cur = usize::MAX;
    for (chan, lo, hi) in items {
        if chan != cur {
            cur = chan;
            ends.clear();
            least.clear();
        }
        let lane = match least.iter().position(|&m| fits(m, lo)) {
            Some(b) => {
                let first = b * LANE_BLOCK;
                let block = &ends[first..(first + LANE_BLOCK).min(ends.len())];
                first + block.iter().position(|&end| fits(end, lo)).unwrap_or(0)
            }
            None => {
                ends.push(hi);
                if (ends.len() - 1).is_multiple_of(LANE_BLOCK) {
                    least.push(hi);
                }
                ends.len() - 1
            }
        };
        ends[lane] = hi;
        let first = lane / LANE_BLOCK * LANE_BLOCK;
        let block = &ends[first..(first + LANE_BLOCK).min(ends.len())];
        least[lane / LANE_BLOCK] = block
            .iter()
            .copied()
            .fold(block[0], |m, e| if e < m { e } else { m });
        lane_of.push(lane);
        lanes[chan] = lanes[chan].max(ends.len());
    }
    (lane_of, lanes)
}

/// The route of every flow, and the lane of the vertical ones (in
/// row-index space: y is not known yet).
struct Routing {
    routes: Vec<Route>,
    /// Per flow: the lane of each vertical run.
    v_lane: Vec<[usize; 3]>,
    /// Width of each column's vertical channel.
    chan_w: Vec<f64>,
    /// x of each column's vertical channel, once known.
    chan_x: Vec<f64>,
}

impl Routing {
    fn new(scene: &Scene, grid: &Grid) -> Routing {
        let pos = &grid.pos;
        let routes: Vec<Route> = scene
            .edges
            .iter()
            .map(|e| {
                let (gs, rs) = pos[e.from];
                let (gt, rt) = pos[e.to];
                let (_, h1, _, h2) = grid.sides(rs, rt);
                let (bs, bt) = (grid.row_band[rs], grid.row_band[rt]);
                if h1 == h2 {
                    Route::new(&[h1], &[])
                } else if bs == bt {
                    Route::new(&[h1, h2], &[gt])
                } else {
                    // Between bands: only the bands' edge channels meet the
                    // gutter, so the long runs to it cross no vertical run
                    // inside a band.
                    let edge = |b: usize, bottom: bool| {
                        let (first, n) = grid.band_rows[b];
                        if bottom {
                            grid.below(first + n - 1)
                        } else {
                            grid.above(first)
                        }
                    };
                    let (hs, ht) = (edge(bs, bt > bs), edge(bt, bt < bs));
                    let (mut h, mut v) = (vec![h1], vec![]);
                    if hs != h1 {
                        v.push(gs);
                        h.push(hs);
                    }
                    v.push(grid.gutter());
                    h.push(ht);
                    if ht != h2 {
                        v.push(gt);
                        h.push(h2);
                    }
                    Route::new(&h, &v)
                }
            })
            .collect();
        let mut v_items: Vec<(usize, usize, usize, usize, usize)> = routes
            .iter()
            .enumerate()
            .flat_map(|(e, r)| {
                r.verticals()
                    .map(move |(leg, v, a, b)| (v, a.min(b), a.max(b), e, leg))
            })
            .collect();
        v_items.sort_unstable();
        let items = v_items.iter().map(|&(v, lo, hi, ..)| (v, lo, hi));
        let (lanes, v_lanes) = assign_lanes(items, grid.n_cols() + 1, |end, lo| end < lo);
        let mut v_lane = vec![[0usize; 3]; routes.len()];
        for (&(.., e, leg), lane) in v_items.iter().zip(lanes) {
            v_lane[e][leg] = lane;
        }
        let mut chan_w: Vec<f64> = v_lanes
            .iter()
            .map(|&l| (l as f64 * LANE_W + 2.0 * CHAN_PAD).max(MIN_CHAN))
            .collect();
        if v_lanes[grid.gutter()] == 0 {
            chan_w[grid.gutter()] = 0.0;
        }
        Routing {
            routes,
            v_lane,
            chan_w,
            chan_x: vec![],
        }
    }

    /// x of vertical run `leg` of flow `e`.
    fn lane_x(&self, e: usize, leg: usize) -> f64 {
        let v = self.routes[e].v[leg];
        self.chan_x[v] + CHAN_PAD + self.v_lane[e][leg] as f64 * LANE_W + LANE_W / 2.0
    }
}

/// x extents of regions and columns, from the left-to-right sweep.
struct Columns {
    reg_x: Vec<(f64, f64)>,
    col_x: Vec<f64>,
    right: f64,
}

/// Places regions, vertical channels and columns from left to right, band
/// by band, right of the gutter; a region is at least as wide as its
/// header. Sets `routing.chan_x`.
fn sweep_x(grid: &Grid, routing: &mut Routing, headers: &[(String, String)]) -> Columns {
    let header_w = |r: usize| {
        let (t, s) = &headers[r];
        text::width(t, ZONE_FONT) + 10.0 + text::width(s, SUB_FONT) + 2.0 * 9.0
    };
    let mut reg_x = vec![(0.0f64, 0.0f64); headers.len()];
    let mut chan_x = vec![0.0f64; grid.n_cols() + 1];
    let mut col_x = vec![0.0f64; grid.n_cols()];
    chan_x[grid.gutter()] = MARGIN;
    let gutter_w = routing.chan_w[grid.gutter()];
    let left = if gutter_w > 0.0 {
        MARGIN + gutter_w + 4.0
    } else {
        MARGIN
    };
    let mut right = left;
    for band in &grid.events {
        let mut x = left;
        let mut prev: Option<Ev> = None;
        for &ev in band {
            match ev {
                Ev::Open(r) => {
                    if matches!(prev, Some(Ev::Close(_) | Ev::Col(_))) {
                        x += REGION_GAP;
                    }
                    reg_x[r].0 = x;
                    x += REGION_PAD;
                }
                Ev::Col(g) => {
                    if matches!(prev, Some(Ev::Close(_))) {
                        x += REGION_GAP;
                    }
                    chan_x[g] = x;
                    x += routing.chan_w[g];
                    col_x[g] = x;
                    x += grid.col_w[g];
                }
                Ev::Close(r) => {
                    x += REGION_PAD;
                    x = x.max(reg_x[r].0 + header_w(r));
                    reg_x[r].1 = x;
                }
            }
            prev = Some(ev);
        }
        right = right.max(x);
    }
    routing.chan_x = chan_x;
    Columns {
        reg_x,
        col_x,
        right,
    }
}

/// Where each flow leaves its source and enters its target: each side of a
/// node spreads its flows, ordered by where they go.
fn ports(scene: &Scene, grid: &Grid, rects: &[Rect], routing: &Routing) -> (Vec<f64>, Vec<f64>) {
    let cx = |r: &Rect| r.x + r.w / 2.0;
    let mut ports: Vec<[Vec<(f64, usize, bool)>; 2]> =
        vec![[Vec::new(), Vec::new()]; scene.nodes.len()];
    for (e, edge) in scene.edges.iter().enumerate() {
        let legs = routing.routes[e].legs;
        let (to_x, from_x) = if legs == 1 {
            (cx(&rects[edge.to]), cx(&rects[edge.from]))
        } else {
            (routing.lane_x(e, 0), routing.lane_x(e, legs - 2))
        };
        let (src_top, _, dst_top, _) = grid.sides(grid.pos[edge.from].1, grid.pos[edge.to].1);
        ports[edge.from][usize::from(src_top)].push((to_x, e, true));
        ports[edge.to][usize::from(dst_top)].push((from_x, e, false));
    }
    let mut src_x = vec![0.0f64; scene.edges.len()];
    let mut dst_x = vec![0.0f64; scene.edges.len()];
    for (n, sides) in ports.iter_mut().enumerate() {
        let r = rects[n];
        let inset = (r.w * 0.15).max(14.0);
        for list in sides.iter_mut() {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let k = list.len() as f64;
            for (i, &(_, e, is_src)) in list.iter().enumerate() {
                let x = r.x + inset + (r.w - 2.0 * inset) * (i as f64 + 1.0) / (k + 1.0);
                if is_src {
                    src_x[e] = x;
                } else {
                    dst_x[e] = x;
                }
            }
        }
    }
    (src_x, dst_x)
}

/// A horizontal segment of a flow, in channel `h`.
struct HItem {
    h: usize,
    lo: f64,
    hi: f64,
    edge: usize,
    /// Which horizontal run of the flow.
    leg: usize,
    /// The run's ends (x) and whether the vertical line leaving each end
    /// goes down (true) or up from the channel.
    ends: [(f64, bool); 2],
}

/// The labels of the flows and their horizontal segments.
struct Labels {
    /// Per edge: the text and its baseline (set once y is known).
    text: Vec<(String, f64)>,
    x: Vec<f64>,
    w: Vec<f64>,
    /// Per edge: the lane of each horizontal run.
    lanes: Vec<[usize; 4]>,
    /// Per edge: the run that carries the label (the first, unless it is
    /// too short and a later one is long enough).
    label_leg: Vec<usize>,
    /// Lanes per horizontal channel.
    h_lanes: Vec<usize>,
}

/// Places each flow's label on its first horizontal run (on the last, or
/// else a middle one, when only that is long enough to hold it), then gives
/// every horizontal run (label included) a lane of its channel.
/// The horizontal runs of flow `e`: (channel, from x, to x), from its
/// source's x to its target's.
fn runs(routing: &Routing, e: usize, src_x: f64, dst_x: f64) -> Vec<(usize, f64, f64)> {
    let route = &routing.routes[e];
    let legs = route.legs;
    (0..legs)
        .map(|i| {
            let a = if i == 0 {
                src_x
            } else {
                routing.lane_x(e, i - 1)
            };
            let b = if i + 1 == legs {
                dst_x
            } else {
                routing.lane_x(e, i)
            };
            (route.h[i], a, b)
        })
        .collect()
}

/// Where a label `lw` wide sits: on the first run long enough, else the
/// last one long enough, else the first run; returns the run, the label's
/// left x, and the run's extent.
fn place_label(segs: &[(usize, f64, f64)], lw: f64) -> (usize, f64, f64, f64) {
    let fits = |a: f64, b: f64| (a - b).abs() >= lw + 16.0;
    let leg = std::iter::once(0)
        .chain((1..segs.len()).rev())
        .find(|&i| fits(segs[i].1, segs[i].2))
        .unwrap_or(0);
    let (_, sx, end) = segs[leg];
    let (lo, hi) = (sx.min(end), sx.max(end));
    let lx = if hi - lo >= lw + 16.0 {
        (lo + hi - lw) / 2.0
    } else if end >= sx {
        sx + 6.0
    } else {
        sx - 6.0 - lw
    };
    (leg, lx.max(MARGIN), lo, hi)
}

fn labels(scene: &Scene, grid: &Grid, routing: &Routing, ends: &(Vec<f64>, Vec<f64>)) -> Labels {
    let n_chan = grid.n_chan();
    let (src_x, dst_x) = ends;
    let n_edges = scene.edges.len();
    let mut h_items: Vec<HItem> = Vec::with_capacity(2 * n_edges);
    let (mut text, mut label_x, mut label_w, mut label_leg) = (
        Vec::with_capacity(n_edges),
        Vec::with_capacity(n_edges),
        Vec::with_capacity(n_edges),
        Vec::with_capacity(n_edges),
    );
    for (e, edge) in scene.edges.iter().enumerate() {
        let mut t = text::truncate(&edge.label(), EDGE_LABEL_COLS);
        if edge.is_unanswered() {
            t.push_str(&format!(" · unanswered: {}", edge.unanswered_short()));
        }
        let lw = text::width(&t, EDGE_FONT) + 2.0 * LABEL_PAD;
        let route = &routing.routes[e];
        let legs = route.legs;
        let segs = runs(routing, e, src_x[e], dst_x[e]);
        let (leg, lx, lo, hi) = place_label(&segs, lw);
        label_x.push(lx);
        label_w.push(lw);
        text.push((t, 0.0));
        label_leg.push(leg);
        let (src_top, _, dst_top, _) = grid.sides(grid.pos[edge.from].1, grid.pos[edge.to].1);
        for (i, &(h, a, b)) in segs.iter().enumerate() {
            // Down at the start: the source is below (left by its top), or
            // the previous channel is below; likewise at the end.
            let down_a = if i == 0 { src_top } else { route.h[i - 1] > h };
            let down_b = if i + 1 == legs {
                dst_top
            } else {
                route.h[i + 1] > h
            };
            let (lo, hi) = if i == leg {
                (lo.min(lx), hi.max(lx + lw))
            } else {
                (a.min(b), a.max(b))
            };
            h_items.push(HItem {
                h,
                lo: lo - 4.0,
                hi: hi + 4.0,
                edge: e,
                leg: i,
                ends: [(a, down_a), (b, down_b)],
            });
        }
    }
    h_items.sort_by(|a, b| {
        a.h.cmp(&b.h)
            .then(a.lo.total_cmp(&b.lo))
            .then(a.hi.total_cmp(&b.hi))
            .then(a.edge.cmp(&b.edge))
            .then(a.leg.cmp(&b.leg))
    });
    let items = h_items.iter().map(|it| (it.h, it.lo, it.hi));
    let (mut lane_of, h_lanes) = assign_lanes(items, n_chan, |end, lo| end <= lo);
    flip_lanes(&h_items, &mut lane_of, &h_lanes);
    let mut lanes = vec![[0usize; 4]; n_edges];
    for (it, lane) in h_items.iter().zip(lane_of) {
        lanes[it.edge][it.leg] = lane;
    }
    Labels {
        text,
        x: label_x,
        w: label_w,
        lanes,
        label_leg,
        h_lanes,
    }
}

/// Channels with more runs than this keep their lane order (the count below
/// is quadratic in the runs of a channel).
const FLIP_LIMIT: usize = 64;

/// Numbers the lanes of each horizontal channel top down or bottom up,
/// whichever makes fewer crossings between the runs of the channel and the
/// vertical lines leaving their ends. (A line leaving a run downwards
/// crosses the runs over its end in lower lanes, one leaving upwards those
/// in higher lanes; flipping the lanes swaps the two.) `items` are sorted
/// by channel.
fn flip_lanes(items: &[HItem], lane_of: &mut [usize], h_lanes: &[usize]) {
    let mut start = 0;
    while start < items.len() {
        let h = items[start].h;
        let end = start + items[start..].iter().take_while(|it| it.h == h).count();
        if end - start <= FLIP_LIMIT {
            let (mut keep, mut flip) = (0usize, 0usize);
            for a in start..end {
                let (lo, hi) = {
                    let [(x0, _), (x1, _)] = items[a].ends;
                    (x0.min(x1), x1.max(x0))
                };
                for b in start..end {
                    if items[a].edge == items[b].edge {
                        continue;
                    }
                    for (x, down) in items[b].ends {
                        if x > lo + 1e-6 && x < hi - 1e-6 {
                            // Lane numbers grow downwards.
                            let below = lane_of[a] > lane_of[b];
                            if down == below {
                                keep += 1;
                            } else {
                                flip += 1;
                            }
                        }
                    }
                }
            }
            if flip < keep {
                for lane in &mut lane_of[start..end] {
                    *lane = h_lanes[h] - 1 - *lane;
                }
            }
        }
        start = end;
    }
}

/// y of the horizontal channels, rows and bands, from the top-down sweep.
struct Rows {
    hchan_y: Vec<f64>,
    row_y: Vec<f64>,
    /// Per band: the top of its zone boxes and the bottom of its last channel.
    band_y: Vec<(f64, f64)>,
}

/// Space between two bands.
const BAND_GAP: f64 = 22.0;

fn sweep_y(grid: &Grid, h_lanes: &[usize], max_depth: usize) -> Rows {
    let mut hchan_y = vec![0.0f64; grid.n_chan()];
    let mut row_y = vec![0.0f64; grid.n_rows()];
    let mut band_y = Vec::with_capacity(grid.n_bands());
    let hchan_h = |h: usize| (h_lanes[h] as f64 * LANE_H + 2.0 * HCHAN_PAD).max(MIN_HCHAN);
    let mut y = MARGIN + TITLE_H;
    for &(first, n) in &grid.band_rows {
        let top = y;
        y += (max_depth + 1) as f64 * HEADER_H;
        for (r, (ry, rh)) in row_y
            .iter_mut()
            .zip(&grid.row_h)
            .enumerate()
            .skip(first)
            .take(n)
        {
            let h = grid.above(r);
            hchan_y[h] = y;
            y += hchan_h(h);
            *ry = y;
            y += rh;
        }
        let h = grid.below(first + n - 1);
        hchan_y[h] = y;
        y += hchan_h(h);
        band_y.push((top, y));
        y += (max_depth + 1) as f64 * BOTTOM_PAD + BAND_GAP;
    }
    Rows {
        hchan_y,
        row_y,
        band_y,
    }
}

/// The polyline of every flow; sets the baselines of their labels.
fn paths(
    scene: &Scene,
    grid: &Grid,
    routing: &Routing,
    placed: &Placement,
    labels: &mut Labels,
) -> Vec<Path> {
    let (rects, rows, ports) = (&placed.rects, &placed.rows, &placed.ports);
    let lane_line =
        |h: usize, lane: usize| rows.hchan_y[h] + HCHAN_PAD + lane as f64 * LANE_H + 16.0;
    let mut edges = Vec::with_capacity(scene.edges.len());
    for (e, edge) in scene.edges.iter().enumerate() {
        let (s, t) = (&rects[edge.from], &rects[edge.to]);
        let (sk, tk) = (scene.nodes[edge.from].kind, scene.nodes[edge.to].kind);
        let (sx, tx) = (ports.0[e], ports.1[e]);
        let (src_top, _, dst_top, _) = grid.sides(grid.pos[edge.from].1, grid.pos[edge.to].1);
        let start = (sx, outline_y(sk, s, sx, src_top));
        let end_pt = (tx, outline_y(tk, t, tx, dst_top));
        let route = &routing.routes[e];
        let lanes = labels.lanes[e];
        let leg = labels.label_leg[e];
        let y = |i: usize| lane_line(route.h[i], lanes[i]);
        let mut points = Vec::with_capacity(2 * route.legs + 2);
        points.push(start);
        points.push((sx, y(0)));
        for (i, ..) in route.verticals() {
            let vx = routing.lane_x(e, i);
            points.push((vx, y(i)));
            points.push((vx, y(i + 1)));
        }
        points.push((tx, y(route.legs - 1)));
        points.push(end_pt);
        let band = rows.hchan_y[route.h[leg]] + HCHAN_PAD + lanes[leg] as f64 * LANE_H;
        labels.text[e].1 = band + 12.0;
        edges.push(Path {
            points: dedup(points),
            label: Rect::new(labels.x[e], band + 2.0, labels.w[e], 13.0),
        });
    }
    edges
}

/// Node boxes with x and y known, the rows, and the flows' end points.
struct Placement {
    rects: Vec<Rect>,
    rows: Rows,
    ports: (Vec<f64>, Vec<f64>),
}

/// The boxes of the regions: each spans its columns and the rows of its
/// band, with room for the headers of the regions nested in it.
fn zone_boxes(
    scene: &Scene,
    grid: &Grid,
    cols: &Columns,
    headers: &[(String, String)],
    rows: &Rows,
) -> Vec<Placed> {
    let max_depth = scene.max_depth();
    scene
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (band_top, content_bottom) = rows.band_y[grid.region_band[i]];
            let top = band_top + r.depth as f64 * HEADER_H;
            let bottom = content_bottom + (max_depth - r.depth + 1) as f64 * BOTTOM_PAD;
            let (x0, x1) = cols.reg_x[i];
            let (t, s) = &headers[i];
            let lw = text::width(t, ZONE_FONT) + 10.0 + text::width(s, SUB_FONT);
            Placed {
                rect: Rect::new(x0, top, x1 - x0, bottom - top),
                label: Rect::new(x0 + 9.0, top + 6.0, lw, 16.0),
            }
        })
        .collect()
}

/// Each node's box and the block of its text, centred (off the fold of a
/// document and the stack of a collapsed component).
fn node_boxes(scene: &Scene, rects: &[Rect], sizes: &[Size]) -> Vec<Placed> {
    (0..scene.nodes.len())
        .map(|n| {
            let r = rects[n];
            let Size { tw, th, .. } = sizes[n];
            let (ox, oy) = match scene.nodes[n].kind.shape() {
                Shape::Document => (-FOLD / 2.0, 0.0),
                Shape::Stack => (-STACK / 2.0, STACK / 2.0),
                _ => (0.0, 0.0),
            };
            Placed {
                rect: r,
                label: Rect::new(
                    r.x + (r.w - tw) / 2.0 + ox,
                    r.y + (r.h - th) / 2.0 + oy,
                    tw,
                    th,
                ),
            }
        })
        .collect()
}

/// The legend: one entry per shape and line style present.
fn legend_kinds(scene: &Scene) -> Vec<LegendKind> {
    let mut kinds: Vec<LegendKind> = Vec::new();
    let mut push = |k: LegendKind| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    };
    let mut shapes: Vec<Shape> = scene.nodes.iter().map(|n| n.kind.shape()).collect();
    shapes.sort();
    for k in shapes {
        push(LegendKind::Shape(k));
    }
    if scene.nodes.iter().any(|n| !n.in_scope) {
        push(LegendKind::OutOfScope);
    }
    let mut flows: Vec<LegendKind> = scene
        .edges
        .iter()
        .flat_map(|e| {
            let mut v = vec![if e.in_scope {
                LegendKind::Flow(e.cross)
            } else {
                LegendKind::FlowOutOfScope
            }];
            if e.is_unanswered() {
                v.push(LegendKind::Unanswered);
            }
            v
        })
        .collect();
    flows.sort_by_key(|k| match k {
        LegendKind::Flow(c) => *c as usize,
        LegendKind::Unanswered => 10,
        _ => 11,
    });
    for k in flows {
        push(k);
    }
    kinds
}

/// Places the legend entries in rows below the regions, widening the
/// picture when one entry does not fit; returns the entries, the width and
/// the height of the picture.
fn place_legend(kinds: &[LegendKind], width: f64, regions_bottom: f64) -> (Vec<Rect>, f64, f64) {
    let mut width = width;
    let mut legend = Vec::new();
    let (mut lx, mut ly) = (MARGIN, regions_bottom + 14.0);
    let row_limit = width - MARGIN;
    for k in kinds {
        let w = 46.0 + text::width(legend_text(*k), SUB_FONT) + 18.0;
        if lx + w > row_limit && lx > MARGIN {
            lx = MARGIN;
            ly += 30.0;
        }
        legend.push(Rect::new(lx, ly, w, 24.0));
        lx += w;
    }
    if let Some(last) = legend.iter().map(Rect::right).reduce(f64::max) {
        width = width.max(last + MARGIN);
    }
    let height = if legend.is_empty() {
        regions_bottom + MARGIN
    } else {
        ly + 24.0 + MARGIN
    };
    (legend, width, height)
}

/// The aspect ratios (width / height) a layout aims for; the plan closest
/// to this range wins, then the smallest picture.
const ASPECT_AIM: (f64, f64) = (0.8, 1.6);
/// The aspect ratios a picture must keep (1:2 to 2:1); inside them, a plan
/// that keeps more components in one outline wins over one nearer the aim.
const ASPECT_LIMIT: (f64, f64) = (0.5, 2.0);
/// Above this many nodes and flows, fewer plans are tried (each is a full
/// layout), so big models stay about linear.
const SEARCH_BUDGET: usize = 400;

/// How a plan's picture ranks; smaller is better, field by field (the
/// derived order compares the fields in declaration order).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Score {
    /// How far the aspect ratio is outside [`ASPECT_LIMIT`] (0 inside).
    outside_limit: f64,
    /// Outlines that are parts of a component not kept in one.
    split: usize,
    /// How far the aspect ratio is outside [`ASPECT_AIM`] (0 inside).
    off_aim: f64,
    /// Flow crossings (0 for big scenes, where they are not counted).
    crossings: usize,
    /// Picture area, in thousands of square pixels.
    area: f64,
    bands: usize,
}

/// Lays out a scene: tries a few plans (zones in one band or wrapped into
/// up to four, assets in more or fewer grid rows) and keeps the best by
/// [`Score`]: within 1:2..2:1, the one keeping the most components
/// together, then the one closest to [`ASPECT_AIM`], with the fewest flow
/// crossings, the smallest, with the fewest bands.
pub(crate) fn layout(scene: &Scene) -> Geometry {
    let n_nodes = scene.nodes.len();
    let texts: Vec<NodeText> = (0..n_nodes).map(|n| node_text(scene, n)).collect();
    let sizes: Vec<Size> = (0..n_nodes)
        .map(|n| node_size(scene.nodes[n].kind, &texts[n]))
        .collect();
    let headers: Vec<(String, String)> = scene
        .regions
        .iter()
        .map(|r| (text::truncate(r.title, 48), text::truncate(&r.subtitle, 40)))
        .collect();
    let mut best: Option<(Score, Geometry)> = None;
    let count_crossings = scene.nodes.len() + scene.edges.len() <= SEARCH_BUDGET;
    for plan in plans(scene, &sizes, &headers) {
        let geo = layout_plan(scene, &sizes, &headers, &plan);
        let a = geo.width / geo.height;
        // Round so that float noise never decides.
        let off = |(lo, hi): (f64, f64)| {
            ((lo.ln() - a.ln()).max(a.ln() - hi.ln()).max(0.0) * 1000.0).round()
        };
        let score = Score {
            outside_limit: off(ASPECT_LIMIT),
            split: split_components(&geo.outlines),
            off_aim: off(ASPECT_AIM),
            crossings: if count_crossings {
                crossings(&geo.edges)
            } else {
                0
            },
            area: (geo.width * geo.height / 1000.0).round(),
            bands: plan.bands.len(),
        };
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, geo));
        }
    }
    let (_, mut geo) = best.expect("at least one plan");
    geo.node_text = texts;
    geo
}

/// How many outlines are parts of a component drawn in several (0 when
/// every component is kept in one outline).
fn split_components(outlines: &[Outline]) -> usize {
    outlines.iter().filter(|o| o.parts > 1).count()
}

/// How many times a horizontal segment of one flow crosses a vertical
/// segment of another.
fn crossings(paths: &[Path]) -> usize {
    let mut horiz = Vec::new();
    let mut vert = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        for w in p.points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if y0 == y1 {
                horiz.push((i, x0.min(x1), x0.max(x1), y0));
            } else {
                vert.push((i, x0, y0.min(y1), y0.max(y1)));
            }
        }
    }
    let mut n = 0;
    for &(i, hx0, hx1, y) in &horiz {
        n += vert
            .iter()
            .filter(|&&(j, x, y0, y1)| i != j && hx0 < x && x < hx1 && y0 < y && y < y1)
            .count();
    }
    n
}

/// The plans tried: every band count up to four (at most one per top-level
/// region) with grid rows from one to the largest region, geometrically;
/// big scenes try only rows near the square root of their size.
fn plans(scene: &Scene, sizes: &[Size], headers: &[(String, String)]) -> Vec<Plan> {
    let n = scene.nodes.len();
    let largest = scene
        .regions
        .iter()
        .map(|r| r.nodes.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut rows: Vec<usize> = Vec::new();
    let mut r = 1usize;
    while r < largest {
        rows.push(r);
        r = (r * 3).div_ceil(2).max(r + 1);
    }
    rows.push(largest);
    let mut max_bands = scene.roots.len().clamp(1, 4);
    let small = n + scene.edges.len() <= SEARCH_BUDGET;
    let spread = spread_component(scene);
    let tiny = n + scene.edges.len() <= ALL_CUTS_BUDGET;
    if !small {
        let root = (n as f64).sqrt().ceil() as usize;
        rows.retain(|&r| r * 2 >= root && r <= root * 2);
        if rows.is_empty() {
            rows.push(root.clamp(1, largest));
        }
        rows.truncate(3);
        max_bands = max_bands.min(3);
    }
    let mut out = Vec::new();
    for &rows_target in &rows {
        let one = Plan {
            bands: vec![scene.roots.clone()],
            rows_target,
        };
        let widths = root_widths(scene, sizes, headers, &one);
        for b in 1..=max_bands {
            let mut cuts = vec![split_bands(&scene.roots, &widths, b)];
            // Few zones, and a small scene or a component in several
            // zones: every other cut too (fewer crossings, or a cut that
            // keeps the component's zones in one band).
            if scene.roots.len() <= FEW_ROOTS && (tiny || (small && spread)) {
                cuts.extend(all_cuts(&scene.roots, b));
            }
            for bands in cuts {
                let plan = Plan { bands, rows_target };
                if !out.contains(&plan) {
                    out.push(plan);
                }
            }
        }
    }
    out
}

/// True when some component is drawn in more than one zone.
fn spread_component(scene: &Scene) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for c in scene.regions.iter().filter_map(|r| r.component) {
        if seen.contains(&c) {
            return true;
        }
        seen.push(c);
    }
    false
}

/// Up to this many nodes and flows, every cut into bands is tried (above,
/// only when a component is drawn in several zones).
const ALL_CUTS_BUDGET: usize = 120;

/// Up to this many top-level regions, every cut into bands is tried.
const FEW_ROOTS: usize = 6;

/// Every way to cut `roots` (in trust order) into `b` non-empty bands.
fn all_cuts(roots: &[usize], b: usize) -> Vec<Vec<Vec<usize>>> {
    if b == 1 {
        return vec![vec![roots.to_vec()]];
    }
    let mut out = Vec::new();
    for first in 1..=roots.len().saturating_sub(b - 1) {
        for mut rest in all_cuts(&roots[first..], b - 1) {
            rest.insert(0, roots[..first].to_vec());
            out.push(rest);
        }
    }
    out
}

/// The width of each top-level region when all are in one band.
fn root_widths(
    scene: &Scene,
    sizes: &[Size],
    headers: &[(String, String)],
    plan: &Plan,
) -> Vec<f64> {
    let order = node_order(scene, plan.rows_target);
    let grid = Grid::new(scene, sizes, plan, &order);
    let mut routing = Routing::new(scene, &grid);
    let cols = sweep_x(&grid, &mut routing, headers);
    scene
        .roots
        .iter()
        .map(|&r| cols.reg_x[r].1 - cols.reg_x[r].0 + REGION_GAP)
        .collect()
}

/// Cuts the top-level regions (in trust order) into at most `b` bands of
/// about equal width.
fn split_bands(roots: &[usize], widths: &[f64], b: usize) -> Vec<Vec<usize>> {
    let total: f64 = widths.iter().sum();
    let target = total / b as f64;
    let mut bands: Vec<Vec<usize>> = vec![Vec::new()];
    let mut before = 0.0;
    for (i, (&r, &w)) in roots.iter().zip(widths).enumerate() {
        let left_roots = roots.len() - i;
        let left_bands = b - bands.len();
        let current = bands.last().expect("one band");
        let past_share = before + w / 2.0 > target * bands.len() as f64;
        if !current.is_empty() && left_bands > 0 && (past_share || left_roots <= left_bands) {
            bands.push(Vec::new());
        }
        bands.last_mut().expect("one band").push(r);
        before += w;
    }
    bands
}

/// Lays out a scene following one plan.
fn layout_plan(
    scene: &Scene,
    sizes: &[Size],
    headers: &[(String, String)],
    plan: &Plan,
) -> Geometry {
    let n_nodes = scene.nodes.len();
    let order = node_order(scene, plan.rows_target);
    let grid = Grid::new(scene, sizes, plan, &order);
    let mut routing = Routing::new(scene, &grid);
    let cols = sweep_x(&grid, &mut routing, headers);
    let mut rects: Vec<Rect> = (0..n_nodes)
        .map(|n| {
            let g = grid.pos[n].0;
            let w = sizes[n].w;
            Rect::new(
                cols.col_x[g] + (grid.col_w[g] - w) / 2.0,
                0.0,
                w,
                sizes[n].h,
            )
        })
        .collect();
    let ports = ports(scene, &grid, &rects, &routing);
    let mut labels = labels(scene, &grid, &routing, &ports);
    let max_depth = scene.max_depth();
    let rows = sweep_y(&grid, &labels.h_lanes, max_depth);
    for (n, rect) in rects.iter_mut().enumerate() {
        let r = grid.pos[n].1;
        rect.y = rows.row_y[r] + (grid.row_h[r] - rect.h) / 2.0;
    }
    let placed = Placement { rects, rows, ports };
    let edges = paths(scene, &grid, &routing, &placed, &mut labels);
    let zones = zone_boxes(scene, &grid, &cols, headers, &placed.rows);
    let last_band = placed.rows.band_y.last().map_or(0.0, |b| b.1);
    let regions_bottom = last_band + (max_depth + 1) as f64 * BOTTOM_PAD;
    let nodes = node_boxes(scene, &placed.rects, sizes);
    let (outlines, zones) = outlines(scene, &grid, zones, &nodes);
    let legend_kinds = legend_kinds(scene);
    let title_w = text::width(&scene.heading(), TITLE_FONT);
    let width = cols
        .right
        .max(edges.iter().map(|e| e.label.right()).fold(0.0, f64::max))
        .max(MARGIN + title_w)
        .max(560.0)
        + MARGIN;
    let (legend, width, height) = place_legend(&legend_kinds, width, regions_bottom);
    Geometry {
        width: width.ceil(),
        height: height.ceil(),
        title: Rect::new(MARGIN, MARGIN, title_w, 20.0),
        zones,
        nodes,
        edges,
        legend,
        node_text: Vec::new(),
        headers: headers.to_vec(),
        edge_text: labels.text,
        legend_kinds,
        outlines,
    }
}

/// How far a joined outline stands off its groups.
const OUTLINE_PAD: f64 = 4.0;

/// The outline of every expanded component. The groups of a component in
/// several zones get one outline around all of them when that rectangle
/// holds nothing else: no other node, no header of another zone or group,
/// no part of another component (unless nested in it). Otherwise (groups in
/// zones that are not neighbours, or in different bands) each group keeps
/// its own outline and title. A joined component's title is drawn once, in
/// the header of its first group; the other headers are emptied.
fn outlines(
    scene: &Scene,
    grid: &Grid,
    mut zones: Vec<Placed>,
    nodes: &[Placed],
) -> (Vec<Outline>, Vec<Placed>) {
    let mut by_component: Vec<(&str, Vec<usize>)> = Vec::new();
    for (r, region) in scene.regions.iter().enumerate() {
        if let Some(c) = region.component {
            match by_component.iter_mut().find(|(k, _)| *k == c) {
                Some((_, v)) => v.push(r),
                None => by_component.push((c, vec![r])),
            }
        }
    }
    let mut out = Vec::new();
    for (_, mut groups) in by_component {
        groups.sort_by(|&a, &b| {
            (grid.region_band[a], zones[a].rect.x)
                .partial_cmp(&(grid.region_band[b], zones[b].rect.x))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        let joined = if groups.len() > 1 {
            joined_rect(scene, grid, &zones, nodes, &groups)
        } else {
            None
        };
        match joined {
            Some(rect) => {
                let label = zones[groups[0]].label;
                for &g in &groups {
                    let l = zones[g].label;
                    zones[g].label = Rect::new(l.x, l.y, 0.0, 0.0);
                }
                out.push(Outline {
                    groups,
                    rect,
                    label,
                    joined: true,
                    parts: 1,
                });
            }
            None => {
                let parts = groups.len();
                out.extend(groups.into_iter().map(|g| Outline {
                    groups: vec![g],
                    rect: zones[g].rect,
                    label: zones[g].label,
                    joined: false,
                    parts,
                }))
            }
        }
    }
    (out, zones)
}

/// The rectangle around `groups` (one component's groups), when it holds
/// nothing but them and what is nested in them; None otherwise.
fn joined_rect(
    scene: &Scene,
    grid: &Grid,
    zones: &[Placed],
    nodes: &[Placed],
    groups: &[usize],
) -> Option<Rect> {
    let band = grid.region_band[groups[0]];
    if groups.iter().any(|&g| grid.region_band[g] != band) {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &g in groups {
        let r = zones[g].rect;
        (x0, y0, x1, y1) = (
            x0.min(r.x),
            y0.min(r.y),
            x1.max(r.right()),
            y1.max(r.bottom()),
        );
    }
    let rect = Rect::new(
        x0 - OUTLINE_PAD,
        y0 - OUTLINE_PAD,
        x1 - x0 + 2.0 * OUTLINE_PAD,
        y1 - y0 + 2.0 * OUTLINE_PAD,
    );
    // Whether region `r` is one of the groups or nested in one.
    let inside = |mut r: usize| loop {
        if groups.contains(&r) {
            return true;
        }
        match scene.regions[r].parent {
            Some(p) => r = p,
            None => return false,
        }
    };
    let node_in_way = scene
        .nodes
        .iter()
        .zip(nodes)
        .any(|(n, p)| !inside(n.region) && p.rect.overlaps(&rect));
    let region_in_way = scene.regions.iter().enumerate().any(|(r, region)| {
        !inside(r)
            && (zones[r].label.overlaps(&rect)
                || (region.kind == RegionKind::Component
                    && zones[r].rect.overlaps(&rect)
                    && !zones[r].rect.contains(&rect)))
    });
    (!node_in_way && !region_in_way).then_some(rect)
}

fn dedup(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        if out
            .last()
            .is_none_or(|q| (q.0 - p.0).abs() > 1e-9 || (q.1 - p.1).abs() > 1e-9)
        {
            out.push(p);
        }
    }
    out
}

/// The text of a legend entry.
pub(crate) fn legend_text(k: LegendKind) -> &'static str {
    use super::scene::Cross;
    match k {
        LegendKind::Shape(Shape::Box) => "external entity",
        LegendKind::Shape(Shape::Rounded) => "service / process",
        LegendKind::Shape(Shape::Cylinder) => "datastore",
        LegendKind::Shape(Shape::Document) => "data / credential / key",
        LegendKind::Shape(Shape::Hardware) => "hardware",
        LegendKind::Shape(Shape::Other) => "other asset",
        LegendKind::Shape(Shape::Stack) => "component (collapsed)",
        LegendKind::Shape(Shape::Hexagon) => "attacker",
        LegendKind::OutOfScope => "out of scope",
        LegendKind::Flow(Cross::None) => "flow within a trust level",
        LegendKind::Flow(Cross::Inbound) => "inbound crossing (to more trust)",
        LegendKind::Flow(Cross::Outbound) => "outbound crossing (to less trust)",
        LegendKind::Flow(Cross::Both) => "crossing both ways",
        LegendKind::Unanswered => "unanswered crossing",
        LegendKind::FlowOutOfScope => "flow out of scope",
    }
}
