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
"$cachet" keygen --out "$work/controller.jwk" >/dev/null
gen_one() {
  local i=$1 method=paper decision=granted
  (( i % 3 == 1 )) && method=phone
  (( i % 4 == 2 )) && decision=not-granted
  local extra=()
  if (( countersign_every > 0 && i % countersign_every == 0 )); then extra=(--key "$work/controller.jwk"); fi
  printf '{"decisions":{"postal":"not-objected","phone":"objected","email":"%s","sms":"not-granted"},"contacts":{"email":"person%d@example.fr","phone":"+3361234%04d","postal":"%d rue des Lilas 75001 Paris"}}' \
    "$decision" "$i" "$((i % 10000))" "$i" |
    "$cachet" issue --config tests/fixtures/configs/societe-x.json --choices - --method "$method" "${extra[@]}"
}
for ((i = 1; i <= count; i++)); do
  gen_one "$i" | tr -d '\n'
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

now() { date +%s.%N; }
best_of() {  # best wall time of $rounds runs of "$@"
  local best=
  for ((r = 0; r < rounds; r++)); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null
    t1=$(now)
    best=$(awk -v a="$best" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN{print (a==""||b<a)?b:a}')
  done
  echo "$best"
}

# --- cachet verify ------------------------------------------------------------
echo "cachet verify ($count receipts, $countersigned countersigned) ..." >&2
t_all=$(best_of "${pin[@]}" "$cachet" verify --format json "$work/receipts.jsonl")
t_one=$(best_of "${pin[@]}" "$cachet" verify --format json "$work/one.jsonl")
cachet_rate=$(awk -v n="$count" -v t="$t_all" 'BEGIN{printf "%.1f", n/t}')
# Startup (process, OpenSSL init) is paid once per run, not per receipt: the
# steady-state rate subtracts the one-receipt run.
cachet_steady=$(awk -v n="$count" -v t="$t_all" -v s="$t_one" 'BEGIN{printf "%.1f", (n-1)/(t-s)}')

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
printf '%-44s %14s\n' "cachet verify (whole run, with startup)" "$cachet_rate"
printf '%-44s %14s\n' "cachet verify (steady state)" "$cachet_steady"
printf '%-44s %14s\n' "openssl speed ed25519 verify/s (raw)" "$openssl_rate"
printf '%-44s %14s\n' "openssl, per receipt (x$signatures/$count sigs)" "$openssl_receipts"
printf '%-44s %14s\n' "jose generalVerify (node $(node --version))" "${jose_rate:-n/a}"
echo
printf '%-44s %14s\n' "cachet / openssl (per receipt)" "$(ratio "$cachet_steady" "$openssl_receipts")"
printf '%-44s %14s\n' "cachet / openssl (raw verify/s)" "$(ratio "$cachet_steady" "$openssl_rate")"
printf '%-44s %14s\n' "cachet / jose" "$(ratio "$cachet_steady" "$jose_rate")"
printf '%-44s %14s\n' "budget: cachet >= 85 % of openssl" "$budget"
