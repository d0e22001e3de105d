//! Questions, statuses, crossings and composition on small models.

mod common;

use common::{model, project};
use tmkit_analysis::{Analysis, Direction, Status};

const HEADER: &str = "tmkit: 1\nid: SYS\ntitle: System\n";

#[test]
fn stride_per_element_asks_only_the_categories_of_each_kind() {
    let m = model(&format!(
        "{HEADER}scope:
  abstraction: {{ taxonomy: STRIDE-per-element }}
  assets:
    - {{ id: user, title: User, kind: external }}
    - {{ id: db, title: Database, kind: datastore }}
    - {{ id: key, title: Key, kind: key }}
    - {{ id: api, title: API, kind: service }}
  dataflows:
    - {{ id: f1, title: Query, from: api, to: db }}
  attackers:
    - {{ id: a1, title: Attacker one }}
    - {{ id: a2, title: Attacker two }}
"
    ));
    let a = Analysis::new(&m);
    let cats = |qid: &str| -> Vec<String> {
        a.target(qid)
            .unwrap()
            .cells
            .iter()
            .map(|c| c.category.to_string())
            .collect()
    };
    assert_eq!(cats("SYS.user"), ["spoofing", "repudiation"]);
    assert_eq!(
        cats("SYS.db"),
        [
            "tampering",
            "repudiation",
            "information-disclosure",
            "denial-of-service"
        ]
    );
    assert_eq!(
        cats("SYS.key"),
        ["tampering", "information-disclosure", "denial-of-service"]
    );
    assert_eq!(cats("SYS.api").len(), 6);
    assert_eq!(
        cats("SYS.f1"),
        ["tampering", "information-disclosure", "denial-of-service"]
    );
    // (2 + 4 + 3 + 6 + 3) categories x 2 attackers
    assert_eq!(a.metrics(&m, 0).questions.as_ref().unwrap().total, 36);
    assert_eq!(a.questions().count(), 36);
}

#[test]
fn wildcards_expand_and_other_is_listed_not_counted() {
    let m = model(&format!(
        "{HEADER}scope:
  assets:
    - {{ id: web, title: Web app, kind: service }}
    - {{ id: logs, title: Logs, kind: data }}
    - {{ id: old, title: Old thing, in_scope: false, reason: Gone }}
  attackers:
    - {{ id: anon, title: Anonymous }}
    - {{ id: user, title: Logged-in user }}
    - {{ id: admin, title: Admin, in_scope: false, reason: Trusted }}
analysis:
  - {{ target: logs, verdict: no-threat, rationale: Nothing secret }}
  - {{ target: web, attacker: user, category: C, verdict: not-applicable, rationale: Sees only own data }}
threats:
  - id: T1
    title: Defacement
    categories: [integrity, other]
    targets: [web]
  - id: T2
    title: Admin abuse
    categories: [availability]
    targets: [web]
    attackers: [admin]
  - id: T3
    title: Cosmic rays
    categories: [other]
    targets: [web]
"
    ));
    let a = Analysis::new(&m);
    let metrics = a.metrics(&m, 0);
    // 2 targets x 2 in-scope attackers x 3 categories
    assert_eq!(metrics.questions.as_ref().unwrap().total, 12);
    // logs: all 6 by the verdict; web: integrity x 2 by T1 (no attackers = all),
    // confidentiality x user by the verdict; T2 names an out-of-scope attacker.
    assert_eq!(metrics.questions.as_ref().unwrap().answered, 9);
    assert_eq!(metrics.questions.as_ref().unwrap().coverage, Some(0.75));
    let mut open: Vec<String> = a
        .open_questions()
        .map(|q| format!("{}/{}/{}", q.target, q.attacker, q.category))
        .collect();
    open.sort();
    assert_eq!(
        open,
        [
            "SYS.web/SYS.anon/availability",
            "SYS.web/SYS.anon/confidentiality",
            "SYS.web/SYS.user/availability"
        ]
    );
    assert_eq!(a.other.get("SYS.web").unwrap(), &["SYS.T1", "SYS.T3"]);
    assert_eq!(metrics.other_threats, 2);
    let q = a.open_questions().next().unwrap();
    assert_eq!(
        q.sentence(),
        "What can go wrong for SYS.web given an attack by SYS.anon for the aspect of confidentiality?"
    );
}

#[test]
fn status_rules_apply_in_order() {
    let m = model(&format!(
        "{HEADER}scope:
  assets: [{{ id: x, title: X }}]
  attackers: [{{ id: a, title: A }}]
mitigations:
  - {{ id: D1, title: Design on, kind: design, in_place: true }}
  - {{ id: D0, title: Design off, kind: design, in_place: false }}
  - {{ id: O1, title: Ops on, kind: operational, in_place: true }}
  - {{ id: R1, title: Accepted, kind: risk-acceptance, in_place: true }}
  - {{ id: R0, title: To accept, kind: risk-acceptance, in_place: false }}
threats:
  - {{ id: mitigated, title: t, categories: [C], targets: [x], mitigations: [D1, O1] }}
  - {{ id: ops-only, title: t, categories: [C], targets: [x], mitigations: [O1] }}
  - {{ id: accepted, title: t, categories: [C], targets: [x], mitigations: [D0, R1] }}
  - {{ id: accepted-partial, title: t, categories: [C], targets: [x], mitigations: [D1, D0, R1] }}
  - {{ id: partial, title: t, categories: [C], targets: [x], mitigations: [D1, D0, R0] }}
  - {{ id: planned, title: t, categories: [C], targets: [x], mitigations: [D0], ticket: JIRA-1 }}
  - {{ id: only-acceptance-off, title: t, categories: [C], targets: [x], mitigations: [R0] }}
  - {{ id: bare, title: t, categories: [C], targets: [x] }}
"
    ));
    let a = Analysis::new(&m);
    let got: Vec<(&str, Status, bool, bool)> = a
        .threats
        .iter()
        .map(|t| {
            (
                t.qid.as_str(),
                t.status,
                t.not_secure_by_default,
                t.untracked,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("SYS.mitigated", Status::Mitigated, false, false),
            ("SYS.ops-only", Status::Mitigated, true, false),
            ("SYS.accepted", Status::Accepted, false, false),
            ("SYS.accepted-partial", Status::Accepted, false, false),
            ("SYS.partial", Status::Partial, false, true),
            ("SYS.planned", Status::Unmitigated, false, false),
            ("SYS.only-acceptance-off", Status::Unmitigated, false, true),
            ("SYS.bare", Status::Unmitigated, false, true),
        ]
    );
    let metrics = a.metrics(&m, 0);
    assert_eq!(metrics.untracked_unmitigated, 3);
    assert_eq!(metrics.threats_without_mitigations, 1);
    assert_eq!(metrics.threats.by_severity.unscored, 8);
    assert!(Status::Unmitigated > Status::Partial && Status::Partial > Status::Mitigated);
}

#[test]
fn crossings_follow_trust_and_taxonomy() {
    let m = model(&format!(
        "{HEADER}scope:
  zones:
    - {{ id: low, title: Low, trust: 0 }}
    - {{ id: high, title: High, trust: 5 }}
  assets:
    - {{ id: ext, title: Ext, zone: low }}
    - {{ id: core, title: Core, zone: high }}
    - {{ id: core2, title: Core 2, zone: high }}
    - {{ id: nozone, title: No zone }}
  dataflows:
    - {{ id: in, title: In, from: ext, to: core }}
    - {{ id: out, title: Out, from: core, to: ext }}
    - {{ id: both, title: Both, from: core, to: ext, bidirectional: true }}
    - {{ id: same, title: Same, from: core, to: core2 }}
    - {{ id: loose, title: Loose, from: nozone, to: core }}
  attackers: [{{ id: a, title: A }}]
analysis:
  - {{ target: both, category: integrity, verdict: no-threat, rationale: Signed }}
threats:
  - {{ id: T1, title: Leak, categories: [C], targets: [out] }}
"
    ));
    let a = Analysis::new(&m);
    let c = |f: &str| a.crossing(f).unwrap();
    let texts = |v: &[std::sync::Arc<str>]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(c("SYS.in").direction, Direction::Inbound);
    assert_eq!(texts(&c("SYS.in").exposed), ["integrity"]);
    assert_eq!(texts(&c("SYS.in").unanswered), ["integrity"]);
    assert_eq!(c("SYS.out").direction, Direction::Outbound);
    assert_eq!(texts(&c("SYS.out").exposed), ["confidentiality"]);
    assert!(c("SYS.out").unanswered.is_empty());
    assert_eq!(c("SYS.both").direction, Direction::Both);
    assert_eq!(
        texts(&c("SYS.both").exposed),
        ["confidentiality", "integrity"]
    );
    assert_eq!(texts(&c("SYS.both").unanswered), ["confidentiality"]);
    assert_eq!(c("SYS.same").direction, Direction::None);
    assert!(c("SYS.same").exposed.is_empty());
    assert_eq!(c("SYS.loose").direction, Direction::None);
    assert_eq!(c("SYS.loose").from_zone, None);
    let w = c("SYS.in").warnings();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("SYS.in") && w[0].contains("SYS.low") && w[0].contains("SYS.high"),
        "{}",
        w[0]
    );
    let bc = a.metrics(&m, 0).boundary_crossings;
    assert_eq!((bc.total, bc.unanswered), (3, Some(2)));
}

#[test]
fn stride_per_element_inbound_flow_exposes_tampering_only() {
    let m = model(&format!(
        "{HEADER}scope:
  abstraction: {{ taxonomy: STRIDE-per-element }}
  zones:
    - {{ id: low, title: Low, trust: 0 }}
    - {{ id: high, title: High, trust: 5 }}
  assets:
    - {{ id: ext, title: Ext, kind: external, zone: low }}
    - {{ id: core, title: Core, kind: service, zone: high }}
  dataflows:
    - {{ id: in, title: In, from: ext, to: core, bidirectional: true }}
  attackers: [{{ id: a, title: A }}]
"
    ));
    let a = Analysis::new(&m);
    let c = a.crossing("SYS.in").unwrap();
    let texts = |v: &[std::sync::Arc<str>]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&c.exposed), ["tampering", "information-disclosure"]);
}

#[test]
fn components_use_parent_attackers_and_roll_up() {
    let root = "tmkit: 1
id: ROOT
title: Root
scope:
  zones: [{ id: net, title: Net, trust: 0 }]
  assets: [{ id: gw, title: Gateway, zone: net }]
  attackers:
    - { id: anon, title: Anonymous }
    - { id: insider, title: Insider }
threats:
  - { id: T1, title: t, categories: [A], targets: [gw], attackers: [anon] }
components:
  - path: login/threatmodel.yaml
";
    let login = "tmkit: 1
id: LOGIN
title: Login
scope:
  assets: [{ id: svc, title: Login service }]
  dataflows: [{ id: f, title: From gateway, from: gw, to: svc }]
  attackers: [{ id: bot, title: Credential stuffing bot }]
threats:
  - { id: T1, title: Stuffing, categories: [integrity], targets: [svc] }
  - { id: T2, title: Gateway flood, categories: [availability], targets: [gw], attackers: [insider] }
";
    let m = project(&[
        ("threatmodel.yaml", root),
        ("login/threatmodel.yaml", login),
    ]);
    let a = Analysis::new(&m);
    let login_ix = m.models.iter().position(|x| x.id == "LOGIN").unwrap();
    let attackers: Vec<&str> = a
        .attackers_of(login_ix)
        .iter()
        .map(|x| x.qid.as_str())
        .collect();
    assert_eq!(attackers, ["ROOT.LOGIN.bot", "ROOT.anon", "ROOT.insider"]);
    let metrics = a.metrics(&m, 0);
    // root: 1 target x 2 attackers x 3; login: 2 targets x 3 attackers x 3
    assert_eq!(metrics.questions.as_ref().unwrap().total, 6 + 18);
    // root gw: A x anon (ROOT.T1), A x insider (LOGIN.T2, a component's threat
    // on its parent's asset); login svc: integrity x all 3 (no attackers listed)
    assert_eq!(metrics.questions.as_ref().unwrap().answered, 2 + 3);
    assert_eq!(metrics.threats.total, 3);
    assert_eq!(metrics.components.len(), 1);
    let comp = &metrics.components[0];
    assert_eq!(comp.model, "ROOT.LOGIN");
    assert_eq!(comp.questions.as_ref().unwrap().total, 18);
    assert_eq!(comp.questions.as_ref().unwrap().answered, 3);
    assert_eq!(comp.threats.total, 2);
}

/// The per-cell counts (metrics) and the expanded questions must agree.
#[test]
fn cell_counts_agree_with_expanded_questions() {
    let catalog = "tmkit: 1
id: ORG
title: Catalogue
scope:
  attackers:
    - { id: kiddie, title: Script kiddie }
    - { id: gone, title: Gone, in_scope: false, reason: Retired }
";
    let root = "tmkit: 1
id: R
title: Root
scope:
  abstraction: { taxonomy: STRIDE }
  assets:
    - { id: web, title: Web, kind: service }
    - { id: db, title: DB, kind: datastore }
  dataflows: [{ id: q, title: Query, from: web, to: db }]
  attackers: [{ id: anon, title: Anon }]
imports: [{ path: catalog.yaml }]
analysis:
  - { target: q, attacker: kiddie, verdict: no-threat, rationale: Internal only }
  - { target: db, category: R, verdict: not-applicable, rationale: Append-only log }
threats:
  - { id: T1, title: t, categories: [S, T], targets: [web, q] }
  - { id: T2, title: t, categories: [I], targets: [db], attackers: [gone] }
components: [{ path: c/threatmodel.yaml }]
";
    let child = "tmkit: 1
id: C
title: Child
scope:
  abstraction: { taxonomy: STRIDE-per-element }
  assets: [{ id: ext, title: Ext, kind: external }, { id: store, title: Store, kind: datastore }]
  attackers: [{ id: local, title: Local }]
threats:
  - { id: T3, title: t, categories: [D], targets: [store], attackers: [kiddie, local] }
  - { id: T4, title: t, categories: [E], targets: [web] }
  - { id: T5, title: t, categories: [S, T], targets: [ext] }
";
    let m = project(&[
        ("threatmodel.yaml", root),
        ("catalog.yaml", catalog),
        ("c/threatmodel.yaml", child),
    ]);
    let a = Analysis::new(&m);
    let metrics = a.metrics(&m, 0);
    assert_eq!(
        metrics.questions.as_ref().unwrap().total,
        a.questions().count()
    );
    assert_eq!(
        metrics.questions.as_ref().unwrap().answered,
        a.questions().filter(|q| q.answered).count()
    );
    // root: 3 targets x 2 attackers (anon, ORG.kiddie) x 6 = 36;
    // child (SPE): ext 2 + store 4 categories, x 3 attackers (local, anon, kiddie) = 18
    assert_eq!(metrics.questions.as_ref().unwrap().total, 36 + 18);
    // The model's own count (the E0032 limit, computed without the
    // analysis) and the questions grouped per target x attacker agree too.
    assert_eq!(m.question_count(), 36 + 18);
    let pairs: Vec<_> = a
        .analysed()
        .iter()
        .flat_map(|&i| a.question_pairs_of(i))
        .collect();
    assert_eq!(pairs.len(), 3 * 2 + 2 * 3);
    let flattened: Vec<_> = pairs.iter().flatten().map(|q| q.sentence()).collect();
    let listed: Vec<_> = a.questions().map(|q| q.sentence()).collect();
    assert_eq!(flattened, listed);
    assert!(pairs.iter().all(|p| {
        p.iter()
            .all(|q| (q.target, q.attacker) == (p[0].target, p[0].attacker))
    }));
    // root: T1 covers S,T of web and q for both attackers (4 + 4), the verdict
    // covers q x kiddie (6, two already counted), db x R x both (2); T2 names an
    // out-of-scope attacker; T4 (child, no attackers) covers web x E for the
    // attackers visible to the child, so both of the root's.
    // child: store x D x {kiddie, local}; ext x S x all 3 (T5 lists T too, but
    // SPE does not ask T of an external entity).
    let answered_root = 4 + 4 + 4 + 2 + 2;
    let answered_child = 2 + 3;
    assert_eq!(
        metrics.questions.as_ref().unwrap().answered,
        answered_root + answered_child
    );
    assert_eq!(
        metrics.components[0].questions.as_ref().unwrap().answered,
        answered_child
    );
    // One rule: every listing of what is open agrees with `answers()`.
    let mut questions = a.questions();
    for t in &a.targets {
        let attackers = a.attackers_of(t.model);
        for c in &t.cells {
            let open = a.open_attackers(t, c).count();
            assert_eq!(c.answered, attackers.len() - open);
        }
        for x in attackers {
            for c in &t.cells {
                let q = questions.next().unwrap();
                let at = (q.target, q.attacker, q.category);
                assert_eq!(at, (&*t.qid, &*x.qid, &*c.category));
                let open = a.open_attackers(t, c).any(|o| o.qid == x.qid);
                assert_eq!(q.answered, a.answers(t, c, &x.qid));
                assert_eq!(q.answered, !open);
            }
        }
    }
    assert!(questions.next().is_none());
}
