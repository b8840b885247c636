#!/usr/bin/env bash
# Builds the widget's wasm modules (build-web-wasm/) and bundles dist/.
# Its own tree on purpose, not build-wasm/: the widget is built without tests,
# hence without C++ exceptions and with -Oz -flto on the core
# (wasm/CMakeLists.txt), about half the size of the modules the test build
# links (83 KB gzip against 157 KB). The test tree keeps exceptions for GoogleTest.
# usage: scripts/build-dist.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
build=${CACHET_WASM_BUILD_DIR:-build-web-wasm}
# esbuild bundles dist/; Closure Compiler shrinks the Emscripten glue (wasm/CMakeLists.txt).
[[ -d node_modules/esbuild && -x node_modules/.bin/google-closure-compiler ]] || npm ci --no-audit --no-fund
# Configured every time (a no-op when nothing changed), so a tree configured
# before an option was added gets it too.
emcmake cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCACHET_BUILD_TESTS=OFF \
  -DCACHET_CLOSURE_COMPILER="$PWD/node_modules/.bin/google-closure-compiler" >/dev/null
cmake --build "$build" --target cachet_wasm cachet_wasm_verify -j2
node scripts/build-dist.mjs --wasm "$build/wasm" --out "${1:-dist}"
