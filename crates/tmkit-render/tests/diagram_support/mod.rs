//! Shared by the diagram and report tests and the diagram benchmark:
//! loading models and generating large ones.
#![allow(dead_code)]

use std::fmt::Write;
use std::path::{Path, PathBuf};
use tmkit_analysis::Analysis;
use tmkit_model::Model;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Loads a model from disk (relative to the workspace root), panicking on errors.
pub fn load(rel: &str) -> (Model, Analysis) {
    let model = model(rel);
    let analysis = Analysis::new(&model);
    (model, analysis)
}

/// The model at `rel` (relative to the workspace root), panicking on errors.
pub fn model(rel: &str) -> Model {
    let checked = tmkit_model::check_path(&workspace().join(rel));
    checked
        .model
        .unwrap_or_else(|| panic!("{rel} does not load: {:#?}", checked.diagnostics))
}

/// A bundled example (`rel` relative to `examples/`), panicking on errors.
pub fn example(rel: &str) -> Model {
    model(&format!("examples/{rel}"))
}

/// Loads a model from YAML text, panicking on errors.
pub fn load_str(yaml: &str) -> (Model, Analysis) {
    let checked = tmkit_model::check_str(yaml);
    let model = checked
        .model
        .unwrap_or_else(|| panic!("model does not load: {:#?}", checked.diagnostics));
    let analysis = Analysis::new(&model);
    (model, analysis)
}

/// A deterministic pseudo-random sequence (an LCG; good enough to scatter).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A model with `assets` assets and `flows` flows spread over seven zones
/// (three of them nested), every asset kind, some assets without a zone,
/// out-of-scope assets and flows, and bidirectional flows.
pub fn generated(assets: usize, flows: usize) -> String {
    generated_seeded(assets, flows, 42)
}

/// [`generated`] with another seed for the zones and flows picked.
pub fn generated_seeded(assets: usize, flows: usize, seed: u64) -> String {
    let kinds = [
        "data",
        "credential",
        "key",
        "certificate",
        "service",
        "process",
        "datastore",
        "external",
        "hardware",
        "other",
    ];
    let zones = [
        ("internet", "Open internet", 0, None),
        ("partner", "Partner extranet", 1, None),
        ("dmz", "Demilitarised zone", 2, None),
        ("corp", "Corporate network", 3, None),
        ("app", "Application servers", 4, Some("corp")),
        ("data", "Data centre core", 6, Some("app")),
        ("vault", "Key vault", 9, Some("data")),
    ];
    let words = [
        "billing",
        "orders",
        "customer",
        "inventory",
        "report",
        "audit",
        "search",
        "session",
        "gateway",
        "ledger",
        "export",
        "import",
    ];
    let protocols = ["HTTPS", "gRPC", "SQL", "AMQP", "SFTP", "SSH"];
    let mut rng = Lcg(seed);
    let mut y = String::from(
        "tmkit: 1\nid: GEN\ntitle: Generated model\nscope:\n  abstraction: { taxonomy: STRIDE }\n  zones:\n",
    );
    for (id, title, trust, within) in zones {
        let _ = write!(y, "    - {{ id: {id}, title: {title}, trust: {trust}");
        if let Some(w) = within {
            let _ = write!(y, ", within: {w}");
        }
        y.push_str(" }\n");
    }
    y.push_str("  assets:\n");
    for i in 0..assets {
        let kind = kinds[i % kinds.len()];
        let w1 = words[rng.next(words.len())];
        let w2 = words[rng.next(words.len())];
        let title = match i % 3 {
            0 => format!("{w1} {kind} {i}"),
            1 => format!("The {w1} and {w2} {kind} number {i}"),
            _ => format!("{w2} {i}"),
        };
        let _ = write!(y, "    - {{ id: a{i}, title: {title}, kind: {kind}");
        if i % 50 != 49 {
            let _ = write!(y, ", zone: {}", zones[rng.next(zones.len())].0);
        }
        if i % 13 == 12 {
            y.push_str(", in_scope: false, reason: Not ours");
        }
        y.push_str(" }\n");
    }
    y.push_str("  dataflows:\n");
    for i in 0..flows {
        let from = rng.next(assets);
        let mut to = rng.next(assets);
        if to == from {
            to = (to + 1) % assets;
        }
        let w = words[rng.next(words.len())];
        let _ = write!(
            y,
            "    - {{ id: f{i}, title: Send {w} data, from: a{from}, to: a{to}, protocol: {}",
            protocols[rng.next(protocols.len())]
        );
        if i % 7 == 6 {
            y.push_str(", bidirectional: true");
        }
        if i % 11 == 10 {
            y.push_str(", in_scope: false, reason: Legacy");
        }
        y.push_str(" }\n");
    }
    y.push_str("  attackers:\n    - { id: anon, title: Anonymous user, zone: internet }\n    - { id: staff, title: Staff member, zone: corp }\n");
    y
}

// ------------------------------------------------------------- measurements

use tmkit_render::diagram::{DiagramLayout, Rect};

/// The bundled models every readability check runs on (relative to the
/// workspace root).
pub const EXAMPLES: [(&str, &str); 3] = [
    ("reference", "examples/reference/threatmodel.yaml"),
    ("composed", "examples/composed/threatmodel.yaml"),
    ("tmkit", "docs/threatmodel/threatmodel.yaml"),
];

/// Width over height of the picture.
pub fn aspect(l: &DiagramLayout) -> f64 {
    l.width / l.height
}

/// Every pair of texts that overlap, or a text that overlaps a node shape it
/// does not belong to: flow labels, zone headers, node shapes, legend
/// entries and the title, computed from the laid-out boxes.
pub fn label_overlaps(l: &DiagramLayout) -> Vec<String> {
    let mut boxes: Vec<(String, Rect)> = vec![("title".into(), l.title)];
    boxes.extend(l.nodes.iter().map(|n| (format!("node {}", n.qid), n.rect)));
    boxes.extend(
        l.zones
            .iter()
            .map(|z| (format!("zone label {}", z.key), z.label)),
    );
    boxes.extend(
        l.edges
            .iter()
            .map(|e| (format!("flow label {}", e.qid), e.label)),
    );
    // A component kept together across zones has its title on its outline
    // (its groups' headers are empty); a part's title is its group's header.
    boxes.extend(
        l.components
            .iter()
            .filter(|c| c.groups.len() > 1)
            .map(|c| (format!("component label {}", c.qid), c.label)),
    );
    boxes.extend(
        l.legend
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("legend {i}"), *r)),
    );
    // Sweep over x so large generated models stay quick.
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| boxes[a].1.x.total_cmp(&boxes[b].1.x));
    let mut bad = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].1.x >= boxes[i].1.right() {
                break;
            }
            if boxes[i].1.overlaps(&boxes[j].1) {
                bad.push(format!("{} overlaps {}", boxes[i].0, boxes[j].0));
            }
        }
    }
    bad
}

/// The axis-parallel segments of a polyline, as (x0, y0, x1, y1).
fn segments(points: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64, f64, f64)> + '_ {
    points.windows(2).map(|w| (w[0].0, w[0].1, w[1].0, w[1].1))
}

/// How many times two different flows cross (a horizontal segment of one
/// passes through the inside of a vertical segment of the other).
pub fn flow_crossings(l: &DiagramLayout) -> usize {
    let mut horiz = Vec::new();
    let mut vert = Vec::new();
    for (i, e) in l.edges.iter().enumerate() {
        for (x0, y0, x1, y1) in segments(&e.points) {
            if (y0 - y1).abs() < 1e-9 {
                horiz.push((i, x0.min(x1), x0.max(x1), y0));
            } else if (x0 - x1).abs() < 1e-9 {
                vert.push((i, x0, y0.min(y1), y0.max(y1)));
            }
        }
    }
    let mut n = 0;
    for &(i, hx0, hx1, hy) in &horiz {
        for &(j, vx, vy0, vy1) in &vert {
            if i != j && vx > hx0 + 1e-6 && vx < hx1 - 1e-6 && hy > vy0 + 1e-6 && hy < vy1 - 1e-6 {
                n += 1;
            }
        }
    }
    n
}

/// How many flow labels a line of another flow passes through.
pub fn labels_crossed_by_lines(l: &DiagramLayout) -> usize {
    let mut n = 0;
    for (i, e) in l.edges.iter().enumerate() {
        let r = e.label;
        let hit = l.edges.iter().enumerate().any(|(j, f)| {
            i != j
                && segments(&f.points).any(|(x0, y0, x1, y1)| {
                    let seg = Rect::new(
                        x0.min(x1) - 0.5,
                        y0.min(y1) - 0.5,
                        (x0 - x1).abs() + 1.0,
                        (y0 - y1).abs() + 1.0,
                    );
                    seg.overlaps(&r)
                })
        });
        n += usize::from(hit);
    }
    n
}

/// The expanded components drawn: the component qid of every component
/// group (a zone box keyed `zone@component`, `zone@outer@inner` when
/// nested), in order of first appearance.
pub fn drawn_components(l: &DiagramLayout) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for z in l.zones.iter().filter(|z| !z.is_zone) {
        if let Some((_, c)) = z.key.rsplit_once('@') {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_string());
            }
        }
    }
    out
}

/// How many expanded components are drawn in several outlines (parts).
pub fn components_split(l: &DiagramLayout) -> usize {
    drawn_components(l)
        .iter()
        .filter(|c| l.components.iter().filter(|b| &b.qid == *c).count() > 1)
        .count()
}

/// Everything wrong with the component outlines: every expanded component
/// has one outline holding all its groups and nodes, unless joining its
/// groups would enclose another node or header (then one outline per
/// group); a joined outline encloses nothing foreign; outlines of
/// different components never overlap unless one holds the other.
pub fn component_problems(l: &DiagramLayout) -> Vec<String> {
    let mut bad = Vec::new();
    for c in drawn_components(l) {
        let suffix = format!("@{c}");
        let groups: Vec<&str> = l
            .zones
            .iter()
            .filter(|z| z.key.ends_with(&suffix))
            .map(|z| z.key.as_str())
            .collect();
        // A region is the component's when it is a group or nested in one.
        let own_region = |key: &str| {
            groups
                .iter()
                .any(|g| key == *g || key.starts_with(&format!("{g}@")))
        };
        let nodes: Vec<&Rect> = l
            .nodes
            .iter()
            .filter(|n| own_region(&n.region))
            .map(|n| &n.rect)
            .collect();
        let boxes: Vec<_> = l.components.iter().filter(|b| b.qid == c).collect();
        for g in &groups {
            let holders = boxes.iter().filter(|b| b.groups.iter().any(|k| k == g));
            if holders.count() != 1 {
                bad.push(format!("{c}: group {g} is not in exactly one outline"));
            }
        }
        for b in &boxes {
            for k in &b.groups {
                let z = l.zones.iter().find(|z| &z.key == k);
                if !z.is_some_and(|z| b.rect.contains(&z.rect)) {
                    bad.push(format!("{c}: outline does not hold its group {k}"));
                }
            }
        }
        // Foreign things a rectangle would enclose.
        let foreign = |r: &Rect| -> Vec<String> {
            let mut v: Vec<String> = l
                .nodes
                .iter()
                .filter(|n| !own_region(&n.region) && n.rect.overlaps(r))
                .map(|n| format!("node {}", n.qid))
                .collect();
            v.extend(
                l.zones
                    .iter()
                    .filter(|z| !own_region(&z.key) && z.label.overlaps(r))
                    .map(|z| format!("header of {}", z.key)),
            );
            v
        };
        let union = groups
            .iter()
            .filter_map(|g| l.zones.iter().find(|z| &z.key == g))
            .map(|z| z.rect)
            .reduce(|a, b| {
                let (x0, y0) = (a.x.min(b.x), a.y.min(b.y));
                Rect::new(
                    x0,
                    y0,
                    a.right().max(b.right()) - x0,
                    a.bottom().max(b.bottom()) - y0,
                )
            });
        match boxes.len() {
            1 => {
                let b = boxes[0];
                if let Some(n) = nodes.iter().find(|n| !b.rect.contains(n)) {
                    bad.push(format!("{c}: outline does not hold node at {n:?}"));
                }
                let f = foreign(&b.rect);
                if !f.is_empty() {
                    bad.push(format!("{c}: outline encloses {f:?}"));
                }
            }
            0 => bad.push(format!("{c}: no outline")),
            _ => {
                if union.is_some_and(|u| foreign(&u).is_empty()) {
                    bad.push(format!(
                        "{c}: drawn in parts although its groups could share one outline"
                    ));
                }
            }
        }
    }
    for (i, a) in l.components.iter().enumerate() {
        for b in &l.components[i + 1..] {
            if a.qid != b.qid
                && a.rect.overlaps(&b.rect)
                && !a.rect.contains(&b.rect)
                && !b.rect.contains(&a.rect)
            {
                bad.push(format!("outlines of {} and {} overlap", a.qid, b.qid));
            }
        }
    }
    bad
}

/// Writes into `dir` a composed model (`threatmodel.yaml` and one folder
/// per component) with 3 to 7 zones in trust order, a few root assets in
/// each, and 1 to 5 components: most in two neighbouring zones, some in
/// one zone, some (`seed`-dependent) in two zones with one between them,
/// with flows inside each component and to the root's assets.
pub fn write_generated_components(dir: &Path, seed: u64) {
    let mut rng = Lcg(seed ^ 0x5eed_c0de);
    let zones = 3 + rng.next(5);
    let comps = 1 + rng.next(5);
    let mut root =
        String::from("tmkit: 1\nid: GEN\ntitle: Generated components\nscope:\n  zones:\n");
    for z in 0..zones {
        let _ = writeln!(root, "    - {{ id: z{z}, title: Zone {z}, trust: {z} }}");
    }
    root.push_str("  assets:\n");
    for z in 0..zones {
        for k in 0..1 + rng.next(2) {
            let _ = writeln!(
                root,
                "    - {{ id: r{z}-{k}, title: Root asset {z}.{k}, kind: service, zone: z{z} }}"
            );
        }
    }
    root.push_str("components:\n");
    for c in 0..comps {
        let _ = writeln!(root, "  - path: c{c}");
        let first = rng.next(zones);
        let span = match rng.next(6) {
            0 => 0,
            1 if first + 2 < zones => 2,
            _ if first + 1 < zones => 1,
            _ => 0,
        };
        let mut yaml = format!("tmkit: 1\nid: C{c}\ntitle: Component {c}\nscope:\n  assets:\n");
        let mut assets = Vec::new();
        for z in [first, first + span] {
            for k in 0..1 + rng.next(2) {
                let id = format!("a{z}-{k}");
                if assets.contains(&id) {
                    continue;
                }
                let _ = writeln!(
                    yaml,
                    "    - {{ id: {id}, title: Component {c} asset {z}.{k}, kind: process, zone: z{z} }}"
                );
                assets.push(id);
            }
        }
        yaml.push_str("  dataflows:\n");
        for (i, w) in assets.windows(2).enumerate() {
            let _ = writeln!(
                yaml,
                "    - {{ id: f{i}, title: Inner {i}, from: {}, to: {} }}",
                w[0], w[1]
            );
        }
        let to = format!("r{}-0", rng.next(zones));
        let _ = writeln!(
            yaml,
            "    - {{ id: out, title: To the root, from: {}, to: {to} }}",
            assets[0]
        );
        let sub = dir.join(format!("c{c}"));
        std::fs::create_dir_all(&sub).expect("create component folder");
        std::fs::write(sub.join("threatmodel.yaml"), yaml).expect("write component");
    }
    std::fs::write(dir.join("threatmodel.yaml"), root).expect("write root");
}

/// Loads a model from an absolute path, panicking on errors.
pub fn load_abs(path: &Path) -> (Model, Analysis) {
    let checked = tmkit_model::check_path(path);
    let model = checked.model.unwrap_or_else(|| {
        panic!(
            "{} does not load: {:#?}",
            path.display(),
            checked.diagnostics
        )
    });
    let analysis = Analysis::new(&model);
    (model, analysis)
}
