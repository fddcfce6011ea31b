#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole loop over real servers: a handoff mailed to the team over SMTP,
# polled from Dovecot, the notice sent over SMTP into Bob's mailbox, Bob's
# replies to it acting on the task; then the server down (retry with
# backoff, each mail delivered exactly once) and a 550 for one recipient.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 49

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
# accept-within = 0: the days this story skips would otherwise bring the
# handoffs' reminders, which acceptance.t counts; here only retries count.
config_for () {  # SMTP-PORT
  write_config "accept-within = 0
[imap]
url = imaps://127.0.0.1:$IMAPS_PORT/INBOX
user = team@example.com
password-file = $WORK/imap.pass
ca-file = $RIG_CA
processed-folder = Processed
failed-folder = Failed

[smtp]
url = smtp://127.0.0.1:$1
allow-plaintext = yes
from = Baton <team@example.com>"
}
config_for "$SMTP_PORT"
export BATON_NOW=2026-03-09T16:31:00Z

# smtp_send FROM TO < MESSAGE: one mail through the rig's SMTP server.
smtp_send () {
  /usr/bin/python3 -c '
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.sendmail(sys.argv[2], [sys.argv[3]], sys.stdin.buffer.read().replace(b"\n", b"\r\n"))' "$SMTP_PORT" "$1" "$2"
}
# header FILE NAME: one header of a message file, decoded and unfolded.
header () {
  /usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get(sys.argv[2], ""))' "$1" "$2"
}
newest () { ls -t "$(rig_maildir "$1")"/new/* "$(rig_maildir "$1")"/cur/* 2>/dev/null | head -1; }
delivered () { grep -c "delivered conn=.* to=<$1>" "$RIG_DIR/log/smtpd.log"; }
outcome () { db "select outcome || ':' || coalesce(report, '') from messages where message_id='$1'"; }

# 1. Alice's handoff travels SMTP → Dovecot → baton poll.
smtp_send alice@example.com team@example.com <<'MAIL'
From: Alice Martin <alice@example.com>
To: team@example.com
Subject: Mon update
Message-ID: <loop-1@alice.example.com>
Date: Mon, 09 Mar 2026 17:30:00 +0100

task: Ship the release
handoff 1 to bob: tests pass, needs the staging deploy
MAIL
is "alice's mail reaches the team INBOX over SMTP" "$(rig_count team@example.com INBOX)" 1
out=$(baton poll --from-start 2>&1); rc=$?
is "poll --from-start exits 0" "$rc" 0; [ "$rc" = 0 ] || echo "# $out"
is "the mail is applied: task 1 is bob's" "$(task_field 1 title)/$(task_field 1 owner)" "Ship the release/bob"
is "the mail moves to Processed" "$(rig_count team@example.com Processed)/$(rig_count team@example.com INBOX)" "1/0"
is "one notice waits in the outbox" "$(db "select kind || '>' || recipient from outbox where sent_at is null")" "handoff>bob@example.com"

# 2. baton send delivers the notice into Bob's INBOX.
out=$(baton send 2>&1); rc=$?
is "send exits 0" "$rc" 0; [ "$rc" = 0 ] || echo "# $out"
is "the notice is in bob's INBOX" "$(rig_count bob@example.com INBOX)" 1
is "delivered once, to bob only" "$(delivered bob@example.com)/$(grep -c 'delivered conn=' "$RIG_DIR/log/smtpd.log")" "1/2"
is "the outbox row is marked sent" "$(db "select count(*) from outbox where sent_at is not null and attempts = 1")" 1
notice=$(newest bob@example.com)
notice_id=$(header "$notice" Message-ID)
stored_id=$(db "select message_id from outbox where kind = 'handoff'")
is "Message-ID is ours and in example.com" "$notice_id" "<$stored_id>"
like "Message-ID domain" "$notice_id" '^<[^@<>]+@example\.com>$'
is "Auto-Submitted: auto-generated" "$(header "$notice" Auto-Submitted)" "auto-generated"
is "X-Loop carries the team marker" "$(header "$notice" X-Loop)" "team@example.com"
is "Reply-To is the team" "$(header "$notice" Reply-To)" "team@example.com"
is "From is [smtp] from" "$(header "$notice" From)" "Baton <team@example.com>"
is "To is Bob" "$(header "$notice" To)" "Bob Stone <bob@example.com>"
is "In-Reply-To threads on the task" "$(header "$notice" In-Reply-To)" "<baton-task-1@example.com>"
is "References too" "$(header "$notice" References)" "<baton-task-1@example.com>"
is "Subject names the task and the giver" "$(header "$notice" Subject)" "[#1] Ship the release (handed to you by alice)"
is "the envelope sender is the team" "$(header "$notice" Return-Path)" "<team@example.com>"
imap_out=$(/usr/bin/python3 - "$IMAPS_PORT" "$RIG_CA" <<'PY'
import imaplib, ssl, sys, email, email.policy
ctx = ssl.create_default_context(cafile=sys.argv[2])
with imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx) as imap:
    imap.login("bob@example.com", "bobpass")
    imap.select("INBOX", readonly=True)
    _, data = imap.search(None, "ALL")
    ids = data[0].split()
    _, msg = imap.fetch(ids[-1], "(RFC822)")
    m = email.message_from_bytes(msg[0][1], policy=email.policy.default)
    print(len(ids), m["Subject"], m["Auto-Submitted"], sep="|")
    print(m.get_body(("plain",)).get_content().splitlines()[0])
PY
)
is "Bob's IMAP INBOX serves the notice" "$(head -1 <<<"$imap_out")" \
  "1|[#1] Ship the release (handed to you by alice)|auto-generated"
is "with the handoff text" "$(tail -1 <<<"$imap_out")" 'Alice Martin passed you the baton: task #1, "Ship the release".'

# 3. Bob answers the notice: "take", quoted original below; then "done".
bob_reply () {  # ID BODY-LINE PARENT-ID PARENT-FILE
  { printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: Re: %s\nMessage-ID: <%s>\nIn-Reply-To: %s\nReferences: <baton-task-1@example.com> %s\nDate: Mon, 09 Mar 2026 09:40:00 -0700\n\n%s\n\nOn Mon, Mar 9, 2026 at 9:31 AM Baton <team@example.com> wrote:\n' \
      "$(header "$4" Subject)" "$1" "$3" "$3" "$2"
    /usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for line in m.get_body(("plain",)).get_content().splitlines(): print(">", line)' "$4"
  } | smtp_send bob@example.com team@example.com
}
bob_reply loop-take@bob.example.com take "$notice_id" "$notice"
baton poll; rc=$?
is "bob's 'take' is polled (exit 0)" "$rc" 0
like "a bare 'take' in a reply to the notice means task 1" "$(outcome loop-take@bob.example.com)" \
  "^applied:.*task #1 is already yours"
is "no reply mail for a clean 'take'" "$(db "select count(*) from outbox where kind = 'reply'")" 0

# Alice takes it back: Bob gets a "taken" notice and answers it with "take".
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: mine\nMessage-ID: <loop-2@alice.example.com>\n\ntake 1\n' |
  smtp_send alice@example.com team@example.com
baton poll && baton send
is "alice holds task 1" "$(task_field 1 owner)" "alice"
is "bob got the 'taken' notice" "$(rig_count bob@example.com INBOX)" 2
taken=$(newest bob@example.com)
is "its subject" "$(header "$taken" Subject)" "[#1] Ship the release (taken by alice)"
bob_reply loop-take2@bob.example.com take "$(header "$taken" Message-ID)" "$taken"
baton poll && baton send
is "'take' in a reply to the taken notice takes task 1 back" "$(task_field 1 owner)" "bob"
is "recorded as alice > bob" \
  "$(db "select from_member || '>' || to_member from events where kind = 'handoff' order by id desc limit 1")" "alice>bob"
is "and alice is told in turn" "$(header "$(newest alice@example.com)" Subject)" "[#1] Ship the release (taken by bob)"

bob_reply loop-done@bob.example.com done "$notice_id" "$notice"
baton poll
is "'done' in a reply to the notice closes task 1" "$(baton show 1 --json | /usr/bin/python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["state"], t["events"][-1]["kind"], t["events"][-1]["who"])')" "done done bob"
is "the quoted original applied nothing (no extra task, no update)" \
  "$(db "select count(*) from tasks")/$(db "select count(*) from events where kind = 'update'")" "1/0"

# 4. The server is down while baton send runs: 75, retried later with backoff.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: more\nMessage-ID: <loop-3@alice.example.com>\n\ntask: Second\ntask: Third\nhandoff 2 to bob\n' |
  baton ingest
# (two mails: one mail's handoffs to bob become one notice)
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: more\nMessage-ID: <loop-3b@alice.example.com>\n\nhandoff 3 to bob\n' |
  baton ingest
closed=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
config_for "$closed"
bob_before=$(rig_count bob@example.com INBOX); log_before=$(delivered bob@example.com)
out=$(baton send 2>&1); rc=$?
is "send with the server down exits 75" "$rc" 75
like "and says it will retry" "$out" "will retry"
now=$(date -u -d 2026-03-09T16:31:00Z +%s)
is "both rows wait 60 s after one failed attempt" \
  "$(db "select group_concat(attempts || ':' || (next_attempt - $now), ',') from outbox where sent_at is null")" "1:60,1:60"
like "with the connection error kept" "$(db "select last_error from outbox where sent_at is null limit 1")" "."
export BATON_NOW=2026-03-09T16:32:01Z
baton send 2>/dev/null; rc=$?
is "still down a minute later: 75 again" "$rc" 75
is "and the wait doubles to 120 s" \
  "$(db "select group_concat(attempts || ':' || (next_attempt - $now - 61), ',') from outbox where sent_at is null")" "2:120,2:120"
config_for "$SMTP_PORT"
out=$(baton send 2>&1); rc=$?
is "server up, but before next_attempt: nothing is sent (exit 0)" "$rc/$(rig_count bob@example.com INBOX)" "0/$bob_before"
export BATON_NOW=2026-03-09T16:34:01Z
out=$(baton send 2>&1); rc=$?
is "after next_attempt: sent (exit 0)" "$rc" 0; [ "$rc" = 0 ] || echo "# $out"
is "each waiting mail arrives exactly once" \
  "$(( $(rig_count bob@example.com INBOX) - bob_before ))/$(( $(delivered bob@example.com) - log_before ))" "2/2"
baton send; export BATON_NOW=2026-03-10T16:00:00Z; baton send
is "later runs send nothing again" "$(( $(delivered bob@example.com) - log_before ))" 2

# 5. 550 for one recipient: that row fails for good, the others still go.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: mixed\nMessage-ID: <loop-4@alice.example.com>\n\ntask: Fourth\nhandoff 4 to bob\ndone 99\n' |
  baton ingest
rig_smtp_reply rcpt "<bob@example.com> 550 5.1.1 no such user"
alice_before=$(delivered alice@example.com); log_before=$(delivered bob@example.com)
out=$(baton send 2>&1); rc=$?
is "send with one refused recipient exits 0" "$rc" 0
like "warning that a mail was refused for good" "$out" "1 mail refused for good"
is "bob's notice is marked failed after one attempt" \
  "$(db "select attempts || ':' || (failed_at is not null) || ':' || (sent_at is null) from outbox where kind = 'handoff' and task = 4")" "1:1:1"
like "with the server's words" "$(db "select last_error from outbox where task = 4 and kind = 'handoff'")" "550 5.1.1 no such user"
is "alice's reply (the failed 'done 99') still went" "$(( $(delivered alice@example.com) - alice_before ))" 1
rig_smtp_reply rcpt
export BATON_NOW=2026-03-12T16:00:00Z
baton send
is "a failed row is never retried" \
  "$(( $(delivered bob@example.com) - log_before ))/$(db "select attempts from outbox where task = 4 and kind = 'handoff'")" "0/1"
