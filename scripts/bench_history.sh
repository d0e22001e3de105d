#!/usr/bin/env bash
# Benchmark of `tmkit history` (BENCHMARKS.md): a 1,000-target composed model
# (gen_model) committed, then COMMITS commits each changing one of its files
# (a comment line appended, in turn to the root, a component or the
# catalogue), then `tmkit history -f json` timed over the whole chain.
#
#   scripts/bench_history.sh            # 1000 targets, 500 commits, 3 runs
#   TARGETS=1000 COMMITS=500 RUNS=3 DIR=/tmp/tmkit-history scripts/bench_history.sh
set -euo pipefail
TARGETS=${TARGETS:-1000}
COMMITS=${COMMITS:-500}
RUNS=${RUNS:-3}
DIR=${DIR:-/tmp/tmkit-history-bench}
cd "$(dirname "$0")/.."
cargo build --release -q -p tmkit --bin tmkit
cargo build --release -q -p tmkit-analysis --example gen_model
TMKIT=$PWD/target/release/tmkit
rm -rf "$DIR" && mkdir -p "$DIR"
target/release/examples/gen_model "$TARGETS" "$DIR"
cd "$DIR"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
git init -q -b main
git add -A && git commit -q -m "model"
mapfile -t FILES < <(git ls-files '*.yaml' | sort)
for ((i = 1; i < COMMITS; i++)); do
  f=${FILES[$((i % ${#FILES[@]}))]}
  echo "# change $i" >> "$f"
  git commit -q -am "change $i"
done
echo "$(git rev-list --count HEAD) commits, ${#FILES[@]} model files, $TARGETS targets"
"$TMKIT" history -f json > /dev/null  # warm the page cache
for ((r = 1; r <= RUNS; r++)); do
  /usr/bin/time -f "run $r: %e s wall, %M KiB peak" "$TMKIT" history -f json > history.json
done
echo "rows: $(grep -c '"commit"' history.json)"
