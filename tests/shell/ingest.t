#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mail in: stdin, files, a Maildir, an mbox; duplicates; a locked database.
. "$(dirname "$0")/../lib.sh"
plan 24
write_config

mail "Alice Martin <alice@example.com>" "Plan" plan@a \
'Morning all.

task: Write the migration guide
task: Deploy the API to staging @bob' > "$WORK/plan.eml"

out=$(baton ingest < "$WORK/plan.eml" 2>&1); rc=$?
is "ingest from stdin exits 0" "$rc" 0
is "ingest is quiet on success" "$out" ""
is "two tasks created" "$(baton tasks --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
is "task 1 title" "$(task_field 1 title)" "Write the migration guide"
is "task 1 open, nobody holds it" "$(task_field 1 state)/$(task_field 1 owner)" "open/"
is "task 2 assigned by @mention" "$(task_field 2 state)/$(task_field 2 owner)" "taken/bob"
is "created_by names the member" "$(task_field 2 created_by)" "alice"

baton ingest < "$WORK/plan.eml"; rc=$?
is "the same mail again exits 0" "$rc" 0
is "a second delivery applies nothing" "$(db 'select count(*) from tasks')/$(db 'select count(*) from messages')" "2/1"

# No Message-ID: the bytes are the identity.
printf 'From: bob@example.com\nTo: team@example.com\nSubject: x\n\ntake 1\n' > "$WORK/noid.eml"
baton ingest "$WORK/noid.eml" && baton ingest "$WORK/noid.eml"
is "a mail without Message-ID is filed once by its hash" \
  "$(db "select count(*) from messages where message_id like 'sha256:%'")" 1
is "and applied once" "$(db "select count(*) from events where kind='taken'")" 1

# A Maildir: new/ and cur/.
mkdir -p "$WORK/md/new" "$WORK/md/cur" "$WORK/md/tmp"
mail "Bob Stone <bob@example.com>" "one" md1@b 'note 1: reading the old guide' > "$WORK/md/new/1.host"
mail "Bob Stone <bob@example.com>" "two" md2@b 'done 2: deployed' > "$WORK/md/cur/2.host:2,S"
baton ingest --maildir "$WORK/md"; rc=$?
is "ingest --maildir exits 0" "$rc" 0
is "both Maildir messages applied" "$(task_field 2 state)/$(db "select count(*) from events where kind='note'")" "done/1"

# An mbox with a >From-quoted body line.
{
  echo "From alice@example.com Mon Mar  9 18:05:00 2026"
  mail "Alice Martin <alice@example.com>" "mb1" mb1@a 'task: Third task'
  echo
  echo "From bob@example.com Mon Mar  9 18:06:00 2026"
  mail "Bob Stone <bob@example.com>" "mb2" mb2@b 'take 3
>From here on it is mine'
} > "$WORK/box.mbox"
baton ingest --mbox "$WORK/box.mbox"; rc=$?
is "ingest --mbox exits 0" "$rc" 0
is "both mbox messages applied" "$(task_field 3 owner)" "bob"

# Not mail at all.
printf 'just some text\nwith no header\n' > "$WORK/bare.txt"
out=$(baton ingest < "$WORK/bare.txt" 2>&1); rc=$?
is "a body without any header is refused (EX_DATAERR)" "$rc" 65
like "with a message saying why" "$out" "not a mail message"

# The database locked by another process: 75, and the mail is not lost.
/usr/bin/python3 - "$WORK/baton.db" > "$WORK/locker.out" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(20)
PY
locker=$!
cleanup_hooks+=("kill $locker 2>/dev/null")
for _ in $(seq 100); do grep -q locked "$WORK/locker.out" 2>/dev/null && break; sleep 0.05; done
mail "Bob Stone <bob@example.com>" "late" late@b 'task: Written while locked' > "$WORK/late.eml"
out=$(BATON_BUSY_TIMEOUT_MS=200 baton ingest < "$WORK/late.eml" 2>&1); rc=$?
is "a locked database is a temporary failure (EX_TEMPFAIL)" "$rc" 75
like "the message says the mail stays with its sender" "$out" "retried"
kill "$locker"; wait "$locker" 2>/dev/null
is "nothing of it was stored" "$(db "select count(*) from messages where message_id='late@b'")" 0
baton ingest < "$WORK/late.eml"; rc=$?
is "the retry succeeds" "$rc" 0
is "and applies the mail once" "$(db "select count(*) from tasks where title='Written while locked'")" 1

# Verbose mode logs one key=value line per message.
mail "Bob Stone <bob@example.com>" "v" v@b 'take 1' > "$WORK/v.eml"
out=$("$BATON" -v -c "$CONFIG" ingest < "$WORK/v.eml" 2>&1)
like "-v prints one key=value line per message" "$out" "ingest source=stdin message-id=<v@b> member=bob outcome=applied lines=1 failed=0"
out=$(baton log --json | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin)[-1]; print(sorted(e)[:5], e["kind"], e["who"], e["task"])')
like "log --json carries task, kind, who, at, note" "$out" "\[.at., .from., .kind., .note., .task.\] created bob 4"
