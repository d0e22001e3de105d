//! Times the diagram renderers on generated models and prints Markdown table
//! rows for BENCHMARKS.md:
//!
//! ```sh
//! cargo run --release -p tmkit-render --example diagram_bench [ASSETS FLOWS ...]
//! ```
//!
//! With `--write DIR` it also writes the generated model (`DIR/threatmodel.yaml`,
//! so the whole CLI can be timed: `time tmkit diagram DIR -o out.svg`) and its
//! SVG (`DIR/diagram.svg`, to look at).
//!
//! With `--model PATH` it times the renderers on that model instead (loaded
//! and analysed once, not timed), e.g. the 100,000-target model of
//! `cargo run --release -p tmkit-analysis --example gen_model -- 100000 DIR`.

#[path = "../tests/diagram_support/mod.rs"]
mod diagram_support;

use std::time::{Duration, Instant};
use tmkit_render::diagram::{DiagramFormat, DiagramOptions, render};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Prints one row per format: the median of five renders and the size.
fn time_formats(label: &str, model: &tmkit_model::Model, analysis: &tmkit_analysis::Analysis) {
    let opts = DiagramOptions::new().with_attackers(true);
    for format in DiagramFormat::ALL {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let out = render(model, analysis, format, &opts);
            times.push(t.elapsed());
            size = out.len();
        }
        println!(
            "| {label} | {} | {:.1} ms | {} KiB |",
            format.name(),
            median(times).as_secs_f64() * 1000.0,
            size / 1024
        );
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--model") {
        let path = args.get(i + 1).expect("--model PATH");
        let checked = tmkit_model::check_path(std::path::Path::new(path));
        let model = checked.model.expect("a valid model");
        let analysis = tmkit_analysis::Analysis::new(&model);
        println!("| model | format | render (median of 5) | output size |");
        println!("|---|---|---:|---:|");
        time_formats(path, &model, &analysis);
        return;
    }
    let mut write_dir = None;
    if let Some(i) = args.iter().position(|a| a == "--write") {
        write_dir = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
    }
    let sizes: Vec<(usize, usize)> = if args.len() >= 2 {
        args.chunks(2)
            .filter_map(|c| Some((c[0].parse().ok()?, c.get(1)?.parse().ok()?)))
            .collect()
    } else {
        vec![(200, 400), (1000, 2000)]
    };
    println!("| assets | flows | format | render (median of 5) | output size |");
    println!("|---:|---:|---|---:|---:|");
    for (assets, flows) in sizes {
        let yaml = diagram_support::generated(assets, flows);
        if let Some(dir) = &write_dir {
            std::fs::create_dir_all(dir).expect("create dir");
            std::fs::write(format!("{dir}/threatmodel.yaml"), &yaml).expect("write model");
        }
        let (model, analysis) = diagram_support::load_str(&yaml);
        if let Some(dir) = &write_dir {
            let opts = DiagramOptions::new().with_attackers(true);
            let svg = render(&model, &analysis, DiagramFormat::Svg, &opts);
            std::fs::write(format!("{dir}/diagram.svg"), svg).expect("write svg");
        }
        time_formats(&format!("{assets} | {flows}"), &model, &analysis);
    }
}
