#!/usr/bin/env bash
# Builds the wasm module (build-web-wasm/) and bundles dist/.
# usage: scripts/build-dist.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
build=${CACHET_WASM_BUILD_DIR:-build-web-wasm}
if [[ ! -f $build/build.ninja ]]; then
  emcmake cmake -S . -B "$build" -G Ninja -DCACHET_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target cachet_wasm cachet_wasm_verify -j2
[[ -d node_modules/esbuild ]] || npm ci --no-audit --no-fund
node scripts/build-dist.mjs --wasm "$build/wasm" --out "${1:-dist}"
