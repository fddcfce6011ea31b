#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two handoff notices of one task held for the same member's morning: the
# task went away from them and came back overnight (taken back and handed
# again, or passed on by a third member). Both name the member as holder,
# so both looked current, and the member got two "it is yours now" mails
# for one handoff. The newest replaces the older. Found by the simulated
# year (tests/unit/test-year.c).
. "$(dirname "$0")/../lib.sh"
plan 5
write_config "handoff-delivery = morning"
notices () { db "select case when sent_at then 'sent' when failed_at then 'dropped' else 'held' end from outbox where kind = 'handoff' and recipient = 'bob@example.com' order by id" | paste -sd' '; }

# Monday 21:00 in Los Angeles: bob's notices wait for his Tuesday 08:00.
BATON_NOW=2026-03-09T15:00:00Z baton tasks > /dev/null
mail "Alice Martin <alice@example.com>" "job" job@a 'task: Job
take 1
handoff 1 to bob: the first try' | BATON_NOW=2026-03-10T04:00:00Z baton ingest
mail "Alice Martin <alice@example.com>" "back" back@a 'take 1' |
  BATON_NOW=2026-03-10T04:10:00Z baton ingest
mail "Alice Martin <alice@example.com>" "again" again@a 'handoff 1 to bob: with the logs now' |
  BATON_NOW=2026-03-10T04:20:00Z baton ingest
BATON_NOW=2026-03-10T05:00:00Z baton send
is "both notices wait for his morning" "$(notices)" "held held"

BATON_NOW=2026-03-10T15:00:00Z baton send
is "he gets one, the newer" "$(notices)" "dropped sent"
like "the older says why" "$(db "select last_error from outbox where kind = 'handoff' and failed_at")" \
  "newer handoff notice of task #1 to the same member replaces it"
like "the one he gets has the latest note" \
  "$(cat $(grep -l '^X-Baton-Kind: handoff' "$WORK"/outbox/new/*))" "with the logs now"
is "one handoff notice in his mailbox" "$(grep -l '^X-Baton-Kind: handoff' "$WORK"/outbox/new/* | wc -l)" 1
