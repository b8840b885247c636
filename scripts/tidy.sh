#!/usr/bin/env bash
# clang-tidy on the core (STYLE.md), warnings as errors (.clang-tidy), over
# every core/src file, two at a time. Needs a compile_commands.json: the
# native build's (default build/, or BUILD_DIR).
#
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy: $build/compile_commands.json is missing (configure the native build first)" >&2
  exit 2
fi
command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy is missing (apt-get install clang-tidy)" >&2; exit 2; }
printf '%s\n' core/src/*.cpp |
  xargs -P "${CACHET_JOBS:-2}" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null
echo "clang-tidy: core/ is clean"
