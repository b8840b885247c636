#!/usr/bin/env bash
# Export throughput (DESIGN.md section 5: one million contacts in a few
# seconds on one core). Not a test: it prints figures and asserts nothing.
#
#   bench/export-throughput.sh [N] [BUILD_DIR]       (N defaults to 100000)
#
# 1. generates N contacts, each with its own receipt issued by the real core
#    (fresh collector key, Ed25519 signature, salted digests) and countersigned
#    by a controller key, appended to a real SQLite ledger (ConsentStore);
#    the ledger lives in /dev/shm so the generator's one-fsync-per-receipt
#    appends do not dominate (the export only reads it);
# 2. runs `cachet export` on it: full signature re-verification on 1 thread and
#    on all cores, then without signature checks (to show where time goes);
#    each run under /usr/bin/time -v for peak memory (max RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
build="${2:-build-exp}"
work="${CACHET_BENCH_DIR:-/dev/shm/cachet-export-bench-$n}"

cmake -S . -B "$build" -G Ninja -DCACHET_BUILD_TESTS=OFF -DCACHET_EXPORT_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target cachet export_throughput >/dev/null

if [ ! -f "$work/contacts.csv" ]; then
  rm -rf "$work" && mkdir -p "$work"
  echo "generating $n contacts with receipts in $work ..."
  "$build/export/export_throughput" "$work" "$n" tests/fixtures/configs/societe-x.json
else
  echo "reusing $work (delete it to regenerate)"
fi
echo "contacts: $(du -h "$work/contacts.csv" | cut -f1), ledger: $(du -h "$work/ledger.db" | cut -f1)"

run() {
  local label="$1"; shift
  rm -rf "$work/out"
  local log="$work/time.log"
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v "$build/cli/cachet" export --contacts "$work/contacts.csv" --db "$work/ledger.db" \
    --config "$work/consent.json" --out "$work/out" --at 2026-11-30T10:00:00Z "$@" >/dev/null 2>"$log"
  t1=$(date +%s.%N)
  local rss secs
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$log")
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-44s %8.2f s  %10.0f rows/s  peak RSS %6.1f MiB\n' "$label" "$secs" "$(echo "$n / $secs" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)"
}

echo
echo "cachet export, $n contact rows, $(nproc) cores:"
run "verify signatures, 1 thread (--jobs 1)" --jobs 1
run "verify signatures, all cores" --jobs 0
run "no signature checks (--no-verify-signatures)" --no-verify-signatures --jobs 1
echo
echo "openssl speed, Ed25519 (each stored receipt has 2 signatures to verify):"
openssl speed -seconds 2 ed25519 2>/dev/null | tail -1
