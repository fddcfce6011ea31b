#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A handoff never accepted costs later cron runs nothing once its reminder
# and escalation are queued and no return-after is to come: `send`,
# `digest` and `run` skip its pending row. Before, each such row cost every
# run a transaction and five reads, for ever (found by the simulated year,
# tests/unit/test-year.c: 100 of them tripled its cron time). Counted with
# the fault library's trace of database calls, so the test is exact.
. "$(dirname "$0")/../lib.sh"
use_fault_library
plan 4
write_config "accept-within = 1d"

# TAG N: alice creates N tasks for bob in one mail; each waits for him.
handoffs () {
  local body="" i
  for i in $(seq 1 "$2"); do body="$body
task: Job $1-$i @bob"; done
  mail "Alice Martin <alice@example.com>" "jobs $1" "jobs-$1@a" "$body" | baton ingest
}
# The database calls of one `baton send` that has nothing to send.
calls () {
  rm -f "$WORK/trace"
  LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/trace" baton send
  grep -c '^c' "$WORK/trace"
}

# Monday 03:00 in Los Angeles: one day of bob's hours ends Monday 18:00.
BATON_NOW=2026-03-09T10:00:00Z handoffs a 1
BATON_NOW=2026-03-10T02:00:00Z baton send
is "one handoff reminded and escalated" \
  "$(db "select count(*) from pending where reminded_at and escalated_at")" 1
one=$(BATON_NOW=2026-03-10T02:15:00Z calls)

# Forty more on Tuesday, due Tuesday 18:00 there.
BATON_NOW=2026-03-10T10:00:00Z baton send
BATON_NOW=2026-03-10T10:00:00Z handoffs b 40
BATON_NOW=2026-03-11T02:00:00Z baton send
is "forty-one reminded and escalated" \
  "$(db "select count(*) from pending where reminded_at and escalated_at")" 41
is "each once" "$(db "select count(*) from outbox where kind in ('reminder', 'escalation')")" 82
many=$(BATON_NOW=2026-03-11T02:15:00Z calls)
is "a send then reads as much with 41 as with one ($one calls)" "$many" "$one"
