#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A reminder or escalation held for a working start is about one handoff.
# When the task is handed on or back before it goes out, the task waits
# for someone else (or for the same member, from the start), and the held
# mail is dropped. Before, it went out as long as anyone's handoff of the
# task waited: bob, who had handed the task back, was reminded to accept
# it, and alice was told bob had not accepted it, while it waited for her.
# Found by the simulated year (tests/unit/test-year.c, handed on at night).
. "$(dirname "$0")/../lib.sh"
plan 8
write_config "handoff-delivery = morning"
rows () { db "select kind || '>' || recipient || ':' || case when sent_at then 'sent' when failed_at then 'dropped' else 'held' end from outbox where kind in ('reminder', 'escalation') order by id" | paste -sd' '; }

# Monday 08:00 in Los Angeles: bob's day of hours ends at 18:00 there.
BATON_NOW=2026-03-09T15:00:00Z baton tasks > /dev/null
mail "Alice Martin <alice@example.com>" "job" job@a 'task: Job
take 1
handoff 1 to bob' | BATON_NOW=2026-03-09T15:00:00Z baton ingest
BATON_NOW=2026-03-10T01:00:00Z baton send
is "his reminder waits for his Tuesday, her escalation for hers" "$(rows)" \
  "reminder>bob@example.com:held escalation>alice@example.com:held"

# At night bob hands it back; it now waits for alice, from bob.
mail "Bob Stone <bob@example.com>" "back" back@b 'handoff 1 to alice: not mine' |
  BATON_NOW=2026-03-10T02:00:00Z baton ingest
is "it waits for alice" "$(db "select receiver || '<' || giver from pending")" "alice<bob"
BATON_NOW=2026-03-10T07:00:00Z baton send
BATON_NOW=2026-03-10T15:00:00Z baton send
is "neither held mail goes out" "$(rows)" \
  "reminder>bob@example.com:dropped escalation>alice@example.com:dropped"
like "the rows say why" "$(db "select group_concat (last_error, '|') from outbox where failed_at")" \
  "handoff of task #1 was accepted \(or moved on\) before this reminder.*before this escalation"

# alice's own handoff runs its course: due Tuesday 18:00 in Paris.
BATON_NOW=2026-03-10T17:00:00Z baton send
BATON_NOW=2026-03-11T07:00:00Z baton send
is "alice is reminded and bob told, once each" "$(rows | cut -d' ' -f3-)" \
  "reminder>alice@example.com:sent escalation>bob@example.com:sent"

# Handed again to the same member: the held reminder was about the first.
mail "Alice Martin <alice@example.com>" "again" again@a 'take 1
handoff 1 to bob: once more' | BATON_NOW=2026-03-16T15:00:00Z baton ingest
BATON_NOW=2026-03-17T01:00:00Z baton send
mail "Alice Martin <alice@example.com>" "again" again2@a 'handoff 1 to bob: really' |
  BATON_NOW=2026-03-17T02:00:00Z baton ingest
BATON_NOW=2026-03-17T15:00:00Z baton send
is "the reminder about the first handoff is dropped" \
  "$(rows | cut -d' ' -f5-)" "reminder>bob@example.com:dropped escalation>alice@example.com:dropped"
BATON_NOW=2026-03-18T01:00:00Z baton send
BATON_NOW=2026-03-18T15:00:00Z baton send
is "the second handoff gets its own, once" "$(rows | cut -d' ' -f7-)" \
  "reminder>bob@example.com:sent escalation>alice@example.com:sent"
is "bob got one reminder a handoff" \
  "$(db "select count(*) from outbox where kind = 'reminder' and recipient = 'bob@example.com' and sent_at")" 1
