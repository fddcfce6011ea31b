#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Failures that baton used to drop (a NULL where an error belonged): each
# made a run look successful while it silently did less. The inputs are
# the ones that showed it; run as root, permissions block nothing, so a
# file where a directory belongs stands for any unreadable directory.
. "$(dirname "$0")/../lib.sh"
plan 10
write_config
export BATON_NOW=2026-03-09T17:05:00Z

# A Maildir whose new/ cannot be listed: before, 0 mail read and exit 0.
mkdir -p "$WORK/md/cur"
mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Write the guide' > "$WORK/md/new"
out=$(baton ingest --maildir "$WORK/md" 2>&1); rc=$?
ok "an unlistable Maildir new/ fails the run (exit $rc)" test "$rc" -ne 0
like "and says which directory and why" "$out" "md/new.*Not a directory"
# A Maildir without cur/ is still fine: nothing there is not an error.
rm "$WORK/md/new"; mkdir -p "$WORK/md2/new"
mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Write the guide' > "$WORK/md2/new/1"
baton ingest --maildir "$WORK/md2"; rc=$?
is "a Maildir missing cur/ is read (exit 0)" "$rc" 0
is "and its mail applied" "$(db "select count(*) from tasks")" 1

# The spool's new/ is not a directory: before, --drain drained nothing, exit 0.
mkdir -p "$WORK/spool"; : > "$WORK/spool/new"
out=$(baton ingest --drain 2>&1); rc=$?
ok "an unlistable spool fails --drain (exit $rc)" test "$rc" -ne 0
like "and names it" "$out" "spool/new"
rm -rf "$WORK/spool"

# A templates directory that is a file: before, `check` said all was well
# while no override could ever be used.
write_config "templates = tpl"
: > "$WORK/tpl"
out=$(baton check 2>&1); rc=$?
is "check refuses an unreadable templates directory (EX_CONFIG)" "$rc" 78
like "with file:line and the fix" "$out" "tpl:1: cannot read the templates directory"
rm "$WORK/tpl"

# A config value GLib cannot read (a bad escape) read as not set: the name
# silently fell back to the short name.
write_config
sed -i 's/^name = Bob Stone$/name = Bob\\qStone/' "$CONFIG"
out=$(baton check 2>&1); rc=$?
is "check refuses a value with a bad escape (EX_CONFIG)" "$rc" 78
like "at its line" "$out" "baton.conf:[0-9]+: name cannot be read"
