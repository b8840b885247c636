#!/usr/bin/env bash
# Every test Cachet has: native GoogleTest, clang-tidy on the core, the same
# suites under AddressSanitizer + UndefinedBehaviorSanitizer, the same suites
# compiled to wasm and run under Node, the CLI tests, the JS module tests, the browser tests in headless
# Chromium, and the server tests over loopback HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export CACHET_BIN="$PWD/build/cli/cachet"
jobs=${CACHET_JOBS:-2}

step() { printf '\n==== %s ====\n' "$*"; }

step "native build and GoogleTest"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

step "clang-tidy on the core (warnings as errors)"
scripts/tidy.sh build

step "AddressSanitizer + UndefinedBehaviorSanitizer build and GoogleTest"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCACHET_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

step "wasm build (Emscripten) and the same GoogleTest suites under Node"
export NODE_PATH=/usr/share/nodejs
emcmake cmake -S . -B build-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-wasm -j"$jobs"
ctest --test-dir build-wasm --output-on-failure -j"$jobs"

step "CLI tests (node --test, against the native cachet)"
node --test tests/cli/

for suite in scripts/test-web.sh scripts/test-server.sh scripts/test-export.sh scripts/test-fuzz.sh; do
  if [[ -x $suite ]]; then
    step "$suite"
    "$suite"
  fi
done
step "all tests passed"
