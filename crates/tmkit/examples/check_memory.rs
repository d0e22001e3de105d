//! Where the memory of `tmkit check` goes: the steps of `check` run one by
//! one, each printing the resident set after it (`VmRSS`) and its peak
//! during the step (`VmHWM`, reset before each step through
//! `/proc/self/clear_refs`). It runs on the system allocator, so that
//! `heaptrack` can follow it:
//!
//! ```sh
//! cargo build --release -p tmkit --example check_memory
//! target/release/examples/check_memory /tmp/tmkit-bench/composed-100000
//! heaptrack target/release/examples/check_memory /tmp/tmkit-bench/composed-100000
//! ```
//!
//! See BENCHMARKS.md ("Peak memory of `check`"). Linux only.

use std::path::PathBuf;
use tmkit::Limits;
use tmkit_analysis::Analysis;
use tmkit_analysis::crossing::crossing_diagnostics;
use tmkit_analysis::treatment::{Calendar, deadline_diagnostics};
use tmkit_model::Date;
use tmkit_syntax::diagnostic::render_human;

/// A field of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

/// Prints the resident set now and its peak since the last step.
fn step(name: &str) {
    println!(
        "{name:<36} rss {:>7.1} MiB   peak during step {:>7.1} MiB",
        status_mib("VmRSS:"),
        status_mib("VmHWM:")
    );
    // "5" resets the peak resident set (VmHWM) to the current one.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: check_memory DIR");
        std::process::exit(3);
    };
    let fs = tmkit_syntax::fs::RealFs;
    // The one-file shape at 100,000 targets passes the default limits.
    let limits = Limits {
        max_file_bytes: 1 << 30,
        max_total_bytes: 1 << 30,
        max_nodes: usize::MAX / 2,
        ..Limits::default()
    };
    step("start");
    let root = dir.join("threatmodel.yaml");
    let loaded = tmkit_syntax::load::load(&fs, &root, &limits);
    step("load (decoded documents)");
    let checked = tmkit_model::check_loaded(loaded);
    step("check_loaded (model, spans, files)");
    let Some(model) = checked.model.as_ref() else {
        eprintln!("the model is invalid");
        std::process::exit(2);
    };
    let analysis = Analysis::new(model);
    step("Analysis::new");
    let mut diagnostics = checked.diagnostics.clone();
    diagnostics.extend(crossing_diagnostics(&analysis.crossings, &checked.spans));
    let cal = Calendar::new(Date::parse("2026-12-01").expect("date"));
    diagnostics.extend(deadline_diagnostics(model, &checked.spans, &cal));
    step("analysis diagnostics");
    let text = render_human(&diagnostics, &checked.files, false);
    step("render_human");
    println!(
        "{} diagnostics, {} bytes of text",
        diagnostics.len(),
        text.len()
    );
    drop(text);
    drop(analysis);
    step("analysis dropped");
    drop(checked);
    step("model dropped");
}
