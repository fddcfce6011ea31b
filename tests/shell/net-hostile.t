#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Servers that misbehave (tests/rig/imapfake.py): IMAP ones that close in
# the middle of a literal, stall, leave a body out, send a UID nobody asked
# for, or lack STARTTLS, and an SMTP one without STARTTLS. Each ends as the
# right exit code within its deadline, and SIGTERM stops `poll` and `run`
# within a few seconds wherever they wait: connect, TLS handshake, login,
# FETCH, IDLE, and `send` in SMTP. A server that trickles one byte at a
# time is a stall. No sleeps decide a result: every wait polls for the
# event, with a bound.
. "$(dirname "$0")/../lib.sh"
plan 65

printf 'x\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"

# fake MODE: starts imapfake.py in MODE on a free port; sets FAKE_PORT and
# FAKE_DIR (its log is $FAKE_DIR/log).
fake () {
  FAKE_DIR=$(mktemp -d "$WORK/fake.XXXXXX")
  /usr/bin/python3 "$TESTS_DIR/rig/imapfake.py" "$1" "$FAKE_DIR" & local pid=$!
  cleanup_hooks+=("kill $pid 2>/dev/null")
  for _ in $(seq 100); do [ -s "$FAKE_DIR/port" ] && break; sleep 0.05; done
  FAKE_PORT=$(cat "$FAKE_DIR/port")
}
# config TIMEOUT [SCHEME PLAINTEXT]: a fresh database and [imap] on the fake.
config () {
  rm -f "$WORK"/baton.db*
  write_config "
[imap]
url = ${2:-imap}://127.0.0.1:$FAKE_PORT/INBOX
allow-plaintext = ${3:-yes}
user = team@example.com
password-file = $WORK/imap.pass
timeout = $1"
  "$BATON" -q -c "$CONFIG" init > /dev/null
}
now_ms () { echo $(( $(date +%s%N) / 1000000 )); }
# gone PID SECONDS: polls until PID has exited, at most SECONDS.
gone () {
  local i
  for i in $(seq $(( $2 * 20 ))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  return 1
}
# seen PATTERN SECONDS: polls the fake's log until PATTERN appears.
seen () {
  local i
  for i in $(seq $(( $2 * 20 ))); do grep -q "$1" "$FAKE_DIR/log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
# A hard bound so that a regression fails the test instead of hanging it.
poll_bounded () { timeout -s KILL 60 "$BATON" -c "$CONFIG" poll --from-start 2> "$WORK/err"; }
# stop_in PATTERN COMMAND...: runs baton COMMAND in the background, waits
# for PATTERN in the fake's log, sends SIGTERM; sets RC and TOOK (ms from
# the signal to the exit), and fails the first check when it took over 3 s.
stop_in () {
  local pattern=$1; shift
  : > "$FAKE_DIR/log"
  "$BATON" -c "$CONFIG" "$@" 2> "$WORK/err" & local pid=$!
  cleanup_hooks+=("kill -9 $pid 2>/dev/null")
  ok "baton $1 reaches '$pattern'" seen "$pattern" 20
  local start; start=$(now_ms); kill -TERM "$pid"
  gone "$pid" 3; local exited=$?
  TOOK=$(( $(now_ms) - start ))
  ok "SIGTERM stops $1 within 3 s (took ${TOOK} ms)" test "$exited" -eq 0
  kill -9 "$pid" 2>/dev/null
  wait "$pid"; RC=$?
}

fake normal
config 2
poll_bounded; rc=$?
is "a well-behaved scripted server: poll exits 0" "$rc" 0
is "and its three messages are applied" "$(db 'select count(*) from tasks')" 3

# 1. The server announces a 100000-byte literal, sends a few bytes, closes.
# Before: libetpan's literal reader spun at 100% CPU forever, deaf to SIGTERM.
fake literal-close
config 30
start=$(now_ms); poll_bounded; rc=$?; took=$(( $(now_ms) - start ))
is "closed mid-literal: exit 75 (EX_TEMPFAIL)" "$rc" 75
ok "at once, not after the 30 s timeout (took ${took} ms)" test "$took" -lt 10000
like "saying the server closed the connection" "$(cat "$WORK/err")" "closed the connection"
is "nothing applied, the position not advanced" "$(db 'select count(*) from tasks')/$(db 'select last_uid from imap_state')" "0/"

# 2. The server goes silent on FETCH and keeps the connection open.
fake stall
config 1
start=$(now_ms); poll_bounded; rc=$?; took=$(( $(now_ms) - start ))
is "stalled FETCH: exit 75" "$rc" 75
ok "after about the 1 s timeout (took ${took} ms)" test "$took" -lt 10000
like "naming the timeout and its key" "$(cat "$WORK/err")" "no answer within 1 s \(timeout = in \[imap\]\)"

# 3. SIGTERM in the middle of a stalled FETCH: `poll` stops at once.
config 30
: > "$FAKE_DIR/log"
"$BATON" -c "$CONFIG" poll --from-start 2> "$WORK/err" & pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
ok "poll reaches the FETCH" seen "BODY.PEEK" 20
start=$(now_ms); kill -TERM "$pid"
ok "SIGTERM mid-FETCH stops poll within 3 s" gone "$pid" 3
took=$(( $(now_ms) - start ))
wait "$pid"; rc=$?
is "with exit 75, to be retried (took ${took} ms)" "$rc" 75
like "saying it was asked to stop" "$(cat "$WORK/err")" "asked to stop"

# 4. The same for the daemon, stuck in the FETCH of its first pass.
# (A first pass only records the position; set it back so run fetches.)
rm -f "$WORK"/baton.db*
"$BATON" -q -c "$CONFIG" init > /dev/null
timeout -s KILL 60 "$BATON" -c "$CONFIG" poll 2> "$WORK/err"
db 'update imap_state set last_uid = 0'
: > "$FAKE_DIR/log"
"$BATON" -v -c "$CONFIG" run 2> "$WORK/err" & pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
ok "run reaches a FETCH" seen "BODY.PEEK" 20
kill -TERM "$pid"
ok "SIGTERM mid-FETCH stops run within 3 s" gone "$pid" 3
wait "$pid"; rc=$?
is "with exit 0" "$rc" 0
is "leaving the stored position where it was" "$(db "select last_uid from imap_state")" 0

# 5. And the daemon in IDLE.
fake normal
config 30
"$BATON" -v -c "$CONFIG" run 2> "$WORK/err" & pid=$!
cleanup_hooks+=("kill -9 $pid 2>/dev/null")
ok "run reaches IDLE" seen " IDLE" 20
kill -TERM "$pid"
ok "SIGTERM in IDLE stops run within 3 s" gone "$pid" 3
wait "$pid"; rc=$?
is "with exit 0" "$rc" 0

# 6. A body FETCH that answers UID 2 with FLAGS only. Before: UID 2 was
# skipped and the position moved past it, so it was never applied.
fake no-body
config 5
poll_bounded; rc=$?
is "a message returned without its body: exit 75" "$rc" 75
is "the one before it is applied" "$(db 'select count(*) from tasks')" 1
is "and the position stops before it" "$(db 'select last_uid from imap_state')" 1
like "the error names the UID" "$(cat "$WORK/err")" "UID 2 but returned no body"

# 7. A FETCH reply with UID 99, which was not asked for. Before: it was
# applied and the position jumped to 99, past mail not yet fetched.
fake extra-uid
config 5
poll_bounded; rc=$?
is "an unrequested UID in the reply: exit 0" "$rc" 0
is "the three asked for are applied, not UID 99, and the position is 3" \
  "$(db 'select count(*) from tasks')/$(db 'select last_uid from imap_state')" "3/3"
like "with a warning" "$(cat "$WORK/err")" "sent UID 99, which was not asked for"

# 8. imap:// to a server without STARTTLS. Before: exit 75, so cron retried
# a configuration that can never work, forever.
fake no-starttls
config 5 imap no
poll_bounded; rc=$?
is "imap:// without STARTTLS on the server: exit 78 (EX_CONFIG)" "$rc" 78
like "naming url = and allow-plaintext" "$(cat "$WORK/err")" "url = imaps://.*allow-plaintext = yes"

# 9. smtp:// to a relay without STARTTLS: `send` exits 78 as well.
fake smtp-no-starttls
rm -f "$WORK"/baton.db*
write_config "
[smtp]
url = smtp://127.0.0.1:$FAKE_PORT
user = team@example.com
password-file = $WORK/imap.pass
from = team@example.com"
sed -i '/^\[outbox\]/,$d' "$CONFIG"
mail alice@example.com "x" "h1@hostile" $'task: Write it\nhandoff 1 to bob: please' | baton ingest
timeout -s KILL 60 "$BATON" -c "$CONFIG" send 2> "$WORK/err"; rc=$?
is "smtp:// without STARTTLS on the relay: exit 78 (EX_CONFIG)" "$rc" 78
like "naming url = and allow-plaintext" "$(cat "$WORK/err")" "url = smtps://.*allow-plaintext = yes"

# 10. SIGTERM before any session exists: the server accepted the TCP
# connection and never greets. Before: poll and run waited out the whole
# timeout (30 s here, 60 by default), deaf to the signal.
fake silent
config 30
stop_in accepted poll --from-start
is "poll stopped while waiting for the greeting: exit 75" "$RC" 75
like "saying it was asked to stop" "$(cat "$WORK/err")" "greeting.*asked to stop"
stop_in accepted run
is "run stopped while waiting for the greeting: exit 0" "$RC" 0

# 11. In the middle of the TLS handshake: the server read the ClientHello
# and never answers it.
fake tls-stall
config 30 imaps no
stop_in "answering none" poll --from-start
is "poll stopped mid-handshake: exit 75" "$RC" 75
like "saying it was asked to stop" "$(cat "$WORK/err")" "asked to stop"
stop_in "answering none" run
is "run stopped mid-handshake: exit 0" "$RC" 0

# 12. After LOGIN, which the server never answers.
fake login-stall
config 30
stop_in login-stalled poll --from-start
is "poll stopped in LOGIN: exit 75" "$RC" 75
like "saying it was asked to stop" "$(cat "$WORK/err")" "LOGIN.*asked to stop"
stop_in login-stalled run
is "run stopped in LOGIN: exit 0" "$RC" 0

# 13. `send` to an SMTP server that accepted and never sends its banner
# (libcurl's own wait, ended by its progress callback).
fake silent
rm -f "$WORK"/baton.db*
write_config "
[smtp]
url = smtp://127.0.0.1:$FAKE_PORT
allow-plaintext = yes
from = team@example.com"
sed -i '/^\[outbox\]/,$d' "$CONFIG"
mail alice@example.com "x" "h2@hostile" $'task: Write it\nhandoff 1 to bob: please' | baton ingest
due_before=$(db "select count(*) from outbox where sent_at is null and failed_at is null")
stop_in accepted send
is "send stopped while waiting for the banner: exit 75" "$RC" 75
like "saying it was asked to stop" "$(cat "$WORK/err")" "asked to stop"
is "the notices stay due, untouched, for the next send" \
  "$(db "select count(*) from outbox where sent_at is null and failed_at is null and attempts = 0")" "$due_before"

# 14. A FETCH answer that trickles one byte every 0.3 s: each wait is well
# inside the 1 s timeout. Before: the poll went on for as long as the
# server cared to (100000 bytes: over 8 hours).
fake trickle
config 1
start=$(now_ms); poll_bounded; rc=$?; took=$(( $(now_ms) - start ))
is "a trickling FETCH: exit 75" "$rc" 75
ok "within 10 s (took ${took} ms)" test "$took" -lt 10000
like "naming the stall and the timeout key" "$(cat "$WORK/err")" "stalled, [0-9]+ bytes in 1 s, under the 1024 bytes/s.*timeout = in \[imap\]"
is "nothing applied" "$(db 'select count(*) from tasks')" 0

# 15. Slow but alive (4 KB/s, for 2 s against a 1 s timeout) is not a stall.
fake slow
config 1
poll_bounded; rc=$?
is "a slow but steady FETCH: exit 0" "$rc" 0
is "its three messages applied" "$(db 'select count(*) from tasks')" 3

# The timeout key is checked like every other.
fake normal
config 0
out=$(baton check 2>&1); rc=$?
is "timeout = 0 in [imap]: baton check exits 78" "$rc" 78
like "naming the key and its range" "$out" "timeout must be a number of seconds from 1 to 3600"
