#!/bin/sh
# A stand-in mailer for tests/server/rights.test.mjs (`cachet serve
# --mail-command "sh tests/server/mail-to-file.sh DIR"`): writes the message
# the server hands it on stdin to a new file in DIR, as a real mail command
# would hand it to sendmail. Written under a temporary name, then renamed, so
# the test never reads half a message.
set -eu
dir="$1"
tmp="$dir/.mail-$$.tmp"
cat > "$tmp"
mv "$tmp" "$dir/mail-$(date +%s%N)-$$.json"
