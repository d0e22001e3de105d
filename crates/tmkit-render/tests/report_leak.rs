//! Leak tests of the public view: nothing that docs/format.md#confidentiality
//! withholds may appear in any public output, in any format.
//!
//! Every element that must be withheld *by itself* (confidential, a threat
//! that is not mitigated, a mitigation not in place, tickets, operators,
//! owners, a confidential component) carries the marker `SECRET` in its id,
//! title and description; everything else carries `PUB`. Elements withheld
//! only because they name a withheld one are written with `PUB` text: if the
//! filter kept them, their references (which name a `SECRET` id) would leak.

use proptest::prelude::*;
use tmkit_analysis::views::{View, ViewKind, public};
use tmkit_analysis::{Analysis, Status};
use tmkit_model::Model;
use tmkit_render::report::{ReportFormat, ReportOptions, render};

const MARK: &str = "SECRET";

fn load(files: &[(&str, &str)]) -> Model {
    let checked = tmkit_model::check_files(files, "threatmodel.yaml");
    match checked.model {
        Some(m) => m,
        None => panic!(
            "generated model does not check:\n{:#?}\n{}",
            checked.diagnostics, files[0].1
        ),
    }
}

/// Every public output, in every format.
fn public_outputs(model: &Model) -> Vec<(ReportFormat, String)> {
    let view = View::new(model, ViewKind::Public);
    ReportFormat::ALL
        .into_iter()
        .map(|f| {
            (
                f,
                render(
                    &view,
                    f,
                    &ReportOptions::new().with_date(Some("2030-01-01".into())),
                ),
            )
        })
        .collect()
}

fn assert_no_leak(model: &Model) {
    for (format, out) in public_outputs(model) {
        if let Some(i) = out.find(MARK) {
            let start = out[..i].char_indices().rev().nth(120).map_or(0, |(j, _)| j);
            let end = (i + 80).min(out.len());
            let end = (end..out.len())
                .find(|&j| out.is_char_boundary(j))
                .unwrap_or(out.len());
            panic!(
                "{MARK} leaked into the public {format:?} output: ...{}...",
                &out[start..end]
            );
        }
    }
}

// ---------------------------------------------------------------- generator

#[derive(Debug, Clone)]
struct Spec {
    zones: Vec<bool>,                    // confidential
    assets: Vec<(usize, bool, bool)>,    // zone, confidential, in scope
    flows: Vec<(usize, usize, bool)>,    // from, to, confidential
    attackers: Vec<(usize, bool, bool)>, // zone, confidential, in scope
    assumptions: Vec<bool>,
    requirements: Vec<bool>,
    shared: Vec<(u8, bool, bool, bool)>, // kind, in place, confidential, ticket
    threats: Vec<ThreatSpec>,
    verdicts: Vec<(usize, Option<usize>, bool)>, // target, attacker, confidential
    component: Option<(bool, bool)>,             // confidential, its threat mitigated
    owner: bool,
}

#[derive(Debug, Clone)]
struct ThreatSpec {
    targets: Vec<usize>, // indices into assets ++ flows
    attackers: Option<Vec<usize>>,
    assumptions: Vec<usize>,
    shared: Vec<usize>,
    inline: Vec<(u8, bool, bool, bool)>, // kind, in place, confidential, ticket
    confidential: bool,
    ticket: bool,
    cvss: bool,
}

/// Internal treatment fields and private evidence, each carrying the
/// marker (never shown in the public view): a rationale, a due date, an
/// owner and an expiry on an acceptance, a private evidence entry.
fn treatment(indent: &str, kind: u8) -> String {
    let mut y = format!(
        "{indent}rationale: \"{MARK} rationale\"\n{indent}due: 2030-01-01\n{indent}evidence:\n{indent}  - {{file: \"{MARK}/evidence.md\", note: \"{MARK} note\"}}\n"
    );
    if kind_name(kind) == "risk-acceptance" {
        y.push_str(&format!(
            "{indent}owner: \"{MARK} owner\"\n{indent}expires: 2030-06-30\n"
        ));
    }
    y
}

fn kind_name(k: u8) -> &'static str {
    match k % 3 {
        0 => "design",
        1 => "operational",
        _ => "risk-acceptance",
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    let mit = (
        0u8..3,
        any::<bool>(),
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.3),
    );
    (
        prop::collection::vec(prop::bool::weighted(0.25), 1..4),
        prop::collection::vec(
            (
                0usize..8,
                prop::bool::weighted(0.25),
                prop::bool::weighted(0.85),
            ),
            1..6,
        ),
        prop::collection::vec((0usize..8, 0usize..8, prop::bool::weighted(0.2)), 0..4),
        prop::collection::vec(
            (
                0usize..8,
                prop::bool::weighted(0.25),
                prop::bool::weighted(0.8),
            ),
            1..4,
        ),
        prop::collection::vec(prop::bool::weighted(0.3), 0..3),
        prop::collection::vec(prop::bool::weighted(0.3), 0..3),
        prop::collection::vec(mit.clone(), 0..4),
        prop::collection::vec(
            (
                prop::collection::vec(0usize..16, 0..3),
                prop::option::weighted(0.6, prop::collection::vec(0usize..8, 1..3)),
                prop::collection::vec(0usize..8, 0..2),
                prop::collection::vec(0usize..8, 0..3),
                prop::collection::vec(mit, 0..3),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.4),
                any::<bool>(),
            )
                .prop_map(
                    |(
                        targets,
                        attackers,
                        assumptions,
                        shared,
                        inline,
                        confidential,
                        ticket,
                        cvss,
                    )| {
                        ThreatSpec {
                            targets,
                            attackers,
                            assumptions,
                            shared,
                            inline,
                            confidential,
                            ticket,
                            cvss,
                        }
                    },
                ),
            0..7,
        ),
        prop::collection::vec(
            (
                0usize..16,
                prop::option::of(0usize..8),
                prop::bool::weighted(0.3),
            ),
            0..3,
        ),
        prop::option::of((any::<bool>(), any::<bool>())),
        any::<bool>(),
    )
        .prop_map(
            |(
                zones,
                assets,
                flows,
                attackers,
                assumptions,
                requirements,
                shared,
                threats,
                verdicts,
                component,
                owner,
            )| {
                Spec {
                    zones,
                    assets,
                    flows,
                    attackers,
                    assumptions,
                    requirements,
                    shared,
                    threats,
                    verdicts,
                    component,
                    owner,
                }
            },
        )
}

/// `SECRET-<kind><n>` or `<kind><n>`.
fn id(secret: bool, kind: &str, n: usize) -> String {
    if secret {
        format!("{MARK}-{kind}{n}")
    } else {
        format!("{kind}{n}")
    }
}

fn text(secret: bool, what: &str) -> String {
    if secret {
        format!("{MARK} {what}")
    } else {
        format!("PUB {what}")
    }
}

fn common(out: &mut String, secret: bool, what: &str, confidential: bool) {
    common_at(out, "      ", secret, what, confidential);
}

fn common_at(out: &mut String, pad: &str, secret: bool, what: &str, confidential: bool) {
    out.push_str(&format!(
        "{pad}title: \"{}\"\n{pad}description: \"{} *described*\"\n",
        text(secret, what),
        text(secret, what)
    ));
    if confidential {
        out.push_str(&format!("{pad}confidential: true\n"));
    }
}

/// A status as docs/format.md#threat-status defines it, for the generator's own bookkeeping.
fn status(mits: &[(u8, bool)]) -> Status {
    let controls: Vec<bool> = mits
        .iter()
        .filter(|(k, _)| k % 3 != 2)
        .map(|(_, p)| *p)
        .collect();
    if !controls.is_empty() && controls.iter().all(|p| *p) {
        Status::Mitigated
    } else if mits.iter().any(|(k, p)| k % 3 == 2 && *p) {
        Status::Accepted
    } else if controls.iter().any(|p| *p) {
        Status::Partial
    } else {
        Status::Unmitigated
    }
}

/// The YAML files of a spec: (root, optional component). Also returns the
/// ids of threats that must be shown publicly (mitigated, and naming nothing
/// withheld), to check the filter does not withhold everything.
fn yaml(s: &Spec) -> (String, Option<String>, Vec<String>) {
    let nz = s.zones.len();
    let zone_id = |i: usize| id(s.zones[i % nz], "z", i % nz);
    let na = s.assets.len();
    let asset_secret = |i: usize| s.assets[i % na].1;
    let asset_id = |i: usize| id(asset_secret(i % na), "a", i % na);
    let nt = s.attackers.len();
    let attacker_id = |i: usize| id(s.attackers[i % nt].1, "att", i % nt);
    let mut y = String::from("tmkit: 1\nid: ROOT\ntitle: \"PUB root model\"\n");
    if s.owner {
        y.push_str(&format!("owner: \"{MARK} owner team\"\n"));
    }
    y.push_str("authors: [\"PUB author\"]\ndescription: \"PUB root\"\nscope:\n  abstraction:\n    taxonomy: CIA\n");
    if !s.requirements.is_empty() {
        y.push_str("  requirements:\n");
        for (i, c) in s.requirements.iter().enumerate() {
            y.push_str(&format!("    - id: {}\n", id(*c, "req", i)));
            common(&mut y, *c, "requirement", *c);
            y.push_str(&format!(
                "      kind: compliance\n      ref: \"{}\"\n",
                text(*c, "ref")
            ));
        }
    }
    y.push_str("  zones:\n");
    for (i, c) in s.zones.iter().enumerate() {
        y.push_str(&format!(
            "    - id: {}\n      trust: {}\n",
            id(*c, "z", i),
            i
        ));
        common(&mut y, *c, "zone", *c);
    }
    y.push_str("  assets:\n");
    for (i, (z, c, in_scope)) in s.assets.iter().enumerate() {
        y.push_str(&format!(
            "    - id: {}\n      kind: service\n      zone: {}\n",
            id(*c, "a", i),
            zone_id(*z)
        ));
        common(&mut y, *c, "asset", *c);
        if !in_scope {
            y.push_str(&format!(
                "      in_scope: false\n      reason: \"{}\"\n",
                text(*c, "reason")
            ));
        }
    }
    // Flows: endpoints must differ to be meaningful; keep whatever checks.
    let flows: Vec<(usize, usize, bool)> = s
        .flows
        .iter()
        .map(|(f, t, c)| (f % na, t % na, *c))
        .collect();
    if !flows.is_empty() {
        y.push_str("  dataflows:\n");
        for (i, (f, t, c)) in flows.iter().enumerate() {
            y.push_str(&format!(
                "    - id: {}\n      from: {}\n      to: {}\n      protocol: \"{}\"\n",
                id(*c, "f", i),
                asset_id(*f),
                asset_id(*t),
                text(*c, "proto")
            ));
            common(&mut y, *c, "flow", *c);
        }
    }
    y.push_str("  attackers:\n");
    for (i, (z, c, in_scope)) in s.attackers.iter().enumerate() {
        y.push_str(&format!(
            "    - id: {}\n      zone: {}\n",
            id(*c, "att", i),
            zone_id(*z)
        ));
        common(&mut y, *c, "attacker", *c);
        if !in_scope {
            y.push_str(&format!(
                "      in_scope: false\n      reason: \"{}\"\n",
                text(*c, "reason")
            ));
        }
    }
    if !s.assumptions.is_empty() {
        y.push_str("  assumptions:\n");
        for (i, c) in s.assumptions.iter().enumerate() {
            y.push_str(&format!("    - id: {}\n", id(*c, "as", i)));
            common(&mut y, *c, "assumption", *c);
        }
    }
    let targets_total = na + flows.len();
    let target_id = |i: usize| {
        let i = i % targets_total;
        if i < na {
            asset_id(i)
        } else {
            let (_, _, c) = flows[i - na];
            id(c, "f", i - na)
        }
    };
    if !s.verdicts.is_empty() {
        y.push_str("analysis:\n");
        for (t, a, c) in &s.verdicts {
            y.push_str(&format!(
                "  - target: {}\n    verdict: no-threat\n    rationale: \"{}\"\n",
                target_id(*t),
                text(*c, "rationale")
            ));
            if let Some(a) = a {
                y.push_str(&format!("    attacker: {}\n", attacker_id(*a)));
            }
            if *c {
                y.push_str("    confidential: true\n");
            }
        }
    }
    let shared_secret = |k: &(u8, bool, bool, bool)| !k.1 || k.2;
    if !s.shared.is_empty() {
        y.push_str("mitigations:\n");
        for (i, m) in s.shared.iter().enumerate() {
            let secret = shared_secret(m);
            y.push_str(&format!(
                "  - id: {}\n    kind: {}\n    in_place: {}\n",
                id(secret, "M", i),
                kind_name(m.0),
                m.1
            ));
            y.push_str(&format!(
                "    title: \"{}\"\n    description: \"{}\"\n",
                text(secret, "shared control"),
                text(secret, "control")
            ));
            if m.2 {
                y.push_str("    confidential: true\n");
            }
            if m.3 {
                y.push_str(&format!("    ticket: \"{MARK}-TK-M{i}\"\n"));
            }
            if m.0 % 3 == 1 {
                y.push_str(&format!("    operator: \"{MARK} operator\"\n"));
            }
            y.push_str(&treatment("    ", m.0));
        }
    }
    let mut shown = Vec::new();
    if !s.threats.is_empty() {
        y.push_str("threats:\n");
    }
    let ns = s.shared.len();
    for (i, t) in s.threats.iter().enumerate() {
        let mut mits: Vec<(u8, bool)> = Vec::new();
        let shared: Vec<usize> = if ns == 0 {
            Vec::new()
        } else {
            let mut v: Vec<usize> = t.shared.iter().map(|x| x % ns).collect();
            v.sort();
            v.dedup();
            v
        };
        for &m in &shared {
            mits.push((s.shared[m].0, s.shared[m].1));
        }
        for m in &t.inline {
            mits.push((m.0, m.1));
        }
        let st = status(&mits);
        let secret = t.confidential || st != Status::Mitigated;
        let tid = id(secret, "T", i);
        y.push_str(&format!("  - id: {tid}\n    categories: [integrity]\n"));
        common_at(&mut y, "    ", secret, "threat", t.confidential);
        let mut targets: Vec<String> = t.targets.iter().map(|&x| target_id(x)).collect();
        targets.sort();
        targets.dedup();
        y.push_str(&format!("    targets: [{}]\n", targets.join(", ")));
        let mut attackers = None;
        if let Some(list) = &t.attackers {
            let mut a: Vec<String> = list.iter().map(|&x| attacker_id(x)).collect();
            a.sort();
            a.dedup();
            y.push_str(&format!("    attackers: [{}]\n", a.join(", ")));
            attackers = Some(a);
        }
        if !s.assumptions.is_empty() && !t.assumptions.is_empty() {
            let n = s.assumptions.len();
            let mut a: Vec<String> = t
                .assumptions
                .iter()
                .map(|&x| id(s.assumptions[x % n], "as", x % n))
                .collect();
            a.sort();
            a.dedup();
            y.push_str(&format!("    assumptions: [{}]\n", a.join(", ")));
        }
        if t.cvss {
            y.push_str("    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n");
        }
        if t.ticket {
            y.push_str(&format!("    ticket: \"{MARK}-TK-T{i}\"\n"));
        }
        if !shared.is_empty() || !t.inline.is_empty() {
            y.push_str("    mitigations:\n");
            for &m in &shared {
                y.push_str(&format!(
                    "      - {}\n",
                    id(shared_secret(&s.shared[m]), "M", m)
                ));
            }
            for (j, m) in t.inline.iter().enumerate() {
                let msecret = secret || !m.1 || m.2;
                y.push_str(&format!(
                    "      - title: \"{}\"\n        description: \"{}\"\n        kind: {}\n        in_place: {}\n",
                    text(msecret, &format!("inline control {j}")),
                    text(msecret, "inline"),
                    kind_name(m.0),
                    m.1
                ));
                if m.2 {
                    y.push_str("        confidential: true\n");
                }
                if m.3 {
                    y.push_str(&format!("        ticket: \"{MARK}-TK-T{i}-{j}\"\n"));
                }
                if m.0 % 3 == 1 {
                    y.push_str(&format!("        operator: \"{MARK} operator\"\n"));
                }
                y.push_str(&treatment("        ", m.0));
            }
        }
        // Must be shown: mitigated, nothing it names withheld, a public
        // in-place control that is not confidential.
        let names_public = !targets.is_empty()
            && targets.iter().all(|x| !x.contains(MARK))
            && attackers
                .as_ref()
                .is_none_or(|a| a.iter().all(|x| !x.contains(MARK)))
            && targets.iter().all(|x| {
                // an asset (or a flow's endpoints) in a withheld zone is withheld too
                let zone_ok = |ai: usize| !s.zones[s.assets[ai].0 % nz];
                if let Some(n) = x.strip_prefix('a') {
                    n.parse::<usize>().is_ok_and(zone_ok)
                } else if let Some(n) = x.strip_prefix('f') {
                    n.parse::<usize>().is_ok_and(|fi| {
                        let (f, to, _) = flows[fi];
                        !asset_secret(f) && !asset_secret(to) && zone_ok(f) && zone_ok(to)
                    })
                } else {
                    false
                }
            })
            && attackers.as_ref().is_none_or(|a| {
                a.iter().all(|x| {
                    x.strip_prefix("att")
                        .and_then(|n| n.parse::<usize>().ok())
                        .is_some_and(|ai| !s.zones[s.attackers[ai].0 % nz])
                })
            });
        let public_control = shared.iter().any(|&m| {
            let x = &s.shared[m];
            x.0 % 3 != 2 && x.1 && !x.2
        }) || t.inline.iter().any(|m| m.0 % 3 != 2 && m.1 && !m.2);
        if !secret && names_public && public_control {
            shown.push(format!("ROOT.{tid}"));
        }
    }
    let mut component = None;
    if let Some((conf, mitigated)) = s.component {
        y.push_str("components:\n  - path: comp/threatmodel.yaml\n");
        let c = |x: &str| text(conf, x);
        let cid = if conf {
            format!("{MARK}COMP")
        } else {
            "COMP".to_string()
        };
        let tsecret = conf || !mitigated;
        let mut cy = format!(
            "tmkit: 1\nid: {cid}\ntitle: \"{}\"\ndescription: \"{}\"\n",
            c("component"),
            c("component description")
        );
        if conf {
            cy.push_str("confidential: true\n");
        }
        cy.push_str(&format!(
            "scope:\n  assets:\n    - id: {}\n      title: \"{}\"\n      kind: service\n",
            id(conf, "ca", 0),
            c("component asset")
        ));
        cy.push_str(&format!(
            "threats:\n  - id: {}\n    title: \"{}\"\n    categories: [availability]\n    targets: [{}]\n    mitigations:\n      - title: \"{}\"\n        kind: design\n        in_place: {}\n",
            id(tsecret, "CT", 0),
            text(tsecret, "component threat"),
            id(conf, "ca", 0),
            text(tsecret, "component control"),
            mitigated
        ));
        component = Some(cy);
    }
    (y, component, shown)
}

fn load_spec(s: &Spec) -> Option<(Model, Vec<String>)> {
    let (root, comp, shown) = yaml(s);
    let mut files: Vec<(&str, &str)> = vec![("threatmodel.yaml", root.as_str())];
    if let Some(c) = &comp {
        files.push(("comp/threatmodel.yaml", c.as_str()));
    }
    let checked = tmkit_model::check_files(&files, "threatmodel.yaml");
    checked.model.map(|m| (m, shown))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, .. ProptestConfig::default() })]

    #[test]
    fn no_marker_in_any_public_output(s in spec()) {
        // A generated model may be invalid (a flow from an asset to itself
        // is fine, but e.g. an empty target list only warns); skip those the
        // checker rejects, they have no report.
        let Some((model, shown)) = load_spec(&s) else {
            return Ok(());
        };
        assert_no_leak(&model);
        // The filter keeps what it may keep.
        let json = render(&View::new(&model, ViewKind::Public), ReportFormat::Json, &ReportOptions::new());
        for q in &shown {
            prop_assert!(json.contains(&format!("\"{q}\"")), "{} should be shown", q);
        }
        prop_assert!(json.contains("PUB root model"));
        // Every threat of the public model was mitigated in the full model,
        // and still is in the public one.
        let full = Analysis::new(&model);
        let p = public(&model);
        for t in Analysis::new(&p).threats {
            prop_assert_eq!(t.status, Status::Mitigated);
            prop_assert_eq!(full.threat(&t.qid).map(|x| x.status), Some(Status::Mitigated));
        }
    }
}

#[test]
fn generated_models_mostly_check() {
    // Guard against a generator whose models the checker always rejects
    // (the property test would then pass without testing anything).
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut ok = 0;
    for _ in 0..60 {
        let s = spec().new_tree(&mut runner).unwrap().current();
        if load_spec(&s).is_some() {
            ok += 1;
        } else if ok == 0 {
            let (root, _, _) = yaml(&s);
            let checked = tmkit_model::check_files(
                &[("threatmodel.yaml", root.as_str())],
                "threatmodel.yaml",
            );
            eprintln!(
                "rejected: {:?}",
                checked
                    .diagnostics
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
            );
        }
    }
    assert!(ok >= 45, "only {ok} of 60 generated models check");
}

// ------------------------------------------------------------ hand-written

const BASE: &str = r#"tmkit: 1
id: R
title: Root
owner: SECRET owner
scope:
  zones:
    - { id: net, title: Internet, trust: 0 }
    - { id: dc, title: Data centre, trust: 3 }
  assets:
    - { id: api, title: Public API, kind: service, zone: dc }
  dataflows:
    - { id: call, title: API call, from: client, to: api }
  attackers:
    - { id: anon, title: Anonymous, zone: net }
"#;

fn with(extra: &str) -> Model {
    let text = format!("{BASE}{extra}");
    let text = text.replace(
        "  assets:\n",
        "  assets:\n    - { id: client, title: Client, kind: external, zone: net }\n",
    );
    load(&[("threatmodel.yaml", &text)])
}

fn public_json(model: &Model) -> String {
    render(
        &View::new(model, ViewKind::Public),
        ReportFormat::Json,
        &ReportOptions::new(),
    )
}

#[test]
fn mitigated_threat_whose_only_control_is_confidential_is_withheld() {
    // Decision: showing it would show a threat with no control (it would
    // look unmitigated) and hint at the secret control; it is withheld.
    let m = with(
        r#"mitigations:
  - { id: M.secret, title: SECRET control, kind: design, in_place: true, confidential: true }
threats:
  - id: SECRET-T1
    title: SECRET threat
    categories: [integrity]
    targets: [call]
    mitigations: [M.secret]
  - id: T2
    title: Shown threat
    categories: [availability]
    targets: [call]
    mitigations:
      - { title: Rate limit, kind: design, in_place: true }
"#,
    );
    assert_eq!(
        Analysis::new(&m).threat("R.SECRET-T1").unwrap().status,
        Status::Mitigated
    );
    assert_no_leak(&m);
    let json = public_json(&m);
    assert!(json.contains("\"R.T2\""));
    assert!(json.contains("Rate limit"));
}

#[test]
fn mitigated_threat_keeps_its_public_controls_and_loses_the_confidential_one() {
    let m = with(
        r#"mitigations:
  - { id: SECRET-M, title: SECRET hsm, kind: design, in_place: true, confidential: true }
  - { id: M.tls, title: TLS everywhere, kind: design, in_place: true }
threats:
  - id: T1
    title: Sniffing
    categories: [confidentiality]
    targets: [call]
    mitigations: [SECRET-M, M.tls]
"#,
    );
    assert_no_leak(&m);
    let p = public(&m);
    assert_eq!(p.root().threats[0].mitigations, vec!["R.M.tls".to_string()]);
}

#[test]
fn confidential_component_is_withheld_with_everything_in_it() {
    let root = format!(
        "{BASE}components:\n  - path: c/threatmodel.yaml\nthreats:\n  - id: T1\n    title: Shown\n    categories: [integrity]\n    targets: [call]\n    mitigations:\n      - {{ title: Signed requests, kind: design, in_place: true }}\n"
    )
    .replace(
        "  assets:\n",
        "  assets:\n    - { id: client, title: Client, kind: external, zone: net }\n",
    );
    let comp = r#"tmkit: 1
id: SECRETC
title: SECRET component
confidential: true
scope:
  assets:
    - { id: SECRET-vault, title: SECRET vault, kind: datastore, zone: dc }
  dataflows:
    - { id: SECRET-f, title: SECRET flow, from: api, to: SECRET-vault }
threats:
  - id: SECRET-T
    title: SECRET mitigated threat
    categories: [integrity]
    targets: [SECRET-vault]
    mitigations:
      - { title: SECRET control, kind: design, in_place: true }
"#;
    let m = load(&[("threatmodel.yaml", &root), ("c/threatmodel.yaml", comp)]);
    assert_eq!(m.models.len(), 2);
    assert_no_leak(&m);
    let p = public(&m);
    assert_eq!(p.models.len(), 1);
    assert!(p.root().children.is_empty());
    assert!(public_json(&m).contains("\"R.T1\""));
}

#[test]
fn shared_mitigation_used_by_a_withheld_and_a_shown_threat_is_shown_once() {
    let m = with(
        r#"mitigations:
  - { id: M.waf, title: Web application firewall, kind: design, in_place: true }
threats:
  - id: T.shown
    title: Injection
    categories: [integrity]
    targets: [call]
    mitigations: [M.waf]
  - id: SECRET-T
    title: SECRET partial threat
    categories: [integrity]
    targets: [call]
    mitigations:
      - M.waf
      - { title: SECRET planned fix, kind: design, in_place: false, ticket: SECRET-42 }
"#,
    );
    assert_eq!(
        Analysis::new(&m).threat("R.SECRET-T").unwrap().status,
        Status::Partial
    );
    assert_no_leak(&m);
    let view = View::new(&m, ViewKind::Public);
    assert_eq!(view.threats.len(), 1);
    let md = render(&view, ReportFormat::Markdown, &ReportOptions::new());
    assert!(md.contains("Web application firewall"));
    // The control table lists only the shown threat as mitigated by it.
    assert!(md.contains("| [`R.T.shown`](#R.T.shown) |"));
}

#[test]
fn omitted_attacker_list_loses_the_withheld_attackers_only() {
    let text = format!("{BASE}    - {{ id: SECRET-insider, title: SECRET insider, confidential: true }}\nthreats:\n  - id: T1\n    title: Any attacker\n    categories: [integrity]\n    targets: [call]\n    mitigations:\n      - {{ title: Authentication, kind: design, in_place: true }}\n")
        .replace("  assets:\n", "  assets:\n    - { id: client, title: Client, kind: external, zone: net }\n");
    let m2 = load(&[("threatmodel.yaml", &text)]);
    assert_eq!(Analysis::new(&m2).attackers_of(0).len(), 2);
    assert_no_leak(&m2);
    let view = View::new(&m2, ViewKind::Public);
    assert_eq!(view.threats.len(), 1);
    assert_eq!(view.threats[0].attackers.len(), 1);
    assert!(view.threats[0].all_attackers);
    assert!(public_json(&m2).contains("\"R.T1\""));
}

#[test]
fn threat_naming_a_confidential_target_is_withheld_and_so_is_its_flow() {
    let text = format!("{BASE}threats:\n  - id: T1\n    title: PUB but names a secret asset\n    categories: [integrity]\n    targets: [SECRET-db]\n    mitigations:\n      - {{ title: PUB control, kind: design, in_place: true }}\n")
        .replace(
            "  assets:\n",
            "  assets:\n    - { id: client, title: Client, kind: external, zone: net }\n    - { id: SECRET-db, title: SECRET db, kind: datastore, zone: dc, confidential: true }\n",
        )
        .replace(
            "  dataflows:\n",
            "  dataflows:\n    - { id: to-db, title: PUB flow to db, from: api, to: SECRET-db }\n",
        );
    let m = load(&[("threatmodel.yaml", &text)]);
    assert_no_leak(&m);
    let p = public(&m);
    assert!(p.root().threats.is_empty());
    assert!(p.root().dataflows.iter().all(|f| f.id != "to-db"));
}

#[test]
fn confidential_root_yields_a_stub() {
    let text = format!("{BASE}confidential: true\n")
        .replace("title: Root", "title: SECRET root")
        .replace(
            "  assets:\n",
            "  assets:\n    - { id: client, title: Client, kind: external, zone: net }\n",
        );
    let m = load(&[("threatmodel.yaml", &text)]);
    assert_no_leak(&m);
    let p = public(&m);
    assert_eq!(p.models.len(), 1);
    assert!(p.root().assets.is_empty() && p.root().threats.is_empty());
}

#[test]
fn public_view_drops_internal_names() {
    let m = with(
        r#"mitigations:
  - { id: M.ops, title: Monitoring, kind: operational, operator: SECRET soc, ticket: SECRET-9, in_place: true }
threats:
  - id: T1
    title: Abuse
    categories: [availability]
    targets: [call]
    ticket: SECRET-10
    mitigations: [M.ops]
"#,
    );
    assert_no_leak(&m);
    let view = View::new(&m, ViewKind::Public);
    assert!(view.threats[0].not_secure_by_default);
    assert!(view.model.root().owner.is_none());
}

#[test]
fn public_numbering_of_inline_mitigations_counts_only_the_shown_ones() {
    // `R.T1/m3` in a public report would say that m1 and m2 exist and were
    // withheld: the public extraction numbers only what it shows.
    let m = with(
        r#"threats:
  - id: T1
    title: Sniffing
    categories: [confidentiality]
    targets: [call]
    mitigations:
      - { title: SECRET hsm, kind: design, in_place: true, confidential: true }
      - { id: M.named, title: Named inline, kind: design, in_place: true }
      - { title: SECRET residual, kind: risk-acceptance, in_place: true }
      - { title: TLS everywhere, kind: design, in_place: true }
"#,
    );
    assert_eq!(
        Analysis::new(&m).threat("R.T1").unwrap().status,
        Status::Mitigated
    );
    assert_no_leak(&m);
    let p = public(&m);
    let t = &p.root().threats[0];
    assert_eq!(t.mitigations, vec!["R.M.named", "R.T1/m2"]);
    let tls = &p.root().mitigations[1];
    assert_eq!((tls.qid.as_str(), tls.id.as_str()), ("R.T1/m2", "T1/m2"));
    assert_eq!(tls.title, "TLS everywhere");
    for (format, out) in public_outputs(&m) {
        for gone in ["/m3", "/m4", "%2Fm3", "%2Fm4"] {
            assert!(!out.contains(gone), "{format:?} reveals {gone}");
        }
        assert!(out.contains("TLS everywhere"), "{format:?}");
    }
}
