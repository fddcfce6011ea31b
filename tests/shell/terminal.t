#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Strangers' text never drives a terminal or draws a section of a digest:
# titles, notes, subjects and Message-IDs from mail are printed one line
# each with no control character left, by tasks, show, log, explain, the
# -v log lines and the plain-text digest. The database and --json keep
# the original bytes.
. "$(dirname "$0")/../lib.sh"
plan 19
write_config
export BATON_NOW=2026-03-09T17:05:00Z
ESC=$'\033'; BEL=$'\007'

# controls FILE: the characters a terminal or a reader could be fooled by
# (C0 but LF, DEL, C1, U+2028/2029, bidi controls), as a count.
controls () {
  /usr/bin/python3 -c '
import sys, re
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
print(len(re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]", t)))' "$1"
}

# 1. A title from a subject (team+task@) with CR, LF, ESC and U+2028, a
#    title line and a note carrying "ESC]0;pwned BEL ESC[2J", and a
#    Message-ID with the same bytes.
printf 'From: Alice Martin <alice@example.com>\nTo: team+task@example.com\nSubject: =?utf-8?Q?Fix_it=0D=0AHANDED_TO_YOU=1B[2J=E2=80=A8end?=\nMessage-ID: <t1@a>\n\n' | baton ingest
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: two\nMessage-ID: <%s]0;pwned%s%s[2J@a>\n\ntask: Title %s]0;pwned%s%s[2J\nnote 1: see %s]0;pwned%s%s[2J now\nblock 2: waits %s[2J\n' \
  "$ESC" "$BEL" "$ESC" "$ESC" "$BEL" "$ESC" "$ESC" "$BEL" "$ESC" "$ESC" > "$WORK/evil.eml"
baton -v ingest "$WORK/evil.eml" 2> "$WORK/verbose"
like "the database keeps the title as it came" "$(db "select hex(title) from tasks where id = 1")" "0D0A48414E444544.*1B5B324AE280A8"
is "-v log line: no control character from the Message-ID" "$(controls "$WORK/verbose")" 0
like "-v log line: the Message-ID still shows, made harmless" "$(cat "$WORK/verbose")" "message-id=<\?\]0;pwned\?\?\[2J@a>"

baton tasks > "$WORK/tasks"
is "tasks: no control character" "$(controls "$WORK/tasks")" 0
is "tasks: one line per task" "$(wc -l < "$WORK/tasks")" 2
like "tasks: the CR LF title is one line" "$(cat "$WORK/tasks")" "Fix it HANDED TO YOU\?\[2J end"
baton show 1 > "$WORK/show"
is "show: no control character" "$(controls "$WORK/show")" 0
like "show: the note is shown, made harmless" "$(cat "$WORK/show")" "see \?\]0;pwned\?\?\[2J now"
baton log > "$WORK/log"
is "log: no control character" "$(controls "$WORK/log")" 0
is "log: one line per event" "$(wc -l < "$WORK/log")" "$(db "select count(*) from events")"
baton explain "$WORK/evil.eml" > "$WORK/explain"
is "explain: no control character" "$(controls "$WORK/explain")" 0
like "explain: the Message-ID, made harmless" "$(cat "$WORK/explain")" "Message-ID:  \?\]0;pwned\?\?\[2J@a"
baton explain --text "$WORK/evil.eml" > "$WORK/text"
is "explain --text: no control character" "$(controls "$WORK/text")" 0
title=$(baton tasks --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["title"].encode("unicode_escape").decode())')
is "--json keeps the exact title (JSON escapes it)" "$title" 'Title \x1b]0;pwned\x07\x1b[2J'

# 2. A multi-line note keeps its lines in show, each sanitized and indented.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Re: [#1] x\nMessage-ID: <t3@a>\n\nfirst line\nsecond %s[2J line\n' "$ESC" | baton ingest
baton show 1 > "$WORK/show2"
is "show: a multi-line note still has no control character" "$(controls "$WORK/show2")" 0
like "show: its second line follows, indented" "$(cat "$WORK/show2")" ": first line +second \?\[2J line"

# 3. A stranger's subject with an encoded-word LF cannot draw a section of
#    the plain-text digest.
printf 'From: Mallory <mallory@elsewhere.example>\nTo: team@example.com\nSubject: =?utf-8?Q?x=0AHANDED_TO_YOU=0A__#1_Wire_money_to_mallory?=\nMessage-ID: <m1@x>\n\nhi\n' | baton ingest
BATON_NOW=2026-03-10T17:00:00Z baton digest --force
BATON_NOW=2026-03-10T17:00:00Z baton send
digest=$(/usr/bin/python3 -c '
import email, email.policy, sys, glob
for f in glob.glob(sys.argv[1] + "/*"):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if m["Subject"].startswith("baton digest") and m["To"].addresses[0].username == "bob":
        print(m.get_body(("plain",)).get_content())' "$WORK/outbox/new")
like "the held mail is listed" "$digest" 'mallory@elsewhere.example, .*"x HANDED TO YOU   #1 Wire money to mallory"'
is "no line of bob's digest starts a fake HANDED TO YOU section" \
  "$(grep -c '^HANDED TO YOU' <<<"$digest")" 0
printf '%s' "$digest" > "$WORK/digest"
is "the digest has no control character" "$(controls "$WORK/digest")" 0
