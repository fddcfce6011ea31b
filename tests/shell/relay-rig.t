#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Paris / Los Angeles relay end to end over the rig's real Dovecot and
# SMTP servers: a handoff from Paris on Friday 18:00 reaches Los Angeles
# at Monday's working start; nobody accepts it by Monday's end, so Paris
# hears about it on Tuesday morning Paris time; a `take` in reply to that
# mail settles it, and bob's held reminder is then never sent.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 12

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
CONFIG="$WORK/baton.conf"
cat > "$CONFIG" <<CONF
[baton]
database = baton.db
team-address = team@example.com
handoff-delivery = morning
hours = 09:00-17:00
accept-within = 1d

[member alice]
email = alice@example.com
name = Alice Martin
timezone = Europe/Paris
digest-at = 09:00

[member bob]
email = bob@example.com
name = Bob Stone
timezone = America/Los_Angeles
digest-at = 09:00
workdays = Mon-Thu

[imap]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = team@example.com
password-file = $WORK/imap.pass
ca-file = $RIG_CA
processed-folder = Processed
failed-folder = Failed

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
allow-plaintext = yes
from = Baton <team@example.com>
CONF

smtp_send () {
  /usr/bin/python3 -c '
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.sendmail(sys.argv[2], [sys.argv[3]], sys.stdin.buffer.read().replace(b"\n", b"\r\n"))' "$SMTP_PORT" "$1" "$2"
}
# kind_in USER KIND: the mails of X-Baton-Kind KIND in USER's INBOX.
kind_in () { grep -l "^X-Baton-Kind: $2" "$(rig_maildir "$1")"/new/* "$(rig_maildir "$1")"/cur/* 2>/dev/null; }
count_kind () { kind_in "$1" "$2" | wc -l | tr -d ' '; }

export BATON_NOW=2026-03-13T17:00:00Z  # Friday 18:00 in Paris, 10:00 in LA (bob's day off)
smtp_send alice@example.com team@example.com <<'MAIL'
From: Alice Martin <alice@example.com>
To: team@example.com
Subject: Release
Message-ID: <relay-1@alice.example.com>

task: Ship the release
take 1
handoff 1 to bob: the build is green, please deploy
MAIL
baton poll --from-start > /dev/null 2>&1
is "Friday 18:00 Paris: the handoff is applied and pending" "$(task_field 1 owner)/$(task_field 1 pending)" "bob/True"
baton send
is "nothing reaches bob on his Friday off" "$(count_kind bob@example.com handoff)" 0
BATON_NOW=2026-03-16T15:59:00Z baton send
is "nor before Monday 09:00 in Los Angeles" "$(count_kind bob@example.com handoff)" 0
BATON_NOW=2026-03-16T16:00:00Z baton send
is "at Monday's working start it is in bob's INBOX" "$(count_kind bob@example.com handoff)" 1

BATON_NOW=2026-03-16T23:59:00Z baton send
BATON_NOW=2026-03-17T00:00:00Z baton digest > /dev/null
BATON_NOW=2026-03-17T00:00:00Z baton send
is "at the end of bob's Monday nothing is sent yet: it is night in Paris" \
  "$(count_kind alice@example.com escalation)/$(count_kind bob@example.com reminder)" "0/0"
BATON_NOW=2026-03-17T07:59:00Z baton send
is "not at 08:59 Paris either" "$(count_kind alice@example.com escalation)" 0
BATON_NOW=2026-03-17T08:00:00Z baton send
is "Tuesday 09:00 Paris: alice hears the baton was not taken" "$(count_kind alice@example.com escalation)" 1
escalation=$(kind_in alice@example.com escalation)
like "with the one-click address that takes it back" "$(cat "$escalation")" "team\+take-1@example.com"
id=$(sed -n 's/^Message-ID: *<\(.*\)>.*/\1/p' "$escalation" | head -1)

export BATON_NOW=2026-03-17T08:05:00Z
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Re: not accepted\nMessage-ID: <relay-2@alice.example.com>\nIn-Reply-To: <%s>\n\ntake\n' "$id" |
  smtp_send alice@example.com team@example.com
baton poll > /dev/null 2>&1
is "a take from the escalation mail settles it" "$(task_field 1 owner)/$(task_field 1 pending)" "alice/False"
BATON_NOW=2026-03-17T16:00:00Z baton send
is "bob's reminder, held for his Tuesday, is not sent" "$(count_kind bob@example.com reminder)" 0
is "the outbox says why" "$(db "select count(*) from outbox where kind='reminder' and last_error like '%accepted%'")" 1
is "bob hears that alice took it back" "$(count_kind bob@example.com taken)" 1
