#!/usr/bin/env bash
# The widget's tests: builds the wasm module and a fresh dist/ copy, checks the
# committed dist/ against it, then runs the Node tests (tests/js), the
# Chromium tests (tests/browser) and the package and examples tests
# (tests/package). Exits non-zero on any failure.
# Env: CACHET_BIN (native CLI for the receipt check), CHROMIUM_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules/playwright-core && -d node_modules/esbuild ]] || npm ci --no-audit --no-fund
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
scripts/build-dist.sh "$fresh"
status=0
CACHET_FRESH_DIST=$fresh node --test tests/js/ || status=1
node --test --test-concurrency=1 tests/browser/ || status=1
# The npm package (npm pack, tsc, esbuild, one Vite build) and examples/ (with
# the real `cachet serve` when CACHET_BIN or build/cli/cachet exists).
node --test tests/package/ || status=1
exit $status
