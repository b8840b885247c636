#!/usr/bin/env bash
# Builds the `cachet` CLI and the export tests, then runs them (GoogleTest:
# CSV reader, export rules and reasons, relayed import, the real binary).
# Exit status non-zero on any failure. Usage: scripts/test-export.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-exp}"
# Only what the export needs: the other suites have their own scripts.
cmake -S . -B "$build" -G Ninja -DCACHET_BUILD_TESTS=OFF -DCACHET_EXPORT_TESTS=ON >/dev/null
cmake --build "$build" -j2 --target cachet export_test
"$build/export/tests/export_test" --gtest_brief=1 "${@:2}"
