//! The parse-only floor of `tmkit check`: reads the same files (the root
//! model, then every component and import it lists, each file once) and
//! parses them to YAML events with `granit-parser`, building nothing.
//! Reading, UTF-8 validation and event parsing are the least any loader of
//! these files must do; `scripts/bench.sh` prints every command's time as a
//! ratio to this one (see BENCHMARKS.md).
//!
//! ```text
//! cargo run --release -p tmkit-syntax --example parse_floor -- PATH [RUNS]
//! ```
//!
//! PATH is a model file or a directory holding `threatmodel.yaml`. One core:
//! the files are parsed one after the other. Prints the files, bytes and
//! events, and the wall time of each of RUNS passes (default 1) and their
//! median.

use granit_parser::{Event, Parser};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_floor PATH [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let mut times = Vec::with_capacity(runs);
    let mut totals = Totals::default();
    for _ in 0..runs {
        let start = Instant::now();
        totals = match floor(Path::new(&path)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("parse_floor: {e}");
                std::process::exit(1);
            }
        };
        times.push(start.elapsed());
    }
    times.sort();
    let shown: Vec<String> = times.iter().map(|t| format!("{:.3}", secs(*t))).collect();
    println!(
        "parse floor: {} files, {} bytes, {} events; wall {} s (median {:.3} s)",
        totals.files,
        totals.bytes,
        totals.events,
        shown.join(" "),
        secs(times[times.len() / 2])
    );
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[derive(Debug, Default)]
struct Totals {
    files: usize,
    bytes: usize,
    events: usize,
}

/// Reads and parses the model at `root` and every file it includes.
fn floor(root: &Path) -> Result<Totals, String> {
    let mut totals = Totals::default();
    let mut seen = HashSet::new();
    let mut pending = vec![model_file(root)];
    while let Some(path) = pending.pop() {
        let canon = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if !seen.insert(canon.clone()) {
            continue;
        }
        let bytes = std::fs::read(&canon).map_err(|e| format!("{}: {e}", canon.display()))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", canon.display()))?;
        let (events, includes) = events(text).map_err(|e| format!("{}: {e}", canon.display()))?;
        totals.files += 1;
        totals.bytes += bytes.len();
        totals.events += events;
        let base = canon.parent().unwrap_or(Path::new("/"));
        pending.extend(includes.iter().rev().map(|rel| model_file(&base.join(rel))));
    }
    Ok(totals)
}

fn model_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("threatmodel.yaml")
    } else {
        path.to_path_buf()
    }
}

/// One open collection while walking the events.
struct Frame {
    map: bool,
    /// In a mapping: the next scalar is a key.
    want_key: bool,
    /// In a mapping: the last key read.
    key: String,
}

/// Counts the events of `text` and collects the paths listed under the
/// top-level `components` and `imports` (`- path: P` or `- P`).
fn events(text: &str) -> Result<(usize, Vec<String>), String> {
    let mut count = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let mut includes = Vec::new();
    for item in Parser::new_from_str(text) {
        let (event, _) = item.map_err(|e| e.to_string())?;
        count += 1;
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                stack.push(Frame {
                    map: matches!(event, Event::MappingStart(..)),
                    want_key: true,
                    key: String::new(),
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                value_done(&mut stack);
            }
            Event::Scalar(value, ..) => {
                if let Some(top) = stack.last_mut().filter(|f| f.map && f.want_key) {
                    top.key = value.into_owned();
                    top.want_key = false;
                    continue;
                }
                if is_include(&stack) {
                    includes.push(value.into_owned());
                }
                value_done(&mut stack);
            }
            Event::Alias(_) => value_done(&mut stack),
            _ => {}
        }
    }
    Ok((count, includes))
}

/// After a value in a mapping, the next scalar is a key again.
fn value_done(stack: &mut [Frame]) {
    if let Some(top) = stack.last_mut().filter(|f| f.map) {
        top.want_key = !top.want_key;
    }
}

/// True when a scalar value read now is the path of an include.
fn is_include(stack: &[Frame]) -> bool {
    let listed = |f: &Frame| f.map && matches!(f.key.as_str(), "components" | "imports");
    match stack {
        [root, list] => listed(root) && !list.map,
        [root, list, item] => listed(root) && !list.map && item.map && item.key == "path",
        _ => false,
    }
}
