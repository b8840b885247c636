#!/usr/bin/env bash
# clang-format (.clang-format: Google style, 120 columns) over every C++ file
# the repository tracks (fuzz corpora are data, not code).
#
#   scripts/format.sh           # reformat in place
#   scripts/format.sh --check   # list the files that differ; exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format: clang-format is missing (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^fuzz/corpus/\|^fuzz/regressions/')
if [[ ${1:-} == --check ]]; then
  differ=()
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then differ+=("$f"); fi
  done
  if ((${#differ[@]})); then
    printf 'format: not clang-formatted (run scripts/format.sh): %s\n' "${differ[@]}" >&2
    exit 1
  fi
  echo "clang-format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
