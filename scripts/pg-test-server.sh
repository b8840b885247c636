#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests and benchmarks (docs/server.md,
# "PostgreSQL"): a cluster in a temporary directory, listening on 127.0.0.1
# at a free port and on a socket in that directory, trust authentication,
# superuser `cachet`. PostgreSQL refuses to run as root: as root, the
# cluster runs as `nobody` (its directory chowned to it).
#
#   scripts/pg-test-server.sh start DIR   # prints the server's base URL, e.g. postgresql://cachet@127.0.0.1:PORT
#   scripts/pg-test-server.sh stop DIR    # stops it (the caller removes DIR)
#
# A database per test: `createdb`-like, through the URL (see tests/server/pg.mjs).
set -euo pipefail

pg_bin=${CACHET_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
if [[ -z $pg_bin || ! -x $pg_bin/initdb ]]; then
  echo "pg-test-server: no PostgreSQL server binaries (apt-get install postgresql; scripts/setup.sh does)" >&2
  exit 2
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

command=${1:-}
dir=${2:-}
if [[ -z $dir ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

case $command in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown nobody: "$dir"
      # nobody must be able to reach DIR (a mktemp -d parent is 0700).
      chmod o+x "$(dirname "$(realpath "$dir")")"
    fi
    # A free port: the kernel's choice for a socket bound to port 0.
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$pg_bin/initdb" -D "$dir/data" -U cachet --auth=trust --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # fsync stays on (the default): the durability tests count on it.
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=100" \
      start >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    echo "postgresql://cachet@127.0.0.1:$port"
    ;;
  stop)
    if [[ -d $dir/data ]]; then as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
