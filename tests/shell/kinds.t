#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every mail baton sends says what it is in X-Baton-Kind, the outbox's own
# kind, so that people can file it with sieve or procmail.
. "$(dirname "$0")/../lib.sh"
plan 6
write_config "acknowledge = yes"
export BATON_NOW=2026-03-09T17:05:00Z

mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Deploy to staging
take 1
handoff 1 to bob: tests pass' | baton ingest
mail "Alice Martin <alice@example.com>" "back" back@a 'take 1' | baton ingest
mail "Bob Stone <bob@example.com>" "oops" oops@b 'done 42' | baton ingest
BATON_NOW=2026-03-10T16:00:00Z baton digest > /dev/null
kinds=$(db "select distinct kind from outbox order by kind" | paste -sd' ')
like "the outbox holds handoff, taken, reply and digest mail" "$kinds" "digest handoff reply taken"
for kind in $kinds; do
  headers=$(db "select distinct substr(cast(mime as text), 1, instr(cast(mime as text), char(10)||char(10)))
                from outbox where kind='$kind'" | grep -c "^X-Baton-Kind: $kind\$")
  count=$(db "select count(*) from outbox where kind='$kind'")
  is "each $kind mail carries X-Baton-Kind: $kind" "$headers" "$count"
done
is "no mail lacks the header" \
  "$(db "select count(*) from outbox where instr(cast(mime as text), char(10)||'X-Baton-Kind: ') = 0")" 0
