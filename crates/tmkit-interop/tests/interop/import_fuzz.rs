//! Properties of the importers on arbitrary input: they never panic, and
//! whatever they accept becomes a model that checks without errors.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};
use tmkit_interop::{ImportOutput, otm, tmyaml};

struct Gen(u64);

/// `g.maybe(value)` with the value computed first (it may use `g` too).
macro_rules! maybe {
    ($g:expr, $v:expr) => {{
        let v = $v;
        $g.maybe(v)
    }};
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn word(&mut self) -> String {
        let w = [
            "A1",
            "x",
            "Y",
            "1st",
            "a.b",
            "a..b",
            "名前",
            "with space",
            "T-1",
            "",
            "yes",
            "7",
            "CVSS:3.1/AV:N",
            "-",
            "=x",
        ];
        w[self.below(w.len())].to_string()
    }
    /// Any JSON value, shallow.
    fn junk(&mut self, depth: u32) -> Value {
        match self.below(if depth == 0 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => json!(self.chance(50)),
            2 => json!(self.below(100)),
            3 => json!(1.5),
            4 => json!(self.word()),
            5 => Value::Array((0..self.below(3)).map(|_| self.junk(depth - 1)).collect()),
            _ => {
                let mut m = serde_json::Map::new();
                for _ in 0..self.below(3) {
                    m.insert(self.word(), self.junk(depth - 1));
                }
                Value::Object(m)
            }
        }
    }
    /// A value that is usually right for the field, sometimes junk.
    fn maybe(&mut self, good: Value) -> Value {
        if self.chance(85) { good } else { self.junk(2) }
    }
}

fn refs(g: &mut Gen, ids: &[String]) -> Value {
    let n = g.below(3);
    Value::Array(
        (0..n)
            .map(|_| {
                if !ids.is_empty() && g.chance(80) {
                    json!({"REFID": ids[g.below(ids.len())]})
                } else {
                    json!({"REFID": g.word()})
                }
            })
            .collect(),
    )
}

fn tmyaml_doc(g: &mut Gen, id: &str, outer: &[String], children: &[&str]) -> (Value, Vec<String>) {
    let mut ids: Vec<String> = outer.to_vec();
    let elements = |g: &mut Gen,
                    prefix: &str,
                    extra: &dyn Fn(&mut Gen) -> Vec<(&'static str, Value)>,
                    ids: &mut Vec<String>| {
        let mut list = Vec::new();
        for i in 0..g.below(4) {
            let eid = if g.chance(85) {
                format!("{prefix}{i}")
            } else {
                g.word()
            };
            let mut m = serde_json::Map::new();
            if g.chance(90) {
                m.insert("ID".into(), json!(eid));
                ids.push(eid);
            }
            if g.chance(90) {
                m.insert(
                    "title".into(),
                    maybe!(g, json!(format!("Title {prefix}{i}"))),
                );
            }
            if g.chance(50) {
                m.insert(
                    "description".into(),
                    maybe!(g, json!("Some text\nover lines")),
                );
            }
            for (k, v) in extra(g) {
                m.insert(k.into(), v);
            }
            if g.chance(10) {
                m.insert(g.word(), g.junk(1));
            }
            list.push(Value::Object(m));
        }
        Value::Array(list)
    };
    let types = [
        "service",
        "data",
        "credential",
        "dataflow",
        "key",
        "certificate",
        "weird thing",
        "database",
    ];
    let assets = elements(
        g,
        "AS",
        &|g: &mut Gen| {
            let t = types[g.below(types.len())];
            vec![
                ("type", maybe!(g, json!(t))),
                ("inScope", maybe!(g, json!(g.chance(80)))),
                ("properties", g.junk(2)),
            ]
        },
        &mut ids,
    );
    let attackers = elements(
        g,
        "AT",
        &|g: &mut Gen| vec![("inScope", maybe!(g, json!(g.chance(80))))],
        &mut ids,
    );
    let assumptions = elements(g, "AS_", &|_: &mut Gen| vec![], &mut ids);
    let objectives = elements(
        g,
        "SO",
        &|g: &mut Gen| vec![("group", maybe!(g, json!("G")))],
        &mut ids,
    );
    let snapshot = ids.clone();
    let mut threats = Vec::new();
    for i in 0..g.below(5) {
        let mut t = serde_json::Map::new();
        if g.chance(90) {
            t.insert("ID".into(), json!(format!("TH{i}")));
        }
        t.insert("title".into(), maybe!(g, json!(format!("Threat {i}"))));
        let tt = [
            "Spoofing",
            "Tampering, Repudiation",
            "Information Disclosure",
            "Privacy",
            "D",
            "",
        ];
        t.insert("threatType".into(), maybe!(g, json!(tt[g.below(tt.len())])));
        t.insert("assets".into(), refs(g, &snapshot));
        t.insert("attackers".into(), refs(g, &snapshot));
        t.insert("impactedSecObj".into(), refs(g, &snapshot));
        let vectors = [
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "garbage",
            "",
        ];
        if g.chance(60) {
            t.insert(
                "CVSS".into(),
                maybe!(
                    g,
                    json!({"vector": vectors[g.below(4)], "base": maybe!(g, json!(5.0))})
                ),
            );
        }
        if g.chance(70) {
            t.insert("fullyMitigated".into(), maybe!(g, json!(g.chance(50))));
        }
        if g.chance(30) {
            t.insert("public".into(), maybe!(g, json!(g.chance(50))));
        }
        if g.chance(30) {
            t.insert("ticketLink".into(), maybe!(g, json!("https://t.example/1")));
        }
        let mut cms = Vec::new();
        for j in 0..g.below(3) {
            if g.chance(30) && !ids.is_empty() {
                cms.push(json!({"REFID": ids[g.below(ids.len())]}));
            } else {
                let mut c = json!({"title": format!("CM {i}.{j}"), "inPlace": maybe!(g, json!(g.chance(60)))});
                if g.chance(80) {
                    let cid = format!("CM{i}_{j}");
                    c["ID"] = json!(cid);
                    ids.push(cid);
                }
                if g.chance(30) {
                    c["operational"] = json!(true);
                    c["operator"] = maybe!(g, json!("Ops"));
                }
                cms.push(c);
            }
        }
        t.insert("countermeasures".into(), maybe!(g, Value::Array(cms)));
        threats.push(Value::Object(t));
    }
    let mut doc = json!({
        "ID": maybe!(g, json!(id)),
        "title": maybe!(g, json!(format!("Model {id}"))),
        "scope": {
            "description": maybe!(g, json!("Scope")),
            "assets": maybe!(g, assets),
            "attackers": attackers,
            "assumptions": assumptions,
            "securityObjectives": objectives,
        },
        "threats": maybe!(g, Value::Array(threats)),
    });
    if g.chance(30) {
        doc["analysis"] = maybe!(g, json!("Analysis text"));
    }
    if !children.is_empty() {
        doc["children"] = Value::Array(children.iter().map(|c| json!({"REFID": c})).collect());
    }
    (doc, ids)
}

fn check_clean(out: &ImportOutput) -> Result<(), String> {
    tmkit_interop::oracles::imported(out)
}

proptest! {
    #![proptest_config(Config { cases: 128, ..Config::default() })]

    #[test]
    fn tmyaml_imports_always_check_clean(seed in any::<u64>()) {
        let mut g = Gen(seed | 1);
        let with_child = g.chance(50);
        let (root, ids) = tmyaml_doc(&mut g, "ROOT", &[], if with_child { &["KID"] } else { &[] });
        let count = |doc: &Value| doc["threats"].as_array().map_or(0, |t| t.iter().filter(|x| x.is_object()).count());
        let mut source_threats = count(&root);
        let mut src = tmkit_syntax::fs::MemoryFs::new();
        src.insert("ROOT/ROOT.yaml", serde_json::to_string_pretty(&root).unwrap());
        if with_child {
            let (child, _) = tmyaml_doc(&mut g, "KID", &ids, &[]);
            source_threats += count(&child);
            src.insert("ROOT/KID/KID.yaml", serde_json::to_string_pretty(&child).unwrap());
        }
        match tmyaml::import_from(&src, std::path::Path::new("ROOT")) {
            Ok(out) => {
                if let Err(e) = check_clean(&out) {
                    prop_assert!(false, "{}", e);
                }
                // Every threat of the source is imported, none invented.
                prop_assert_eq!(out.threats.len(), source_threats);
            }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    #[test]
    fn otm_imports_always_check_clean(seed in any::<u64>()) {
        let mut g = Gen(seed | 1);
        let zones: Vec<String> = (0..g.below(3)).map(|i| format!("z{i}")).collect();
        let mut components = Vec::new();
        let mut comp_ids = Vec::new();
        for i in 0..g.below(4) {
            let id = if g.chance(80) { format!("c{i}") } else { g.word() };
            let parent = if !zones.is_empty() && g.chance(70) {
                json!({"trustZone": zones[g.below(zones.len())]})
            } else if !comp_ids.is_empty() {
                json!({"component": comp_ids[g.below(comp_ids.len())]})
            } else {
                json!({"trustZone": "nowhere"})
            };
            let types = ["service", "postgresql", "generic-client", "??"];
            let mut threats = Vec::new();
            for _ in 0..g.below(3) {
                let states = ["Exposed", "Mitigated", "Accepted", "Partly mitigated", "odd"];
                threats.push(json!({"threat": format!("t{}", g.below(4)), "state": states[g.below(5)],
                    "mitigations": [{"mitigation": format!("m{}", g.below(3)), "state": if g.chance(50) {"Implemented"} else {"Required"}}]}));
            }
            components.push(json!({"id": id, "name": g.word(), "type": types[g.below(4)], "parent": parent, "threats": threats}));
            comp_ids.push(id);
        }
        let mut flows = Vec::new();
        for i in 0..g.below(3) {
            let pick = |g: &mut Gen| if comp_ids.is_empty() || g.chance(10) { "z0".to_string() } else { comp_ids[g.below(comp_ids.len())].clone() };
            let (s, d) = (pick(&mut g), pick(&mut g));
            flows.push(json!({"id": format!("f{i}"), "name": "flow", "source": s, "destination": d,
                "threats": [{"threat": "t0", "state": "Exposed"}]}));
        }
        let cats = [json!(["Spoofing"]), json!(["Confidentiality"]), json!(["Custom thing", "Other"]), json!(null), json!([])];
        let threats: Vec<Value> = (0..4).map(|i| json!({"id": format!("t{i}"), "name": g.word(), "categories": cats[g.below(5)].clone(),
            "risk": {"likelihood": null, "impact": 10}})).collect();
        let mitigations: Vec<Value> = (0..3).map(|i| json!({"id": format!("m{i}"), "name": format!("M {i}"), "riskReduction": 50})).collect();
        let doc = json!({
            "otmVersion": "0.2.0",
            "project": {"name": g.word(), "id": g.word()},
            "trustZones": zones.iter().map(|z| json!({"id": z, "name": z, "risk": {"trustRating": g.below(101)}})).collect::<Vec<_>>(),
            "components": components,
            "dataflows": flows,
            "threats": threats,
            "mitigations": mitigations,
        });
        let out = otm::import(&doc.to_string(), "fuzz.otm.json");
        match out {
            Ok(out) => {
                if let Err(e) = check_clean(&out) {
                    prop_assert!(false, "{}\n{}", e, serde_json::to_string_pretty(&doc).unwrap());
                }
                prop_assert_eq!(out.threats.len(), 4);
            }
            Err(e) => prop_assert!(false, "valid OTM rejected: {}", e),
        }
    }
}

#[test]
fn the_tmyaml_generator_mostly_produces_importable_trees() {
    let mut ok = 0;
    let mut threats = 0;
    let mut warnings = 0;
    for seed in 1..=50u64 {
        let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (root, _) = tmyaml_doc(&mut g, "ROOT", &[], &[]);
        let mut src = tmkit_syntax::fs::MemoryFs::new();
        src.insert(
            "ROOT/ROOT.yaml",
            serde_json::to_string_pretty(&root).unwrap(),
        );
        if let Ok(out) = tmyaml::import_from(&src, std::path::Path::new("ROOT")) {
            check_clean(&out).unwrap();
            ok += 1;
            threats += out.threats.len();
            warnings += out.warnings.len();
        }
    }
    assert!(ok >= 45, "{ok}");
    assert!(threats >= 50, "{threats}");
    assert!(warnings >= 50, "{warnings}");
}
