#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Which mail baton queues: handoff and taken notices, morning delivery,
# replies to failed lines, acknowledge, the reply cap, never to outsiders.
. "$(dirname "$0")/../lib.sh"
plan 17
# Working hours end at 10:00, so bob (10:05 in San Francisco) is off work.
write_config "handoff-delivery = morning
hours = 08:00-10:00"
outbox () { db "select kind || '>' || recipient from outbox order by id" | paste -sd' '; }
export BATON_NOW=2026-03-09T17:05:00Z   # 18:05 in Paris, 10:05 in San Francisco

mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Deploy to staging
take 1
handoff 1 to bob: tests pass, needs the staging deploy' | baton ingest
is "a handoff queues one notice to its receiver" "$(outbox)" "handoff>bob@example.com"
is "with handoff-delivery = morning it waits for bob's next working start (08:00, 15:00Z)" \
  "$(db "select datetime(not_before, 'unixepoch') from outbox")" "2026-03-10 15:00:00"
baton send
is "send before then delivers nothing" "$(ls "$WORK/outbox/new" 2>/dev/null | wc -l)" 0
BATON_NOW=2026-03-10T15:31:00Z baton send
is "after bob's 08:00 it is delivered" "$(ls "$WORK/outbox/new" | wc -l)" 1
notice=$(cat "$WORK"/outbox/new/*)
like "the notice names the task and the note" "$notice" "tests pass, needs the staging deploy"
like "threads under the task" "$notice" "References: <baton-task-1@example.com>"
like "and is marked as machine mail" "$notice" "Auto-Submitted: auto-generated"
is "a sent mail is never sent again" "$(baton send; ls "$WORK/outbox/new" | wc -l)" 1

id=$(db "select message_id from outbox where kind='handoff'")
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Re: notice\nMessage-ID: <back@a>\nIn-Reply-To: <%s>\n\ntake\n\nOn Mon, baton wrote:\n> take 99\n' "$id" | baton ingest
is "a reply to the notice with only 'take' acts on that task" "$(task_field 1 owner)" "alice"
is "and tells bob his task was taken" "$(db "select kind || '>' || recipient from outbox order by id desc limit 1")" "taken>bob@example.com"

mail "Bob Stone <bob@example.com>" "oops" oops@b 'done 42' | baton ingest
reply=$(db "select cast(mime as text) from outbox where kind='reply'")
like "a failed line earns a reply naming the line" "$reply" "line 1: done 42"
like "threaded to the mail it answers" "$reply" "In-Reply-To: <oops@b>"

for i in 1 2 3 4 5 6 7; do mail "Bob Stone <bob@example.com>" "oops $i" "oops$i@b" "done 4$i" | baton ingest; done
is "replies are capped at 5 per sender per hour" "$(db "select count(*) from outbox where kind='reply'")" 5

mail "Mallory <mallory@elsewhere.example>" "x" m@x 'done 42' | baton ingest
mail "Bob Stone <bob@example.com>" "x" auto@b 'done 42' "Auto-Submitted: auto-replied" | baton ingest
is "outsiders and machine mail never get a reply" \
  "$(db "select count(*) from outbox where recipient like 'mallory%'")/$(db "select count(*) from outbox where kind='reply'")" "0/5"

write_config "acknowledge = yes"
mail "Alice Martin <alice@example.com>" "ack" ack@a 'note 1: all good' | baton ingest
is "acknowledge = yes replies to a mail with no failure too" \
  "$(db "select count(*) from outbox where kind='reply' and recipient='alice@example.com'")" 1

write_config "handoff-delivery = morning
hours = 08:00-10:00"
mail "Alice Martin <alice@example.com>" "late" late@a 'task: Late one
handoff 2 to bob: for your morning' | baton ingest
mail "Alice Martin <alice@example.com>" "back" back2@a 'take 2' | baton ingest
BATON_NOW=2026-03-10T15:31:00Z baton send
is "a held handoff whose task was taken back overnight is not sent" \
  "$(db "select count(*) from outbox where kind='handoff' and task=2 and sent_at is not null")" 0
like "the row says why" "$(db "select last_error from outbox where kind='handoff' and task=2")" \
  "not sent: task #2 is taken and held by alice"
