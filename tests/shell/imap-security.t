#!/bin/bash
# SPDX-License-Identifier: MIT
# IMAP connection security and error classes: certificate and host name
# verification, plain text only on loopback when allowed, wrong password,
# unreachable and silent servers.
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
tap_plan 23

probe() { "$RIG_TOOLS/imap-probe" --user team@example.com --timeout 2 "$@" select; }

out=$(probe --host 127.0.0.1 --port "$IMAPS_PORT" --password teampass 2>&1); rc=$?
tap_is "$rc" 78 "IMAPS with a private-CA certificate and no ca-file: refused (EX_CONFIG)"
tap_like "$out" "set ca-file = in [imap]" "the refusal names the option that trusts it"
tap_ok "$(! grep -q '^connected' <<<"$out"; echo $?)" "no session was opened"

out=$(probe --host 127.0.0.1 --port "$IMAPS_PORT" --password teampass --ca-file "$RIG_CA" 2>&1); rc=$?
tap_is "$rc" 0 "IMAPS with the rig's CA file: accepted"
tap_like "$out" "uidvalidity=" "and the mailbox opens"

out=$(probe --host 127.0.0.1 --port "$IMAPS_PORT" --password teampass --ca-file "$RIG_CA" \
    --mailbox No/Such 2>&1); rc=$?
tap_is "$rc" 78 "a mailbox that does not exist: configuration error"
tap_like "$out" "check the mailbox at the end of url = in [imap]" "naming the option to fix"

out=$(probe --host 127.0.0.3 --port "$IMAPS_PORT" --password teampass --ca-file "$RIG_CA" 2>&1); rc=$?
tap_is "$rc" 78 "trusted certificate for another host name (127.0.0.3): refused"
tap_like "$out" "certificate for another name" "the refusal says the name does not match"

out=$(probe --host 127.0.0.1 --port "$IMAP_PORT" --tls starttls --password teampass 2>&1); rc=$?
tap_is "$rc" 78 "STARTTLS verifies too: refused without ca-file"
out=$(probe --host 127.0.0.1 --port "$IMAP_PORT" --tls starttls --password teampass \
    --ca-file "$RIG_CA" 2>&1); rc=$?
tap_is "$rc" 0 "STARTTLS with the CA file: accepted"

out=$(probe --host 127.0.0.1 --port "$IMAP_PORT" --tls plain --password teampass 2>&1); rc=$?
tap_is "$rc" 78 "plain text without allow-plaintext: refused before connecting"
tap_like "$out" "allow-plaintext" "the refusal explains how plain text could be allowed"
out=$(probe --host 127.0.0.1 --port "$IMAP_PORT" --tls plain --allow-plaintext \
    --password teampass 2>&1); rc=$?
tap_is "$rc" 0 "plain text allowed on loopback"
out=$(probe --host mail.example.com --port 143 --tls plain --allow-plaintext \
    --password teampass 2>&1); rc=$?
tap_is "$rc" 78 "plain text to a non-loopback host: refused even when allowed"

out=$(G_MESSAGES_DEBUG=all probe --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
    --password 'Wr0ng-s3cret' 2>&1); rc=$?
tap_is "$rc" 77 "wrong password: EX_NOPERM"
tap_like "$out" "refused the login of team@example.com" "the error names the account"
tap_ok "$(! grep -q 'Wr0ng-s3cret' <<<"$out"; echo $?)" "the password appears nowhere, debug on"
tap_is "$(grep -c 'Wr0ng-s3cret' "$RIG_DIR/log/dovecot.log")" 0 "(nor in the server log)"

# A port nobody listens on: closed right after the kernel picked it.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(probe --host 127.0.0.1 --port "$port" --password x --ca-file "$RIG_CA" 2>&1); rc=$?
tap_is "$rc" 75 "nothing listening: temporary (EX_TEMPFAIL)"
tap_like "$out" "cannot reach IMAP server" "the error says the server is unreachable"

# A server that accepts but never greets: the timeout must end the wait.
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$RIG_DIR/silent.port" &
silent=$!
for _ in $(seq 50); do [ -s "$RIG_DIR/silent.port" ] && break; sleep 0.1; done
start=$(date +%s%N)
out=$(probe --host 127.0.0.1 --port "$(cat "$RIG_DIR/silent.port")" --password x \
    --ca-file "$RIG_CA" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null
tap_is "$rc" 75 "silent server: temporary"
tap_ok "$([ "$ms" -lt 6000 ]; echo $?)" "silent server given up after the 2 s timeout (${ms} ms)"
