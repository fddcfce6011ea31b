#!/bin/bash
# SPDX-License-Identifier: MIT
# IDLE: a message sent over SMTP while the client waits wakes it within
# seconds; without mail the wait ends at its timeout, or at once when
# interrupted (how a daemon's stop flag gets noticed).
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
tap_plan 8

probe() {
    "$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
        --user team@example.com --password teampass "$@"
}

out=$(probe select idle:2 2>&1); rc=$?
tap_is "$rc" 0 "IDLE without mail ends cleanly"
ms=$(sed -n 's/^new_mail=0 ms=\([0-9]*\)$/\1/p' <<<"$out")
tap_ok "$([ -n "$ms" ] && [ "$ms" -ge 1900 ] && [ "$ms" -lt 4000 ]; echo $?)" \
    "no new mail after the 2 s timeout (${ms:-?} ms)"

probe select idle:20 >"$RIG_DIR/idle.out" 2>&1 &
idler=$!
for _ in $(seq 100); do grep -q '^idling' "$RIG_DIR/idle.out" && break; sleep 0.05; done
sleep 0.3   # let the IDLE command reach the server
"$RIG_TOOLS/smtp-probe" --url "smtps://127.0.0.1:$SMTPS_PORT" --ca-file "$RIG_CA" \
    --user alice@example.com --password alicepass \
    --from alice@example.com --to team+take-12@example.com >/dev/null
wait "$idler"; rc=$?
out=$(cat "$RIG_DIR/idle.out")
tap_is "$rc" 0 "IDLE session ends cleanly"
tap_like "$out" "new_mail=1" "IDLE reports the message sent over SMTP"
ms=$(sed -n 's/^new_mail=1 ms=\([0-9]*\)$/\1/p' <<<"$out")
tap_ok "$([ -n "$ms" ] && [ "$ms" -lt 5000 ]; echo $?)" "within 5 s of starting to wait (${ms:-?} ms)"

# Run the binary itself in the background ($! must be its PID, not a subshell's).
"$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
    --user team@example.com --password teampass select idle:20 >"$RIG_DIR/idle2.out" 2>&1 &
idler=$!
for _ in $(seq 100); do grep -q '^idling' "$RIG_DIR/idle2.out" && break; sleep 0.05; done
sleep 0.3
kill -USR1 "$idler"
wait "$idler"; rc=$?
out=$(cat "$RIG_DIR/idle2.out")
tap_is "$rc" 0 "interrupted IDLE ends cleanly"
tap_like "$out" "new_mail=0" "an interrupt is not new mail"
ms=$(sed -n 's/^new_mail=0 ms=\([0-9]*\)$/\1/p' <<<"$out")
tap_ok "$([ -n "$ms" ] && [ "$ms" -lt 2000 ]; echo $?)" "the 20 s wait ended within 2 s of the interrupt (${ms:-?} ms)"
