#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The network module (include/baton/netmodule.h): the program starts without
# libcurl and libetpan, loads baton-net.so beside it on the first
# connection, and without a usable module fails that command alone, saying
# what is missing and what to do. The server is a closed port on 127.0.0.1:
# a loaded module reaches it and gets "connection refused" (75).
. "$(dirname "$0")/../lib.sh"
plan 9

mkdir -p "$WORK/bin"
cp "$BATON" "$WORK/bin/baton"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_config "[imap]
url = imap://127.0.0.1:$port/INBOX
user = team@example.com
password-file = $WORK/imap.pass
allow-plaintext = yes"
echo secret > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
"$BATON" -q -c "$CONFIG" init  # only init creates the database
# lone [imap] lines sit in [baton]'s block; GKeyFile reads them as a section.

needed=$(readelf -d "$BATON" 2>/dev/null | grep NEEDED)
like "the program links GMime and SQLite" "$needed" 'libgmime-3.0.*libsqlite3'
if printf '%s' "$needed" | grep -Eq 'curl|etpan|gnutls'; then
  fail "nor libcurl, libetpan or GnuTLS" "$needed"
else
  pass "nor libcurl, libetpan or GnuTLS"
fi

# Without the module: mail still goes in; only the connection fails.
printf 'From: alice@example.com\nMessage-ID: <nm1@example.com>\n\ntask: No network needed\n' |
  "$WORK/bin/baton" -q -c "$CONFIG" ingest; rc=$?
is "ingest works without the module" "$rc" 0
out=$("$WORK/bin/baton" -c "$CONFIG" poll 2>&1); rc=$?
if [ -e "/usr/local/lib/baton/baton-net.so" ]; then
  pass "# SKIP an installed module in /usr/local/lib/baton would be found"
  pass "# SKIP (same)"
else
  is "poll without the module exits 70" "$rc" 70
  like "and says what is missing and what to do" "$out" \
    'cannot load the network module .*baton-net.so.*reinstall baton'
fi

# A module of another version is refused, not called.
cat > "$WORK/old.c" <<'C'
const struct { unsigned version; } baton_net_module = { 999 };
C
cc -shared -fPIC -o "$WORK/bin/baton-net.so" "$WORK/old.c"
out=$("$WORK/bin/baton" -c "$CONFIG" poll 2>&1); rc=$?
is "a module of another version: exit 70" "$rc" 70
like "naming both versions" "$out" 'version 999, this baton needs [0-9]+'

# The real module beside the program: loaded, and the closed port answers.
cp "$(dirname "$BATON")/baton-net.so" "$WORK/bin/baton-net.so"
out=$("$WORK/bin/baton" -c "$CONFIG" poll 2>&1); rc=$?
is "with the module, poll reaches the server: refused, exit 75" "$rc" 75
like "and says so" "$out" '127\.0\.0\.1|refused|connect'
