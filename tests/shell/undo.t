#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every mistake can be undone: `undo` in a reply to baton's receipt, and
# `baton undo MESSAGE-ID`, put back each task one mail changed, as new
# events; `reopen`; notes on done tasks; `baton release` of held mail.
. "$(dirname "$0")/../lib.sh"
plan 108
write_config "acknowledge = yes"
clock=1773075900 # 2026-03-09T17:05:00Z
# An hour between mails, so the per-hour reply cap never holds a receipt back.
tick () { clock=$((clock + 3600)); export BATON_NOW=$(date -u -d "@$clock" +%FT%TZ); }
tick
# The board as `tasks --json` shows it, timestamps aside: the work not
# done, or with "all" every task.
board () {
  baton tasks --json | /usr/bin/python3 -c 'import json, sys
print(json.dumps([{k: t[k] for k in ("id", "title", "state", "owner", "blocked_reason")}
                  for t in json.load(sys.stdin) if sys.argv[1] == "all" or t["state"] != "done"]))' "${1:-}"
}
baton tasks > /dev/null
events_of () { db "select group_concat(kind, ' ') from events where message = (select id from messages where message_id = '$1')"; }
events_count () { db "select count(*) from events"; }
last_task () { db "select max(id) from tasks"; }
receipt_for () { db "select message_id from outbox where kind = 'reply' and cast(mime as text) like '%In-Reply-To: <$1>%'"; }
n=0
# check_undo MODE KIND ACTOR SETUP COMMAND EXPECTED-UNDO-EVENTS [all]
# SETUP (by alice, may be empty) makes a task; COMMAND (by ACTOR) is
# undone by MODE (mail: a reply to its receipt; cli: baton undo).
check_undo () {
  local mode=$1 kind=$2 actor=$3 setup=$4 command=$5 expected=$6 all=${7:-}
  n=$((n + 1))
  if [ -n "$setup" ]; then
    tick; mail "Alice Martin <alice@example.com>" "setup" "setup$n@a" "$setup" | baton ingest > /dev/null
  fi
  local task=$(( $(last_task) )) before count
  command=${command//N/$task}
  before=$(board $all)
  count=$(events_count)
  tick; mail "$actor" "cmd" "cmd$n@x" "$command" | baton ingest > /dev/null
  if [ "$kind" != note ]; then
    ok "$mode $kind changed the board" test "$(board $all)" != "$before"
  fi
  tick
  if [ "$mode" = mail ]; then
    local receipt
    receipt=$(receipt_for "cmd$n@x")
    mail "$actor" "Re: cmd" "undo$n@x" 'undo' "In-Reply-To: <$receipt>" \
      "References: <cmd$n@x> <$receipt>" | baton ingest > /dev/null
    is "$mode undo of $kind puts back the board" "$(board $all)" "$before"
    is "$mode undo of $kind adds its events: $expected" "$(events_of "undo$n@x")" "$expected"
  else
    baton undo "<cmd$n@x>" > /dev/null
    is "$mode undo of $kind puts back the board" "$(board $all)" "$before"
    is "$mode undo of $kind adds its events: $expected" \
      "$(db "select group_concat(kind, ' ') from (select kind from events where message is null and id > (select max(id) from events where message = (select id from messages where message_id = 'cmd$n@x')) order by id)")" "$expected"
  fi
  is "$mode undo of $kind keeps the log append-only" \
    "$(( $(events_count) > count ))/$(db "select count(*) from events where id <= (select max(id) from events where message = (select id from messages where message_id = 'cmd$n@x'))" | grep -c .)" "1/1"
}

alice="Alice Martin <alice@example.com>"
bob="Bob Stone <bob@example.com>"
for mode in mail cli; do
  check_undo $mode "task:" "$alice" "" 'task: Created by mistake' "done"
  check_undo $mode "take" "$bob" 'task: In the pool' 'take N' "dropped" all
  check_undo $mode "take from the holder" "$bob" 'task: Held by alice @alice' 'take N' "handoff" all
  check_undo $mode "handoff" "$alice" 'task: To pass @alice' 'handoff N to bob: yours' "handoff" all
  check_undo $mode "done" "$bob" 'task: Closed too soon @alice' 'done N' "reopened" all
  check_undo $mode "drop" "$alice" 'task: Dropped @alice' 'drop N' "handoff" all
  check_undo $mode "block" "$alice" 'task: Blocked @alice' 'block N: waiting' "unblocked" all
  check_undo $mode "unblock" "$alice" 'task: Unblocked @alice
block it: waiting for design' 'unblock N' "blocked" all
  check_undo $mode "note" "$alice" 'task: Noted' 'note N: wrong task' "note" all
  check_undo $mode "reopen" "$alice" 'task: Reopened
done it' 'reopen N' "done" all
done

# A second undo of the same mail, or one after someone else changed the
# task, changes nothing and says why.
tick; mail "$alice" "take" second@a 'task: Twice
take it' | baton ingest > /dev/null
receipt=$(receipt_for second@a)
tick; mail "$alice" "Re: take" second-undo1@a 'undo' "References: <second@a> <$receipt>" | baton ingest > /dev/null
before=$(board all)
tick; mail "$alice" "Re: take" second-undo2@a 'undo' "References: <second@a> <$receipt>" | baton ingest > /dev/null
is "a second undo changes nothing" "$(board all)" "$before"
like "and its reply says the task was changed since" \
  "$(db "select report from messages where message_id = 'second-undo2@a'")" "left as it is: alice changed it since"
tick; mail "$alice" "take" later@a 'task: Later work
take it' | baton ingest > /dev/null
task=$(last_task)
receipt=$(receipt_for later@a)
tick; mail "$bob" "mine" later-bob@b "done $task" | baton ingest > /dev/null
before=$(board all)
tick; mail "$alice" "Re: take" later-undo@a 'undo' "References: <later@a> <$receipt>" | baton ingest > /dev/null
is "undo never clobbers a later change by someone else" "$(board all)" "$before"
like "and says who changed it" "$(db "select report from messages where message_id = 'later-undo@a'")" \
  "task #$task left as it is: bob changed it since \\(done\\)"
out=$(baton undo later@a 2>&1); rc=$?
is "baton undo refuses it too (exit 65)" "$rc" 65
like "naming the task" "$out" "task #$task left as it is"
like "baton undo of an unknown mail says so" "$(baton undo nosuch@x 2>&1)" "no mail nosuch@x was ingested"
tick; mail "$bob" "undo?" lone-undo@b 'undo' | baton ingest > /dev/null
like "undo that replies to nothing asks what to undo" \
  "$(db "select report from messages where message_id = 'lone-undo@b'")" "undo what\\?"
tick; mail "$bob" "Re: cmd" other-undo@b 'undo' "References: <later@a>" | baton ingest > /dev/null
like "nobody undoes another member's mail" \
  "$(db "select report from messages where message_id = 'other-undo@b'")" "undo what\\?"

# The receipt carries the one line that undoes it.
like "the receipt says how to undo" "$(db "select cast(mime as text) from outbox where kind = 'reply' and cast(mime as text) like '%In-Reply-To: <second@a>%'")" \
  "reply to this one with the line: +undo"

# reopen by mail and by CLI; notes on done tasks; take on a done task.
tick; mail "$alice" "x" reopen1@a 'task: Shipped @alice
done it' | baton ingest > /dev/null
task=$(last_task)
tick; mail "$bob" "x" take-done@b "take $task" | baton ingest > /dev/null
like "take on a done task says how to reopen it" \
  "$(db "select report from messages where message_id = 'take-done@b'")" "already done \\(write .reopen $task. first"
tick; mail "$bob" "Re: [#$task] Shipped" note-done@b 'It broke again in prod.' | baton ingest > /dev/null
is "free text on a done task is a note" "$(db "select outcome from messages where message_id = 'note-done@b'")/$(db "select kind from events where message = (select id from messages where message_id = 'note-done@b')")" "applied/note"
tick; mail "$bob" "x" reopen2@b "reopen $task: broke again" | baton ingest > /dev/null
is "reopen puts it back to its holder" "$(task_field "$task" state)/$(task_field "$task" owner)" "taken/alice"
tick; mail "$bob" "x" reopen3@b "reopen $task" | baton ingest > /dev/null
like "reopen of an open task is refused" "$(db "select report from messages where message_id = 'reopen3@b'")" "is not done: nothing to reopen"
tick; mail "$alice" "x" done-again@a "done $task" | baton ingest > /dev/null
is "baton reopen N --as NAME" "$(baton reopen "$task" --as bob --note 'not yet')/$(task_field "$task" state)" \
  "task #$task is open again/taken"
is "baton reopen logs it as that member" "$(db "select who || ' ' || kind || ' ' || note from events order by id desc limit 1")" "bob reopened not yet"
baton reopen "$task" --as nobody > /dev/null 2>&1
is "baton reopen --as a stranger is a usage error" "$?" 64

# Notices to the holder: closed or blocked by someone else.
tick; mail "$alice" "x" held@a 'task: Alice holds this @alice' | baton ingest > /dev/null
task=$(last_task)
tick; mail "$bob" "x" bob-closes@b "done $task: did it myself" | baton ingest > /dev/null
notice=$(db "select cast(mime as text) from outbox where kind = 'changed' order by id desc limit 1")
like "the holder is told when someone else closes her task" "$notice" "Bob Stone closed task #$task"
like "with the line that takes it back" "$notice" "  reopen"
like "subject says who closed it" "$(db "select recipient from outbox where kind = 'changed' order by id desc limit 1") $notice" \
  "^alice@example.com .*\\(closed by bob\\)"
id=$(db "select message_id from outbox where kind = 'changed' order by id desc limit 1")
tick; printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Re: closed\nMessage-ID: <alice-reopens@a>\nIn-Reply-To: <%s>\n\nreopen\n' "$id" | baton ingest > /dev/null
is "the holder's reply 'reopen' to the notice reopens it" "$(task_field "$task" state)/$(task_field "$task" owner)" "taken/alice"
tick; mail "$bob" "x" bob-blocks@b "block $task: waiting for the vendor" | baton ingest > /dev/null
like "and when someone else blocks it" "$(db "select cast(mime as text) from outbox where kind = 'changed' order by id desc limit 1")" \
  "Bob Stone blocked task #$task"
count=$(db "select count(*) from outbox where kind = 'changed'")
tick; mail "$alice" "x" own@a "done $task" | baton ingest > /dev/null
is "closing your own task tells nobody" "$(db "select count(*) from outbox where kind = 'changed'")" "$count"

# release: held mail from a stranger applies once they are a member.
tick
mail "Carol Jones <carol@example.com>" "hello" carol1@c 'task: Carol was here' | baton ingest > /dev/null
is "mail from a stranger is held" "$(db "select outcome from messages where message_id = 'carol1@c'")" "quarantined"
out=$(baton release '<carol1@c>' 2>&1); rc=$?
is "release refuses while the sender is not a member (exit 65)" "$rc" 65
like "and says what to do" "$out" "carol@example.com is still not a member"
printf '\n[member carol]\nemail = carol@example.com\nname = Carol Jones\n' >> "$CONFIG"
tasks_before=$(db "select count(*) from tasks")
out=$(baton release carol1@c --from bob@example.com 2>&1); rc=$?
is "release --from another address refuses" "$rc/$(db "select count(*) from tasks")" "66/$tasks_before"
is "release applies the held mail" "$(baton release '<carol1@c>' --from carol@example.com)" "released carol1@c: applied"
is "its task exists once" "$(db "select count(*) from tasks where title = 'Carol was here'")" 1
is "a second release is a no-op" "$(baton release carol1@c)/$(db "select count(*) from tasks where title = 'Carol was here'")" \
  "mail carol1@c is not held (applied): nothing to release/1"
