#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 16's smaller findings, each with the input that showed it: mail
# without a Message-ID delivered twice, `log --task` of a missing task, the
# reply's count, a multi-line note in `show`, an @mention in a title after
# a handoff, the body of a team+task@ mail, and held mail in the second of
# a digest.
. "$(dirname "$0")/../lib.sh"
plan 15
write_config "digest-when-empty = yes"
export BATON_NOW=2026-03-09T16:31:00Z

# --- no Message-ID, delivered twice with one more Received: ----------------
noid () {  # EXTRA-TRACE
  printf '%sReturn-Path: <alice@example.com>\nDelivered-To: team@example.com\n' "$1"
  printf 'Received: from mx1.example.com by imap.example.com; Mon, 9 Mar 2026 18:05:02 +0100\n'
  printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: no id\n'
  printf 'Date: Mon, 09 Mar 2026 18:05:00 +0100\n\ntask: Only once\n'
}
noid "" | baton ingest
noid $'Received: from relay.example.net\n by mx1.example.com; Mon, 9 Mar 2026 18:06:00 +0100\nX-Original-To: team@example.com\n' > "$WORK/again.eml"
out=$(baton -v ingest "$WORK/again.eml" 2>&1)
is "mail without a Message-ID, delivered again with one more Received:, is applied once" \
  "$(db "select count(*) from tasks where title = 'Only once'")" 1
like "the second delivery is a duplicate" "$out" "duplicate"
noid "" | sed 's/Only once/Only once, edited/' | baton ingest
is "a mail that differs in what the sender wrote is still a new mail" \
  "$(db "select count(*) from tasks where title like 'Only once%'")" 2

# --- log --task of a task that does not exist --------------------------------
out=$(baton log --task 99 2>&1); rc=$?
is "log --task 99 exits 66 like show 99" "$rc" 66
is "saying so" "$out" "baton log: there is no task #99"
ok "log --task of an existing task still exits 0" test -n "$(baton log --task 1)"

# --- the reply counts what it lists -----------------------------------------
mail "Alice Martin <alice@example.com>" "four lines" four@a $'Hi team,\nthe draft is up.\n\ndone 99' | baton ingest
reply=$(/usr/bin/python3 - "$WORK/baton.db" <<'PY'
import sqlite3, sys, email, email.policy
(mime,) = sqlite3.connect(sys.argv[1]).execute(
    "SELECT mime FROM outbox WHERE kind = 'reply' ORDER BY id DESC LIMIT 1").fetchone()
m = email.message_from_bytes(mime, policy=email.policy.default)
print(m.get_body(("plain",)).get_content().splitlines()[0])
PY
)
is "a 4-line mail with an update and a failed command: 1 of the 2 items" "$reply" \
  'baton could not apply 1 of the 2 items it found in your mail "four lines".'

# --- @mention in a title, then a handoff ------------------------------------
mail "Alice Martin <alice@example.com>" "t" at1@a $'task: Review the API @bob\ntask: ask @bob about the schema' | baton ingest
id=$(db "select id from tasks where title like 'Review the API%'")
is "a trailing @bob assigns and is left out of the title" "$(db "select title || '|' || owner from tasks where id = $id")" "Review the API|bob"
is "an @mention inside the text stays" "$(db "select count(*) from tasks where title = 'ask @bob about the schema'")" 1
mail "Bob Stone <bob@example.com>" "h" at2@a "handoff $id to alice" | baton ingest
is "after a handoff the title names nobody who no longer holds it" "$(baton show "$id" | head -1)" "#$id Review the API"

# --- the body of a team+task@ mail ------------------------------------------
printf 'From: Alice Martin <alice@example.com>\nTo: team+task@example.com\nSubject: Order a cake\nMessage-ID: <plus@a>\n\nChocolate, for Friday.\nTwelve people.\n' | baton ingest
id=$(db "select id from tasks where title = 'Order a cake'")
is "a team+task@ mail creates the task from its subject" "$(db "select count(*) from tasks where title = 'Order a cake'")" 1
is "its body is a note on that task, not a team update" \
  "$(db "select kind || '|' || task from events where note like 'Chocolate%'")" "note|$id"
show=$(baton show "$id")
like "show prints the note's second line indented under it" "$show" \
  "note +alice +: Chocolate, for Friday. {25}Twelve people\."

# --- held mail in the second of a digest ------------------------------------
held=$WORK/held; mkdir -p "$held"; cp "$CONFIG" "$held/baton.conf"
BATON_NOW=2026-03-09T17:05:00Z "$BATON" -q -c "$held/baton.conf" init
BATON_NOW=2026-03-10T15:30:00Z "$BATON" -c "$held/baton.conf" digest
mail "Mallory <mallory@example.net>" "let me in" held@a 'task: Not a member' |
  BATON_NOW=2026-03-10T15:30:00Z "$BATON" -c "$held/baton.conf" ingest
BATON_NOW=2026-03-11T15:30:00Z "$BATON" -c "$held/baton.conf" digest
is "mail held in the second of a digest is in the next digest's HELD list, once" \
  "$(sqlite3 "$held/baton.db" "select group_concat(cast(instr(mime, 'mallory@example.net') > 0 as text), ' ') from outbox where recipient = 'bob@example.com' and kind = 'digest' order by id")" "0 1"
ok "and the held list says HELD" test "$(sqlite3 "$held/baton.db" "select count(*) from outbox where recipient = 'bob@example.com' and kind = 'digest' and instr(mime, 'HELD') > 0")" -ge 1
