#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Handoffs must be accepted: a handoff (or a task created for someone)
# waits until its receiver acts on it; when accept-within of their working
# time has passed, they get one reminder at their next working start and
# the giver hears at theirs; return-after gives the task back.
. "$(dirname "$0")/../lib.sh"
plan 43

# alice works in Paris; bob in Los Angeles, Monday to Thursday, so that
# Friday 18:00 in Paris (10:00 for him) is already his weekend.
team_config () {
  CONFIG="$WORK/baton.conf"
  cat > "$CONFIG" <<CONF
[baton]
database = baton.db
team-address = team@example.com
handoff-delivery = morning
hours = 09:00-17:00
$1

$(member_section alice "Alice Martin" Europe/Paris)

$(member_section bob "Bob Stone" America/Los_Angeles "workdays = Mon-Thu")

$(member_section carol "Carol Diaz" Europe/Paris)

[outbox]
maildir = outbox
CONF
}
team_config ""
rows () { db "select kind || '>' || recipient || '@' || coalesce (datetime (nullif (not_before, 0), 'unixepoch'), 'now') from outbox where kind in ($1) order by id" | paste -sd' '; }
delivered () { grep -l "^X-Baton-Kind: $1" "$WORK"/outbox/new/* 2>/dev/null | wc -l; }

# --- the Paris / Los Angeles relay ---------------------------------------
export BATON_NOW=2026-03-13T17:00:00Z  # Friday 18:00 in Paris
mail "Alice Martin <alice@example.com>" "Deploy" relay@a 'task: Deploy the release
take 1
handoff 1 to bob: the build is green' | baton ingest
is "the handoff is pending" "$(task_field 1 pending)/$(task_field 1 pending_since)" "True/2026-03-13T17:00:00Z"
like "baton tasks marks it" "$(baton tasks)" "#1 +bob +taken +Deploy the release \[pending: not accepted, from alice\]"
is "bob's notice waits for his Monday 09:00" "$(rows "'handoff'")" "handoff>bob@example.com@2026-03-16 16:00:00"
BATON_NOW=2026-03-16T16:00:00Z baton send
is "and reaches him then" "$(delivered handoff)" 1
BATON_NOW=2026-03-16T23:59:00Z baton send
is "nothing more before the end of his Monday" "$(rows "'reminder','escalation'")" ""
BATON_NOW=2026-03-17T00:00:00Z baton digest > /dev/null
is "at the end of his Monday: a reminder for his Tuesday start, an escalation for alice's (09:00 Paris)" \
  "$(rows "'reminder','escalation'")" \
  "reminder>bob@example.com@2026-03-17 16:00:00 escalation>alice@example.com@2026-03-17 08:00:00"
BATON_NOW=2026-03-17T00:30:00Z baton digest > /dev/null
BATON_NOW=2026-03-17T00:40:00Z baton send
is "each only once, however often cron runs" "$(db "select count(*) from outbox where kind in ('reminder','escalation')")" 2
BATON_NOW=2026-03-17T08:00:00Z baton send
is "alice hears on Tuesday morning, Paris time" "$(delivered escalation)/$(delivered reminder)" "1/0"
escalation=$(cat $(grep -l "^X-Baton-Kind: escalation" "$WORK"/outbox/new/*))
like "it says the baton was not taken" "$escalation" "has not accepted task"
like "with the one-click way to take it back" "$escalation" "team\+take-1@example.com"
id=$(db "select message_id from outbox where kind='escalation'")
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Re: not accepted\nMessage-ID: <takeback@a>\nIn-Reply-To: <%s>\n\ntake\n' "$id" | baton ingest
is "a take from the escalation mail settles it" "$(task_field 1 owner)/$(task_field 1 pending)" "alice/False"
BATON_NOW=2026-03-17T16:00:00Z baton send
is "bob's reminder, now stale, is not sent" "$(delivered reminder)" 0
like "the row says why" "$(db "select last_error from outbox where kind='reminder'")" "accepted \(or moved on\)"

# --- what counts as accepting ---------------------------------------------
export BATON_NOW=2026-03-16T16:30:00Z  # Monday, everyone at work
mail "Alice Martin <alice@example.com>" "more" more@a 'task: Review the API @bob
task: Write the notes
take 3
handoff 3 to bob' | baton ingest
# One task per mail: several handoffs in one mail make one notice for all.
mail "Alice Martin <alice@example.com>" "login" login@a 'task: Fix the login @bob' | baton ingest
mail "Alice Martin <alice@example.com>" "docs" docs@a 'task: Update the docs @carol' | baton ingest
is "a task created for someone is pending too" "$(task_field 2 pending)/$(task_field 5 pending)" "True/True"
mail "Bob Stone <bob@example.com>" "ok" ok@b 'ack 2
accept 3' | baton ingest
is "ack N and accept N accept" "$(task_field 2 pending)/$(task_field 3 pending)" "False/False"
is "and are in the log" "$(db "select count(*) from events where kind='accepted'")" 2
mail "Bob Stone <bob@example.com>" "again" again@b 'accept 2' > "$WORK/again.eml"
out=$(baton explain "$WORK/again.eml")
like "accepting again is fine: nothing waited" "$out" "already yours: nothing waited to be accepted"
mail "Carol Diaz <carol@example.com>" "hmm" c1@c 'note 4: do we need it?' | baton ingest
is "another member's line does not accept for bob" "$(task_field 4 pending)" "True"
mail "Carol Diaz <carol@example.com>" "nope" c2@c 'accept 4' | baton ingest
is "nor can she accept a task bob holds" "$(task_field 4 pending)/$(db "select count(*) from events where kind='accepted' and task=4")" "True/0"
notice=$(db "select message_id from outbox where kind='handoff' and task=4")
printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: Re: login\nMessage-ID: <reply@b>\nIn-Reply-To: <%s>\n\nLooking at it this afternoon.\n' "$notice" | baton ingest
is "a reply of his to the notice accepts it" "$(task_field 4 pending)" "False"
mail "Carol Diaz <carol@example.com>" "docs" c3@c 'block 5: waiting for the release' | baton ingest
is "any command of the receiver on the task accepts it" "$(task_field 5 pending)" "False"
mail "Bob Stone <bob@example.com>" "pass" p@b 'handoff 2 to carol' | baton ingest
is "handed on, it waits for the next receiver" "$(db "select receiver || '<' || giver from pending where task=2")" "carol<bob"
mail "Bob Stone <bob@example.com>" "ackplus" ap@b 'hello' "To: team+accept-4@example.com" | baton ingest
is "team+accept-N is understood" "$(db "select count(*) from messages where message_id='ap@b'")" 1

BATON_NOW=2026-03-18T07:40:00Z baton digest > /dev/null
like "carol's digest lists what waits for her, with how long" \
  "$(BATON_NOW=2026-03-20T07:40:00Z baton digest --preview carol)" "WAITING FOR YOU +#2 Review the API +from bob, Mon 09:30 Los Angeles, 17:30 your time \(waiting 3 days\)"

# --- return-after ---------------------------------------------------------
rm -f "$WORK/baton.db"*; rm -rf "$WORK/outbox"
team_config "accept-within = 4h
return-after = 2d"
export BATON_NOW=2026-03-16T08:00:00Z  # Monday 09:00 Paris
mail "Alice Martin <alice@example.com>" "r" r@a 'task: Sign the contract
take 1
handoff 1 to carol' | baton ingest
BATON_NOW=2026-03-16T11:59:00Z baton send
is "4h of carol's working time have not passed at 12:59" "$(rows "'reminder','escalation'")" ""
BATON_NOW=2026-03-16T12:00:00Z baton send
is "at 13:00 she is reminded, alice told, both at once (at work)" "$(rows "'reminder','escalation'")" \
  "reminder>carol@example.com@now escalation>alice@example.com@now"
BATON_NOW=2026-03-17T15:59:00Z baton send
is "two working days: not yet at Tuesday 16:59" "$(task_field 1 owner)" "carol"
BATON_NOW=2026-03-17T16:00:00Z baton send
is "at Tuesday 17:00 the task is back with alice" "$(task_field 1 owner)/$(task_field 1 pending)" "alice/False"
like "alice is told it is back, at her next working start" \
  "$(rows "'returned'") $(db "select cast (mime as text) from outbox where kind='returned'")" \
  "returned>alice@example.com@2026-03-18 08:00:00 .*was never accepted: it is back with you"
like "and the log says why" "$(baton log | tail -1)" "handoff +alice +carol -> alice: not accepted by carol within 2 working days"

# --- accept-within = 0, and baton check -----------------------------------
rm -f "$WORK/baton.db"*
team_config "accept-within = 0"
mail "Alice Martin <alice@example.com>" "o" o@a 'task: Plain @bob' | baton ingest
is "accept-within = 0: nothing waits" "$(task_field 1 pending)" "False"
team_config "accept-within = 2w
return-after = soon"
out=$("$BATON" -c "$CONFIG" check 2>&1); code=$?
is "a bad accept-within or return-after fails check with EX_CONFIG" "$code" 78
like "each at its file:line" "$out" "baton.conf:6: accept-within: '2w' is not a working time: write 1d .*baton.conf:7: return-after: 'soon'"

# --- one click: hand it to someone else (team+handoff-N-NAME@) --------------
rm -f "$WORK/baton.db"*; rm -rf "$WORK/outbox"
team_config "accept-within = 4h
acknowledge = yes"
printf '\n[member dave-o.k]\nemail = dave@example.com\nname = Dave Ok\ntimezone = Europe/Paris\n' >> "$CONFIG"
export BATON_NOW=2026-03-16T08:00:00Z  # Monday 09:00 Paris
mail "Alice Martin <alice@example.com>" "h" h@a 'task: Pay the invoice
take 1
handoff 1 to bob' | baton ingest
BATON_NOW=2026-03-16T20:00:00Z baton digest > /dev/null  # 4h of bob's Monday in Los Angeles
body () { db "select cast (mime as text) from outbox where kind = '$1' order by id desc limit 1" | sed -n '/^$/,$p'; }
escalation=$(body escalation)
is "the escalation has one mailto: line per other member: carol and dave, not alice or bob" \
  "$(printf '%s\n' "$escalation" | grep -o 'mailto:team+handoff-[^ ]*' | paste -sd' ')" \
  "mailto:team+handoff-1-carol@example.com mailto:team+handoff-1-dave-o.k@example.com"
like "each with the member's name" "$escalation" "to Carol Diaz: mailto:team\+handoff-1-carol@example.com"
is "the reminder too: pass it on, not back to bob himself" \
  "$(body reminder | grep -o 'mailto:team+handoff-[^ ]*' | paste -sd' ')" \
  "mailto:team+handoff-1-carol@example.com mailto:team+handoff-1-dave-o.k@example.com"
# A reply-all to a mail that went to the plus-address carries it in Cc:
# it must not hand the task again.
export BATON_NOW=2026-03-16T20:10:00Z
printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nCc: team+accept-1@example.com\nSubject: Re: payments\nMessage-ID: <ra2@b>\nIn-Reply-To: <elsewhere@x>\nReferences: <elsewhere@x>\n\nSounds good.\n' | baton ingest
is "team+accept-1@ in Cc of a reply accepts nothing" "$(task_field 1 pending)" "True"
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nCc: team+handoff-1-carol@example.com\nSubject: Re: payments\nMessage-ID: <ra1@a>\nIn-Reply-To: <elsewhere@x>\n\nThanks, noted.\n' | baton ingest
is "nor does team+handoff-1-carol@ in Cc hand it on" "$(task_field 1 owner)/$(db "select receiver from pending where task = 1")" "bob/bob"
printf 'From: Alice Martin <alice@example.com>\nTo: team+handoff-1-zed@example.com\nSubject: \nMessage-ID: <zed@a>\n\n' | baton ingest
like "an unknown member is refused, and the reply says who the members are" \
  "$(task_field 1 owner) $(db "select report from messages where message_id = 'zed@a'")" \
  "^bob .*there is no member called zed; members: alice, bob, carol, dave-o.k"
like "in the receipt to alice" "$(db "select recipient || ' ' || cast (mime as text) from outbox where kind = 'reply' order by id desc limit 1")" \
  "^alice@example.com .*no member called zed"
printf 'From: Alice Martin <alice@example.com>\nTo: Team <team+HANDOFF-1-Carol@Example.com>\nSubject: \nMessage-ID: <click@a>\n\n' | baton ingest
is "an empty mail to team+handoff-1-carol@ from the giver hands it to carol" \
  "$(task_field 1 owner)/$(db "select receiver || '<' || giver || ' ' || datetime (since, 'unixepoch') from pending where task = 1")" \
  "carol/carol<alice 2026-03-16 20:10:00"
is "as handoff 1 to carol by alice: the log, and the notices to carol and bob" \
  "$(db "select who || ' ' || kind || ' ' || from_member || '>' || to_member from events where message = (select id from messages where message_id = 'click@a')") $(db "select kind || '>' || recipient from outbox where kind in ('handoff', 'taken') and created_at = strftime ('%s', '2026-03-16T20:10:00') order by kind" | paste -sd' ')" \
  "alice handoff bob>carol handoff>carol@example.com taken>bob@example.com"
printf 'From: Carol Diaz <carol@example.com>\nTo: team+handoff-1-dave-o.k@example.com\nSubject: \nMessage-ID: <click2@c>\n\n' | baton ingest
is "a name with '-' and '.' works: carol passes it to dave-o.k" "$(task_field 1 owner)/$(db "select receiver || '<' || giver from pending where task = 1")" "dave-o.k/dave-o.k<carol"
