#!/usr/bin/env bash
# Every test Cachet has, fast suites first: native GoogleTest (core, ledger,
# export), the CLI and server suites against the native `cachet`, the format
# and clang-tidy checks, the same GoogleTest suites under AddressSanitizer +
# UndefinedBehaviorSanitizer and compiled to wasm under Node, the widget's JS
# and headless-Chromium tests, and a short fuzzing run. Each tree is built
# once: build/ (native), build-asan/, build-wasm/ (the suites under Node),
# build-web-wasm/ (the widget's modules, no tests nor exceptions, from which
# dist/ is checked); the libFuzzer targets are built in build-asan/ (clang).
# On a 2-core machine, from a fresh clone, after setup: 25 to 27 minutes (README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export CACHET_BIN="$PWD/build/cli/cachet"
export NODE_PATH=/usr/share/nodejs
jobs=${CACHET_JOBS:-2}

# Each step says when it starts (minutes since test.sh started), so a slow step shows in the log.
step() { printf '\n==== %s (at %dm%02ds) ====\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
# A suite script that is missing or not executable is an error, never a silent skip.
suite() {
  if [[ ! -x $1 ]]; then
    echo "test.sh: $1 is missing or not executable" >&2
    exit 1
  fi
  step "$1"
  "$@"
}

step "native build and GoogleTest (core, ledger, export)"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

step "CLI tests (node --test, against the native cachet)"
node --test tests/cli/

suite scripts/test-server.sh --no-build

step "clang-format (every C++ file) and clang-tidy (every native folder), warnings as errors"
suite scripts/format.sh --check
scripts/tidy.sh build

step "AddressSanitizer + UndefinedBehaviorSanitizer build (clang, with the fuzz targets) and GoogleTest"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

step "wasm build (Emscripten) and the same GoogleTest suites under Node"
# The wasm preset names the toolchain file emcmake would pass.
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j"$jobs"
ctest --preset wasm -j"$jobs"

# dist/ is rebuilt in build-web-wasm/: the widget is built without tests and
# without exceptions, half the size of the test tree's modules (scripts/build-dist.sh).
suite scripts/test-web.sh
# The fuzz targets were built in the sanitizer tree (preset asan: clang, CACHET_FUZZ=ON).
FUZZ_BUILD_DIR=build-asan suite scripts/test-fuzz.sh
step "all tests passed"
