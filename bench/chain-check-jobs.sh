#!/usr/bin/env bash
# The chain check on every core (issue 15; docs/export.md, "How it runs").
# Not a test: it prints figures and asserts nothing.
#
#   bench/chain-check-jobs.sh [N] [BUILD_DIR]     N defaults to 100000
#
# Reuses (or generates, as bench/export-throughput.sh does, in the same
# CACHET_BENCH_DIR, default /tmp/cachet-export-bench-N) a ledger of N contacts
# with real receipts, then, in one run:
# 1. `cachet ledger verify` (everything: entries, receipts, records) with
#    --jobs 1 on one core and --jobs 2 on two cores, alternated, best of two
#    each: the ratio of the two rates (budget: at least 1.8);
# 2. `cachet export` with the full chain check, --jobs 1 on one core and
#    --jobs 2 on two cores: whole run and the chain+index phase, and the
#    ratio of the chain+index phases;
# 3. the two-core export scaled to one million contacts when N is smaller
#    (linear: every phase is one pass; labelled as extrapolated), against the
#    budget of 8 s;
# 4. `cachet export --from-signed-head` on two cores, from a head signed on
#    the ledger's last entry (`cachet ledger head --key`): nothing to rehash,
#    the records read as stored.
# Each export runs on a fresh copy of the ledger (an export records its
# transfers in it). On a ledger without transfers, each such export is a
# first export: it records a row per person and partner (and what each partner
# holds), which later exports do not (ledger schema 9: only rows that change
# what a partner holds; docs/performance.md, "Recording transfers").
# Prints a table, then a `RESULT {json}` line for bench/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
build="${2:-build-xp}"
work="$(realpath -m "${CACHET_BENCH_DIR:-/tmp/cachet-export-bench-$n}")"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target cachet export_throughput >/dev/null
cachet="$build/cli/cachet"

if [ ! -f "$work/contacts.csv" ]; then
  rm -rf "$work" && mkdir -p "$work"
  echo "generating $n contacts with receipts in $work ..."
  "$build/export/export_throughput" "$work" "$n" tests/fixtures/configs/societe-x.json
else
  echo "reusing $work (delete it to regenerate)"
fi
receipts=$(sqlite3 "$work/ledger.db" 'SELECT count(*) FROM receipts' 2>/dev/null || echo "?")
entries=$(sqlite3 "$work/ledger.db" 'SELECT max(seq) FROM log' 2>/dev/null || echo "?")

one=() two=()
if command -v taskset >/dev/null && taskset -c 0,1 true 2>/dev/null; then one=(taskset -c 0) two=(taskset -c 0,1); fi
now() { date +%s.%N; }
secs_of() { echo "$(now) - $1" | bc -l | xargs printf '%.3f'; }

# Warm the page cache so that both sides read from memory.
cat "$work/ledger.db" "$work/ledger.db-wal" >/dev/null 2>&1 || true

verify() {  # verify JOBS PIN...: seconds of one `ledger verify`
  local jobs=$1; shift
  local t0; t0=$(now)
  "$@" "$cachet" ledger verify --db "$work/ledger.db" --jobs "$jobs" >/dev/null
  secs_of "$t0"
}
# Alternated, best of two each: the first run after generating (or after
# another process) reads a cold cache, and a shared machine's load comes and goes.
best() { if (($(echo "$1 < $2" | bc -l))); then echo "$1"; else echo "$2"; fi; }
verify1=$(verify 1 "${one[@]}")
verify2=$(verify 2 "${two[@]}")
verify1=$(best "$verify1" "$(verify 1 "${one[@]}")")
verify2=$(best "$verify2" "$(verify 2 "${two[@]}")")

# Every export records its transfers in the ledger (and reads the previous
# ones for the changes files), so each export runs on a fresh copy of the
# same ledger: the runs compare the same work. A head is signed into the copy
# first, for --from-signed-head.
cp "$work/ledger.db" "$work/pristine.db"
"$cachet" ledger head --db "$work/pristine.db" --key "$work/controller.jwk" >/dev/null
export_run() {  # export_run JOBS EXTRA_ARGS PIN...: "seconds chainSeconds"
  local jobs=$1 extra=$2; shift 2
  rm -rf "$work/out" "$work/copy.db"*
  cp "$work/pristine.db" "$work/copy.db"
  cat "$work/copy.db" >/dev/null
  local t0 secs chain; t0=$(now)
  # shellcheck disable=SC2086
  "$@" "$cachet" export --contacts "$work/contacts.csv" --db "$work/copy.db" --config "$work/consent.json" \
    --key "$work/controller.jwk" --out "$work/out" --at 2026-11-30T10:00:00Z --timings --no-receipts \
    --jobs "$jobs" $extra >/dev/null 2>"$work/export.err" || { cat "$work/export.err" >&2; exit 1; }
  secs=$(secs_of "$t0")
  chain=$(sed -n 's/^timings: //p' "$work/export.err" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).verifyChainSeconds.toFixed(3)))')
  echo "$secs $chain"
}
read -r export1 chain1 <<<"$(export_run 1 "" "${one[@]}")"
read -r export2 chain2 <<<"$(export_run 2 "" "${two[@]}")"
read -r head2 headchain2 <<<"$(export_run 2 --from-signed-head "${two[@]}")"
checked=$(node -e 'const c=require(process.argv[1]).trust.chain.checked;console.log(`${c.from}, entries ${c.firstEntry}..${c.lastEntry}`)' "$work/out/report.json")

ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
scale() { echo "$1 * 1000000 / $n" | bc -l | xargs printf '%.1f'; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "chain check on every core: $n contacts, $receipts receipts, $entries log entries; $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average $load"
printf '%-58s %8s s\n' "cachet ledger verify --jobs 1, 1 core" "$verify1"
printf '%-58s %8s s   (rate x%s of one core; budget >= 1.8)\n' "cachet ledger verify --jobs 2, 2 cores" "$verify2" "$(ratio "$verify1" "$verify2")"
printf '%-58s %8s s   (chain+index %s s)\n' "cachet export, full check, --jobs 1, 1 core" "$export1" "$chain1"
printf '%-58s %8s s   (chain+index %s s: x%s of one core)\n' "cachet export, full check, --jobs 2, 2 cores" "$export2" "$chain2" "$(ratio "$chain1" "$chain2")"
if [ "$n" -ne 1000000 ]; then
  printf '%-58s %8s s   (EXTRAPOLATED linearly from %s contacts; budget <= 8 s)\n' "  -> one million contacts, 2 cores, full check" "$(scale "$export2")" "$n"
  printf '%-58s %8s s   (EXTRAPOLATED linearly from %s contacts)\n' "  -> of which the chain check and index, one million" "$(scale "$chain2")" "$n"
fi
printf '%-58s %8s s   (chain %s s; %s)\n' "cachet export --from-signed-head, 2 cores" "$head2" "$headchain2" "$checked"
echo "RESULT {\"n\": $n, \"receipts\": \"$receipts\", \"entries\": \"$entries\", \"load\": \"$load\", \"verifyJobs1\": $verify1, \"verifyJobs2\": $verify2, \"verifyRatio\": $(ratio "$verify1" "$verify2"), \"exportJobs1\": $export1, \"exportJobs2\": $export2, \"chainJobs1\": $chain1, \"chainJobs2\": $chain2, \"chainRatio\": $(ratio "$chain1" "$chain2"), \"export1MTwoCores\": $(scale "$export2"), \"chain1MTwoCores\": $(scale "$chain2"), \"extrapolated\": $([ "$n" -ne 1000000 ] && echo true || echo false), \"fromSignedHead\": $head2}"
rm -f "$work/copy.db"* "$work/pristine.db"
