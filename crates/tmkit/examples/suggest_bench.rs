//! Times `tmkit suggest`'s phases on a model (BENCHMARKS.md, "tmkit suggest"):
//! load and check, analysis, the library (built-in plus the model's), the
//! matching of every open question, and the JSON rendering; RUNS runs, the
//! median of each phase.
//!
//! ```text
//! cargo run --release -p tmkit --example suggest_bench -- DIR [RUNS]
//! ```

use std::path::Path;
use std::time::{Duration, Instant};
use tmkit_analysis::Analysis;
use tmkit_analysis::suggest::{Filter, suggest};
use tmkit_render::suggest::{SuggestFormat, render};
use tmkit_syntax::fs::RealFs;
use tmkit_syntax::node::Limits;
use tmkit_syntax::{FileId, Files};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: suggest_bench DIR [RUNS]");
        std::process::exit(3);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let limits = Limits::default();
    let mut phases: [Vec<Duration>; 6] = Default::default();
    let mut counts = (0, 0, 0, 0);
    for _ in 0..runs {
        let t0 = Instant::now();
        let checked = tmkit::load(&RealFs, Path::new(dir), &limits);
        let model = checked.model.expect("a valid model");
        let t1 = Instant::now();
        let analysis = Analysis::new(&model);
        let t2 = Instant::now();
        let root = checked.files.get(FileId(0)).path.clone();
        let (library, _) =
            tmkit::suggest::load_library(&RealFs, &root, &model, &mut Files::new(), &limits);
        let t3 = Instant::now();
        let list = suggest(&model, &analysis, &library, &Filter::default());
        let t4 = Instant::now();
        let json = render(&list, SuggestFormat::Json);
        let t5 = Instant::now();
        let text = render(&list, SuggestFormat::Text);
        let t6 = Instant::now();
        let open = analysis.open_questions().count();
        counts = (analysis.targets.len(), open, list.len(), json.len());
        std::hint::black_box(text);
        for (i, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5]
            .into_iter()
            .enumerate()
        {
            phases[i].push(d);
        }
    }
    let names = [
        "load+check",
        "analysis",
        "library",
        "match",
        "render json",
        "render text",
    ];
    println!(
        "{} targets, {} open questions, {} suggestions, JSON {} bytes; median of {runs} runs:",
        counts.0, counts.1, counts.2, counts.3
    );
    for (name, v) in names.iter().zip(phases) {
        println!("  {name:12} {:8.1} ms", median(v).as_secs_f64() * 1000.0);
    }
}
