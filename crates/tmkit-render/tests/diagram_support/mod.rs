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
    let mut rng = Lcg(42);
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
