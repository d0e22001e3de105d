#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time (docs/fuzzing.md).
#
#   scripts/fuzz.sh                      # 60 s per target
#   scripts/fuzz.sh 180                  # 180 s per target
#   TARGETS="report diagram" scripts/fuzz.sh 30
#   KEEP_GOING=1 scripts/fuzz.sh 120     # do not stop at the first failure
#   SANITIZER=address scripts/fuzz.sh    # default: none (faster)
#
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz --locked).
# Corpora, failing inputs (artifacts) and logs go to $FUZZ_DIR (default
# /tmp/tmkit-fuzz), outside git. One process per target, niced: the machine
# may be shared. Exit status 1 when any target found a failure.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"

PER_TARGET=${1:-60}
FUZZ_DIR=${FUZZ_DIR:-/tmp/tmkit-fuzz}
SANITIZER=${SANITIZER:-none}
TARGETS=${TARGETS:-"check report diagram text export import_otm import_tmyaml"}
SEEDS=(../crates/tmkit/tests/corpus/*.yaml ../crates/tmkit/tests/corpus/*.json ../examples/reference/threatmodel.yaml)

cargo +nightly fuzz build -s "$SANITIZER" || exit 2

failed=()
for t in $TARGETS; do
  corpus=$FUZZ_DIR/corpus/$t
  artifacts=$FUZZ_DIR/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  # Byte-level targets start from the hand-written hostile inputs; the
  # structured ones (user strings) from nothing, guided by the dictionary.
  case $t in
    check) cp -n "${SEEDS[@]}" "$corpus"/ ;;
    import_otm) cp -n ../crates/tmkit-interop/tests/fixtures/otm/* "$corpus"/ ;;
    import_tmyaml) find ../crates/tmkit-interop/tests/fixtures/tmyaml -name '*.yaml' \
      -exec sh -c 'cp -n "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$corpus" \; ;;
  esac
  if [ -n "${KEEP_GOING:-}" ]; then
    mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  else
    mode=(-jobs=1 -workers=1)
  fi
  log=$FUZZ_DIR/$t.log
  echo "== $t: ${PER_TARGET}s, corpus $corpus, log $log"
  rm -f fuzz-*.log
  touch "$FUZZ_DIR/.start"
  nice -n 10 cargo +nightly fuzz run -s "$SANITIZER" "$t" "$corpus" -- \
    "${mode[@]}" -max_total_time="$PER_TARGET" -rss_limit_mb=512 -timeout=10 \
    -max_len=65536 -dict=tmkit.dict -artifact_prefix="$artifacts/" \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log
  # The last progress line (`#N: ...` in fork mode, `#N DONE ...` otherwise).
  runs=$(grep -ao '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  found=$(find "$artifacts" -type f -newer "$FUZZ_DIR/.start" | wc -l)
  echo "   exit $status, executions ${runs:-?}, corpus $(find "$corpus" -type f | wc -l) inputs, artifacts $found"
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed+=("$t")
    grep -m1 -A3 "panicked at\|ERROR: libFuzzer" "$log" | sed 's/^/   /'
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "failures in: ${failed[*]} (inputs in $FUZZ_DIR/artifacts/)"
  exit 1
fi
echo "no failure"
