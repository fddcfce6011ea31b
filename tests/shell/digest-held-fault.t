#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A digest whose held mail cannot be read is not sent. Before, the read
# passed no error: a database failure there gave a digest without its HELD
# section, recorded as sent, so the outsider's mail was never reported to
# anyone. Now the digest run fails with 75 and queues nothing; the next
# run reports the held mail. The failure comes from tests/faults/fault.c.
. "$(dirname "$0")/../lib.sh"
use_fault_library
plan 8
write_config
# The members join in the morning; the outsider writes in the afternoon.
BATON_NOW=2026-03-09T08:00:00Z baton tasks >/dev/null
export BATON_NOW=2026-03-09T17:05:00Z

mail "Eve Outsider <eve@elsewhere.example>" "Let me in" eve@x 'take 1' | baton ingest
is "the outsider's mail is held" "$(db "select outcome from messages")" quarantined

# Digests run a minute later: a window is [since, now), so mail held in
# the digest's own second belongs to the next one.
export BATON_NOW=2026-03-09T17:06:00Z
held_read='sql:SELECT id, sender, subject, reason, received_at FROM messages'
out=$(LD_PRELOAD=$PRELOAD BATON_FAULT="ioerr:$held_read" "$BATON" -c "$CONFIG" digest --force 2>&1)
rc=$?
is "a failed read of the held mail fails the run with 75 (EX_TEMPFAIL)" "$rc" 75
like "the error says what failed" "$out" 'held mail'
is "no digest is queued without its held section" \
  "$(db "select count(*) from outbox where kind = 'digest'")" 0
is "no digest is recorded as sent" "$(db "select count(*) from digests")" 0

baton digest --force
is "the next run queues both digests" "$(db "select count(*) from outbox where kind = 'digest'")" 2
is "both digests report the held mail, with its sender" \
  "$(db "select count(*) from outbox where kind = 'digest'
         and instr(mime, 'HELD: MAIL FROM OUTSIDE THE TEAM') > 0 and instr(mime, 'eve@elsewhere.example') > 0")" 2
text=$(db "select mime from outbox where kind = 'digest' and recipient = 'alice@example.com'")
like "alice's too, whose run had failed" "$text" 'HELD: MAIL FROM OUTSIDE THE TEAM'
