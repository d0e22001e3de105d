#!/usr/bin/env bash
# Scale benchmark of `tmkit check`, `tmkit metrics` and `tmkit matrix` on
# synthetic composed models of N targets (see BENCHMARKS.md).
#
#   scripts/bench.sh                 # N = 100 1000 10000 100000
#   SIZES="1000 10000" scripts/bench.sh
#   BENCH_DIR=/tmp/tmkit-bench RUNS=10 scripts/bench.sh
#   SKIP_BUILD=1 TMKIT=/path/to/tmkit scripts/bench.sh
#
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
# Writes the hyperfine tables to $BENCH_DIR/results/ and prints a summary:
# size of the model, mean wall time per command, peak memory (max RSS).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100 1000 10000 100000"}
BENCH_DIR=${BENCH_DIR:-/tmp/tmkit-bench}
RUNS=${RUNS:-10}

# SKIP_BUILD=1 uses the binaries already in target/release.
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p tmkit
  cargo build --release -q -p tmkit-analysis --example gen_model
fi
BIN=${TMKIT:-$PWD/target/release/tmkit}
GEN=$PWD/target/release/examples/gen_model
mkdir -p "$BENCH_DIR/results"

printf '%-8s %10s %10s %10s %10s %10s %10s %10s\n' N input_KB check_ms metrics_ms matrix_ms check_MB matrix_MB RSS/input
for n in $SIZES; do
  dir=$BENCH_DIR/n$n
  [ -f "$dir/threatmodel.yaml" ] || "$GEN" "$n" "$dir"
  input=$(cat "$dir"/threatmodel.yaml "$dir"/components/*.yaml "$dir"/catalog/*.yaml | wc -c)
  runs=$RUNS
  [ "$n" -ge 100000 ] && runs=$(( RUNS < 3 ? RUNS : 3 ))
  json=$BENCH_DIR/results/n$n.json
  # `check` prints warnings for unanswered boundary crossings: exit code 0.
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" \
    --export-markdown "$BENCH_DIR/results/n$n.md" \
    "$BIN check $dir" "$BIN metrics $dir" "$BIN matrix $dir" >/dev/null 2>&1 \
    || hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" \
         "$BIN check $dir" "$BIN metrics $dir" "$BIN matrix $dir"
  means=$(python3 -c "import json,sys; r=json.load(open('$json'))['results']; print(' '.join('%.1f' % (x['mean']*1000) for x in r))")
  rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
  check_kb=$(rss "$BIN" check "$dir")
  matrix_kb=$(rss "$BIN" matrix "$dir")
  # shellcheck disable=SC2086
  printf '%-8s %10d %10s %10s %10s %10d %10d %10.1f\n' "$n" $((input / 1024)) $means \
    $((check_kb / 1024)) $((matrix_kb / 1024)) "$(python3 -c "print(max($check_kb,$matrix_kb)*1024/$input)")"
done
