//! Writes a synthetic, valid, composed threat model of N targets, for the
//! scale benchmark (see BENCHMARKS.md).
//!
//! ```text
//! cargo run --release -p tmkit-analysis --example gen_model -- N OUT_DIR [ATTACKERS] [--shape SHAPE]
//! ```
//!
//! OUT_DIR receives `threatmodel.yaml` (the root), `components/cK.yaml` and
//! `catalog/attackers.yaml`. About N targets in total (60% assets, 40% data
//! flows), spread over the root and N/2000 components (at least 2, at most
//! 50); 5 trust zones; ATTACKERS in-scope attackers (default 20: half in the
//! root, half in an imported catalogue) plus 2 out of scope; one threat per two
//! targets with a CVSS 3.1 vector, shared and inline mitigations, a ticket on
//! most open ones; a verdict for every tenth target. The output is a pure
//! function of the arguments.
//!
//! `--shape` varies the layout for the benchmark: `composed` (the default,
//! above), `one-file` (everything in the root file, no components), `long-text`
//! (a Markdown description of about 1 KB on every asset, flow and threat) and
//! `deep` (components nested in chains of up to 10 instead of side by side).

use std::fmt::Write as _;
use std::path::Path;

const VECTORS: [&str; 6] = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:L",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
];
const KINDS: [&str; 8] = [
    "service",
    "datastore",
    "data",
    "credential",
    "process",
    "key",
    "external",
    "other",
];
const CATS: [&str; 3] = ["confidentiality", "integrity", "availability"];
const ZONES: usize = 5;
const SHARED_MITIGATIONS: usize = 20;

/// The layout of the generated model (`--shape`).
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Composed,
    OneFile,
    LongText,
    Deep,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let shape = match args.iter().position(|a| a == "--shape") {
        None => Shape::Composed,
        Some(i) => {
            let name = args.get(i + 1).cloned().unwrap_or_default();
            args.drain(i..(i + 2).min(args.len()));
            match name.as_str() {
                "composed" => Shape::Composed,
                "one-file" => Shape::OneFile,
                "long-text" => Shape::LongText,
                "deep" => Shape::Deep,
                _ => {
                    eprintln!("gen_model: --shape is composed, one-file, long-text or deep");
                    std::process::exit(2);
                }
            }
        }
    };
    let (Some(n), Some(out)) = (
        args.first().and_then(|s| s.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_model N OUT_DIR [ATTACKERS] [--shape SHAPE]");
        std::process::exit(2);
    };
    let attackers: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .max(2);
    if let Err(e) = generate(n.max(10), attackers, shape, Path::new(out)) {
        eprintln!("gen_model: {e}");
        std::process::exit(1);
    }
}

fn generate(n: usize, attackers: usize, shape: Shape, out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out.join("components"))?;
    std::fs::create_dir_all(out.join("catalog"))?;
    let components = if shape == Shape::OneFile {
        0
    } else {
        (n / 2000).clamp(2, 50)
    };
    let long = shape == Shape::LongText;
    // The root keeps a share like any component.
    let per_model = n / (components + 1);
    let root_targets = n - per_model * components;
    let own_attackers = attackers / 2;

    // Catalogue: the other half of the attackers.
    let mut cat =
        String::from("tmkit: 1\nid: ORG\ntitle: Organisation catalogue\nscope:\n  attackers:\n");
    for i in own_attackers..attackers {
        let _ = writeln!(cat, "    - {{ id: x{i}, title: Catalogue attacker {i} }}");
    }
    std::fs::write(out.join("catalog/attackers.yaml"), cat)?;

    let mut root = String::new();
    root.push_str("tmkit: 1\nid: SCALE\ntitle: Synthetic model for the scale benchmark\n");
    root.push_str("scope:\n  abstraction: { level: container, taxonomy: CIA }\n  zones:\n");
    for z in 0..ZONES {
        let _ = writeln!(root, "    - {{ id: z{z}, title: Zone {z}, trust: {z} }}");
    }
    root.push_str("  attackers:\n");
    for i in 0..own_attackers {
        let _ = writeln!(
            root,
            "    - {{ id: x{i}, title: Attacker {i}, zone: z{} }}",
            i % 2
        );
    }
    root.push_str(
        "    - { id: rogue-admin, title: Rogue admin, in_scope: false, reason: Audit controls }\n",
    );
    root.push_str(
        "    - { id: nation, title: Nation state, in_scope: false, reason: Out of budget }\n",
    );
    root.push_str("  assumptions:\n");
    for i in 0..10 {
        let _ = writeln!(root, "    - {{ id: A{i}, title: Assumption {i} }}");
    }
    write_scope(&mut root, "r", root_targets, None, long);
    root.push_str("mitigations:\n");
    for i in 0..SHARED_MITIGATIONS {
        let kind = ["design", "operational", "design", "risk-acceptance"][i % 4];
        let in_place = i % 3 != 2;
        let _ = writeln!(
            root,
            "  - {{ id: M{i}, title: Shared mitigation {i}, kind: {kind}, in_place: {in_place} }}"
        );
    }
    write_findings(&mut root, "r", root_targets, attackers, long);
    root.push_str("imports:\n  - path: catalog/attackers.yaml\n");
    // Deep: c0 includes c1 ... includes c9, c10 includes c11 ...
    let chain = if shape == Shape::Deep { 10 } else { 1 };
    if components > 0 {
        root.push_str("components:\n");
    }
    for k in (0..components).step_by(chain) {
        let _ = writeln!(root, "  - path: components/c{k}.yaml");
    }
    std::fs::write(out.join("threatmodel.yaml"), root)?;

    for k in 0..components {
        let mut c = String::new();
        let _ = write!(c, "tmkit: 1\nid: C{k}\ntitle: Component {k}\nscope:\n");
        c.push_str("  abstraction: { level: component, taxonomy: CIA }\n");
        let p = format!("c{k}");
        write_scope(&mut c, &p, per_model, Some("ra0"), long);
        write_findings(&mut c, &p, per_model, attackers, long);
        if (k + 1) % chain != 0 && k + 1 < components {
            let _ = writeln!(c, "components:\n  - path: c{}.yaml", k + 1);
        }
        std::fs::write(out.join(format!("components/c{k}.yaml")), c)?;
    }
    Ok(())
}

fn split(targets: usize) -> (usize, usize) {
    let assets = (targets * 3 / 5).max(2);
    (assets, targets.saturating_sub(assets))
}

/// Assets and flows of one model (inside `scope:`). `p` prefixes local ids;
/// `parent_asset` is an asset of the parent that some flows start from.
fn write_scope(s: &mut String, p: &str, targets: usize, parent_asset: Option<&str>, long: bool) {
    let (assets, flows) = split(targets);
    s.push_str("  assets:\n");
    for i in 0..assets {
        let in_scope = i % 50 != 49;
        let _ = write!(
            s,
            "    - {{ id: {p}a{i}, title: Asset {i} of {p}, kind: {}, zone: z{}",
            KINDS[i % KINDS.len()],
            (i / 7) % ZONES
        );
        if !in_scope {
            s.push_str(", in_scope: false, reason: Legacy");
        }
        if let Some(d) = description(long, i) {
            let _ = write!(s, ", description: {d}");
        }
        s.push_str(" }\n");
    }
    if flows > 0 {
        s.push_str("  dataflows:\n");
    }
    for i in 0..flows {
        let from = match parent_asset {
            Some(pa) if i % 100 == 0 => pa.to_string(),
            _ => format!("{p}a{}", i % assets),
        };
        let to = format!("{p}a{}", (i * 7 + 3) % assets);
        let bidi = if i % 5 == 0 {
            ", bidirectional: true"
        } else {
            ""
        };
        let desc = description(long, i).map_or(String::new(), |d| format!(", description: {d}"));
        let _ = writeln!(
            s,
            "    - {{ id: {p}f{i}, title: Flow {i} of {p}, from: {from}, to: {to}, protocol: HTTPS{bidi}{desc} }}"
        );
    }
}

/// Verdicts and threats of one model.
fn write_findings(s: &mut String, p: &str, targets: usize, attackers: usize, long: bool) {
    let (assets, flows) = split(targets);
    s.push_str("analysis:\n");
    let mut any = false;
    for i in (0..assets).step_by(10).filter(|i| i % 50 != 49) {
        any = true;
        let att = i % (attackers / 2).max(1);
        let _ = writeln!(
            s,
            "  - {{ target: {p}a{i}, attacker: x{att}, category: availability, verdict: not-applicable, rationale: No exposure }}"
        );
    }
    if !any {
        s.truncate(s.len() - "analysis:\n".len());
    }
    s.push_str("threats:\n");
    let threats = (targets / 2).max(1);
    for i in 0..threats {
        let target = if i % 2 == 0 {
            format!("{p}a{}", (i * 2) % assets)
        } else if flows > 0 {
            format!("{p}f{}", i % flows)
        } else {
            format!("{p}a{}", i % assets)
        };
        if (i * 2) % assets % 50 == 49 && i % 2 == 0 {
            // Out-of-scope assets get no threat.
            continue;
        }
        let cats = if i % 7 == 0 {
            format!("[{}, {}]", CATS[i % 3], CATS[(i + 1) % 3])
        } else {
            format!("[{}]", CATS[i % 3])
        };
        let _ = write!(
            s,
            "  - id: {p}T{i}\n    title: Threat {i} of {p}\n    categories: {cats}\n    targets: [{target}]\n"
        );
        if i % 3 != 0 {
            let _ = writeln!(
                s,
                "    attackers: [x{}, x{}]",
                i % attackers,
                (i + 3) % attackers
            );
        }
        let _ = writeln!(s, "    cvss: {}", VECTORS[i % VECTORS.len()]);
        if let Some(d) = description(long, i) {
            let _ = writeln!(s, "    description: {d}");
        }
        if i % 4 == 0 {
            let _ = writeln!(s, "    assumptions: [A{}]", i % 10);
        }
        if i % 5 != 4 {
            let _ = writeln!(s, "    ticket: SEC-{i}");
        }
        match i % 4 {
            0 => {
                let _ = writeln!(s, "    mitigations: [M{}]", i % SHARED_MITIGATIONS);
            }
            1 => {
                let _ = writeln!(
                    s,
                    "    mitigations:\n      - M{}\n      - {{ title: Inline fix {i}, kind: design, in_place: {} }}",
                    (i + 1) % SHARED_MITIGATIONS,
                    i % 3 == 0
                );
            }
            2 => {
                let _ = writeln!(
                    s,
                    "    mitigations:\n      - {{ title: Inline control {i}, kind: operational, in_place: true }}"
                );
            }
            _ => {}
        }
    }
}

/// With `long`, a Markdown description of about 1 KB as a double-quoted
/// YAML string (paragraphs separated by `\n\n`); None otherwise.
fn description(long: bool, i: usize) -> Option<String> {
    long.then(|| {
        let paragraphs: Vec<String> = (0..8)
            .map(|line| format!("Paragraph {line} of element {i}: **why** it matters, what it holds, who reaches it (`code`), and [a link](https://example.org/{i})."))
            .collect();
        format!("\"{}\"", paragraphs.join("\\n\\n"))
    })
}
