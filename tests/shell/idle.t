#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# baton poll --idle against a real Dovecot: new mail within seconds, a
# server restart survived (mail sent meanwhile picked up), SIGTERM stops it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 8

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
write_config "
[imap]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = team@example.com
password-file = $WORK/imap.pass
ca-file = $RIG_CA
processed-folder = Processed"
"$BATON" -q -c "$CONFIG" init  # only init creates the database

team_mail () {  # ID BODY
  printf 'From: bob@example.com\nTo: team@example.com\nSubject: %s\nMessage-ID: <%s.%s@idle>\n\n%s\n' \
    "$1" "$1" "$$" "$2" | rig_deliver team@example.com INBOX
}
# wait_for SQL EXPECTED SECONDS: polls the database until SQL prints EXPECTED.
wait_for () {
  local deadline=$((SECONDS + $3))
  while [ "$SECONDS" -le "$deadline" ]; do
    [ "$(db "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

"$BATON" -v -c "$CONFIG" poll --idle 2> "$WORK/idle.log" & idler=$!
cleanup_hooks+=("kill $idler 2>/dev/null")
ok "the idler starts and records its position" wait_for "select count(*) from imap_state" 1 10
grep -q "waiting for mail" <(for _ in $(seq 50); do cat "$WORK/idle.log"; grep -q waiting "$WORK/idle.log" && break; sleep 0.1; done)

start=$(date +%s%N)
team_mail one "task: Arrived while idling"
ok "new mail is applied while idling" wait_for "select count(*) from tasks" 1 10
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
ok "within 5 seconds (took ${elapsed} ms)" test "$elapsed" -lt 5000

"$RIG_HOME/rig.sh" imap-down "$RIG_DIR"
team_mail two "task: Sent while the server was down"
sleep 1
"$RIG_HOME/rig.sh" imap-up "$RIG_DIR"
ok "after a server restart the idler reconnects and picks up mail sent meanwhile" \
  wait_for "select count(*) from tasks" 2 20
like "and says it reconnected" "$(cat "$WORK/idle.log")" "reconnecting in"
ok "processed mail is moved" test "$(rig_count team@example.com Processed)" -ge 1

kill -TERM "$idler"
for _ in $(seq 100); do kill -0 "$idler" 2>/dev/null || break; sleep 0.1; done
ok "SIGTERM stops it" bash -c "! kill -0 $idler 2>/dev/null"
wait "$idler"; rc=$?
is "with exit status 0" "$rc" 0
