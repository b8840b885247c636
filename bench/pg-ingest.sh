#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): `cachet serve` ingest with two
# server processes sharing one PostgreSQL ledger, beside one server on a
# SQLite ledger (group commit on, the default), in the same run and with the
# same receipts (bench/serve-ingest.mjs, modes group and postgres-2). The
# PostgreSQL is a throwaway one in a temporary directory
# (scripts/pg-test-server.sh): default settings, fsync and synchronous_commit on.
#
#   bench/pg-ingest.sh [N=1000] [CONCURRENCY=16]     (env: CACHET_BIN, as serve-ingest.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'scripts/pg-test-server.sh stop "$dir/pg"; rm -rf "$dir"' EXIT
BENCH_PG_URL=$(scripts/pg-test-server.sh start "$dir/pg")
export BENCH_PG_URL
BENCH_INGEST_MODES=group,postgres-2 node bench/serve-ingest.mjs "${1:-1000}" "${2:-16}"
