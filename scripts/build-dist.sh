#!/usr/bin/env bash
# Builds the wasm modules in build-wasm/ (the wasm preset, the tree
# scripts/test.sh builds too) and bundles dist/.
# usage: scripts/build-dist.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
build=${CACHET_WASM_BUILD_DIR:-build-wasm}
if [[ ! -f $build/build.ninja ]]; then
  if [[ $build == build-wasm || $build == "$PWD/build-wasm" ]]; then
    cmake --preset wasm >/dev/null
  else
    emcmake cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
fi
cmake --build "$build" --target cachet_wasm cachet_wasm_verify -j2
[[ -d node_modules/esbuild ]] || npm ci --no-audit --no-fund
node scripts/build-dist.mjs --wasm "$build/wasm" --out "${1:-dist}"
