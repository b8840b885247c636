#!/usr/bin/env bash
# Runs every benchmark, one after the other, and writes bench/RESULTS.md: one
# markdown table of every figure, with the date, the machine and the commit,
# then each benchmark's own output. Benchmarks print figures; nothing here
# asserts a time (DESIGN.md section 5 budgets are printed beside them).
#
#   bench/run-all.sh
#
# Environment (defaults in brackets):
#   BENCH_BUILD_DIR     native build directory [build-xp]; configured and built here
#   BENCH_EXPORT_ROWS   contacts for bench/export-throughput.sh [50000]
#                       (1000000 for the DESIGN.md budget: ~10 min to generate once)
#                       (also the ledger bench/chain-check-jobs.sh checks with 1 and 2 threads)
#   BENCH_INGEST        receipts posted by bench/serve-ingest.mjs [1000], with
#                       group commit off, then on
#   BENCH_INGEST_CONCURRENCY  concurrent loopback clients [16]; the same
#                       figures for bench/pg-ingest.sh (two servers on a
#                       throwaway PostgreSQL beside one on SQLite)
#   BENCH_VERIFY        receipts for bench/verify-throughput.sh [2000]
#   BENCH_LOADS         page loads for bench/widget-size-and-startup.mjs [30]
# A benchmark that cannot run here (no Chromium, no node_modules) is recorded
# as such in RESULTS.md; the others still run. Exit status: 0 when every
# benchmark ran.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BENCH_BUILD_DIR:-build-xp}
export_rows=${BENCH_EXPORT_ROWS:-50000}
ingest=${BENCH_INGEST:-1000}
ingest_concurrency=${BENCH_INGEST_CONCURRENCY:-16}
verify=${BENCH_VERIFY:-2000}
loads=${BENCH_LOADS:-30}

echo "== building $build (Release)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 2
cmake --build "$build" -j2 --target cachet export_throughput >/dev/null || exit 2
export CACHET_BIN=$PWD/$build/cli/cachet

BENCH_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export BENCH_DATE
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=0

# bench NAME COMMAND...: runs it, output to the terminal and to $logs/NAME.log.
bench() {
  local name=$1; shift
  echo
  echo "== $name: $*"
  local start end
  start=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  end=$(date +%s)
  echo "$status $((end - start))" >"$logs/$name.status"
  if [[ $status -ne 0 ]]; then
    echo "== $name exited $status" >&2
    failed=1
  fi
}

bench widget node bench/widget-size-and-startup.mjs "$loads"
bench verify bench/verify-throughput.sh "$verify"
bench export bench/export-throughput.sh "$export_rows" "$build"
bench ingest node bench/serve-ingest.mjs "$ingest" "$ingest_concurrency"
bench ingest-pg bench/pg-ingest.sh "$ingest" "$ingest_concurrency"
# The export's ledger (same CACHET_BENCH_DIR default) is reused.
bench chainjobs bench/chain-check-jobs.sh "$export_rows" "$build"

node bench/results-md.mjs "$logs" >bench/RESULTS.md.tmp && mv bench/RESULTS.md.tmp bench/RESULTS.md
echo
echo "== wrote bench/RESULTS.md"
exit $failed
