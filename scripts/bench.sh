#!/usr/bin/env bash
# Scale benchmark: `tmkit check`, `metrics`, `report` (md, html, json; pdf with
# COMMANDS=report-pdf) and
# `diagram --format svg` on synthetic models, each beside the parse-only floor
# (the same files parsed to YAML events, `parse_floor` example). See
# BENCHMARKS.md.
#
#   scripts/bench.sh                          # N = 10000 100000, every shape
#   SIZES="1000 10000" SHAPES=composed RUNS=10 scripts/bench.sh
#   BENCH_DIR=/tmp/tmkit-bench scripts/bench.sh
#   SKIP_BUILD=1 TMKIT=/path/to/tmkit scripts/bench.sh
#   COMMANDS="check metrics" scripts/bench.sh  # a subset of the commands
#
# Shapes (gen_model --shape): composed (root + components side by side),
# one-file (everything in the root file), long-text (a 1 KB description on
# every element; 10,000 targets only: 100,000 would pass the 64 MB project
# limit), deep (components nested in chains of 10).
#
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
# Prints one Markdown row per command: median wall time of hyperfine's runs,
# its ratio to the floor, peak memory (max RSS, one run under GNU time) and
# that memory as a multiple of the model's bytes; then the growth of each
# command from one size to the next. Hyperfine's own tables go to
# $BENCH_DIR/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000"}
SHAPES=${SHAPES:-"composed one-file long-text deep"}
COMMANDS=${COMMANDS:-"check metrics report-md report-html report-json diagram-svg"}
BENCH_DIR=${BENCH_DIR:-/tmp/tmkit-bench}
RUNS=${RUNS:-5}

if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p tmkit
  cargo build --release -q -p tmkit-analysis --example gen_model
  cargo build --release -q -p tmkit-syntax --example parse_floor
fi
BIN=${TMKIT:-$PWD/target/release/tmkit}
GEN=$PWD/target/release/examples/gen_model
FLOOR=$PWD/target/release/examples/parse_floor
mkdir -p "$BENCH_DIR/results"
RESULTS=$BENCH_DIR/results/summary.tsv
: >"$RESULTS"

# The tmkit arguments of a command name.
args_of() {
  case $1 in
    check | metrics) echo "$1" ;;
    report-*) echo "report --format ${1#report-}" ;;
    diagram-*) echo "diagram --format ${1#diagram-}" ;;
  esac
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| shape | N | input | command | median | x floor | peak RSS | RSS / input |"
echo "|---|---:|---:|---|---:|---:|---:|---:|"
for shape in $SHAPES; do
  for n in $SIZES; do
    [ "$shape" = long-text ] && [ "$n" -gt 10000 ] && continue
    dir=$BENCH_DIR/$shape-$n
    [ -f "$dir/threatmodel.yaml" ] || "$GEN" "$n" "$dir" --shape "$shape"
    # One file of 100,000 targets passes the per-file limits: raise them.
    limits=""
    [ "$shape" = one-file ] && limits="--limit file-bytes=100000000 --limit nodes=100000000"
    input=$(find "$dir" -name '*.yaml' -exec cat {} + | wc -c)
    cmds=("$FLOOR $dir")
    for c in $COMMANDS; do cmds+=("$BIN $(args_of "$c") $limits $dir"); done
    json=$BENCH_DIR/results/$shape-$n.json
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$json" \
      --export-markdown "$BENCH_DIR/results/$shape-$n.md" "${cmds[@]}" >/dev/null
    i=0
    for cmd in "${cmds[@]}"; do
      # shellcheck disable=SC2086
      kb=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1)
      name=floor
      [ $i -gt 0 ] && name=$(echo $COMMANDS | cut -d' ' -f$i)
      python3 - "$json" "$i" "$shape" "$n" "$input" "$name" "$kb" >>"$RESULTS" <<'EOF'
import json, sys
path, i, shape, n, size, name, kb = sys.argv[1:]
r = json.load(open(path))["results"]
median, floor = r[int(i)]["median"], r[0]["median"]
print("\t".join([shape, n, size, name, "%.4f" % median, "%.2f" % (median / floor), kb]))
EOF
      i=$((i + 1))
    done
  done
done

python3 - "$RESULTS" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def t(s): return "%.0f ms" % (s * 1000) if s < 1 else "%.2f s" % s
for shape, n, size, name, med, ratio, kb in rows:
    size, med, kb = int(size), float(med), int(kb)
    print(f"| {shape} | {int(n):,} | {size / 2**20:.1f} MiB | {name} | {t(med)} | {ratio} | {kb // 1024} MB | {kb * 1024 / size:.1f}x |")
print()
print("Growth from one size to the next (goal: at most 11x per 10x of the model):")
by = {(r[0], r[3], int(r[1])): r for r in rows}
for (shape, name, n), r in sorted(by.items()):
    bigger = [m for (s, c, m) in by if s == shape and c == name and m > n]
    if bigger:
        m = min(bigger)
        b = by[(shape, name, m)]
        print(f"- {shape} {name} {n:,} -> {m:,}: time x{float(b[4]) / float(r[4]):.1f}, memory x{int(b[6]) / int(r[6]):.1f}")
EOF
