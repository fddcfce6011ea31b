#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What poll and run say, against a real Dovecot: the first poll names the
# mail it leaves alone; the same mailbox under another URL (143 → 993, or
# an older baton's key) carries on; each outcome is counted; `run` logs to
# a stderr that is not a terminal, and says why it stops.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 19

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
imap_section () {  # PORT SCHEME
  cat <<CONF
[imap]
url = ${2:-imaps}://127.0.0.1:$1/INBOX
user = team@example.com
password-file = $WORK/imap.pass
ca-file = $RIG_CA
processed-folder = Processed
failed-folder = Failed
CONF
}
team_mail () {  # N FROM BODY [HEADER]
  printf 'From: %s\nTo: team@example.com\nSubject: m%s\nMessage-ID: <m%s.%s@ops>\n%s\n\n%s\n' \
    "$2" "$1" "$1" "$$" "${4:-X-Test: 1}" "$3" | rig_deliver team@example.com INBOX
}

write_config "$(imap_section "$IMAPS_PORT")"
for i in 1 2 3; do team_mail "old$i" alice@example.com "task: Old $i"; done
out=$(baton poll 2>&1); rc=$?
is "the first poll exits 0" "$rc" 0
like "it says, at the default verbosity, how many it left alone and how to import them" \
  "$out" "left the 3 messages already there alone; .baton poll --from-start. processes them"
out=$(baton poll 2>&1)
is "the second poll says nothing more" "$out" ""

# The same mailbox over STARTTLS on 143: the position carries over, so
# mail that arrived between the two is processed and the old mail is not.
team_mail between bob@example.com "task: Arrived while the URL changed"
write_config "$(imap_section "$IMAP_PORT" imap)"
out=$(baton poll 2>&1); rc=$?
is "poll over imap:// after imaps:// exits 0" "$rc" 0
is "mail that arrived in between is processed" \
  "$(db "select count(*) from tasks where title = 'Arrived while the URL changed'")" 1
is "the old mail is still left alone" "$(db "select count(*) from tasks where title like 'Old %'")" 0
unlike_first=$(printf '%s' "$out" | grep -c "first poll")
is "and it is no first poll" "$unlike_first" 0

# A position an older baton stored under "user@host:port/MAILBOX".
uidvalidity=$(db "select uidvalidity from imap_state")
last=$(db "select last_uid from imap_state")
db "update imap_state set mailbox = 'team@example.com@127.0.0.1:$IMAPS_PORT/INBOX'"
team_mail legacy bob@example.com "task: After the upgrade"
write_config "$(imap_section "$IMAPS_PORT")"
out=$(baton poll 2>&1); rc=$?
is "poll with an old-style stored position exits 0" "$rc" 0
like "it says it carries on from the old position" "$out" "carrying on from where it was"
is "the old key is gone, the new one carries UIDVALIDITY $uidvalidity past UID $last" \
  "$(db "select mailbox, uidvalidity, last_uid > $last from imap_state")" \
  "team@example.com@127.0.0.1/INBOX|$uidvalidity|1"
is "only the new mail is processed" \
  "$(db "select count(*) from tasks where title in ('After the upgrade') or title like 'Old %'")" 1

# Each outcome counted: applied, partly, failed, quarantined, ignored,
# duplicate, and a file that is not mail.
team_mail o1 alice@example.com "task: Counted"
team_mail o2 alice@example.com "$(printf 'task: Half\ndone 999')"
team_mail o3 alice@example.com "done 999"
team_mail o4 mallory@example.net "task: From a stranger"
team_mail o5 alice@example.com "task: Auto" "Auto-Submitted: auto-replied"
team_mail o1 alice@example.com "task: Counted"
printf 'this is not a mail\n' | rig_deliver team@example.com INBOX
out=$(baton -v poll 2>&1)
like "poll -v reports each outcome" "$out" \
  "poll fetched=7 applied=1 partly=1 failed=1 quarantined=1 ignored=1 duplicate=1 not-mail=1 moved=7"

# `run` with stderr a file, not a terminal: it logs there.
"$BATON" -c "$CONFIG" -v run > "$WORK/run.log" 2>&1 & runner=$!
for _ in $(seq 500); do grep -q "waiting for mail" "$WORK/run.log" && break; sleep 0.02; done
kill -TERM "$runner"; wait "$runner"; rc=$?
is "run stops on SIGTERM with 0" "$rc" 0
like "run -v logs to a stderr that is a file" "$(cat "$WORK/run.log")" "idle: connected to team@example.com@127.0.0.1/INBOX"
like "and that it stops" "$(cat "$WORK/run.log")" "stopping on request"

printf 'wrong\n' > "$WORK/imap.pass"
"$BATON" -c "$CONFIG" run > "$WORK/run.log" 2>&1; rc=$?
is "run with a wrong password exits 77" "$rc" 77
like "and says why on stderr" "$(cat "$WORK/run.log")" "baton run: IMAP server 127.0.0.1:$IMAPS_PORT refused the login of team@example.com"

# syslog only when asked: then stderr stays quiet.
BATON_SYSLOG=1 "$BATON" -c "$CONFIG" run > "$WORK/run.log" 2>&1; rc=$?
is "BATON_SYSLOG=1 run with a wrong password still exits 77" "$rc" 77
is "and writes to syslog, not to stderr" "$(cat "$WORK/run.log")" ""
