#!/usr/bin/env bash
# Export throughput (DESIGN.md section 5: one million contacts in a few
# seconds on one core). Not a test: it prints figures and asserts nothing.
#
#   bench/export-throughput.sh [N] [BUILD_DIR]     N defaults to 200000
#
# One million, as measured for docs/export.md (about 10 minutes to generate on
# 2 cores, 6 GB of ledger; generated once, then reused):
#   bench/export-throughput.sh 1000000
#
# 1. generates N contacts, each with its own receipt issued by the real core
#    (fresh collector key, Ed25519 signature, salted digests, controller
#    countersignature; one person in 20 also updated their choices, a second
#    receipt), signed on every core and appended through the ledger
#    (ConsentStore::append_many, one transaction per 4096 receipts), in
#    CACHET_BENCH_DIR (default /tmp/cachet-export-bench-N; reused when present);
# 2. times `cachet ledger verify` (the hash chain over every stored receipt);
# 3. times `cachet export` on one core (taskset when available): the default
#    path (one pass over the log and the compact records: hash chain verified
#    and state index built together, then the contact file), with its phase
#    timings, index size and peak RSS (getrusage ru_maxrss);
# 4. times `cachet export --reverify` (every signature re-verified, all cores)
#    on the first BENCH_REVERIFY_ROWS rows (default 5000).
# Prints a table, then `RESULT {json}` lines for bench/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200000}"
build="${2:-build-xp}"
sample="${BENCH_REVERIFY_ROWS:-5000}"
work="${CACHET_BENCH_DIR:-/tmp/cachet-export-bench-$n}"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target cachet export_throughput >/dev/null
cachet="$build/cli/cachet"

if [ ! -f "$work/contacts.csv" ]; then
  rm -rf "$work" && mkdir -p "$work"
  echo "generating $n contacts with receipts in $work ..."
  t0=$(date +%s.%N)
  "$build/export/export_throughput" "$work" "$n" tests/fixtures/configs/societe-x.json
  echo "generation took $(echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.0f') s"
else
  echo "reusing $work (delete it to regenerate)"
fi
ledger_bytes=$(( $(stat -c %s "$work/ledger.db") + $(stat -c %s "$work/ledger.db-wal" 2>/dev/null || echo 0) ))
receipts=$(sqlite3 "$work/ledger.db" 'SELECT count(*) FROM receipts' 2>/dev/null || echo "?")
echo "contacts: $(du -h "$work/contacts.csv" | cut -f1), ledger: $(numfmt --to=iec "$ledger_bytes") ($receipts receipts)"

pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then pin=(taskset -c 0); fi

now() { date +%s.%N; }

# verify_chain alone (the CLI's `ledger verify`).
t0=$(now)
"${pin[@]}" "$cachet" ledger verify --db "$work/ledger.db" >/dev/null
verify_s=$(echo "$(now) - $t0" | bc -l)

# The budget (DESIGN.md 5) is for the partner files themselves: --no-receipts
# leaves out the per-row receipts partners verify with (docs/export.md).
# run LABEL ROWS CONTACTS [EXPORT ARGS...]: one export (prefixed by the
# `prefix` array, e.g. taskset), prints a line, sets `last_json`.
prefix=()
run() {
  local label="$1" rows="$2" contacts="$3"; shift 3
  rm -rf "$work/out"
  local t0 t1 secs timings
  t0=$(now)
  "${prefix[@]}" "$cachet" export --contacts "$contacts" --db "$work/ledger.db" --config "$work/consent.json" \
    --key "$work/controller.jwk" --out "$work/out" --at 2026-11-30T10:00:00Z --timings --no-receipts "$@" \
    >/dev/null 2>"$work/export.err" || { cat "$work/export.err" >&2; exit 1; }
  t1=$(now)
  secs=$(echo "$t1 - $t0" | bc -l)
  timings=$(sed -n 's/^timings: //p' "$work/export.err")
  last_json=$(node -e '
    const [label, rows, secs, t] = process.argv.slice(1);
    const x = JSON.parse(t);
    const out = {label, rows: Number(rows), seconds: Number(Number(secs).toFixed(3)),
      rowsPerSecond: Math.round(Number(rows) / Number(secs)),
      rowPhasePerSecond: Math.round(Number(rows) / x.rowsSeconds), peakRssMiB: Number((x.peakRssKiB / 1024).toFixed(1)),
      verifyChainSeconds: x.verifyChainSeconds, indexSeconds: x.indexSeconds ?? null, rowsSeconds: x.rowsSeconds,
      indexPeople: x.indexPeople ?? null, indexBytesPerPerson: x.indexBytes ? Math.round(x.indexBytes / x.indexPeople) : null};
    console.log(JSON.stringify(out));' "$label" "$rows" "$secs" "$timings")
  node -e '
    const x = JSON.parse(process.argv[1]);
    const f = (v, d = 2) => (v == null ? "-" : Number(v).toFixed(d));
    console.log(`${x.label.padEnd(44)} ${String(x.rows).padStart(8)} rows ${f(x.seconds).padStart(7)} s ` +
      `${String(x.rowsPerSecond).padStart(8)} rows/s (row phase ${x.rowPhasePerSecond}/s)  peak RSS ${f(x.peakRssMiB, 1)} MiB  ` +
      `[${x.indexSeconds == null ? "chain" : "chain+index"} ${f(x.verifyChainSeconds)} s` +
      (x.indexSeconds == null ? "" : ` (index finish ${f(x.indexSeconds)} s)`) + `, rows ${f(x.rowsSeconds)} s` +
      (x.indexBytesPerPerson ? `, index ${x.indexBytesPerPerson} B/person]` : "]"));' "$last_json"
}

echo
echo "cachet export, $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1):"
prefix=("${pin[@]}")
run "default (chain over compact records), 1 core" "$n" "$work/contacts.csv"
default_json=$last_json
head -n $((sample + 1)) "$work/contacts.csv" >"$work/sample.csv"
prefix=()
run "with --reverify (all signatures), all cores" "$sample" "$work/sample.csv" --reverify
reverify_json=$last_json
printf '%-44s %8s receipts %7.2f s\n' "cachet ledger verify (everything), 1 core" "$receipts" "$verify_s"
echo
echo "openssl speed, Ed25519 (each stored receipt has 2 signatures to re-verify with --reverify):"
openssl speed -seconds 2 ed25519 2>/dev/null | tail -1

echo "RESULT {\"n\": $n, \"receipts\": \"$receipts\", \"ledgerBytes\": $ledger_bytes, \"verifyChainSeconds\": $(printf '%.3f' "$verify_s"), \"default\": $default_json, \"reverify\": $reverify_json}"
