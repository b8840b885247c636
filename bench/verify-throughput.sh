#!/usr/bin/env bash
# Benchmark (never a test; it asserts nothing about time): `cachet verify`
# throughput on one core against the raw Ed25519 verify rate of `openssl speed`
# on the same machine, in the same run (DESIGN.md section 5: budget >= 85 %),
# and against the `jose` npm package verifying the same receipts.
#
#   bench/verify-throughput.sh [N]        N receipts (default 2000)
#
# Environment: CACHET_BIN (default build/cli/cachet, built when missing),
# BENCH_ROUNDS (default 3; the best round counts), BENCH_CPU (default 0),
# BENCH_COUNTERSIGN_EVERY (default 0 = none: the budget compares one receipt
# with one Ed25519 verify; 10 makes every tenth receipt countersigned).
# Needs: node_modules (npm ci) for the jose column; taskset when available.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-2000}
countersign_every=${BENCH_COUNTERSIGN_EVERY:-0}
rounds=${BENCH_ROUNDS:-3}
cpu=${BENCH_CPU:-0}
cachet=${CACHET_BIN:-$PWD/build/cli/cachet}
if [[ ! -x $cachet ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j2 --target cachet >/dev/null
fi

pin=()
if command -v taskset >/dev/null && taskset -c "$cpu" true 2>/dev/null; then
  pin=(taskset -c "$cpu")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- N real receipts, as JSON lines ------------------------------------------
# Alternating methods, choices and contacts so that payloads differ like real
# ones; optionally some countersigned (two signatures to verify, as after serve).
echo "generating $count receipts with $cachet ..." >&2
"$cachet" keygen --out "$work/controller.jwk" >/dev/null 2>&1
gen_one() {
  local i=$1 method=paper decision=granted objection=not-objected
  (( i % 3 == 1 )) && method=phone
  (( i % 4 == 2 )) && decision=not-granted
  (( i % 5 == 3 )) && objection=objected  # postal and phone share one box: one decision
  local extra=()
  if (( countersign_every > 0 && i % countersign_every == 0 )); then extra=(--key "$work/controller.jwk"); fi
  printf '{"decisions":{"postal":"%s","phone":"%s","email":"%s","sms":"not-granted"},"contacts":{"email":"person%d@example.fr","phone":"+3361234%04d","postal":"%d rue des Lilas 75001 Paris"}}' \
    "$objection" "$objection" "$decision" "$i" "$((i % 10000))" "$i" |
    "$cachet" issue --config tests/fixtures/configs/societe-x.json --choices - --method "$method" "${extra[@]}" |
    tr -d '\n' >"$work/r/$i.json"
}
export -f gen_one
export cachet work countersign_every
mkdir -p "$work/r"
seq 1 "$count" | xargs -P "${BENCH_GEN_JOBS:-$(nproc)}" -I{} bash -c 'gen_one {}'
for ((i = 1; i <= count; i++)); do
  cat "$work/r/$i.json"
  echo
done >"$work/receipts.jsonl"
head -n 1 "$work/receipts.jsonl" >"$work/one.jsonl"
# Sanity: every receipt verifies (a benchmark of refusals would measure nothing).
"$cachet" verify --format json "$work/receipts.jsonl" >"$work/verdicts.jsonl" || {
  echo "error: some generated receipts do not verify" >&2
  exit 1
}
countersigned=$(grep -c '"countersigned":true' "$work/verdicts.jsonl" || true)
signatures=$((count + countersigned))

# CPU time (user + system) of the best of $rounds runs of "$@". `openssl speed`
# divides by CPU user time too (unless -elapsed), so the columns compare alike
# even when other processes share the core; wall time is printed alongside.
TIMEFORMAT='%3R %3U %3S'
best_of() {
  local best_cpu= best_wall=
  for ((r = 0; r < rounds; r++)); do
    local times
    times=$({ time "$@" >/dev/null; } 2>&1 | tail -n 1)
    read -r wall user sys <<<"$times"
    local cpu
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')
    if [[ -z $best_cpu ]] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN{exit !(a<b)}'; then
      best_cpu=$cpu
      best_wall=$wall
    fi
  done
  echo "$best_cpu $best_wall"
}

# --- cachet verify ------------------------------------------------------------
echo "cachet verify ($count receipts, $countersigned countersigned) ..." >&2
read -r cpu_all wall_all <<<"$(best_of "${pin[@]}" "$cachet" verify --format json "$work/receipts.jsonl")"
read -r cpu_one wall_one <<<"$(best_of "${pin[@]}" "$cachet" verify --format json "$work/one.jsonl")"
rate() { awk -v n="$1" -v t="$2" 'BEGIN{ if (t <= 0) print "n/a"; else printf "%.1f", n/t }'; }
cachet_rate=$(rate "$count" "$cpu_all")
cachet_wall=$(rate "$count" "$wall_all")
# Startup (process, OpenSSL init, config of the CLI) is paid once per run, not
# per receipt: the steady-state rate subtracts the one-receipt run.
cachet_steady=$(awk -v n="$count" -v t="$cpu_all" -v s="$cpu_one" 'BEGIN{ if (t-s <= 0) print "n/a"; else printf "%.1f", (n-1)/(t-s) }')

# --- openssl speed -----------------------------------------------------------
echo "openssl speed -seconds 3 ed25519 ..." >&2
"${pin[@]}" openssl speed -seconds 3 ed25519 >"$work/openssl.txt" 2>/dev/null
# "253 bits EdDSA (Ed25519)   0.0000s   0.0001s  25000.0   8000.0": sign/s, verify/s last.
openssl_rate=$(awk '/Ed25519\)/ && $NF ~ /^[0-9.]+$/ {v=$NF} END{print v}' "$work/openssl.txt")
if [[ -z $openssl_rate ]]; then
  echo "error: could not read the Ed25519 verify rate from openssl speed:" >&2
  cat "$work/openssl.txt" >&2
  exit 1
fi

# --- jose ----------------------------------------------------------------------
jose_rate=
if [[ -d node_modules/jose ]]; then
  echo "jose generalVerify + EmbeddedJWK ..." >&2
  jose_rate=$("${pin[@]}" node bench/verify-jose.mjs "$work/receipts.jsonl" "$rounds" | awk '{print $3}')
else
  echo "node_modules/jose missing (run npm ci): no jose column" >&2
fi

# --- table ---------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b=="" || b==0) print "n/a"; else printf "%.1f %%", 100*a/b }'; }
# A receipt costs one Ed25519 verify per signature: compare like with like.
openssl_receipts=$(awk -v r="$openssl_rate" -v n="$count" -v s="$signatures" 'BEGIN{printf "%.1f", r*n/s}')
# The budget as DESIGN.md states it: against the raw verify rate.
budget=$(awk -v c="$cachet_steady" -v o="$openssl_rate" 'BEGIN{print (c >= 0.85*o) ? "within budget" : "BELOW budget"}')

echo
echo "Receipt verification on one core (${pin[*]:-no taskset}), $count receipts, $signatures signatures, best of $rounds"
printf '%-44s %14s\n' "" "receipts/s"
printf '%-44s %14s\n' "cachet verify (whole run, wall clock)" "$cachet_wall"
printf '%-44s %14s\n' "cachet verify (whole run, CPU time)" "$cachet_rate"
printf '%-44s %14s\n' "cachet verify (steady state, CPU time)" "$cachet_steady"
printf '%-44s %14s\n' "openssl speed ed25519 verify/s (raw, CPU)" "$openssl_rate"
printf '%-44s %14s\n' "openssl, per receipt (x$signatures/$count sigs)" "$openssl_receipts"
printf '%-44s %14s\n' "jose generalVerify (node $(node --version), CPU)" "${jose_rate:-n/a}"
echo
printf '%-44s %14s\n' "cachet / openssl (per receipt)" "$(ratio "$cachet_steady" "$openssl_receipts")"
printf '%-44s %14s\n' "cachet / openssl (raw verify/s)" "$(ratio "$cachet_steady" "$openssl_rate")"
printf '%-44s %14s\n' "cachet / jose" "$(ratio "$cachet_steady" "$jose_rate")"
printf '%-44s %14s\n' "budget: cachet >= 85 % of openssl" "$budget"

# --- every core --------------------------------------------------------------
# Many receipts are verified on every core (`--jobs`, default one thread per
# core). Wall-clock rate on two cores with two threads against the same two
# cores with one thread, best of $rounds (issue 15 budget: at least 1.8 times).
best_wall_of() {
  local best=
  for ((r = 0; r < rounds; r++)); do
    local times
    times=$({ time "$@" >/dev/null; } 2>&1 | tail -n 1)
    read -r wall _ _ <<<"$times"
    if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; fi
  done
  echo "$best"
}
cores=$(nproc)
if ((cores >= 2)); then
  two=()
  if command -v taskset >/dev/null && taskset -c 0,1 true 2>/dev/null; then two=(taskset -c 0,1); fi
  echo "cachet verify --jobs 1 and --jobs 2 on two cores ..." >&2
  wall_j1=$(best_wall_of "${two[@]}" "$cachet" verify --format json --jobs 1 "$work/receipts.jsonl")
  wall_j2=$(best_wall_of "${two[@]}" "$cachet" verify --format json --jobs 2 "$work/receipts.jsonl")
  echo
  echo "Receipt verification on two cores (${two[*]:-no taskset}), wall clock, best of $rounds"
  printf '%-44s %14s\n' "cachet verify --jobs 1" "$(rate "$count" "$wall_j1")"
  printf '%-44s %14s\n' "cachet verify --jobs 2" "$(rate "$count" "$wall_j2")"
  speedup=$(awk -v a="$wall_j1" -v b="$wall_j2" 'BEGIN{ if (b <= 0) print "n/a"; else printf "%.2f", a/b }')
  printf '%-44s %14s\n' "speed-up (budget: at least 1.80)" "$speedup"
else
  echo "(one core: no multi-core figure)"
fi

# --- where the time goes ---------------------------------------------------------
# bench/verify-phases.cpp times each phase of verify_receipt in-process, against
# the libraries of the build the CLI comes from (skipped when they are not there).
build_dir=$(cd "$(dirname "$cachet")/.." && pwd)
if [[ -f $build_dir/core/libcachet_core.a && -f $build_dir/core/libcachet_openssl.a ]] && command -v g++ >/dev/null; then
  echo
  if g++ -O2 -std=c++17 -DJSON_USE_IMPLICIT_CONVERSIONS=0 -I core/include -I "$build_dir/third_party_include" \
    bench/verify-phases.cpp "$build_dir/core/libcachet_openssl.a" "$build_dir/core/libcachet_core.a" -lcrypto \
    -o "$work/verify-phases" 2>"$work/phases-build.log"; then
    head -n 500 "$work/receipts.jsonl" | "${pin[@]}" "$work/verify-phases"
  else
    echo "(phase breakdown skipped: bench/verify-phases.cpp did not build, see below)"
    head -n 5 "$work/phases-build.log"
  fi
fi
