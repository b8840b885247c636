#!/usr/bin/env bash
# Short fuzzing run for CI (docs/hardening.md has the long one): builds the
# libFuzzer targets with clang (ASan + UBSan), replays the committed corpora and
# crash regressions, then fuzzes each target for FUZZ_SECONDS (default 15) from
# its seed corpus. Exits non-zero on any crash, leak, sanitizer report, failed
# property or timeout; the input that did it is saved under build-fuzz/crashes/.
#
# Environment: FUZZ_SECONDS (per target), FUZZ_JOBS (build parallelism, default 2),
# FUZZ_BUILD_DIR (default build-fuzz; a tree already configured with
# CACHET_FUZZ=ON is used as it is), FUZZ_TARGETS (default: every target built).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-15}
jobs=${FUZZ_JOBS:-2}
build=${FUZZ_BUILD_DIR:-build-fuzz}

step() { printf '\n==== %s ====\n' "$*"; }

if [[ -f $build/CMakeCache.txt ]] && grep -q '^CACHET_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  # A tree configured with the fuzz targets already (scripts/test.sh passes
  # the sanitizer tree, preset asan: clang, -O1 -g, no NDEBUG): built as it is.
  step "fuzz targets of $build (configured with CACHET_FUZZ=ON)"
else
  step "fuzz build (clang, -fsanitize=fuzzer,address,undefined) in $build"
  # -O1 -g and no NDEBUG: fast to build, good stack traces, and nlohmann/json's
  # own assertions (JSON_ASSERT: operator[] on a missing member of a const value,
  # ...) stay on, so misuse of the JSON API is a crash the fuzzer can find.
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
    -DCMAKE_C_FLAGS_FUZZ="-O1 -g" -DCMAKE_CXX_FLAGS_FUZZ="-O1 -g" \
    -DCACHET_FUZZ=ON -DCACHET_BUILD_TESTS=OFF >/dev/null
fi
targets=${FUZZ_TARGETS:-fuzz_config_lint fuzz_receipt_verify fuzz_canonical_json fuzz_json_differential}
# fuzz_csv exists once the exporter's CSV reader does.
if [[ -z ${FUZZ_TARGETS:-} && -f export/src/csv.cpp ]]; then targets="$targets fuzz_csv"; fi
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target $targets

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
crashes="$build/crashes"
mkdir -p "$crashes"

failed=()
for target in $targets; do
  binary="$build/fuzz/$target"
  dict="$build/$target.dict"
  cat fuzz/dict/json.dict > "$dict"
  [[ -f fuzz/dict/$target.dict ]] && cat "fuzz/dict/$target.dict" >> "$dict"
  [[ $target == fuzz_csv ]] && cp fuzz/dict/fuzz_csv.dict "$dict"

  step "$target: replay fuzz/corpus/$target and fuzz/regressions/$target"
  # Files, not folders: libFuzzer then runs each once and writes nothing back.
  mapfile -t inputs < <(find "fuzz/corpus/$target" "fuzz/regressions/$target" -type f ! -name '.*' | sort)
  if ! "$binary" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}" >"$build/$target.replay.log" 2>&1; then
    grep -v -E '^(Running|Executed): ' "$build/$target.replay.log" | tail -n 40
    failed+=("$target (replay)")
    continue
  fi

  echo "${#inputs[@]} committed inputs ran without a crash"
  step "$target: fuzz for ${seconds}s"
  # New inputs go to a scratch corpus so the committed seeds stay small;
  # -max_len covers the biggest seed (receipts are ~2.5 KB).
  work="$build/corpus/$target"
  mkdir -p "$work"
  if ! "$binary" "$work" "fuzz/corpus/$target" -dict="$dict" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes/$target-" 2>"$build/$target.log"; then
    tail -n 60 "$build/$target.log"
    failed+=("$target")
    continue
  fi
  grep -E '^(#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::new_units_added)' "$build/$target.log" | tail -n 3
done

if ((${#failed[@]})); then
  step "FAILED: ${failed[*]}"
  echo "Crashing inputs: $crashes (see docs/hardening.md, 'When the fuzzer finds a crash')."
  exit 1
fi
step "fuzzing passed: $targets"
