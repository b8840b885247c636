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
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

step "clang-tidy on the core (warnings as errors)"
scripts/tidy.sh build

step "AddressSanitizer + UndefinedBehaviorSanitizer build and GoogleTest"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

step "wasm build (Emscripten) and the same GoogleTest suites under Node"
export NODE_PATH=/usr/share/nodejs
# The wasm preset names the toolchain file emcmake would pass.
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j"$jobs"
ctest --preset wasm -j"$jobs"

step "CLI tests (node --test, against the native cachet)"
node --test tests/cli/

# Each suite runs against the build/ tree made above. A suite script that is
# missing or not executable is an error, never a silent skip.
for suite in scripts/test-web.sh scripts/test-server.sh scripts/test-export.sh scripts/test-fuzz.sh; do
  if [[ ! -x $suite ]]; then
    echo "test.sh: $suite is missing or not executable" >&2
    exit 1
  fi
  step "$suite"
  "$suite"
done
step "all tests passed"
