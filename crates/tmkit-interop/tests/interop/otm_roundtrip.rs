//! Property: exporting any valid model to OTM and importing it back gives
//! the same model (generated models with components, every asset kind,
//! zones or none, long ids, tricky text, shared and inline mitigations).

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};
use tmkit_analysis::Analysis;
use tmkit_interop::otm;

/// A tiny deterministic generator driven by proptest's seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn subset(&mut self, items: &[String], max: usize) -> Vec<String> {
        let mut out = Vec::new();
        for i in items {
            if out.len() < max && self.chance(40) {
                out.push(i.clone());
            }
        }
        out
    }
    fn text(&mut self) -> String {
        let t = self.pick(&[
            "Plain title",
            "yes",
            "1.0",
            "- dash first",
            "key: value",
            "# hash",
            "quote \" and 'single'",
            "=SUM(A1)",
            "multi\nline\n",
            "日本語のタイトル",
            "trailing space ",
            "@at",
            "tab\there",
        ]);
        format!("{t} {}", self.below(1000))
    }
}

const KINDS: [&str; 10] = [
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
const CVSS: [&str; 3] = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
];

/// One model file; `prefix` keeps ids distinct between files, `outer` are
/// qualified ids of the parent's elements the model may reference.
fn model(
    g: &mut Gen,
    id: &str,
    prefix: &str,
    outer: &[String],
    outer_mitigations: &[String],
) -> (Value, Vec<String>, Vec<String>) {
    let zones: Vec<String> = (0..g.below(4)).map(|i| format!("{prefix}z{i}")).collect();
    let zone_values: Vec<Value> = zones
        .iter()
        .map(|z| {
            let trust = [0.0, 1.5, 5.0, 10.0][g.below(4)];
            json!({"id": z, "title": g.text(), "trust": trust})
        })
        .collect();
    let mut assets = Vec::new();
    let mut asset_ids = Vec::new();
    for i in 0..1 + g.below(6) {
        let long = g.chance(15);
        let aid = if long {
            format!("{prefix}asset-with-a-deliberately-long-identifier-{i}")
        } else {
            format!("{prefix}a{i}")
        };
        let mut a = json!({"id": aid, "title": g.text(), "kind": KINDS[g.below(10)]});
        if !zones.is_empty() && g.chance(70) {
            a["zone"] = json!(zones[g.below(zones.len())]);
        }
        if g.chance(20) {
            a["in_scope"] = json!(false);
            a["reason"] = json!(g.text());
        }
        if g.chance(15) {
            a["confidential"] = json!(true);
        }
        if g.chance(30) {
            a["description"] = json!(g.text());
        }
        asset_ids.push(aid);
        assets.push(a);
    }
    let mut flows = Vec::new();
    let mut flow_ids = Vec::new();
    for i in 0..g.below(3) {
        let fid = format!("{prefix}flow.{i}");
        let from = asset_ids[g.below(asset_ids.len())].clone();
        let to = asset_ids[g.below(asset_ids.len())].clone();
        let mut f = json!({"id": fid, "title": g.text(), "from": from, "to": to});
        let carries = g.subset(&asset_ids, 2);
        if !carries.is_empty() {
            f["carries"] = json!(carries);
        }
        if g.chance(30) {
            f["bidirectional"] = json!(true);
        }
        if g.chance(30) {
            f["protocol"] = json!("HTTPS");
        }
        flow_ids.push(fid);
        flows.push(f);
    }
    let attackers: Vec<String> = (0..g.below(3)).map(|i| format!("{prefix}att{i}")).collect();
    let attacker_values: Vec<Value> = attackers
        .iter()
        .map(|a| {
            let mut v = json!({"id": a, "title": g.text()});
            if g.chance(25) {
                v["in_scope"] = json!(false);
                v["reason"] = json!(g.text());
            }
            v
        })
        .collect();
    let assumptions: Vec<String> = (0..g.below(3)).map(|i| format!("{prefix}A{i}")).collect();
    let assumption_values: Vec<Value> = assumptions
        .iter()
        .map(|a| json!({"id": a, "title": g.text()}))
        .collect();
    let kinds = ["design", "operational", "risk-acceptance"];
    let shared: Vec<String> = (0..g.below(3)).map(|i| format!("{prefix}M{i}")).collect();
    let shared_values: Vec<Value> = shared
        .iter()
        .map(|m| {
            let kind = g.pick(&kinds);
            let mut v = json!({"id": m, "title": g.text(), "kind": kind, "in_place": g.chance(50)});
            if kind == "operational" {
                v["operator"] = json!("Ops");
            }
            if g.chance(30) {
                v["ticket"] = json!(format!("T-{}", g.below(99)));
            }
            v
        })
        .collect();
    let mut targets: Vec<String> = asset_ids.clone();
    targets.extend(flow_ids.iter().cloned());
    let mut visible_attackers = attackers.clone();
    visible_attackers.extend(outer.iter().filter(|q| q.contains(".att")).cloned());
    let mut visible_mitigations = shared.clone();
    visible_mitigations.extend(outer_mitigations.iter().cloned());
    let mut threats = Vec::new();
    for i in 0..g.below(5) {
        let long = g.chance(20);
        let tid = if long {
            format!("{prefix}threat-with-an-identifier-longer-than-36-chars-{i}")
        } else {
            format!("{prefix}T{i}")
        };
        let cats = ["confidentiality", "integrity", "availability", "other"];
        let mut t = json!({"id": tid, "title": g.text(), "categories": [g.pick(&cats)]});
        let mut tg = g.subset(&targets, 3);
        if tg.is_empty() {
            tg.push(targets[g.below(targets.len())].clone());
        }
        t["targets"] = json!(tg);
        if g.chance(50) {
            t["attackers"] = json!(g.subset(&visible_attackers, 3));
        }
        let used_assumptions = g.subset(&assumptions, 2);
        if !used_assumptions.is_empty() {
            t["assumptions"] = json!(used_assumptions);
        }
        if g.chance(60) {
            t["cvss"] = json!(CVSS[g.below(3)]);
        }
        if g.chance(30) {
            t["ticket"] = json!(format!("https://tracker.example/{tid}"));
        }
        if g.chance(15) {
            t["confidential"] = json!(true);
        }
        let mut mits: Vec<Value> = g
            .subset(&visible_mitigations, 2)
            .into_iter()
            .map(Value::String)
            .collect();
        for _ in 0..g.below(3) {
            let kind = g.pick(&kinds);
            let mut m = json!({"title": g.text(), "kind": kind, "in_place": g.chance(50)});
            if kind == "operational" && g.chance(50) {
                m["operator"] = json!("Platform");
            }
            if g.chance(30) {
                m["description"] = json!(g.text());
            }
            mits.insert(g.below(mits.len() + 1), m);
        }
        if !mits.is_empty() {
            t["mitigations"] = json!(mits);
        }
        threats.push(t);
    }
    let mut analysis = Vec::new();
    if g.chance(40) {
        let mut v = json!({"target": targets[g.below(targets.len())], "verdict": g.pick(&["no-threat", "not-applicable"]), "rationale": g.text()});
        if g.chance(50) {
            v["category"] = json!("integrity");
        }
        analysis.push(v);
    }
    let mut doc = json!({
        "tmkit": 1,
        "id": id,
        "title": g.text(),
        "scope": {
            "abstraction": {"taxonomy": "CIA"},
            "zones": zone_values,
            "assets": assets,
            "dataflows": flows,
            "attackers": attacker_values,
            "assumptions": assumption_values,
        },
        "analysis": analysis,
        "mitigations": shared_values,
        "threats": threats,
    });
    if g.chance(30) {
        doc["version"] = json!("1.2");
        doc["owner"] = json!("Security");
        doc["authors"] = json!(["A. Author"]);
    }
    if g.chance(15) {
        doc["confidential"] = json!(true);
    }
    let qualify =
        |ids: &[String]| -> Vec<String> { ids.iter().map(|x| format!("{id}.{x}")).collect() };
    let mut exported = qualify(&asset_ids);
    exported.extend(qualify(&attackers));
    (doc, exported, qualify(&shared))
}

fn project(seed: u64) -> Vec<(String, String)> {
    let mut g = Gen(seed | 1);
    let (mut root, outer, outer_m) = model(&mut g, "ROOT", "", &[], &[]);
    let mut files = Vec::new();
    if g.chance(60) {
        let (child, _, _) = model(&mut g, "CHILD", "c", &outer, &outer_m);
        root["components"] = json!([{"path": "child/threatmodel.yaml"}]);
        files.push((
            "child/threatmodel.yaml".to_string(),
            serde_json::to_string_pretty(&child).unwrap(),
        ));
    }
    files.insert(
        0,
        (
            "threatmodel.yaml".to_string(),
            serde_json::to_string_pretty(&root).unwrap(),
        ),
    );
    files
}

proptest! {
    #![proptest_config(Config { cases: 96, ..Config::default() })]

    #[test]
    fn otm_round_trip(seed in any::<u64>()) {
        let files = project(seed);
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let checked = tmkit_model::check_files(&refs, "threatmodel.yaml");
        // The generator aims at valid models; skip the rare one it gets wrong.
        prop_assume!(!checked.has_errors());
        let model = checked.model.unwrap();
        let json = otm::to_json(&model, &Analysis::new(&model));
        let doc: Value = serde_json::from_str(&json).unwrap();
        for key in ["trustZones", "components", "assets", "dataflows", "threats", "mitigations"] {
            for e in doc[key].as_array().into_iter().flatten() {
                prop_assert!(e["id"].as_str().unwrap().chars().count() <= otm::MAX_ID_LEN);
            }
        }
        let out = otm::import(&json, "x.otm.json").unwrap();
        let back_files: Vec<(&str, &str)> = out.files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
        let back = tmkit_model::check_files(&back_files, "threatmodel.yaml");
        prop_assert!(!back.has_errors(), "{:#?}\n{}", back.diagnostics, out.files.iter().map(|f| f.contents.clone()).collect::<String>());
        prop_assert_eq!(back.model.unwrap(), model);
    }
}

#[test]
fn the_generator_makes_valid_models() {
    // Guards the property above against vacuity: most generated models load.
    let valid = (1..=40u64)
        .filter(|s| {
            let files = project(s.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let c = tmkit_model::check_files(&refs, "threatmodel.yaml");
            if c.has_errors() {
                eprintln!(
                    "{}",
                    tmkit_syntax::diagnostic::render_human(&c.diagnostics, &c.files, false)
                );
            }
            !c.has_errors()
        })
        .count();
    assert!(valid >= 36, "only {valid} of 40 generated models are valid");
}
