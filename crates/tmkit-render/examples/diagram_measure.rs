//! Measures the readability of the native SVG diagram of the bundled
//! examples and of generated models, and prints Markdown table rows for
//! docs/diagrams.md:
//!
//! ```sh
//! cargo run -p tmkit-render --example diagram_measure
//! ```
//!
//! Columns: picture size, aspect ratio (width / height), label overlaps
//! (label-label and label-node, from the laid-out boxes), flow crossings,
//! flow labels a line of another flow passes under, and expanded components
//! drawn in several parts (not in one outline). With `--write DIR` it
//! also writes each SVG there, to look at.

#[path = "../tests/diagram_support/mod.rs"]
mod diagram_support;

use diagram_support::{
    EXAMPLES, aspect, components_split, flow_crossings, label_overlaps, labels_crossed_by_lines,
};
use tmkit_render::diagram::{DiagramFormat, DiagramOptions, layout, render};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1));
    println!(
        "| model | options | size (px) | aspect | label overlaps | flow crossings | labels under a line | components in parts |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for (name, path) in EXAMPLES {
        let (m, a) = diagram_support::load(path);
        rows.push((
            name.to_string(),
            "",
            m.clone(),
            a.clone(),
            DiagramOptions::new(),
        ));
        rows.push((
            name.to_string(),
            "--attackers",
            m.clone(),
            a.clone(),
            DiagramOptions::new().with_attackers(true),
        ));
        rows.push((
            name.to_string(),
            "--depth 0",
            m,
            a,
            DiagramOptions::new().with_depth(Some(0)),
        ));
    }
    for (assets, flows) in [(30, 45), (200, 400)] {
        let (m, a) = diagram_support::load_str(&diagram_support::generated(assets, flows));
        rows.push((
            format!("generated {assets}/{flows}"),
            "--attackers",
            m,
            a,
            DiagramOptions::new().with_attackers(true),
        ));
    }
    for (name, opts_name, m, a, opts) in rows {
        let l = layout(&m, &a, &opts);
        if let Some(dir) = write {
            let file = format!("{name}{opts_name}.svg").replace([' ', '/'], "_");
            let svg = render(&m, &a, DiagramFormat::Svg, &opts);
            std::fs::write(std::path::Path::new(dir).join(file), svg).expect("write svg");
        }
        println!(
            "| {name} | {opts_name} | {:.0} x {:.0} | {:.2} | {} | {} | {} | {} |",
            l.width,
            l.height,
            aspect(&l),
            label_overlaps(&l).len(),
            flow_crossings(&l),
            labels_crossed_by_lines(&l),
            components_split(&l)
        );
    }
}
