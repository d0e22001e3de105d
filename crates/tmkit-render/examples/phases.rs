//! Times the stages on one model: load + check, analysis, metrics, matrix.
//!
//! ```text
//! cargo run --release -p tmkit-render --example phases -- PATH
//! ```

use std::time::Instant;
use tmkit_analysis::Analysis;
use tmkit_render::matrix::{MatrixOptions, render};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: phases PATH");
        std::process::exit(2);
    };
    let t = Instant::now();
    let checked = tmkit_model::check_path(std::path::Path::new(&path));
    let load = t.elapsed();
    let Some(model) = checked.model else {
        eprintln!("invalid model");
        std::process::exit(2);
    };
    let before = rss_kb();
    let t = Instant::now();
    let analysis = Analysis::new(&model);
    let analyse = t.elapsed();
    let analysis_kb = rss_kb().saturating_sub(before);
    let t = Instant::now();
    let again = Analysis::new(&model);
    let analyse2 = t.elapsed();
    if std::env::var_os("PHASES_LOOP").is_some() {
        for _ in 0..60 {
            drop(Analysis::new(&model));
        }
    }
    drop(again);
    let t = Instant::now();
    let metrics = analysis.metrics(&model, 0);
    let metrics_t = t.elapsed();
    let t = Instant::now();
    let text = render(&analysis, &model, &MatrixOptions::default());
    let matrix = t.elapsed();
    println!(
        "load+check {load:?} (RSS {} MB), analysis {analyse:?} (+{} MB RSS) (again {analyse2:?}), metrics {metrics_t:?}, matrix text {matrix:?} ({} bytes); {} questions, {} diagnostics",
        before / 1024,
        analysis_kb / 1024,
        text.len(),
        metrics.questions.map_or(0, |q| q.total),
        checked.diagnostics.len()
    );
}

/// Resident set size of this process in KiB (Linux), 0 elsewhere.
fn rss_kb() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4)
}
