#!/usr/bin/env bash
# Benchmark of `tmkit suggest` (BENCHMARKS.md): a composed model of TARGETS
# targets (gen_model) with ATTACKERS in-scope attackers, then the phases
# (suggest_bench: load+check, analysis, library, matching, rendering) and
# the whole command (hyperfine) in text and JSON.
#
#   scripts/bench_suggest.sh                 # 10000 targets, 3 attackers, 5 runs
#   TARGETS=10000 ATTACKERS=20 RUNS=3 scripts/bench_suggest.sh
set -euo pipefail
TARGETS=${TARGETS:-10000}
ATTACKERS=${ATTACKERS:-3}
RUNS=${RUNS:-5}
DIR=${DIR:-/tmp/tmkit-suggest-bench}
cd "$(dirname "$0")/.."
cargo build --release -q -p tmkit --bin tmkit
cargo build --release -q -p tmkit --example suggest_bench
cargo build --release -q -p tmkit-analysis --example gen_model
TMKIT=$PWD/target/release/tmkit
rm -rf "$DIR" && mkdir -p "$DIR"
target/release/examples/gen_model "$TARGETS" "$DIR/model" "$ATTACKERS" >/dev/null
target/release/examples/suggest_bench "$DIR/model" "$RUNS"
hyperfine -N --warmup 1 --runs "$RUNS" \
  "$TMKIT suggest $DIR/model -o $DIR/out.txt" \
  "$TMKIT suggest $DIR/model -f json -o $DIR/out.json" \
  "$TMKIT check $DIR/model"
ls -l "$DIR/out.txt" "$DIR/out.json"
