#!/usr/bin/env bash
# The export tests (GoogleTest: CSV reader, export rules and reasons, relayed
# import, the real binary), from the main native build that scripts/test.sh
# makes (ctest runs them there too). Exit status non-zero on any failure.
# Usage: scripts/test-export.sh [BUILD_DIR] [gtest flags...]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
export_test=$build/tests/export/export_test
if [[ ! -x $export_test ]]; then
  echo "test-export: $export_test is missing (build $build first: cmake --preset release && cmake --build build)" >&2
  exit 2
fi
"$export_test" --gtest_brief=1 "${@:2}"
