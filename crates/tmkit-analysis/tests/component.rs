//! The component filter (`--component`): a component and its own
//! components as a model of their own, with what they use from above.

mod common;

use common::project;
use tmkit_analysis::Analysis;
use tmkit_analysis::views::{component, find_component, public};
use tmkit_model::{Model, ModelKind};

const ROOT: &str = "tmkit: 1
id: R
title: Root
scope:
  zones:
    - { id: net, title: Internet, trust: 0 }
    - { id: dmz, title: DMZ, trust: 1 }
  assets:
    - { id: gw, title: Gateway, kind: service, zone: dmz }
    - { id: unused, title: Unused, kind: service, zone: dmz }
  dataflows:
    - { id: rf, title: Root flow, from: gw, to: unused }
  attackers:
    - { id: anon, title: Anonymous, zone: net }
mitigations:
  - { id: M.waf, title: WAF, kind: operational, in_place: true }
threats:
  - { id: T.root, title: Root threat, categories: [integrity], targets: [gw] }
imports: [cat.yaml]
components: [a, c]
";

const CATALOGUE: &str = "tmkit: 1
id: ORG
title: Catalogue
scope:
  attackers:
    - { id: kid, title: Kid }
";

const A: &str = "tmkit: 1
id: A
title: Component A
scope:
  abstraction: { taxonomy: STRIDE }
  assets:
    - { id: api, title: API, kind: service, zone: dmz }
  dataflows:
    - { id: in, title: In, from: gw, to: api }
threats:
  - id: T.a
    title: Spoofed API
    categories: [spoofing]
    targets: [in]
    attackers: [anon]
    mitigations: [M.waf]
analysis:
  - { target: api, category: tampering, verdict: no-threat, rationale: Signed. }
components: [b]
";

const B: &str = "tmkit: 1
id: B
title: Component B
scope:
  assets:
    - { id: db, title: DB, kind: datastore, zone: dmz }
  dataflows:
    - { id: q, title: Query, from: api, to: db }
";

const C: &str = "tmkit: 1
id: C
title: Component C
scope:
  assets:
    - { id: job, title: Job, kind: service, zone: dmz }
";

fn shop(root: &str) -> Model {
    project(&[
        ("threatmodel.yaml", root),
        ("cat.yaml", CATALOGUE),
        ("a/threatmodel.yaml", A),
        ("a/b/threatmodel.yaml", B),
        ("c/threatmodel.yaml", C),
    ])
}

/// (target, attacker, category, answered) of every question of `models`.
fn questions(a: &Analysis, models: &[usize]) -> Vec<(String, String, String, bool)> {
    models
        .iter()
        .flat_map(|&m| a.questions_of(m))
        .map(|q| {
            let t = (q.target.to_string(), q.attacker.to_string());
            (t.0, t.1, q.category.to_string(), q.answered)
        })
        .collect()
}

#[test]
fn a_component_view_keeps_its_questions_metrics_and_crossings() {
    let whole = shop(ROOT);
    let analysis = Analysis::new(&whole);
    for c in whole.analysed() {
        let view = component(&whole, c);
        let va = Analysis::new(&view);
        let qid = &whole.models[c].qid;
        assert_eq!(&view.root().qid, qid);
        assert_eq!(view.root().kind, ModelKind::Root);
        let want = serde_json::to_value(analysis.metrics(&whole, c)).unwrap();
        let got = serde_json::to_value(va.metrics(&view, 0)).unwrap();
        assert_eq!(got, want, "metrics of {qid}");
        // The same questions, of the subtree only.
        let subtree: Vec<usize> = whole
            .analysed()
            .filter(|&m| m == c || whole.ancestors(m).contains(&c))
            .collect();
        let view_models: Vec<usize> = view.analysed().collect();
        assert_eq!(
            questions(&va, &view_models),
            questions(&analysis, &subtree),
            "questions of {qid}"
        );
        let crossings = |a: &Analysis, models: &[usize]| -> Vec<String> {
            let mut v: Vec<String> = a
                .crossings
                .iter()
                .filter(|x| models.contains(&x.model))
                .map(|x| format!("{} {:?} {:?}", x.flow, x.direction, x.unanswered))
                .collect();
            v.sort();
            v
        };
        assert_eq!(crossings(&va, &view_models), crossings(&analysis, &subtree));
    }
}

#[test]
fn the_view_holds_the_subtree_and_what_it_uses_from_above() {
    let whole = shop(ROOT);
    let view = component(&whole, find_component(&whole, "A").unwrap());
    let kinds: Vec<(&str, ModelKind)> = view
        .models
        .iter()
        .map(|m| (m.qid.as_str(), m.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("R.A", ModelKind::Root),
            ("R.A.B", ModelKind::Component),
            ("R", ModelKind::Catalogue),
            ("ORG", ModelKind::Catalogue),
        ]
    );
    let r = &view.models[2];
    let assets: Vec<&str> = r.assets.iter().map(|a| a.qid.as_str()).collect();
    assert_eq!(
        assets,
        ["R.gw"],
        "only the asset the component's flow names"
    );
    assert!(r.threats.is_empty() && r.dataflows.is_empty() && r.analysis.is_empty());
    assert_eq!(r.zones.len(), 2);
    assert_eq!(r.mitigations.len(), 1);
    assert_eq!(view.models[1].parent, Some(0));
    assert_eq!(view.root().children, [1]);
    let attackers: Vec<&str> = view
        .visible_attackers(0)
        .iter()
        .map(|a| a.qid.as_str())
        .collect();
    assert_eq!(attackers, ["R.anon", "ORG.kid"]);
    // The threat keeps its status: its control is the root's.
    let a = Analysis::new(&view);
    assert_eq!(a.threat("R.A.T.a").unwrap().status.as_str(), "mitigated");
}

#[test]
fn components_are_named_by_qualified_id_or_an_unambiguous_end() {
    let whole = shop(ROOT);
    let qid = |id: &str| find_component(&whole, id).map(|m| whole.models[m].qid.clone());
    assert_eq!(qid("R.A.B").unwrap(), "R.A.B");
    assert_eq!(qid("A.B").unwrap(), "R.A.B");
    assert_eq!(qid("B").unwrap(), "R.A.B");
    assert_eq!(qid(" C ").unwrap(), "R.C");
    assert_eq!(qid("R").unwrap(), "R");
    let e = find_component(&whole, "ORG").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no component 'ORG' in this model; its components: R, R.A, R.A.B, R.C"
    );
    assert!(find_component(&whole, "").is_err());
    assert!(find_component(&whole, "R.A.").is_err());
}

#[test]
fn a_component_of_a_confidential_model_is_withheld_from_the_public_view() {
    let whole = shop(&ROOT.replace("title: Root\n", "title: Root\nconfidential: true\n"));
    let view = component(&whole, find_component(&whole, "B").unwrap());
    assert!(view.root().confidential);
    let shown = public(&view);
    assert_eq!(shown.models.len(), 1);
    assert_eq!(shown.root().qid, "withheld");
}
