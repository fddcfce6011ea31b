#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line: help, usage errors, init, check, the read commands.
. "$(dirname "$0")/../lib.sh"
plan 17

out=$("$BATON" --help)
like "--help lists every command" "$out" "init.*check.*ingest.*explain.*poll.*run.*tasks.*show.*log.*members.*demo"
like "--help documents exit status and BATON_NOW" "$out" "EXIT STATUS.*BATON_NOW"
"$BATON" frobnicate 2>/dev/null; is "an unknown command exits 64" "$?" 64
"$BATON" tasks --bogus 2>/dev/null; is "an unknown option exits 64" "$?" 64

cd "$WORK"
out=$("$BATON" init 2>&1); rc=$?
is "init exits 0" "$rc" 0
ok "init writes a sample config and a database" test -f baton.conf -a -f baton.db
out=$("$BATON" check 2>&1); rc=$?
is "the sample config passes check, in one line" "$rc/$out" "0/baton.conf: no problems found (servers not contacted: baton check --connect logs in to them)"
before=$(md5sum baton.conf)
"$BATON" init 2>/dev/null
is "init never overwrites a config" "$(md5sum baton.conf)" "$before"

cat > bad.conf <<'CONF'
[baton]
team-address = team@example.com
acknowledge = maybe

[member alice]
email = alice@example.com
timezone = Europe/Pariss

[memebr bob]
email = bob@example.com
CONF
out=$("$BATON" -c bad.conf check 2>&1); rc=$?
is "a bad config exits 78 (EX_CONFIG)" "$rc" 78
like "each problem with file:line (3)" "$out" "bad.conf:3: acknowledge must be yes or no"
like "each problem with file:line (7)" "$out" "bad.conf:7: timezone 'Europe/Pariss'"
like "each problem with file:line (9)" "$out" "bad.conf:9: unknown section \[memebr bob\]"
BATON_CONFIG=bad.conf "$BATON" tasks >/dev/null 2>&1
is "BATON_CONFIG names the config; a broken one stops every command with 78" "$?" 78

write_config
mail "Alice Martin <alice@example.com>" "Plan" p@a 'task: Ship it
block 1: waiting for QA' | baton ingest
like "show N prints the task and its history" "$(baton show 1)" "Ship it.*blocked.*waiting for QA"
"$BATON" -c "$CONFIG" show 99 2>/dev/null; is "show of a missing task exits 66" "$?" 66
like "members --json" "$(baton members --json)" '"timezone" : "America/Los_Angeles"'
printf 'no header here\n' > bare.txt
"$BATON" -c "$CONFIG" explain bare.txt 2>/dev/null; is "explain of something that is not mail exits 65" "$?" 65
