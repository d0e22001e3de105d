//! Data-flow diagrams: snapshots of every format for the examples, layout
//! properties (no overlaps, nesting) on examples and generated models, and
//! the outputs checked by the real consumers when they are installed
//! (Graphviz `dot`, headless Chromium, PlantUML).

mod diagram_support;

use diagram_support::{
    EXAMPLES, aspect, component_problems, components_split, drawn_components, flow_crossings,
    generated, generated_seeded, label_overlaps, load, load_abs, load_str,
    write_generated_components,
};
use std::io::Write;
use std::process::{Command, Stdio};
use tmkit_analysis::Analysis;
use tmkit_analysis::views::{View, ViewKind};
use tmkit_model::Model;
use tmkit_render::ReportFormat;
use tmkit_render::ReportOptions;
use tmkit_render::diagram::{
    DiagramFormat, DiagramLayout, DiagramOptions, DotText, Rect, escape_dot, escape_mermaid,
    escape_plantuml, escape_xml, layout, render,
};

const REFERENCE: &str = "examples/reference/threatmodel.yaml";
const COMPOSED: &str = "examples/composed/threatmodel.yaml";
const SHOP: &str = "crates/tmkit-render/tests/diagram_fixtures/shop/threatmodel.yaml";
const ODD: &str = "crates/tmkit-render/tests/diagram_fixtures/odd/threatmodel.yaml";

fn all_opts() -> DiagramOptions {
    DiagramOptions::new().with_attackers(true)
}

/// The models every check runs on, with the options to draw them with.
fn corpus() -> Vec<(String, Model, Analysis, DiagramOptions)> {
    let mut out = Vec::new();
    for (name, path) in [
        ("reference", REFERENCE),
        ("composed", COMPOSED),
        ("shop", SHOP),
    ] {
        let (m, a) = load(path);
        out.push((
            name.to_string(),
            m.clone(),
            a.clone(),
            DiagramOptions::new(),
        ));
        out.push((format!("{name}-attackers"), m, a, all_opts()));
    }
    let (m, a) = load(COMPOSED);
    out.push((
        "composed-depth0".into(),
        m,
        a,
        DiagramOptions::new().with_depth(Some(0)),
    ));
    let (m, a) = load_str(&generated(200, 400));
    out.push(("generated-200".into(), m, a, all_opts()));
    out
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshots_of_every_format() {
    for (name, path, opts) in [
        ("reference", REFERENCE, DiagramOptions::new()),
        ("composed", COMPOSED, DiagramOptions::new()),
        ("shop", SHOP, all_opts()),
        // Collapsed components, attackers from an imported catalogue.
        ("composed-depth0", COMPOSED, all_opts().with_depth(Some(0))),
        // Odd texts, nesting, no zone, out of scope, every asset kind.
        ("odd", ODD, all_opts()),
    ] {
        let (m, a) = load(path);
        for f in DiagramFormat::ALL {
            let out = render(&m, &a, f, &opts);
            insta::assert_snapshot!(format!("{name}.{}", f.extension()), out);
        }
    }
}

#[test]
fn output_is_deterministic() {
    for (name, m, a, opts) in corpus() {
        for f in DiagramFormat::ALL {
            let again = load(match name.split('-').next() {
                Some("reference") => REFERENCE,
                Some("composed") => COMPOSED,
                Some("shop") => SHOP,
                _ => continue,
            });
            assert_eq!(
                render(&m, &a, f, &opts),
                render(&again.0, &again.1, f, &opts),
                "{name} {f:?}"
            );
        }
    }
}

// ------------------------------------------------------------------- layout

/// Zone boxes nest properly; nodes, labels and headers sit inside their boxes;
/// flows touch no node but their own ends; everything is inside the picture.
fn containment(l: &DiagramLayout) -> Vec<String> {
    let mut bad = Vec::new();
    let page = Rect::new(0.0, 0.0, l.width, l.height);
    for (i, a) in l.zones.iter().enumerate() {
        if !a.rect.contains(&a.label) {
            bad.push(format!("header of {} outside its box", a.key));
        }
        if !page.contains(&a.rect) {
            bad.push(format!("zone {} outside the picture", a.key));
        }
        for b in &l.zones[i + 1..] {
            let nested = a.rect.contains(&b.rect) || b.rect.contains(&a.rect);
            if a.rect.overlaps(&b.rect) && !nested {
                bad.push(format!("zones {} and {} cross", a.key, b.key));
            }
        }
    }
    for n in &l.nodes {
        if !n.rect.contains(&n.label) {
            bad.push(format!("label of {} outside its shape", n.qid));
        }
        let region = l.zones.iter().find(|z| z.key == n.region);
        match region {
            Some(z) if z.rect.contains(&n.rect) => {}
            _ => bad.push(format!("{} outside its box {}", n.qid, n.region)),
        }
        if let Some(zone) = &n.zone {
            match l.zones.iter().find(|z| &z.key == zone) {
                Some(z) if z.rect.contains(&n.rect) => {}
                _ => bad.push(format!("{} outside its zone {zone}", n.qid)),
            }
        }
    }
    for e in &l.edges {
        if !page.contains(&e.label) {
            bad.push(format!("label of {} outside the picture", e.qid));
        }
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        for w in e.points.windows(2) {
            let (p, q) = (w[0], w[1]);
            let seg = Rect::new(
                p.0.min(q.0),
                p.1.min(q.1),
                (p.0 - q.0).abs(),
                (p.1 - q.1).abs(),
            );
            for n in &l.nodes {
                let touches_end = [first, last].iter().any(|pt| {
                    pt.0 >= n.rect.x - 0.01
                        && pt.0 <= n.rect.right() + 0.01
                        && pt.1 >= n.rect.y - 0.01
                        && pt.1 <= n.rect.bottom() + 0.01
                });
                if touches_end {
                    continue;
                }
                // A zero-width segment overlaps when it is strictly inside.
                let thick = Rect::new(seg.x - 0.5, seg.y - 0.5, seg.w + 1.0, seg.h + 1.0);
                if thick.overlaps(&n.rect) {
                    bad.push(format!("flow {} crosses node {}", e.qid, n.qid));
                }
            }
        }
    }
    bad
}

#[test]
fn no_overlaps_on_examples_and_generated_models() {
    for (name, m, a, opts) in corpus() {
        let l = layout(&m, &a, &opts);
        assert!(!l.nodes.is_empty(), "{name}: nothing drawn");
        let bad = label_overlaps(&l);
        assert!(
            bad.is_empty(),
            "{name}: {} overlaps, e.g. {:?}",
            bad.len(),
            &bad[..bad.len().min(5)]
        );
        let bad = containment(&l);
        assert!(bad.is_empty(), "{name}: {:?}", &bad[..bad.len().min(5)]);
    }
}

/// The readability figures of docs/diagrams.md, for every bundled example
/// and every way of drawing it: no label overlaps another label or a node,
/// and the picture is between 1:2 and 2:1.
#[test]
fn bundled_examples_are_readable() {
    for (name, path) in EXAMPLES {
        let (m, a) = load(path);
        for opts in [
            DiagramOptions::new(),
            all_opts(),
            DiagramOptions::new().with_depth(Some(0)),
        ] {
            let l = layout(&m, &a, &opts);
            let bad = label_overlaps(&l);
            assert!(bad.is_empty(), "{name} {opts:?}: {bad:?}");
            let r = aspect(&l);
            assert!(
                (0.5..=2.0).contains(&r),
                "{name} {opts:?}: aspect {r:.2} ({} x {})",
                l.width,
                l.height
            );
            let bad = containment(&l);
            assert!(bad.is_empty(), "{name} {opts:?}: {bad:?}");
        }
    }
}

/// A regression guard on flow crossings (counted on the laid-out paths):
/// each bundled example, drawn each way, crosses at most as often as
/// measured when flows between bands were routed through the bands' edge
/// channels and the lanes of each channel ordered against crossings
/// (docs/diagrams.md, "Readability, measured").
#[test]
fn bundled_examples_keep_crossings_low() {
    // (example, [plain, --attackers, --depth 0])
    let most = [
        ("reference", [0, 0, 0]),
        ("composed", [1, 1, 1]),
        ("tmkit", [2, 2, 2]),
    ];
    for ((name, path), (name2, limits)) in EXAMPLES.iter().zip(most) {
        assert_eq!(*name, name2);
        let (m, a) = load(path);
        let ways = [
            DiagramOptions::new(),
            all_opts(),
            DiagramOptions::new().with_depth(Some(0)),
        ];
        for (opts, limit) in ways.iter().zip(limits) {
            let n = flow_crossings(&layout(&m, &a, opts));
            assert!(
                n <= limit,
                "{name} {opts:?}: {n} crossings, at most {limit}"
            );
        }
    }
}

/// Components are kept together: in every bundled example, the shop
/// fixture and the corpus, drawn every way, each expanded component has one
/// outline holding all its groups and nodes (or, only when that outline
/// would enclose something else, one per group), outlines never overlap
/// unless nested, and the readability figures hold.
#[test]
fn components_are_kept_together() {
    let mut models: Vec<(String, Model, Analysis)> = EXAMPLES
        .iter()
        .map(|(name, path)| {
            let (m, a) = load(path);
            (name.to_string(), m, a)
        })
        .collect();
    let (m, a) = load(SHOP);
    models.push(("shop".into(), m, a));
    let mut joined = 0;
    for (name, m, a) in &models {
        for opts in [
            DiagramOptions::new(),
            all_opts(),
            DiagramOptions::new().with_depth(Some(0)),
        ] {
            let l = layout(m, a, &opts);
            let bad = component_problems(&l);
            assert!(bad.is_empty(), "{name} {opts:?}: {bad:?}");
            assert!(label_overlaps(&l).is_empty(), "{name} {opts:?}");
            let r = aspect(&l);
            assert!((0.5..=2.0).contains(&r), "{name} {opts:?}: aspect {r:.2}");
            joined += l.components.iter().filter(|c| c.groups.len() > 1).count();
        }
    }
    assert!(
        joined > 0,
        "no component spans zones: the check proves nothing"
    );
}

/// The composed example: LOGIN (DMZ and internal network, neighbours) is one
/// outline across the zone border, its title drawn once; PAY (internet and
/// the cardholder data environment, with the DMZ between) cannot be
/// enclosed without enclosing the DMZ, so it is drawn in two parts, each
/// with its title, as docs/diagrams.md says.
#[test]
fn composed_example_keeps_login_together_and_splits_payments() {
    let (m, a) = load(COMPOSED);
    let l = layout(&m, &a, &DiagramOptions::new());
    let login: Vec<_> = l
        .components
        .iter()
        .filter(|c| c.qid.ends_with("LOGIN"))
        .collect();
    assert_eq!(login.len(), 1, "{:?}", l.components);
    assert_eq!(login[0].groups.len(), 2, "{:?}", login[0]);
    let pay: Vec<_> = l
        .components
        .iter()
        .filter(|c| c.qid.ends_with("PAY"))
        .collect();
    assert_eq!(pay.len(), 2, "{:?}", l.components);
    assert_eq!(components_split(&l), 1);
    let svg = render(&m, &a, DiagramFormat::Svg, &DiagramOptions::new());
    let doc = parse_svg(&svg);
    let outlines: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("tmkd-component"))
        .collect();
    assert_eq!(outlines.len(), 1, "one joined outline drawn");
    assert!(
        outlines[0]
            .attribute("data-component")
            .unwrap()
            .ends_with("LOGIN")
    );
    // The drawn texts (not the tooltips).
    let drawn: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.descendants().filter_map(|t| t.text()).collect())
        .collect();
    let count = |s: &str| drawn.iter().filter(|t| t.starts_with(s)).count();
    assert_eq!(count("Login service"), 1, "title once: {drawn:?}");
    assert_eq!(count("Payments"), 2, "title per part: {drawn:?}");
}

/// Generated composed models: 3 to 7 zones, up to 5 components in one,
/// two neighbouring or two distant zones; the outline rules hold, the
/// labels do not overlap, and the picture is the same twice.
#[test]
fn generated_components_are_kept_together() {
    let mut joined = 0;
    for seed in 0..24u64 {
        let dir = tempfile::tempdir().expect("temp dir");
        write_generated_components(dir.path(), seed);
        let (m, a) = load_abs(&dir.path().join("threatmodel.yaml"));
        for opts in [DiagramOptions::new(), all_opts()] {
            let l = layout(&m, &a, &opts);
            assert!(
                !drawn_components(&l).is_empty(),
                "seed {seed}: no component"
            );
            let bad = component_problems(&l);
            assert!(bad.is_empty(), "seed {seed} {opts:?}: {bad:?}");
            let bad = label_overlaps(&l);
            assert!(bad.is_empty(), "seed {seed} {opts:?}: {bad:?}");
            let bad = containment(&l);
            assert!(bad.is_empty(), "seed {seed} {opts:?}: {bad:?}");
            assert_eq!(l, layout(&m, &a, &opts), "seed {seed}: deterministic");
            joined += l.components.iter().filter(|c| c.groups.len() > 1).count();
        }
    }
    assert!(
        joined > 10,
        "only {joined} joined outlines over 48 pictures"
    );
}

/// `--component ID` draws one component: each component of the composed
/// example and of the shop fixture, drawn alone, holds all its own assets
/// and none of another component's, with no label overlap and a readable
/// shape.
#[test]
fn one_component_is_drawn_alone_and_readable() {
    use tmkit_analysis::views::{component, find_component};
    let mut checked = 0;
    for path in [COMPOSED, SHOP] {
        let (m, _) = load(path);
        let components: Vec<String> = m.models[1..]
            .iter()
            .filter(|t| t.kind == tmkit_model::ModelKind::Component)
            .map(|t| t.qid.to_string())
            .collect();
        for c in &components {
            let index = find_component(&m, c).expect("a component");
            let one = component(&m, index);
            let a = Analysis::new(&one);
            let l = layout(&one, &a, &all_opts());
            let own: Vec<&str> = m.models[index]
                .assets
                .iter()
                .map(|a| a.qid.as_str())
                .collect();
            for q in &own {
                assert!(l.nodes.iter().any(|n| n.qid == *q), "{c}: {q} drawn");
            }
            for other in components.iter().filter(|o| {
                *o != c && !o.starts_with(&format!("{c}.")) && !c.starts_with(&format!("{o}."))
            }) {
                assert!(
                    !l.nodes
                        .iter()
                        .any(|n| n.qid.starts_with(&format!("{other}."))),
                    "{c}: nothing of {other}"
                );
            }
            assert!(
                label_overlaps(&l).is_empty(),
                "{c}: {:?}",
                label_overlaps(&l)
            );
            assert!(containment(&l).is_empty(), "{c}: {:?}", containment(&l));
            let r = aspect(&l);
            assert!((0.5..=2.0).contains(&r), "{c}: aspect {r:.2}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} components");
}

/// A model of `zones` top-level zones in a row of trust levels, each with
/// `per_zone` assets, and a flow from every asset to the next one.
fn many_zones(zones: usize, per_zone: usize) -> String {
    let mut y = String::from(
        "tmkit: 1\nid: WIDE\ntitle: Wide\nscope:\n  abstraction: { taxonomy: STRIDE }\n  zones:\n",
    );
    for z in 0..zones {
        y.push_str(&format!(
            "    - {{ id: z{z}, title: Zone number {z}, trust: {z} }}\n"
        ));
    }
    y.push_str("  assets:\n");
    let n = zones * per_zone;
    for i in 0..n {
        y.push_str(&format!(
            "    - {{ id: a{i}, title: Asset {i}, kind: service, zone: z{} }}\n",
            i / per_zone
        ));
    }
    y.push_str("  dataflows:\n");
    for i in 1..n {
        y.push_str(&format!(
            "    - {{ id: f{i}, title: Call {i}, from: a{}, to: a{i}, protocol: HTTPS }}\n",
            i - 1
        ));
    }
    y
}

/// Many trust zones no longer make a strip: they wrap into bands.
#[test]
fn many_zones_wrap_into_bands_of_readable_shape() {
    for (zones, per_zone) in [(8, 1), (12, 1), (10, 3), (2, 20), (1, 40)] {
        let (m, a) = load_str(&many_zones(zones, per_zone));
        let l = layout(&m, &a, &DiagramOptions::new());
        let r = aspect(&l);
        assert!(
            (0.5..=2.0).contains(&r),
            "{zones} zones x {per_zone}: aspect {r:.2} ({} x {})",
            l.width,
            l.height
        );
        assert!(label_overlaps(&l).is_empty(), "{zones} x {per_zone}");
        let bad = containment(&l);
        assert!(bad.is_empty(), "{zones} x {per_zone}: {bad:?}");
    }
    // With twelve zones in one row the picture would be about 10:1; the
    // zones now wrap, so some zone sits below another.
    let (m, a) = load_str(&many_zones(12, 1));
    let l = layout(&m, &a, &DiagramOptions::new());
    let tops: std::collections::BTreeSet<i64> =
        l.zones.iter().map(|z| z.rect.y.round() as i64).collect();
    assert!(tops.len() > 1, "zones in one band: {tops:?}");
}

/// Every text of the SVG is at least 11 px at its natural size, so the
/// HTML report, which shows the diagram at that size, is readable.
#[test]
fn svg_text_is_at_least_11px() {
    for (name, path) in EXAMPLES {
        let (m, a) = load(path);
        let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());
        let doc = parse_svg(&svg);
        let mut sizes = 0;
        for n in doc.descendants() {
            if let Some(fs) = n.attribute("font-size") {
                sizes += 1;
                let px: f64 = fs.parse().expect("a number");
                assert!(px >= 11.0, "{name}: font-size {px} on {:?}", n.tag_name());
            }
        }
        assert!(sizes > 0, "{name}: no text sizes found");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Generated models of many shapes: no panic, the same output twice, no
    /// overlaps, everything in its box.
    #[test]
    fn generated_models_lay_out_cleanly(
        assets in 1usize..70,
        flows in 0usize..140,
        seed in 0u64..1_000_000,
        attackers in proptest::bool::ANY,
        wide in 1usize..14,
    ) {
        let opts = DiagramOptions::new().with_attackers(attackers);
        for yaml in [generated_seeded(assets, flows, seed), many_zones(wide, 1 + assets % 4)] {
            let (m, a) = load_str(&yaml);
            let l = layout(&m, &a, &opts);
            let bad = label_overlaps(&l);
            proptest::prop_assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(5)]);
            let bad = containment(&l);
            proptest::prop_assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(5)]);
            let svg = render(&m, &a, DiagramFormat::Svg, &opts);
            proptest::prop_assert_eq!(&svg, &render(&m, &a, DiagramFormat::Svg, &opts));
            parse_svg(&svg);
        }
    }
}

#[test]
fn the_overlap_check_catches_overlaps() {
    // Guard against a checker that can never fail.
    let (m, a) = load(REFERENCE);
    let mut l = layout(&m, &a, &DiagramOptions::new());
    let first = l.nodes[0].rect;
    l.nodes[1].rect = first;
    assert!(!label_overlaps(&l).is_empty());
    // A flow label moved onto a zone header.
    let mut l = layout(&m, &a, &DiagramOptions::new());
    l.edges[0].label = l.zones[0].label;
    assert!(!label_overlaps(&l).is_empty());
}

#[test]
fn zones_are_ordered_by_trust_and_nested() {
    let (m, a) = load(SHOP);
    let l = layout(&m, &a, &DiagramOptions::new());
    let zone = |key: &str| {
        l.zones
            .iter()
            .find(|z| z.key == key)
            .unwrap_or_else(|| panic!("no box for {key}"))
    };
    // Reading order: left to right within a band, bands top to bottom.
    let before = |a: &Rect, b: &Rect| {
        let same_band = a.y < b.bottom() && b.y < a.bottom();
        if same_band {
            a.right() <= b.x
        } else {
            a.bottom() <= b.y
        }
    };
    let order = ["SHOP.internet", "SHOP.partner", "SHOP.cloud", "SHOP.ops"];
    for w in order.windows(2) {
        assert!(
            before(&zone(w[0]).rect, &zone(w[1]).rect),
            "{} before {}",
            w[0],
            w[1]
        );
        assert_eq!(zone(w[0]).depth, 0);
    }
    assert!(zone("SHOP.cloud").rect.contains(&zone("SHOP.app").rect));
    assert!(zone("SHOP.data").rect.contains(&zone("SHOP.vault").rect));
    assert!(before(&zone("SHOP.app").rect, &zone("SHOP.data").rect));
    // The component's own zone nests in the parent's zone it names.
    assert!(zone("SHOP.cloud").rect.contains(&zone("SHOP.PAY.pci").rect));
    assert_eq!(zone("SHOP.vault").depth, 2);
    // Component groups inside zones.
    assert!(
        zone("SHOP.app")
            .rect
            .contains(&zone("SHOP.app@SHOP.PAY").rect)
    );
    // The asset without a zone gets the "no zone" box, on the left.
    assert!(before(&zone("-").rect, &zone("SHOP.internet").rect));
}

#[test]
fn depth_collapses_components_and_reroutes_their_flows() {
    let (m, a) = load(COMPOSED);
    let full = layout(&m, &a, &DiagramOptions::new());
    let collapsed = layout(&m, &a, &DiagramOptions::new().with_depth(Some(0)));
    let components: Vec<&str> = m.models[1..]
        .iter()
        .filter(|t| t.kind == tmkit_model::ModelKind::Component)
        .map(|t| t.qid.as_str())
        .collect();
    assert!(!components.is_empty());
    for c in &components {
        assert!(collapsed.nodes.iter().any(|n| n.qid == *c), "{c} has a box");
        assert!(!full.nodes.iter().any(|n| n.qid == *c));
        assert!(
            !collapsed
                .nodes
                .iter()
                .any(|n| n.qid.starts_with(&format!("{c}.")))
        );
        assert!(!collapsed.zones.iter().any(|z| z.key.contains('@')));
    }
    // Flows between the root and a component survive (rerouted to the box);
    // flows inside a component disappear.
    let svg = render(
        &m,
        &a,
        DiagramFormat::Svg,
        &DiagramOptions::new().with_depth(Some(0)),
    );
    for tm in &m.models {
        for f in &tm.dataflows {
            let owner = |q: &str| {
                components
                    .iter()
                    .find(|c| q.starts_with(&format!("{c}.")))
                    .copied()
            };
            let inside = owner(&f.from).is_some() && owner(&f.from) == owner(&f.to);
            let drawn = collapsed.edges.iter().any(|e| e.qid == f.qid);
            assert_eq!(drawn, !inside, "{}", f.qid);
            assert_eq!(svg.contains(&format!("data-qid=\"{}\"", f.qid)), !inside);
        }
    }
    // Depth 1 expands the direct components again.
    let one = layout(&m, &a, &DiagramOptions::new().with_depth(Some(1)));
    assert_eq!(one.nodes.len(), full.nodes.len());
}

#[test]
fn attackers_only_when_asked_and_in_their_zone() {
    let (m, a) = load(REFERENCE);
    let without = layout(&m, &a, &DiagramOptions::new());
    assert!(without.nodes.iter().all(|n| !n.attacker));
    let with = layout(&m, &a, &all_opts());
    let attackers: Vec<_> = with.nodes.iter().filter(|n| n.attacker).collect();
    assert_eq!(attackers.len(), m.root().attackers.len());
    let anon = attackers
        .iter()
        .find(|n| n.qid == "CCC.anon")
        .expect("anon drawn");
    assert_eq!(anon.zone.as_deref(), Some("CCC.internet"));
    let zone = with
        .zones
        .iter()
        .find(|z| z.key == "CCC.internet")
        .expect("zone");
    assert!(zone.rect.contains(&anon.rect));
    // At the top edge: above every asset of its zone.
    for n in with
        .nodes
        .iter()
        .filter(|n| !n.attacker && n.zone == anon.zone)
    {
        assert!(
            anon.rect.bottom() <= n.rect.y,
            "{} above {}",
            anon.qid,
            n.qid
        );
    }
    // Out-of-scope attackers are drawn greyed.
    let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());

    assert!(svg.contains(r#"data-qid="CCC.admin" data-kind="attacker" data-zone="-" data-region="-" data-in-scope="false""#));
}

/// Attackers are badges: drawing them adds no line. The same flows are
/// drawn, one line each, and none starts or ends at an attacker or passes
/// through one.
#[test]
fn attackers_are_badges_joined_by_no_line() {
    for path in [REFERENCE, COMPOSED, SHOP] {
        let (m, a) = load(path);
        let without = layout(&m, &a, &DiagramOptions::new());
        let with = layout(&m, &a, &all_opts());
        assert!(with.nodes.iter().any(|n| n.attacker), "{path}: no attacker");
        assert_eq!(with.edges.len(), without.edges.len());
        for e in &with.edges {
            for n in with.nodes.iter().filter(|n| n.attacker) {
                let r = n.rect;
                let near = Rect::new(r.x - 1.0, r.y - 1.0, r.w + 2.0, r.h + 2.0);
                for w in e.points.windows(2) {
                    let (p, q) = (w[0], w[1]);
                    let seg = Rect::new(
                        p.0.min(q.0) - 0.5,
                        p.1.min(q.1) - 0.5,
                        (p.0 - q.0).abs() + 1.0,
                        (p.1 - q.1).abs() + 1.0,
                    );
                    assert!(!seg.overlaps(&near), "flow {} touches {}", e.qid, n.qid);
                }
            }
        }
        let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());
        let doc = parse_svg(&svg);
        let lines = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("tmkd-flow"))
            .count();
        assert_eq!(lines, with.edges.len(), "{path}: one drawn line per flow");
    }
}

// ---------------------------------------------------------------------- SVG

fn parse_svg(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG is not well-formed: {e}"))
}

#[test]
fn svg_is_well_formed_with_title_and_every_label() {
    for (name, m, a, opts) in corpus() {
        let svg = render(&m, &a, DiagramFormat::Svg, &opts);
        let doc = parse_svg(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{name}");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let title = root.first_element_child().expect("a child");
        assert_eq!(
            title.tag_name().name(),
            "title",
            "{name}: <title> comes first"
        );
        assert!(
            title
                .text()
                .unwrap_or("")
                .contains(&m.root().title.replace('\n', " "))
                || name.starts_with("generated")
        );
        // Every asset of an expanded model is drawn, with its id.
        let text: String = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join("\n");
        if opts.depth.is_none() {
            for tm in m
                .models
                .iter()
                .filter(|t| t.kind != tmkit_model::ModelKind::Catalogue)
            {
                for asset in &tm.assets {
                    let node = doc
                        .descendants()
                        .find(|n| {
                            n.attribute("data-qid") == Some(asset.qid.as_str())
                                && n.has_tag_name("g")
                        })
                        .unwrap_or_else(|| panic!("{name}: no node for {}", asset.qid));
                    assert_eq!(
                        node.attribute("data-in-scope"),
                        Some(if asset.in_scope { "true" } else { "false" })
                    );
                    let short = asset
                        .qid
                        .strip_prefix(&format!("{}.", m.root().qid))
                        .unwrap_or(&asset.qid);
                    assert!(text.contains(short), "{name}: id {short} not shown");
                }
            }
        }
    }
}

#[test]
fn crossing_flows_are_drawn_by_direction_and_unanswered_ones_highlighted() {
    let (m, a) = load(SHOP);
    let svg = render(&m, &a, DiagramFormat::Svg, &DiagramOptions::new());
    let doc = parse_svg(&svg);
    let flow = |qid: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("g")
                    && n.attribute("class") == Some("tmkd-flow")
                    && n.attribute("data-qid") == Some(qid)
            })
            .unwrap_or_else(|| panic!("no flow {qid}"))
    };
    let crossing = |qid: &str| {
        flow(qid)
            .attribute("data-crossing")
            .unwrap_or("")
            .to_string()
    };
    for c in &a.crossings {
        let expect = if !c.direction.crosses() {
            "none"
        } else {
            c.direction.as_str()
        };
        assert_eq!(crossing(&c.flow), expect, "{}", c.flow);
        let unanswered = flow(&c.flow).attribute("data-unanswered") == Some("true");
        assert_eq!(unanswered, !c.unanswered.is_empty(), "{}", c.flow);
        // The highlight is a wide translucent halo under the arrow.
        let halo = flow(&c.flow)
            .descendants()
            .any(|n| n.attribute("stroke-width") == Some("7"));
        assert_eq!(halo, unanswered, "{}", c.flow);
    }
    assert_eq!(crossing("SHOP.f1"), "inbound");
    assert_eq!(crossing("SHOP.f7"), "outbound");
    assert_eq!(crossing("SHOP.f8"), "both");
    assert_eq!(crossing("SHOP.f10"), "outbound");
    assert_eq!(crossing("SHOP.f12"), "inbound");
    assert_eq!(crossing("SHOP.f13"), "out-of-scope");
    // Inbound and outbound arrows differ in colour and arrowhead.
    let stroke = |qid: &str| {
        flow(qid)
            .descendants()
            .filter_map(|n| n.attribute("marker-end"))
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_ne!(stroke("SHOP.f1"), stroke("SHOP.f7"));
    // T1 answers every category f8 exposes.
    assert_eq!(flow("SHOP.f8").attribute("data-unanswered"), Some("false"));
    assert!(
        flow("SHOP.f8")
            .descendants()
            .any(|n| n.attribute("marker-start").is_some())
    );
    // Out-of-scope elements are dashed.
    let crawler = doc
        .descendants()
        .find(|n| n.attribute("data-qid") == Some("SHOP.crawler"))
        .expect("crawler");
    assert!(
        crawler
            .descendants()
            .any(|n| n.attribute("stroke-dasharray").is_some())
    );
}

#[test]
fn hostile_text_is_escaped_in_every_format() {
    let nasty = r#"A <b>&amp; "q" 'a' \N \" #35; | `x` ]] -- ** // ~~ [[u]] %% end"#;
    let yaml = format!(
        "tmkit: 1\nid: X\ntitle: '{t}'\nscope:\n  zones:\n    - {{ id: z, title: '{t}', trust: 1 }}\n    - {{ id: y, title: plain, trust: 2 }}\n  assets:\n    - {{ id: a, title: '{t}', kind: service, zone: z }}\n    - {{ id: b, title: 'b\\u0007', kind: datastore, zone: y }}\n  dataflows:\n    - {{ id: f, title: '{t}', from: a, to: b, protocol: '{t}' }}\n",
        t = nasty.replace('\'', "''")
    );
    let (m, a) = load_str(&yaml);
    let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());
    let doc = parse_svg(&svg);
    let texts: Vec<String> = doc
        .descendants()
        .filter_map(|n| n.text())
        .map(str::to_string)
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(r#"A <b>&amp; "q""#)),
        "text survives XML escaping"
    );
    assert!(!svg.contains("<b>"));
    let mmd = render(&m, &a, DiagramFormat::Mermaid, &all_opts());
    for line in mmd.lines().filter(|l| l.contains("A ")) {
        // Quotes only delimit labels; no raw markup or link delimiters inside.
        let inner: String = line.split('"').skip(1).step_by(2).collect();
        assert!(!inner.contains('<') || inner.contains("<br/>"), "{line}");
        assert!(!inner.contains('|') && !inner.contains('`'), "{line}");
    }
    assert!(!mmd.contains("<b>"));
    let dot = render(&m, &a, DiagramFormat::Dot, &all_opts());
    assert!(dot.contains(r#"\\N"#), "backslash escaped");
    assert!(!dot.contains('\u{7}'));
    let puml = render(&m, &a, DiagramFormat::PlantUml, &all_opts());
    assert!(!puml.contains("<b>") && !puml.contains("**") && !puml.contains("[["));
    // Graphviz and PlantUML accept it (when installed).
    graphviz_accepts("hostile", &dot);
    plantuml_accepts("hostile", &puml);
}

#[test]
fn escape_functions() {
    assert_eq!(
        escape_xml(r#"<a href="x">&'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
    );
    assert_eq!(escape_xml("bell\u{7}"), "bell\u{FFFD}");
    assert_eq!(escape_xml("ok\tline\n"), "ok\tline\n");
    assert_eq!(
        escape_mermaid(r#"say "hi" #1 & <b> | `x`"#),
        "say #34;hi#34; #35;1 #38; #60;b#62; #124; #96;x#96;"
    );
    assert_eq!(escape_mermaid("two\nlines"), "two lines");
    assert_eq!(
        escape_mermaid("%%{init}%% a:::b; [c](d)"),
        "#37;#37;#123;init#125;#37;#37; a#58;#58;#58;b#59; #91;c#93;#40;d#41;"
    );
    assert_eq!(
        escape_dot(r#"a "b" \N &amp;"#, DotText::Label),
        r#"a \"b\" \\N &amp;amp;"#
    );
    assert_eq!(escape_dot(r"\G", DotText::Tooltip), r"\\\\G");
    assert_eq!(escape_dot("x\n\ty\u{1}", DotText::Label), "x y");
    assert_eq!(
        escape_plantuml(r#"a "b" \n"#),
        "a <U+0022>b<U+0022> <U+005C>n"
    );
    assert_eq!(
        escape_plantuml("**bold** x-y a--b"),
        "<U+002A><U+002A>bold<U+002A><U+002A> x-y a<U+002D><U+002D>b"
    );
    assert_eq!(
        escape_plantuml("<color:red>[[link]]"),
        "<U+003C>color:red<U+003E><U+005B><U+005B>link<U+005D><U+005D>"
    );
    assert_eq!(
        escape_plantuml(r#"%getenv("HOME") $x !a @b 'c {d}"#),
        "<U+0025>getenv(<U+0022>HOME<U+0022>) <U+0024>x <U+0021>a <U+0040>b <U+0027>c <U+007B>d<U+007D>"
    );
    assert_eq!(escape_plantuml("* a = b"), "<U+002A> a = b");
}

// ------------------------------------------------------ user text is inert

/// What `HOME` is set to for the programs run by the injection tests.
const FAKE_HOME: &str = "/nonexistent/tmkit-fake-home-4f1c";

/// A model whose title, zone title, asset titles, flow titles, protocols
/// and attacker titles are `texts` (asset, flow and attacker `i` carry
/// `texts[i]`, so each text is drawn whole, on one line; assets take every
/// kind in turn).
fn model_with_texts(texts: &[&str]) -> (Model, Analysis) {
    // A JSON string is a YAML double-quoted scalar; YAML also wants the
    // characters it does not print raw (DEL, C1, U+FFFE...) escaped.
    let q = |s: &str| {
        let json = serde_json::to_string(s).expect("json string");
        json.chars()
            .map(|c| match c {
                '\u{7f}'..='\u{9f}' | '\u{FFFE}' | '\u{FFFF}' => format!("\\u{:04X}", c as u32),
                c => c.to_string(),
            })
            .collect::<String>()
    };
    let mut y = format!(
        "tmkit: 1\nid: X\ntitle: {}\nscope:\n  zones:\n    - {{ id: z, title: {}, trust: 1 }}\n    - {{ id: y, title: plain, trust: 2 }}\n  assets:\n    - {{ id: b, title: store, kind: datastore, zone: y }}\n",
        q(texts[0]),
        q(texts[texts.len() - 1])
    );
    // Every kind of asset, drawn with a different element in each language.
    let kinds = [
        "service",
        "datastore",
        "data",
        "hardware",
        "external",
        "other",
    ];
    for (i, t) in texts.iter().enumerate() {
        y.push_str(&format!(
            "    - {{ id: a{i}, title: {}, kind: {}, zone: z }}\n",
            q(t),
            kinds[i % kinds.len()]
        ));
    }
    y.push_str("  dataflows:\n");
    for (i, t) in texts.iter().enumerate() {
        y.push_str(&format!(
            "    - {{ id: f{i}, title: {}, from: a{i}, to: b, protocol: {} }}\n",
            q(t),
            q(t)
        ));
    }
    y.push_str("  attackers:\n");
    for (i, t) in texts.iter().enumerate() {
        y.push_str(&format!("    - {{ id: m{i}, title: {}, zone: z }}\n", q(t)));
    }
    load_str(&y)
}

/// All text of an SVG document (text nodes and `title` attributes, which
/// carry tooltips), entities decoded, one piece per line.
fn svg_text(svg: &str) -> String {
    let doc = parse_svg(svg);
    let mut out = String::new();
    for n in doc.descendants() {
        if let Some(t) = n.text() {
            out.push_str(t);
            out.push('\n');
        }
        for a in n.attributes().filter(|a| a.name() == "title") {
            out.push_str(a.value());
            out.push('\n');
        }
    }
    out
}

/// Text the PlantUML preprocessor or Creole would evaluate, if it were live.
const PLANTUML_HOSTILE: [&str; 13] = [
    r#"%getenv("HOME")"#,
    "%getenv('HOME')",
    "a %date() b",
    r#"%load_json("x")"#,
    "!include inc.txt",
    "!theme spacelab",
    "$x and 50% off",
    "@enduml",
    "'not a comment",
    "/' nor this '/",
    "= heading?",
    "* bullet?",
    "two\n!include inc.txt",
];

#[test]
fn plantuml_shows_preprocessor_text_literally() {
    let (m, a) = model_with_texts(&PLANTUML_HOSTILE);
    let puml = render(&m, &a, DiagramFormat::PlantUml, &all_opts());
    let dir = tempfile_dir();
    let marker = "INCLUDED-4f1c";
    std::fs::write(dir.join("inc.txt"), format!("title {marker}\n")).expect("write include");
    // The check can see an include and the home directory: a live
    // `!include` and `%getenv` do show up.
    let live = "@startuml\n!include inc.txt\nrectangle \"%getenv(\"HOME\")\" as r\n@enduml\n";
    let Some(control) = plantuml_in("control", live, Some(&dir)) else {
        return;
    };
    assert!(
        control.contains(marker) && control.contains(FAKE_HOME),
        "the control should include and expand: {control}"
    );
    let svg = plantuml_in("hostile", &puml, Some(&dir)).expect("plantuml ran above");
    let text = svg_text(&svg);
    assert!(!text.contains(marker), "something was included: {text}");
    assert!(!text.contains(FAKE_HOME), "HOME leaked: {text}");
    for t in PLANTUML_HOSTILE {
        // On the asset, the attacker and the flow.
        let t = t.replace('\n', " ");
        assert!(
            text.lines().filter(|l| l.contains(&t)).count() >= 3,
            "{t:?} not shown literally in: {text}\n{puml}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Text Mermaid would read as a directive, a statement, a class, markup or
/// a label delimiter, if it were live.
const MERMAID_HOSTILE: [&str; 14] = [
    "%%{init: {'theme':'forest'}}%%",
    "%%{init: {'themeCSS': '.node rect {fill:red}'}}%%",
    "%% comment? 100%",
    "x\nclick a0 call alert(1)",
    "a0:::hot",
    r#"q"] --> evil["e"#,
    "p) --> (q",
    "pipe|x| --- y",
    "semi; n9[x]",
    "#35; #quot; &amp;",
    "<b>bold</b> <img src=x>",
    "`**md**`",
    "{curly} @{ shape: x }",
    r"back\nslash \ end",
];

/// The lines of a Mermaid flowchart that are not statements tmkit writes,
/// and the labels (the text between quotes) that are not one closed token
/// of plain text and entity codes.
fn mermaid_breakouts(mmd: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let statement = |l: &str| {
        let l = l.trim_start();
        let node = l
            .strip_prefix('n')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        // The invisible links ordering the zones: `z1 ~~~ z2`, nothing else.
        let zone_id = |z: &str| {
            z.strip_prefix('z')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
        };
        let order_link = l
            .split_once(" ~~~ ")
            .is_some_and(|(a, b)| zone_id(a) && zone_id(b));
        node || order_link
            || [
                "subgraph z",
                "end",
                "classDef ",
                "class ",
                "style z",
                "linkStyle ",
            ]
            .iter()
            .any(|k| l.starts_with(k))
    };
    for (i, line) in mmd.lines().enumerate() {
        let header = match i {
            0 => line == "flowchart LR",
            1 => line.starts_with("  %% ") && !line[5..].contains('%'),
            _ => statement(line) && !line.contains('%'),
        };
        if !header {
            bad.push(format!("line {}: {line}", i + 1));
        }
        if !matches!(line.matches('"').count(), 0 | 2) {
            bad.push(format!("not one quoted label: {line}"));
        }
        // A label holds plain text, entity codes (`#60;`) and `<br/>`.
        for label in line.split('"').skip(1).step_by(2) {
            let mut rest = label.replace("<br/>", " ");
            while let Some(at) = rest.find('#') {
                let digits = rest[at + 1..].find(';').map(|e| &rest[at + 1..at + 1 + e]);
                match digits {
                    Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) => {
                        rest.replace_range(at..at + d.len() + 2, " ");
                    }
                    _ => break,
                }
            }
            if let Some(c) = rest.chars().find(|c| "\"#%&<>|`;:[](){}\\".contains(*c)) {
                bad.push(format!("{c:?} in the label {label:?}"));
            }
        }
    }
    bad
}

#[test]
fn mermaid_labels_stay_closed_and_directives_inert() {
    let (m, a) = model_with_texts(&MERMAID_HOSTILE);
    let mmd = render(&m, &a, DiagramFormat::Mermaid, &all_opts());
    let bad = mermaid_breakouts(&mmd);
    assert!(bad.is_empty(), "{bad:#?}\n{mmd}");
    // The Markdown reports (the public one too) embed the same flowchart.
    for kind in [ViewKind::Full, ViewKind::Public] {
        let md = tmkit_render::report::render(
            &View::new(&m, kind),
            ReportFormat::Markdown,
            &ReportOptions::new(),
        );
        let block = md
            .split("```mermaid\n")
            .nth(1)
            .and_then(|b| b.split("\n```").next())
            .unwrap_or_else(|| panic!("{kind:?}: no Mermaid block in\n{md}"));
        let bad = mermaid_breakouts(block);
        assert!(bad.is_empty(), "{kind:?}: {bad:#?}\n{block}");
    }
    // The check itself sees a directive and a label that breaks out.
    let live = "flowchart LR\n  %% x\n  n0[\"a\"] --> n1\n  %%{init: {'theme':'forest'}}%%\n  n2[\"a\"] b\"]\n  n3[\"#35; ok\"]\n  n4[\"a:::b\"]\n";
    assert_eq!(
        mermaid_breakouts(live).len(),
        4,
        "{:#?}",
        mermaid_breakouts(live)
    );
}

/// The text of rendered markup: tags removed, the usual entities decoded.
fn markup_text(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = rest[open..].split_once('>').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Renders Mermaid with the Mermaid CLI (`$TMKIT_MMDC`, or `mmdc` on the
/// PATH) in headless Chromium; `None` when either is not installed.
fn mermaid_cli_svg(name: &str, mmd: &str) -> Option<String> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mmdc = tmkit_testtools::mermaid_cli(&workspace, &format!("Mermaid check of {name}"))?;
    let browser = tmkit_testtools::require(
        &tmkit_testtools::CHROMIUM,
        &format!("Mermaid check of {name}"),
    )?;
    let dir = tempfile_dir();
    let config =
        serde_json::json!({ "executablePath": browser, "args": ["--no-sandbox", "--disable-gpu"] });
    std::fs::write(dir.join("puppeteer.json"), config.to_string()).expect("write config");
    std::fs::write(dir.join("in.mmd"), mmd).expect("write mmd");
    let out = Command::new(&mmdc)
        .current_dir(&dir)
        .args([
            "-q",
            "-p",
            "puppeteer.json",
            "-i",
            "in.mmd",
            "-o",
            "out.svg",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", mmdc.display()));
    assert!(
        out.status.success(),
        "{name}: mmdc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(dir.join("out.svg")).expect("mmdc wrote no SVG");
    let _ = std::fs::remove_dir_all(&dir);
    Some(svg)
}

#[test]
fn mermaid_renders_hostile_text_literally_without_injected_style() {
    let (m, a) = model_with_texts(&MERMAID_HOSTILE);
    let mmd = render(&m, &a, DiagramFormat::Mermaid, &all_opts());
    // The check can see an injected theme and stylesheet.
    let live = "flowchart LR\n  a[\"x %%{init: {'theme':'forest', 'themeCSS': '.node rect {fill:red}'}}%%\"] --> b\n";
    let Some(control) = mermaid_cli_svg("control", live) else {
        return;
    };
    // The stylesheets of the SVG (labels show the text, literally).
    let style = |svg: &str| -> String {
        svg.split("<style")
            .skip(1)
            .filter_map(|s| s.split_once("</style>").map(|(css, _)| css.to_string()))
            .collect()
    };
    let css = style(&control);
    assert!(css.contains("#cde498") && css.contains("fill:red"), "{css}");
    let svg = mermaid_cli_svg("hostile", &mmd).expect("mmdc ran above");
    let css = style(&svg);
    assert!(
        !css.contains("#cde498"),
        "the forest theme was applied: {css}"
    );
    assert!(
        !css.contains("fill:red"),
        "the injected CSS was applied: {css}"
    );
    let text = markup_text(&svg);
    for t in MERMAID_HOSTILE {
        // On the asset, the attacker and the flow.
        let t = t.replace('\n', " ");
        assert!(
            text.matches(&t).count() >= 3,
            "{t:?} not shown literally in:\n{text}\n{mmd}"
        );
    }
}

/// Text Graphviz would expand (`\N` is the node name, `\G` the graph name,
/// `\n \l \r` break lines), read as HTML or as an entity, if it were live.
const DOT_HOSTILE: [&str; 7] = [
    r"\N \G \E \L \T \H",
    r"a\nb \l c\r d",
    r#"q"uote\" \\ end"#,
    "<b>html</b> <i>",
    "&amp; &lt; &#92;N",
    r"trailing\",
    r"\",
];

#[test]
fn dot_shows_escapes_literally_in_labels_and_tooltips() {
    let (m, a) = model_with_texts(&DOT_HOSTILE);
    let dot = render(&m, &a, DiagramFormat::Dot, &all_opts());
    let Some(svg) = graphviz_accepts("hostile", &dot) else {
        return;
    };
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, opts).expect("Graphviz SVG");
    let labels: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    let tooltips: Vec<&str> = doc
        .descendants()
        .flat_map(|n| n.attributes())
        .filter(|a| a.name() == "title")
        .map(|a| a.value())
        .collect();
    for t in DOT_HOSTILE {
        for (what, texts) in [("label", &labels), ("tooltip", &tooltips)] {
            assert!(
                texts.iter().filter(|s| s.contains(t)).count() >= 3,
                "{t:?} not shown literally in the {what}s (zone, node, flow): {texts:#?}\n{dot}"
            );
        }
    }
    // The title of the graph shows `\G`, not the graph's name.
    assert!(
        labels.iter().any(|l| l.starts_with(r"X · \N \G \E")),
        "{labels:?}"
    );
}

/// Markup and characters XML 1.0 forbids, in every string the SVG draws.
const SVG_HOSTILE: [&str; 6] = [
    "<script>alert(1)</script>",
    r#"" onload="alert(1)"#,
    "' onclick='x' a",
    "]]> <!-- x --> &amp;",
    "nul\u{0}esc\u{1b}[31m bs\u{8}",
    "\u{FFFE}\u{FFFF}\u{7f}",
];

#[test]
fn svg_escapes_markup_and_replaces_characters_illegal_in_xml() {
    let (m, a) = model_with_texts(&SVG_HOSTILE);
    let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());
    let doc = parse_svg(&svg);
    for n in doc.descendants() {
        assert_ne!(n.tag_name().name(), "script", "a script element");
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "an event attribute {a:?}");
        }
    }
    let text = svg_text(&svg);
    for t in &SVG_HOSTILE[..4] {
        assert!(text.contains(t), "{t:?} not shown literally in:\n{text}");
    }
    assert!(
        text.contains("nul\u{FFFD}esc\u{FFFD}[31m bs\u{FFFD}"),
        "{text}"
    );
    assert!(text.contains("\u{FFFD}\u{FFFD}\u{7f}"), "{text}");
}

// -------------------------------------------------------- external programs

// Found with `tmkit_testtools::require`: a missing program skips visibly, or
// fails the test under TMKIT_REQUIRE_TOOLS=1 (.ci/run).

fn run_with_stdin(program: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    run_with_stdin_in(program, args, input, None)
}

/// Runs `program` with `input` on stdin; when `cwd` is given, runs it there
/// with `HOME` set to [`FAKE_HOME`] (the injection tests).
fn run_with_stdin_in(
    program: &std::path::Path,
    args: &[&str],
    input: &str,
    cwd: Option<&std::path::Path>,
) -> std::process::Output {
    let mut cmd = Command::new(program);
    if let Some(dir) = cwd {
        cmd.current_dir(dir).env("HOME", FAKE_HOME);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// Runs `dot -Tsvg` on `dot`, checks that Graphviz accepts it and returns
/// the SVG (`None` when Graphviz is not installed and not required).
fn graphviz_accepts(name: &str, dot: &str) -> Option<String> {
    let program = tmkit_testtools::require(&tmkit_testtools::DOT, &format!("DOT check of {name}"))?;
    let out = run_with_stdin(&program, &["-Tsvg"], dot);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: dot failed: {stderr}");
    assert!(
        !stderr.contains("syntax error") && !stderr.contains("Error"),
        "{name}: {stderr}"
    );
    let svg = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(svg.contains("<svg"), "{name}");
    Some(svg)
}

/// Runs `plantuml -tsvg -pipe` on `puml` (in the directory `cwd`, when
/// given), checks that PlantUML accepts it and returns the SVG (`None` when
/// PlantUML is not installed and not required).
fn plantuml_accepts(name: &str, puml: &str) -> Option<String> {
    plantuml_in(name, puml, None)
}

fn plantuml_in(name: &str, puml: &str, cwd: Option<&std::path::Path>) -> Option<String> {
    let program = tmkit_testtools::require(
        &tmkit_testtools::PLANTUML,
        &format!("PlantUML check of {name}"),
    )?;
    let out = run_with_stdin_in(&program, &["-tsvg", "-pipe"], puml, cwd);
    let svg = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name}: plantuml failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        svg.contains("<svg") && !svg.contains("Syntax Error"),
        "{name}: {svg}"
    );
    Some(svg)
}

/// Zones declared against trust order, with a flow going back.
const UNORDERED_ZONES: &str = "tmkit: 1
id: ORD
title: Zones declared out of order
scope:
  abstraction: { taxonomy: STRIDE }
  zones:
    - { id: trusted, title: Zonetrusted, trust: 3 }
    - { id: internet, title: Zoneinternet, trust: 0 }
    - { id: dmz, title: Zonedmz, trust: 1 }
  assets:
    - { id: db, title: Database, kind: datastore, zone: trusted }
    - { id: browser, title: Browser, kind: external, zone: internet }
    - { id: web, title: Web, kind: service, zone: dmz }
  dataflows:
    - { id: back, title: Push, from: db, to: browser }
    - { id: query, title: Query, from: web, to: db }
";

/// The x of the text element showing `word` (PlantUML) or of the box of
/// the cluster `z<r>` (Mermaid) in a rendered SVG.
fn x_of(doc: &roxmltree::Document, pick: &dyn Fn(roxmltree::Node) -> bool) -> f64 {
    let n = doc
        .descendants()
        .find(|n| pick(*n))
        .expect("element in the rendered SVG");
    n.attribute("x")
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no x on {n:?}"))
}

#[test]
fn text_formats_keep_zones_in_trust_order() {
    let (m, a) = load_str(UNORDERED_ZONES);
    let opts = DiagramOptions::new();
    // The sources name the zones least trusted first and link them in order.
    let mmd = render(&m, &a, DiagramFormat::Mermaid, &opts);
    let puml = render(&m, &a, DiagramFormat::PlantUml, &opts);
    let pos = |s: &str, w: &str| s.find(w).unwrap_or_else(|| panic!("{w} in {s}"));
    for src in [&mmd, &puml] {
        assert!(pos(src, "Zoneinternet") < pos(src, "Zonedmz"));
        assert!(pos(src, "Zonedmz") < pos(src, "Zonetrusted"));
    }
    // Regions are numbered in creation order: trusted 0, internet 1, dmz 2.
    assert!(mmd.contains("  z1 ~~~ z2\n  z2 ~~~ z0\n"), "{mmd}");
    assert!(
        puml.contains("z1 -[hidden]-> z2\nz2 -[hidden]-> z0\n"),
        "{puml}"
    );
    // The renderers draw them left to right in that order.
    if let Some(svg) = plantuml_accepts("trust order", &puml) {
        let doc = roxmltree::Document::parse(&svg).expect("PlantUML SVG parses");
        let x = |w: &str| x_of(&doc, &|n| n.has_tag_name("text") && n.text() == Some(w));
        assert!(
            x("Zoneinternet") < x("Zonedmz"),
            "PlantUML: internet left of dmz"
        );
        assert!(
            x("Zonedmz") < x("Zonetrusted"),
            "PlantUML: dmz left of trusted"
        );
    }
    if let Some(svg) = mermaid_cli_svg("trust order", &mmd) {
        let doc = roxmltree::Document::parse(&svg).expect("Mermaid SVG parses");
        let x = |id: &str| {
            let cluster = doc
                .descendants()
                .find(|n| {
                    n.attribute("class").is_some_and(|c| c.contains("cluster"))
                        && n.attribute("id")
                            .is_some_and(|i| i == id || i.ends_with(&format!("-{id}")))
                })
                .unwrap_or_else(|| panic!("no cluster {id} in {svg}"));
            let rect = cluster
                .descendants()
                .find(|n| n.has_tag_name("rect"))
                .expect("a cluster box");
            rect.attribute("x")
                .and_then(|x| x.parse::<f64>().ok())
                .expect("x")
                + cluster
                    .attribute("transform")
                    .and_then(|t| t.strip_prefix("translate("))
                    .and_then(|t| t.split([',', ' ', ')']).next())
                    .and_then(|t| t.parse::<f64>().ok())
                    .unwrap_or(0.0)
        };
        assert!(x("z1") < x("z2"), "Mermaid: internet left of dmz");
        assert!(x("z2") < x("z0"), "Mermaid: dmz left of trusted");
    }
}

#[test]
fn dot_is_accepted_by_graphviz() {
    for (name, m, a, opts) in corpus() {
        graphviz_accepts(&name, &render(&m, &a, DiagramFormat::Dot, &opts));
    }
}

#[test]
fn plantuml_is_accepted_by_plantuml() {
    for (name, m, a, opts) in corpus()
        .into_iter()
        .filter(|c| !c.0.starts_with("generated"))
    {
        if opts.attackers {
            plantuml_accepts(&name, &render(&m, &a, DiagramFormat::PlantUml, &opts));
        }
    }
}

/// Renders the SVG in headless Chromium and checks, with the browser's own
/// text metrics, that every in-scope asset label lies inside its zone box
/// and inside its own shape.
#[test]
fn chromium_shows_every_in_scope_label_inside_its_zone() {
    let Some(browser) = tmkit_testtools::require(
        &tmkit_testtools::CHROMIUM,
        "chromium_shows_every_in_scope_label_inside_its_zone",
    ) else {
        return;
    };
    for (name, m, a, opts) in corpus() {
        let svg = render(&m, &a, DiagramFormat::Svg, &opts);
        let page = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"></head><body>{svg}<script>{CHECK}</script></body></html>"
        );
        let dir = tempfile_dir();
        let file = dir.join("page.html");
        std::fs::write(&file, page).expect("write page");
        let out = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                &format!("--user-data-dir={}", dir.join("profile").display()),
                "--dump-dom",
                &format!("file://{}", file.display()),
            ])
            .output()
            .expect("run chromium");
        let dom = String::from_utf8_lossy(&out.stdout);
        let result = dom
            .split("data-result=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| {
                panic!(
                    "{name}: no result in the DOM: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        let expected = layout(&m, &a, &opts)
            .nodes
            .iter()
            .filter(|n| n.in_scope && !n.attacker)
            .count();
        assert_eq!(result, format!("OK {expected}"), "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

const CHECK: &str = r#"
const bad = []; let checked = 0;
const zones = {};
document.querySelectorAll('g.tmkd-zone').forEach(g => {
  zones[g.dataset.key] = g.querySelector('rect.tmkd-zone-box').getBoundingClientRect();
});
const inside = (i, o) => i.left >= o.left - 0.5 && i.right <= o.right + 0.5 && i.top >= o.top - 0.5 && i.bottom <= o.bottom + 0.5;
document.querySelectorAll('g.tmkd-node').forEach(g => {
  if (g.dataset.inScope !== 'true' || g.dataset.kind === 'attacker') return;
  checked++;
  const label = g.querySelector('text.tmkd-label').getBoundingClientRect();
  const zone = zones[g.dataset.zone], region = zones[g.dataset.region];
  const shape = g.querySelector('rect, path, polygon').getBoundingClientRect();
  if (!zone) bad.push(g.dataset.qid + ': no zone box');
  else if (!inside(label, zone)) bad.push(g.dataset.qid + ': label outside zone');
  if (!region || !inside(label, region)) bad.push(g.dataset.qid + ': label outside its group');
  if (!inside(label, shape)) bad.push(g.dataset.qid + ': label wider than its shape');
});
document.body.setAttribute('data-result', bad.length ? 'FAIL ' + bad.join('; ') : 'OK ' + checked);
"#;

fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tmkit-diagram-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn small_and_odd_models_render_in_every_format() {
    let cases = [
        ("empty", "tmkit: 1\nid: E\ntitle: Empty\n".to_string()),
        (
            "zones only",
            "tmkit: 1\nid: Z\ntitle: Zones\nscope:\n  zones:\n    - { id: a, title: A, trust: 1 }\n    - { id: b, title: B, trust: 1.5, within: a }\n".to_string(),
        ),
        (
            "self loop",
            "tmkit: 1\nid: S\ntitle: Loop\nscope:\n  zones:\n    - { id: a, title: A, trust: 1 }\n  assets:\n    - { id: p, title: Worker, kind: process, zone: a }\n  dataflows:\n    - { id: f, title: Retry, from: p, to: p }\n".to_string(),
        ),
        (
            "wide text",
            "tmkit: 1\nid: W\ntitle: 日本語のモデル\nscope:\n  zones:\n    - { id: a, title: 非常に信頼できるゾーン, trust: 3 }\n  assets:\n    - { id: p, title: 支払いサービスのとても長い名前のプロセス, kind: service, zone: a }\n    - { id: q, title: データベース, kind: datastore, zone: a }\n  dataflows:\n    - { id: f, title: 書き込み, from: p, to: q, protocol: SQL }\n".to_string(),
        ),
    ];
    for (name, yaml) in cases {
        let (m, a) = load_str(&yaml);
        for f in DiagramFormat::ALL {
            let out = render(&m, &a, f, &all_opts());
            assert!(!out.is_empty(), "{name} {f:?}");
        }
        let svg = render(&m, &a, DiagramFormat::Svg, &all_opts());
        parse_svg(&svg);
        let l = layout(&m, &a, &all_opts());
        assert!(
            label_overlaps(&l).is_empty(),
            "{name}: {:?}",
            label_overlaps(&l)
        );
        assert!(containment(&l).is_empty(), "{name}: {:?}", containment(&l));
        graphviz_accepts(name, &render(&m, &a, DiagramFormat::Dot, &all_opts()));
    }
    // The self loop leaves the bottom and comes back in at the bottom, along
    // the channel below its row.
    let (m, a) = load_str(
        "tmkit: 1\nid: S\ntitle: Loop\nscope:\n  zones:\n    - { id: a, title: A, trust: 1 }\n  assets:\n    - { id: p, title: Worker, kind: process, zone: a }\n  dataflows:\n    - { id: f, title: Retry, from: p, to: p }\n",
    );
    let l = layout(&m, &a, &DiagramOptions::new());
    let (node, path) = (&l.nodes[0].rect, &l.edges[0].points);
    assert_eq!(path.first().map(|p| p.1), Some(node.bottom()));
    assert_eq!(path.last().map(|p| p.1), Some(node.bottom()));
    assert_eq!(path.len(), 4, "{path:?}");
}

/// The dedicated run of the DOT oracle with the real Graphviz (the fuzz
/// loop checks DOT lexically): models of hostile user strings from the
/// generator of `tmkit_render::oracles::model` all parse, and a label of
/// every DOT escape stays literal in what `dot` draws.
#[test]
fn dot_of_hostile_generated_models_is_accepted_by_graphviz() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    use tmkit_render::oracles::model;
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(0x646f74),
        ..Config::default()
    });
    let strategy = model::strategy();
    let mut drawn = 0;
    for i in 0..24 {
        let spec = strategy.new_tree(&mut runner).expect("spec").current();
        if let Some(m) = model::load(&spec) {
            let a = Analysis::new(&m);
            graphviz_accepts(
                &format!("generated {i}"),
                &render(&m, &a, DiagramFormat::Dot, &all_opts()),
            );
            drawn += 1;
        }
    }
    assert!(drawn >= 20, "{drawn}");
    let yaml = "tmkit: 1\nid: X\ntitle: t\nscope:\n  zones:\n    - { id: z, title: 'z \\N\\G', trust: 1 }\n  assets:\n    - { id: a, title: 'A\\N\\G\\E\\L\\T\\H', kind: service, zone: z }\n    - { id: b, title: b, kind: service, zone: z }\n  dataflows:\n    - { id: f, title: 'F\\E\\T\\H', from: a, to: b }\n";
    let (m, a) = load_str(yaml);
    let Some(svg) = graphviz_accepts("escapes", &render(&m, &a, DiagramFormat::Dot, &all_opts()))
    else {
        return;
    };
    for literal in ["A\\N\\G\\E\\L\\T\\H", "F\\E\\T\\H", "z \\N\\G"] {
        assert!(
            svg.contains(literal),
            "{literal} was expanded by dot:\n{svg}"
        );
    }
}
