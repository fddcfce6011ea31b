#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# baton poll against a real Dovecot: first run, batches, moves, failures,
# SIGKILL mid-batch, UIDVALIDITY change, credentials and certificates.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 29

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
imap_section () {  # PORT SCHEME CA
  cat <<CONF
[imap]
url = ${2:-imaps}://127.0.0.1:$1/INBOX
user = team@example.com
password-file = $WORK/imap.pass
${3-ca-file = $RIG_CA}
processed-folder = Processed
failed-folder = Failed
CONF
}
write_config "$(imap_section "$IMAPS_PORT")"
# write_config puts [imap] inside [baton]'s block; GKeyFile reads it as a section.

team_mail () {  # N FROM BODY
  printf 'From: %s\nTo: team@example.com\nSubject: m%s\nMessage-ID: <m%s.%s@poll>\n\n%s\n' \
    "$2" "$1" "$1" "$$" "$3" | rig_deliver team@example.com INBOX
}

for i in 1 2 3; do team_mail "old$i" alice@example.com "task: Old $i"; done
baton poll; rc=$?
is "first poll exits 0" "$rc" 0
is "the first poll leaves old mail alone" "$(db 'select count(*) from tasks')" 0
is "and does not move it" "$(rig_count team@example.com INBOX)" 3

for i in 1 2 3 4 5; do team_mail "new$i" bob@example.com "task: New $i"; done
printf 'this is not a mail\n' | rig_deliver team@example.com INBOX
team_mail "after" bob@example.com "task: After the bad one"
baton poll; rc=$?
is "poll exits 0" "$rc" 0
is "the new mail is applied, not the old" "$(db 'select count(*) from tasks')" 6
is "processed mail is moved to Processed" "$(rig_count team@example.com Processed)" 6
is "mail that is not mail goes to Failed" "$(rig_count team@example.com Failed)" 1
is "INBOX keeps only the old mail" "$(rig_count team@example.com INBOX)" 3
is "moved mail is marked seen" "$(find "$(rig_maildir team@example.com Processed)/cur" -name '*:2,*S*' | wc -l)" 6

baton poll; rc=$?
is "a second poll exits 0" "$rc" 0
is "and applies nothing new" "$(db 'select count(*) from events')" 6

# SIGKILL in the middle of a batch, then a rerun: every message exactly once.
for i in $(seq 400); do
  printf 'From: bob@example.com\nTo: team@example.com\nSubject: k%s\nMessage-ID: <k%s.%s@poll>\n\ntask: Batch %s\n' \
    "$i" "$i" "$$" "$i"
done > "$WORK/batch.txt"
dir=$(rig_maildir team@example.com INBOX)
/usr/bin/python3 - "$WORK/batch.txt" "$dir/new" <<'PY'
import sys
msgs = open(sys.argv[1]).read().split("From: bob")[1:]
for i, m in enumerate(msgs):
    open("%s/%d.M%dP0.kill" % (sys.argv[2], 1700000000 + i, i), "w").write("From: bob" + m)
PY
chown -R "$RIG_USER" "$dir" 2>/dev/null
"$BATON" -c "$CONFIG" poll & poller=$!
for _ in $(seq 400); do
  n=$(db "select count(*) from tasks where title like 'Batch %'" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 50 ] && break; sleep 0.02
done
kill -KILL "$poller"; wait "$poller" 2>/dev/null
killed_at=$(db "select count(*) from tasks where title like 'Batch %'")
ok "the poller was killed halfway (after $killed_at of 400)" test "$killed_at" -lt 400
out=$(baton poll 2>&1); rc=$?
is "the rerun exits 0" "$rc" 0; [ "$rc" = 0 ] || echo "# $out"
is "every message of the batch is applied exactly once" \
  "$(db "select count(*), count(distinct title) from tasks where title like 'Batch %'")" "400|400"
is "and all of them reach Processed" "$(rig_count team@example.com Processed)" 406

# UIDVALIDITY changes: Dovecot forgets its UIDs; already-applied mail stays applied once.
cp "$(ls "$(rig_maildir team@example.com Processed)"/cur/* | head -1)" "$dir/new/again.M1P1.rig"
team_mail "fresh" alice@example.com "task: After the UIDVALIDITY change"
"$RIG_HOME/rig.sh" imap-down "$RIG_DIR"
rm -f "$dir"/dovecot-uidlist "$dir"/dovecot.index*
"$RIG_HOME/rig.sh" imap-up "$RIG_DIR"
out=$(baton poll 2>&1); rc=$?
is "poll after a UIDVALIDITY change exits 0" "$rc" 0
like "it says it rescans" "$out" "UIDVALIDITY .* changed"
is "the new mail is applied" "$(db "select count(*) from tasks where title = 'After the UIDVALIDITY change'")" 1
is "mail applied before is not applied twice (every task title once)" \
  "$(db "select count(*) = count(distinct title) from tasks")" 1

# Credentials, certificates, reachability.
out=$(G_MESSAGES_DEBUG=baton-imap baton poll 2>&1)
like "the server offers AUTH=PLAIN, so baton authenticates with it" "$out" "AUTHENTICATE PLAIN as team@example.com: 0"
printf 'wrong\n' > "$WORK/imap.pass"
out=$(baton poll 2>&1); rc=$?
is "a wrong password exits 77 (EX_NOPERM)" "$rc" 77
like "naming the account" "$out" "team@example.com"
printf 'teampass\n' > "$WORK/imap.pass"
write_config "$(imap_section "$IMAPS_PORT" imaps "")"
out=$(baton poll 2>&1); rc=$?
is "a certificate from an unknown CA is refused (EX_CONFIG)" "$rc" 78
like "with a message naming ca-file" "$out" "ca-file"
write_config "$(imap_section "$IMAPS_PORT")"
ok "accepted once its CA is configured" baton poll
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
write_config "$(imap_section "$port")"
out=$(baton poll 2>&1); rc=$?
is "an unreachable server is a temporary failure (EX_TEMPFAIL)" "$rc" 75
write_config "$(imap_section "$IMAP_PORT" imap)"
ok "imap:// uses STARTTLS" baton poll

mail "Alice Martin <alice@example.com>" "queued" queued@a 'task: Queued by procmail' | baton ingest --queue
is "ingest --queue leaves the mail in the spool" "$(ls "$WORK/spool/new" | wc -l)" 1
baton poll
is "the next poll drains the spool" "$(db "select count(*) from tasks where title = 'Queued by procmail'")/$(ls "$WORK/spool/new" | wc -l)" "1/0"
