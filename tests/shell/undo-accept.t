#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# undo and the handoffs waiting to be accepted: undo of what accepted a
# handoff (accept, take, a note, handing it on, the giver taking it back
# from the escalation) makes it wait again for the same receiver, since the
# same instant, reminder and escalation as they were; undo of a handoff or
# of a task created for someone takes back the wait it started.
. "$(dirname "$0")/../lib.sh"
plan 50

CONFIG="$WORK/baton.conf"
cat > "$CONFIG" <<CONF
[baton]
database = baton.db
team-address = team@example.com
acknowledge = yes
hours = 09:00-17:00
accept-within = 4h
return-after = 2d

$(member_section alice "Alice Martin" Europe/Paris)

$(member_section bob "Bob Stone" Europe/Paris)

$(member_section carol "Carol Diaz" Europe/Paris)

[outbox]
maildir = outbox
CONF
alice="Alice Martin <alice@example.com>"
bob="Bob Stone <bob@example.com>"
# Monday 2026-03-16, 09:00 in Paris; a minute between mails.
clock=$(date -u -d 2026-03-16T08:00:00Z +%s)
tick () { clock=$((clock + 60)); export BATON_NOW=$(date -u -d "@$clock" +%FT%TZ); }
at () { export BATON_NOW=$1; clock=$(date -u -d "$1" +%s); }
# What task N waits on: pending/pending_since as tasks --json shows them,
# then receiver<giver and whether reminded/escalated, from the table.
waits () {
  echo "$(task_field "$1" pending)/$(task_field "$1" pending_since)/$(db "select receiver || '<' || giver || '/' || (reminded_at is not null) || (escalated_at is not null) from pending where task = $1")"
}
holder () { echo "$(task_field "$1" state)/$(task_field "$1" owner)"; }
receipt_for () { db "select message_id from outbox where kind = 'reply' and cast(mime as text) like '%In-Reply-To: <$1>%'"; }
# undo_by_mail FROM ID: a reply "undo" to baton's receipt for mail ID.
undo_by_mail () {
  tick; mail "$1" "Re: cmd" "${3:-undo-$2}" 'undo' "In-Reply-To: <$(receipt_for "$2")>" \
    "References: <$2> <$(receipt_for "$2")>" | baton ingest > /dev/null
}
report () { db "select report from messages where message_id = '$1'"; }
due_mails () { db "select count(*) from outbox where kind in ('reminder', 'escalation') and task = $1"; }

# --- accept, undone by mail --------------------------------------------------
at 2026-03-16T08:00:00Z
mail "$alice" "one" h1@a 'task: Review the API
take it
handoff it to bob: your area' | baton ingest > /dev/null
before=$(waits 1)
is "a handoff waits for bob" "$before" "True/2026-03-16T08:00:00Z/bob<alice/00"
tick; mail "$bob" "ok" a1@b 'accept 1' | baton ingest > /dev/null
is "accept settles it" "$(waits 1)" "False//"
undo_by_mail "$bob" a1@b
is "undo of the accept: it waits again, since the same instant" "$(waits 1)" "$before"
is "still held by bob" "$(holder 1)" "taken/bob"
like "the reply says so" "$(report undo-a1@b)" "task #1 back to taken by bob, waiting for bob to accept it again"
is "the log says so, and the accept stays in it" \
  "$(db "select group_concat(kind || ':' || coalesce(note, ''), ' | ') from events where task = 1 and id > (select max(id) from events where kind = 'handoff' and task = 1)")" \
  "accepted: | note:undo: not accepted after all: waits for bob to accept it from alice again"
at 2026-03-16T11:59:00Z; baton send
is "no reminder before the 4 working hours from the handoff" "$(due_mails 1)" 0
at 2026-03-16T12:00:00Z; baton send
is "at 13:00 Paris the reminder and escalation go, as if never accepted" \
  "$(db "select group_concat(kind || '>' || recipient, ' ') from outbox where kind in ('reminder', 'escalation') and task = 1")" \
  "reminder>bob@example.com escalation>alice@example.com"
undo_by_mail "$bob" a1@b again-a1@b
like "a second undo of the accept changes nothing" "$(report again-a1@b)" "task #1 left as it is: bob changed it since \\(note\\)"
is "and leaves the wait as it is" "$(waits 1)" "True/2026-03-16T08:00:00Z/bob<alice/11"

# --- accepted by a line of his: take, note, block, done, drop, reopen -------
# (reopen of a task not done is refused: a line of his all the same)
for how in "take 1" "note 1: on it after lunch" "block 1: waiting for the spec" "done 1" \
  "drop 1" "reopen 1"; do
  tick; mail "$bob" "line" "line-${how%% *}@b" "$how" | baton ingest > /dev/null
  is "'$how' by bob accepts it" "$(task_field 1 pending)" "False"
  tick; baton undo "line-${how%% *}@b" > /dev/null
  is "baton undo of '$how': waits again, reminded and escalated as before" "$(waits 1)" "True/2026-03-16T08:00:00Z/bob<alice/11"
  is "held by bob, not blocked" "$(holder 1)" "taken/bob"
done
is "the take that only accepted is in the log" \
  "$(db "select kind from events where message = (select id from messages where message_id = 'line-take@b')")" "accepted"
at 2026-03-16T12:30:00Z; baton send
is "a restored wait sends no second reminder or escalation" "$(due_mails 1)" 2

# --- the giver takes it back from the escalation, then undoes that ----------
escalation=$(db "select message_id from outbox where kind = 'escalation' and task = 1")
tick; printf 'From: %s\nTo: team@example.com\nSubject: Re: not accepted\nMessage-ID: <back@a>\nIn-Reply-To: <%s>\n\ntake\n' "$alice" "$escalation" | baton ingest > /dev/null
is "take from the escalation: alice holds it, nothing waits" "$(holder 1)/$(task_field 1 pending)" "taken/alice/False"
tick; baton undo back@a > /dev/null
is "undo: back with bob" "$(holder 1)" "taken/bob"
is "waiting for him since the handoff, reminder and escalation as before" "$(waits 1)" "True/2026-03-16T08:00:00Z/bob<alice/11"

# --- handed on: bob to carol, alice to carol --------------------------------
tick; mail "$bob" "pass" on1@b 'handoff 1 to carol: yours really' | baton ingest > /dev/null
is "bob hands it on: carol's wait starts" "$(db "select receiver || '<' || giver from pending where task = 1")" "carol<bob"
tick; baton undo on1@b > /dev/null
is "undo: bob's wait is back, carol's gone" "$(holder 1)/$(waits 1)" "taken/bob/True/2026-03-16T08:00:00Z/bob<alice/11"
tick; mail "$alice" "pass" on2@a 'handoff 1 to carol' | baton ingest > /dev/null
undo_by_mail "$alice" on2@a
is "alice hands it to carol instead, undone by mail: bob's wait is back" "$(holder 1)/$(waits 1)" \
  "taken/bob/True/2026-03-16T08:00:00Z/bob<alice/11"

# --- undo of the handoff itself, and of a task created for someone ----------
at 2026-03-17T08:00:00Z
mail "$alice" "two" h2@a 'task: Update the docs
take it' | baton ingest > /dev/null
tick; mail "$alice" "two" h3@a 'handoff 2 to carol' | baton ingest > /dev/null
is "handoff of #2: carol's wait" "$(task_field 2 pending)" "True"
undo_by_mail "$alice" h3@a
is "undo of the handoff: alice holds it and nothing waits" "$(holder 2)/$(waits 2)" "taken/alice/False//"
tick; mail "$alice" "three" c1@a 'task: Plan the offsite @carol' | baton ingest > /dev/null
is "a task created for carol waits for her" "$(task_field 3 pending)" "True"
tick; baton undo c1@a > /dev/null
is "undo of the creation: closed, nothing waits" "$(holder 3)/$(waits 3)" "done/carol/False//"
at 2026-03-18T12:00:00Z; baton send
is "and no reminder goes for either" "$(due_mails 2)/$(due_mails 3)" "0/0"

# --- several lines of one mail: the wait before the mail comes back ---------
at 2026-03-19T08:00:00Z
mail "$alice" "four" h4@a 'task: Renew the certificate
take it
handoff it to bob' | baton ingest > /dev/null
tick; mail "$alice" "four" h5@a 'handoff 4 to carol
handoff 4 to alice
handoff 4 to bob' | baton ingest > /dev/null
is "handed around in one mail: bob waits, since then" "$(waits 4)" "True/$BATON_NOW/bob<alice/00"
tick; baton undo h5@a > /dev/null
is "undo: bob waits since the first handoff" "$(waits 4)" "True/2026-03-19T08:00:00Z/bob<alice/00"

# --- return-after --------------------------------------------------------------
# Accepted in time, the accept undone after the return time: the next run
# returns it, as if it had never been accepted.
at 2026-03-23T08:00:00Z  # Monday
mail "$alice" "five" h6@a 'task: Sign the contract
take it
handoff it to bob' | baton ingest > /dev/null
tick; mail "$bob" "ok" a6@b 'accept 5' | baton ingest > /dev/null
at 2026-03-25T08:00:00Z; baton send
is "accepted: no return after two working days" "$(holder 5)" "taken/bob"
tick; baton undo a6@b > /dev/null
is "undo of the accept: waiting since Monday" "$(waits 5)" "True/2026-03-23T08:00:00Z/bob<alice/00"
tick; baton send
is "the next run returns it to alice" "$(holder 5)/$(task_field 5 pending)" "taken/alice/False"
# The return happened: undo of the handoff it undid is refused, and
# changes nothing (the return is no member's mail to undo).
out=$(baton undo h6@a 2>&1)
like "undo of the handoff after the return is refused" "$out" "task #5 left as it is: bob changed it since \\(accepted\\)"
is "and leaves it with alice, nothing waiting" "$(holder 5)/$(waits 5)" "taken/alice/False//"
# Handed to carol after the return, undone: with alice, and the wait the
# return ended stays ended.
tick; mail "$alice" "six" h7@a 'handoff 5 to carol' | baton ingest > /dev/null
tick; baton undo h7@a > /dev/null
is "undo of the handoff after a return: alice's, nothing waits" "$(holder 5)/$(waits 5)" "taken/alice/False//"

# --- acceptance turned off since: undo of an accept makes nothing wait ----
at 2026-03-30T08:00:00Z
mail "$alice" "seven" h8@a 'task: Close the books
take it
handoff it to bob' | baton ingest > /dev/null
tick; mail "$bob" "ok" a8@b 'accept 6' | baton ingest > /dev/null
sed -i 's/^accept-within = 4h$/accept-within = 0/; s/^return-after = 2d$/return-after = 0/' "$CONFIG"
tick; baton undo a8@b > /dev/null
is "with accept-within and return-after 0, undo of an accept restores no wait" "$(holder 6)/$(waits 6)" "taken/bob/False//"
