#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Opening the team syncs the members table from the config, and writes only
# when they differ: a procmail delivery with an unchanged config must not
# pay for a commit (and its fsyncs) before it even reads the mail.
# Database calls are traced by tests/faults/fault.c (see its header).
. "$(dirname "$0")/../lib.sh"
export BATON_NOW=2026-03-09T17:05:00Z
use_fault_library
plan 8
write_config

# traced_ingest NAME MESSAGE-ID: one delivery, its database calls in $WORK/NAME.
traced_ingest () {
  rm -f "$WORK/$1"
  mail "Bob Stone <bob@example.com>" "$2" "$2" "task: $2" |
    LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/$1" baton ingest
}
writes_members () { grep -qE '^c[0-9]+	(UPDATE|INSERT INTO) members' "$WORK/$1"; }

rm -f "$WORK"/baton.db*
LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/first" "$BATON" -q -c "$CONFIG" init
ok "a new database gets its members (from baton init)" writes_members first
traced_ingest first first@b
is "both of them, active" "$(db "select group_concat(name || ':' || active, ' ') from (select * from members order by name)")" \
  "alice:1 bob:1"

traced_ingest same same@b
ok "the same config again: members are not written" bash -c "! grep -qE '^c[0-9]+	(UPDATE|INSERT INTO) members' '$WORK/same'"
is "and the mail is still applied" "$(db "select count(*) from tasks where title = 'same@b'")" 1

sed -i 's|^timezone = America/Los_Angeles|timezone = America/New_York|' "$CONFIG"
traced_ingest moved moved@b
ok "a changed timezone is written" writes_members moved
is "and stored" "$(db "select timezone from members where name = 'bob'")" America/New_York

# alice leaves the team: her row stays, inactive, so old events still name her.
sed -i '/^\[member alice\]/,/^digest-at/d' "$CONFIG"
traced_ingest left left@b
ok "a member gone from the config is written" writes_members left
is "and kept, inactive" "$(db "select active from members where name = 'alice'")" 0
