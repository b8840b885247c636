#!/usr/bin/env bash
# Regenerates the seed corpora under fuzz/corpus/ from real inputs: configs and
# JCS fixtures from tests/fixtures, receipts issued and countersigned by the
# `cachet` CLI. Run it when the receipt format changes; commit the result.
#   fuzz/make-seeds.sh [path/to/cachet]
# The controller key in fuzz/seeds/controller-key.json is a throwaway test key
# whose public half fuzz_receipt_verify.cpp trusts, so the fuzzer reaches the
# "trusted countersignature" path. It protects nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cachet=${1:-build/cli/cachet}
key=fuzz/seeds/controller-key.json
out=fuzz/corpus

# --- fuzz_config_lint: real configs and a spread of lint fixtures -------------
rm -f "$out"/fuzz_config_lint/*
cp tests/fixtures/configs/*.json "$out"/fuzz_config_lint/
for name in valid-minimal five-mistakes-at-once wrong-types-everywhere hostile-partner-name deep-nesting \
  duplicate-json-key texts-unknown-box theme-css-injection transmission-only combine-objection-off \
  url-with-userinfo localized-text-unsupported-locale partner-channel-not-configured; do
  cp "tests/fixtures/lint/$name.json" "$out/fuzz_config_lint/lint-$name.json"
done

# --- fuzz_canonical_json: the JCS fixtures and a receipt payload --------------
rm -f "$out"/fuzz_canonical_json/*
cp tests/fixtures/jcs/input/*.json "$out"/fuzz_canonical_json/

# --- fuzz_receipt_verify: receipts as the CLI makes them -----------------------
rm -f "$out"/fuzz_receipt_verify/*
config=tests/fixtures/configs/societe-x.json
issue() {  # name method choices [extra args]
  local name=$1 method=$2 choices=$3
  shift 3
  printf '%s' "$choices" | "$cachet" issue --config "$config" --choices - --method "$method" \
    --at 2026-11-30T10:00:00Z "$@" --out "$out/fuzz_receipt_verify/$name.json" >/dev/null
}
issue paper-email-granted paper '{"decisions":{"email":"granted"},"contacts":{"email":"a@b.example"}}'
issue phone-all-channels phone \
  '{"decisions":{"postal":"objected","phone":"not-objected","email":"not-granted","sms":"granted"},"contacts":{"phone":"+33612345678","mobile":"+33698765432","postal":"1 rue des Lilas 75001 Paris"}}'
issue web-form-countersigned web-form '{"decisions":{"email":"granted","postal":"objected"},"contacts":{"email":"c@d.example"}}' \
  --page-url https://x.example/inscription --key "$key"
issue withdrawal preference-centre '{"decisions":{"email":"withdrawn"}}' \
  --supersedes "$out/fuzz_receipt_verify/paper-email-granted.json" --key "$key"
# The flattened serialisation of a one-signature receipt (RFC 7515 section 7.2.2).
node -e '
  const fs = require("fs");
  const jws = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const s = jws.signatures[0];
  fs.writeFileSync(process.argv[2], JSON.stringify({payload: jws.payload, protected: s.protected, signature: s.signature}));
' "$out/fuzz_receipt_verify/paper-email-granted.json" "$out/fuzz_receipt_verify/paper-email-granted-flattened.json"
cp tests/fixtures/jws/*.json "$out"/fuzz_receipt_verify/
# Payload-mode seeds (byte 0x01, then the payload: fuzz_receipt_verify.cpp signs it).
for name in paper-email-granted phone-all-channels withdrawal; do
  node -e '
    const fs = require("fs");
    const jws = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    fs.writeFileSync(process.argv[2], Buffer.concat([Buffer.from([1]), Buffer.from(jws.payload, "base64url")]));
  ' "$out/fuzz_receipt_verify/$name.json" "$out/fuzz_receipt_verify/payload-$name.bin"
done
# One decoded payload for the canonicaliser too.
node -e '
  const fs = require("fs");
  const jws = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(process.argv[2], Buffer.from(jws.payload, "base64url"));
' "$out/fuzz_receipt_verify/phone-all-channels.json" "$out/fuzz_canonical_json/receipt-payload.json"

du -sh "$out"/*
