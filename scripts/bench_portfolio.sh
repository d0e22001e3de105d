#!/usr/bin/env bash
# Portfolio benchmark: `tmkit portfolio` over N JSON reports (issue 12:
# 1,000 reports aggregated in under 5 s). See BENCHMARKS.md.
#
#   scripts/bench_portfolio.sh                    # N = 1000 reports of 200-target models
#   N=2000 TARGETS=1000 RUNS=3 scripts/bench_portfolio.sh
#   SKIP_BUILD=1 TMKIT=/path/to/tmkit scripts/bench_portfolio.sh
#
# One synthetic model (gen_model, TARGETS targets, composed) is reported as
# JSON once; the report is copied N times with a distinct root id each
# (every qualified id renamed, so each report is a different model with its
# own page). Then hyperfine times `tmkit portfolio DIR/*.json -o SITE`
# (RUNS runs, median) and GNU time its peak memory. Needs hyperfine and
# /usr/bin/time, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
TARGETS=${TARGETS:-200}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/tmkit-bench-portfolio}

if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p tmkit
  cargo build --release -q -p tmkit-analysis --example gen_model
fi
BIN=${TMKIT:-$PWD/target/release/tmkit}
GEN=$PWD/target/release/examples/gen_model

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/reports"
"$GEN" "$TARGETS" "$BENCH_DIR/model" >/dev/null
"$BIN" report "$BENCH_DIR/model" --format json --date 2026-12-05 -o "$BENCH_DIR/base.json"
python3 - "$BENCH_DIR" "$N" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
text = open(f"{d}/base.json").read()
root = json.loads(text)["root"]
for i in range(n):
    new = f"{root}{i:05d}"
    out = text.replace(f'"{root}.', f'"{new}.').replace(f'"{root}"', f'"{new}"')
    open(f"{d}/reports/r{i:05d}.json", "w").write(out)
PY
size=$(du -sh "$BENCH_DIR/reports" | cut -f1)
one=$(stat -c %s "$BENCH_DIR/base.json")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$N reports of a $TARGETS-target model: $one bytes each, $size in all"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$BENCH_DIR/hyperfine.md" \
  "$BIN portfolio $BENCH_DIR/reports/*.json -o $BENCH_DIR/site"
/usr/bin/time -f "peak RSS: %M KiB, wall %e s" \
  "$BIN" portfolio "$BENCH_DIR"/reports/*.json -o "$BENCH_DIR/site"
echo "site: $(du -sh "$BENCH_DIR/site" | cut -f1), $(ls "$BENCH_DIR/site/models" | wc -l) pages"
