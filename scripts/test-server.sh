#!/usr/bin/env bash
# The server's tests: the ledger unit tests (GoogleTest; the store's contract
# on SQLite and on a throwaway PostgreSQL, scripts/pg-test-server.sh) and the
# HTTP suites (node --test) against the real `cachet serve` on loopback ports,
# including the SIGKILL durability tests (one SQLite server; two servers on
# one PostgreSQL ledger); then the suites that exercise the ledger a second
# time with CACHET_TEST_DB=postgres (tests/server/helpers.mjs: each file on
# a throwaway PostgreSQL of its own). Exits non-zero on any failure.
#
#   scripts/test-server.sh                  # build in build/ (the main tree), then test
#   CACHET_BIN=build/cli/cachet scripts/test-server.sh   # test an existing build
#   scripts/test-server.sh --build-dir DIR  # build and test in DIR
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
build=1
while (($#)); do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--no-build]" >&2; exit 2 ;;
  esac
done

if [[ -n ${CACHET_BIN:-} && -x ${CACHET_BIN} ]]; then
  build=0
  build_dir=$(cd "$(dirname "$CACHET_BIN")/.." && pwd)
fi
if ((build)); then
  if [[ -x scripts/setup.sh && -z ${CACHET_SKIP_SETUP:-} ]]; then scripts/setup.sh; fi
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j"${CACHET_JOBS:-2}" --target cachet ledger_test ledger_backends_test
fi
export CACHET_BIN=${CACHET_BIN:-$PWD/$build_dir/cli/cachet}
command -v sqlite3 >/dev/null || { echo "test-server: the sqlite3 command is needed (apt-get install sqlite3)" >&2; exit 2; }

echo "== ledger unit test"
ledger_test=$build_dir/tests/ledger_test
if [[ ! -x $ledger_test ]]; then
  echo "test-server: $ledger_test is missing (build the ledger_test target)" >&2
  exit 2
fi
"$ledger_test" --gtest_brief=1

echo "== ledger backends test (SQLite and PostgreSQL)"
backends_test=$build_dir/tests/ledger_backends_test
if [[ ! -x $backends_test ]]; then
  echo "test-server: $backends_test is missing (build the ledger_backends_test target)" >&2
  exit 2
fi
pg_dir=$(mktemp -d)
trap 'scripts/pg-test-server.sh stop "$pg_dir/pg"; rm -rf "$pg_dir"' EXIT
CACHET_TEST_PG_URL=$(scripts/pg-test-server.sh start "$pg_dir/pg")
export CACHET_TEST_PG_URL
# Every PostgreSQL case must run here: a skip would hide a missing server.
if ! "$backends_test" >"$pg_dir/backends.log" 2>&1 || grep -qE "SKIPPED \] .*Postgres" "$pg_dir/backends.log"; then
  cat "$pg_dir/backends.log"
  echo "test-server: the backends test failed or skipped a PostgreSQL case" >&2
  exit 1
fi
grep -E "PASSED|tests ran" "$pg_dir/backends.log"

echo "== HTTP tests (node --test) against $CACHET_BIN"
node --test tests/server/

# The same ledger suites on PostgreSQL: lifecycle, rights, transfers,
# webhooks, proof (publications, grace, ledger append) and durability
# (SIGKILL). The other files test HTTP, the widget or SQLite itself
# (tamper, group commit), or run on PostgreSQL already (postgres.test.mjs).
pg_suites=(lifecycle rights transfers webhooks proof durability)
echo "== the ledger suites again on PostgreSQL (CACHET_TEST_DB=postgres): ${pg_suites[*]}"
started=$SECONDS
files=()
for suite in "${pg_suites[@]}"; do files+=("tests/server/$suite.test.mjs"); done
CACHET_TEST_DB=postgres node --test "${files[@]}"
echo "test-server: the PostgreSQL pass took $((SECONDS - started)) s"
