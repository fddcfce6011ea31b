#!/bin/bash
# SPDX-License-Identifier: MIT
# SMTP through libcurl against a real server: a batch over one connection,
# TLS required and verified, and each failure class.
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
tap_plan 28

send() {
    "$RIG_TOOLS/smtp-probe" --ca-file "$RIG_CA" --user bob@example.com --password bobpass \
        --from bob@example.com "$@"
}
log_since() { tail -n +"$(( $1 + 1 ))" "$RIG_DIR/log/smtpd.log"; }

mark=$(rig_smtp_log | wc -l)
start=$(date +%s%N)
out=$(send --url "smtp://127.0.0.1:$SMTP_PORT" --to team+take-7@example.com --count 20 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$rc" 0 "20 messages over STARTTLS sent"
tap_diag "20 messages sent in ${ms} ms"
tap_is "$(grep -c '^sent=' <<<"$out")" 20 "each send reported success"
tap_is "$(log_since "$mark" | grep -c 'rig-smtpd connect ')" 1 "the batch used ONE connection"
tap_is "$(log_since "$mark" | grep -c 'auth conn=.* result=ok')" 1 "and authenticated once"
tap_is "$(log_since "$mark" | grep 'delivered conn=' | grep -c 'auth=True tls=True')" 20 \
    "all 20 delivered authenticated over TLS"
tap_is "$(rig_count team@example.com INBOX)" 20 "20 messages in team's Maildir (+tag stripped)"
file=$(find "$(rig_maildir team@example.com)/new" -type f | head -1)
tap_like "$(cat "$file")" "Delivered-To: team+take-7@example.com" "Delivered-To keeps the +tag"
tap_like "$(cat "$file")" $'\n.A line that starts with a dot' "dot-stuffing round-trips"
out=$("$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
    --user team@example.com --password teampass select fetch:1:0 2>&1)
tap_like "$out" "fetched=20" "Dovecot serves the 20 messages over IMAP"

out=$(send --url "smtps://127.0.0.1:$SMTPS_PORT" --to alice@example.com --lf 2>&1); rc=$?
tap_is "$rc" 0 "SMTPS with bare-LF input: sent"
tap_is "$(rig_count alice@example.com INBOX)" 1 "and delivered"

out=$("$RIG_TOOLS/smtp-probe" --url "smtp://127.0.0.1:$SMTP_PORT" --from bob@example.com \
    --to team@example.com --user bob@example.com --password bobpass 2>&1); rc=$?
tap_is "$rc" 78 "STARTTLS certificate verified: refused without ca-file"
tap_like "$out" "set ca-file = in [smtp]" "and the error names the option"
out=$(send --url "smtp://127.0.0.3:$SMTP_PORT" --to team@example.com 2>&1); rc=$?
tap_is "$rc" 78 "certificate for another host name (127.0.0.3): refused"
out=$("$RIG_TOOLS/smtp-probe" --url "smtp://127.0.0.1:$SMTP_PORT" --allow-plaintext \
    --from bob@example.com --to alice@example.com 2>&1); rc=$?
tap_is "$rc" 0 "plain text allowed on loopback"
out=$("$RIG_TOOLS/smtp-probe" --url "smtp://mail.example.com" --allow-plaintext \
    --from bob@example.com --to alice@example.com 2>&1); rc=$?
tap_is "$rc" 78 "allow-plaintext to a non-loopback host: configuration error"

out=$(send --url "smtps://127.0.0.1:$SMTPS_PORT" --password 'Wr0ng-s3cret' --to team@example.com 2>&1); rc=$?
tap_is "$rc" 77 "wrong password: EX_NOPERM"
tap_ok "$(! grep -q 'Wr0ng-s3cret' <<<"$out"; echo $?)" "the password is not printed"

rig_smtp_reply rcpt "451 4.3.0 Mailbox busy, try later"
out=$(send --url "smtps://127.0.0.1:$SMTPS_PORT" --to team@example.com 2>&1); rc=$?
tap_is "$rc" 75 "4xx reply: temporary (EX_TEMPFAIL)"
tap_like "$out" "451 4.3.0 Mailbox busy, try later" "with the server's words"
rig_smtp_reply rcpt
rig_smtp_reply data "554 5.7.1 Message refused: looks like spam"
out=$(send --url "smtps://127.0.0.1:$SMTPS_PORT" --to team@example.com 2>&1); rc=$?
tap_is "$rc" 69 "5xx reply after DATA: permanent (EX_UNAVAILABLE)"
tap_like "$out" "554 5.7.1 Message refused: looks like spam" "with the server's words"
rig_smtp_reply data

# One refused recipient in a batch does not break the connection for the rest.
rig_smtp_reply rcpt "<nobody@example.com> 550 5.1.1 No such user"
before=$(rig_count alice@example.com INBOX)
out=$(send --url "smtps://127.0.0.1:$SMTPS_PORT" --to alice@example.com --to nobody@example.com \
    --each --count 4 --keep-going 2>/dev/null)
tap_is "$(paste -sd' ' <<<"$out")" "sent=1 failed=2 UNAVAILABLE sent=3 failed=4 UNAVAILABLE" \
    "550 for one recipient fails only its messages"
tap_is "$(( $(rig_count alice@example.com INBOX) - before ))" 2 "the others arrive"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(send --url "smtps://127.0.0.1:$port" --to team@example.com 2>&1); rc=$?
tap_is "$rc" 75 "nothing listening: temporary"

# A server that accepts but never greets: the reply timeout ends the wait.
/usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$RIG_DIR/silent.port" &
silent=$!
for _ in $(seq 50); do [ -s "$RIG_DIR/silent.port" ] && break; sleep 0.1; done
start=$(date +%s%N)
out=$(send --url "smtp://127.0.0.1:$(cat "$RIG_DIR/silent.port")" --timeout 2 --to team@example.com 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null
tap_is "$rc" 75 "silent server: temporary"
tap_ok "$([ "$ms" -lt 6000 ]; echo $?)" "given up after the 2 s timeout (${ms} ms)"
tap_like "$out" "it will be retried" "the error says a retry will come"
