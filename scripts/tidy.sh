#!/usr/bin/env bash
# clang-tidy (STYLE.md), warnings as errors (.clang-tidy), over every native
# folder: core/, ledger/, server/, export/, cli/ (wasm/ needs Emscripten's
# headers; its code is only declarations and conversions), two files at a time.
# Needs a compile_commands.json: the native build's (default build/, or BUILD_DIR).
#
#   scripts/tidy.sh [BUILD_DIR] [FILE...]   # FILEs: only these (e.g. what a change touched)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy: $build/compile_commands.json is missing (configure the native build first)" >&2
  exit 2
fi
command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy is missing (apt-get install clang-tidy)" >&2; exit 2; }
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'core/src/*.cpp' 'ledger/src/*.cpp' 'server/src/*.cpp' 'export/src/*.cpp' 'cli/*.cpp')
fi
# The static analyzer (clang-analyzer-*) is four fifths of the time in its
# default "deep" mode; "shallow" (smaller inlining budget, the mode IDEs use)
# still follows paths through small callees and finds null dereferences and
# leaks, in a fifth of the time. scripts/test.sh uses it; CACHET_ANALYZER=deep
# runs the full analysis (docs/hardening.md).
mode=${CACHET_ANALYZER:-shallow}
if [[ $mode != shallow && $mode != deep ]]; then
  echo "tidy: CACHET_ANALYZER must be shallow or deep, not '$mode'" >&2
  exit 2
fi
printf '%s\n' "${files[@]}" |
  xargs -P "${CACHET_JOBS:-2}" -n 1 clang-tidy -p "$build" --quiet \
    --extra-arg=-Xclang --extra-arg=-analyzer-config --extra-arg=-Xclang --extra-arg="mode=$mode" 2>/dev/null
echo "clang-tidy: ${#files[@]} files clean (analyzer: $mode)"
