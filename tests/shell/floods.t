#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Floods, whole program: a mail of 1,000 `task: ... @bob` lines applies
# 100, tells bob once, and tells alice which lines to send again; explain
# says the same before anything happens. (tests/unit/test-floods.c holds
# the 10,000-line mail, the ratio and the hourly limit.)
. "$(dirname "$0")/../lib.sh"
plan 7
write_config
export BATON_NOW=2026-03-09T17:05:00Z
{
  printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: many\nMessage-ID: <many@a>\n\n'
  for i in $(seq 1 1000); do echo "task: thing $i @bob"; done
} > "$WORK/many.eml"

explained=$(baton explain "$WORK/many.eml")
like "explain: one notice to bob for 100 tasks" "$explained" "Would notify: +one notice to bob about 100 tasks, #1 first"
like "explain: the lines past 100 are named" "$explained" "line 101 +invalid +\(lines 101 to 1000: 900 more commands\)"
baton ingest "$WORK/many.eml"
is "100 tasks were created" "$(db "select count(*) from tasks")" 100
is "bob gets one notice, alice one reply" \
  "$(db "select group_concat(kind || '>' || recipient, ' ') from (select * from outbox order by id)")" "handoff>bob@example.com reply>alice@example.com"
baton send
reply=$(cat "$(grep -l '^Subject: Re: many' "$WORK"/outbox/new/*)")
like "the reply names the lines not applied, and why" "$reply" \
  "FAILED +line 101: \(lines 101 to 1000: 900 more commands\) +not applied: baton applies at most 100 commands"
notice=$(cat "$(grep -l '^Subject: 100 tasks handed to you' "$WORK"/outbox/new/*)")
like "the notice lists 20 and says how many more" "$notice" "#20 thing 20 .*and 80 more: your next digest lists them all"
ok "and stays small ($(wc -c <<<"$notice") bytes)" test "$(wc -c <<<"$notice")" -lt 8192
