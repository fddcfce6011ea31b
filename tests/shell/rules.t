#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Who may act, what context means, and how bad lines are reported.
. "$(dirname "$0")/../lib.sh"
plan 26
write_config

mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: One
task: Two
task: Three' | baton ingest
outcome () { db "select outcome || coalesce(':' || reason, '') from messages where message_id='$1'"; }

mail "Mallory <mallory@elsewhere.example>" "hi" m1@x 'take 1' | baton ingest
like "a non-member is quarantined" "$(outcome m1@x)" "^quarantined:.*not a member"
is "and nothing is applied" "$(task_field 1 owner)" ""

mail "Bob Stone <bob@example.com>" "Out of office" ooo@b 'take 1' "Auto-Submitted: auto-replied" | baton ingest
like "an auto-reply is ignored" "$(outcome ooo@b)" "^ignored:.*Auto-Submitted"
mail "Bob Stone <bob@example.com>" "list" bulk@b 'take 1' "Precedence: bulk" | baton ingest
like "bulk mail is ignored" "$(outcome bulk@b)" "^ignored:.*Precedence"
mail "Bob Stone <bob@example.com>" "bounce" bounce@b 'take 1' "Return-Path: <>" | baton ingest
like "a bounce (empty Return-Path) is ignored" "$(outcome bounce@b)" "^ignored:.*bounce"
mail "Bob Stone <bob@example.com>" "loop" loop@b 'take 1' "X-Loop: team@example.com" | baton ingest
like "our own X-Loop marker is ignored" "$(outcome loop@b)" "^ignored:.*X-Loop"
mail "Team <team@example.com>" "own" own@t 'take 1' | baton ingest
like "mail from the team address is ignored" "$(outcome own@t)" "^ignored:.*team address"
is "none of them acted" "$(task_field 1 owner)" ""

mail "A. Martin <A.Martin@example.org>" "alias" alias@a 'take 1' | baton ingest
is "an alias address acts as its member" "$(task_field 1 owner)" "alice"

mail "Bob Stone <bob@example.com>" "mixed" mixed@b 'take 2
done 99
handoff 2 bob
note 3: looked at it
frobnicate the widget' | baton ingest; rc=$?
is "a mail with bad lines still exits 0" "$rc" 0
is "its outcome is partly" "$(outcome mixed@b)" "partly"
is "good lines around bad ones apply" "$(task_field 2 owner)/$(db "select count(*) from events where kind='note' and task=3")" "bob/1"
report=$(db "select report from messages where message_id='mixed@b'")
like "the report names the missing task with its line" "$report" "FAILED line 2: done 99: there is no task #99"
like "the report shows how to write a malformed line" "$report" "FAILED line 3: handoff 2 bob: .*handoff 2 to bob"
like "free text is an update" "$(db "select kind from events where note='frobnicate the widget'")" "update"

mail "Bob Stone <bob@example.com>" "steal" steal@b 'take 1' | baton ingest
is "taking alice's task makes it bob's" "$(task_field 1 owner)" "bob"
is "recorded as a handoff from alice" "$(db "select from_member || '>' || to_member from events where kind='handoff' and task=1")" "alice>bob"
mail "Alice Martin <alice@example.com>" "drop" drop@a 'drop 1' | baton ingest
like "only the holder may drop a task" "$(db "select report from messages where message_id='drop@a'")" "held by bob, not you"

mail "Alice Martin <alice@example.com>" "Re: [#3] Three" subj@a 'done' | baton ingest
is "a subject carrying [#3] gives 'done' its task" "$(task_field 3 state)" "done"

printf 'From: Bob Stone <bob@example.com>\nTo: team+take-2@example.com\nSubject: mine\nMessage-ID: <plus@b>\n\n' | baton ingest
printf 'From: Alice Martin <alice@example.com>\nTo: Team <team+take-2@example.com>\nSubject: mine\nMessage-ID: <plus@a>\n\n' | baton ingest
is "team+take-2@ takes task 2" "$(task_field 2 owner)" "alice"
printf 'From: Alice Martin <alice@example.com>\nTo: x@example.com\nDelivered-To: team+task@example.com\nSubject: Fix the =?UTF-8?Q?caf=C3=A9?= menu\nMessage-ID: <plus-task@a>\n\n' | baton ingest
is "team+task@ makes the decoded subject a task" "$(db "select title from tasks order by id desc limit 1")" "Fix the café menu"

db "insert into threads values ('notice-2@team.example.com', 2)"
mail "Alice Martin <alice@example.com>" "Re: your task" thread@a 'done: shipped' "In-Reply-To: <notice-2@team.example.com>" | baton ingest
is "a reply to baton's mail about #2 gives 'done' its task" "$(task_field 2 state)" "done"

# HTML-only, ISO-8859-1, quoted-printable.
printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: html\nMessage-ID: <html@b>\nMIME-Version: 1.0\nContent-Type: text/html; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<html><body><p>Caf=E9 menu is ready.</p><p>task: R=E9sum=E9 the caf=E9 &amp; bar work</p></body></html>\n' > "$WORK/html.eml"
like "explain --text decodes ISO-8859-1 HTML" "$(baton explain --text "$WORK/html.eml")" "Café menu is ready"
baton ingest "$WORK/html.eml"
is "a command in an HTML-only mail applies" "$(db "select title from tasks order by id desc limit 1")" "Résumé the café & bar work"

# explain shows what would happen and changes nothing.
mail "Bob Stone <bob@example.com>" "x" explain@b 'task: Only explained
done 42' > "$WORK/explain.eml"
out=$(baton explain "$WORK/explain.eml")
like "explain lists each command with its line and outcome" "$out" "line 2 +done +done 42"
is "explain changes nothing" "$(db "select count(*) from messages where message_id='explain@b'")" 0
