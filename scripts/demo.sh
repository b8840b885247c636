#!/usr/bin/env bash
# The demo: a fictional "Société X" signup page with the Cachet widget, its
# partner list, the preference centre and a receipt viewer, served by
# `cachet serve` on SQLite. Installs what is missing (idempotent), builds the
# `cachet` command and prints the URL.
#
#   scripts/demo.sh                 # http://127.0.0.1:8080
#   PORT=0 scripts/demo.sh          # any free port
set -euo pipefail
cd "$(dirname "$0")/.."

host=${HOST:-127.0.0.1}
port=${PORT:-8080}
state=demo/state   # ledger and controller key of the demo (git-ignored)

# What the native build needs; the full toolchain (Emscripten, Chromium) only
# when the widget must be rebuilt because dist/ is missing.
packages=(build-essential cmake ninja-build pkg-config libssl-dev nlohmann-json3-dev libgtest-dev
  googletest libcli11-dev libcpp-httplib-dev libsqlite3-dev sqlite3)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "demo: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ ! -f dist/cachet.js || ! -f dist/cachet.css ]]; then
  echo "demo: dist/ is missing: installing the toolchain and building the widget"
  scripts/setup.sh
  scripts/build-dist.sh
fi

echo "demo: building the cachet command"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${CACHET_JOBS:-2}" --target cachet

mkdir -p "$state"
args=(serve --host "$host" --port "$port" --db "$state/cachet.db" --config demo/consent.json
  --key "$state/controller.jwk" --init-key --static demo --static dist --show-preference-links)
echo "demo: Société X signup page, partner list, preference centre and receipt viewer."
echo "demo: ledger in $state/cachet.db (check it with: build/cli/cachet ledger verify --db $state/cachet.db)"
echo "demo: stop with Ctrl-C."
exec build/cli/cachet "${args[@]}"
