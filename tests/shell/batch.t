#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Batched ingest and the spool: a message that fails rolls back alone, a
# temporary failure commits what is done and exits 75, a rerun applies each
# message once; --queue never opens the database, --drain removes a spool
# file only once its message is committed; stdin leaves no temporary file.
. "$(dirname "$0")/../lib.sh"
plan 30
write_config

count () { db "select count(*) from $1"; }
# A process holding the write lock until killed; its PID in $WORK/locker.pid.
lock_database () {
  rm -f "$WORK/locker.out"
  /usr/bin/python3 - "$WORK/baton.db" > "$WORK/locker.out" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(30)
PY
  echo $! > "$WORK/locker.pid"
  for _ in $(seq 200); do grep -q locked "$WORK/locker.out" 2>/dev/null && break; sleep 0.05; done
}
unlock_database () { kill "$(cat "$WORK/locker.pid")" 2>/dev/null; sleep 0.1; }
cleanup_hooks+=('[ -f "$WORK/locker.pid" ] && kill "$(cat "$WORK/locker.pid")" 2>/dev/null')

# --- a failing message in the middle of a Maildir batch --------------------
baton tasks > /dev/null   # creates the database
db "CREATE TRIGGER poison BEFORE INSERT ON tasks WHEN NEW.title = 'Poison'
    BEGIN SELECT RAISE(ABORT, 'poisoned task'); END;"
mkdir -p "$WORK/md/new" "$WORK/md/cur" "$WORK/md/tmp"
mail "Alice Martin <alice@example.com>" "one" m1@a 'task: First' > "$WORK/md/new/1.host"
mail "Alice Martin <alice@example.com>" "two" m2@a 'task: Would be second
task: Poison' > "$WORK/md/new/2.host"
mail "Alice Martin <alice@example.com>" "three" m3@a 'task: Third' > "$WORK/md/new/3.host"
out=$("$BATON" -v -c "$CONFIG" ingest --maildir "$WORK/md" 2>&1); rc=$?
is "a message failing mid-batch is reported (EX_SOFTWARE)" "$rc" 70
like "naming the file and the cause" "$out" "2.host: .*poisoned task"
is "the messages around it are stored" "$(db "select group_concat(message_id) from messages")" "m1@a,m3@a"
is "none of the failing message's effects survive" \
  "$(db "select group_concat(title) from tasks")" "First,Third"
is "one log line per stored message" \
  "$(printf '%s\n' "$out" | grep -c 'ingest source=file:.*outcome=applied')" 2
db "DROP TRIGGER poison"
"$BATON" -c "$CONFIG" ingest --maildir "$WORK/md"; rc=$?
is "once fixed, the rerun succeeds" "$rc" 0
is "and stores only what was missing" "$(count messages)/$(count tasks)" "3/4"

# --- the database locked between two commits of a batch -------------------
for i in 4 5 6 7; do
  mail "Bob Stone <bob@example.com>" "m$i" "m$i@b" "task: Task $i" > "$WORK/m$i.eml"
done
# Two messages per transaction: m4 and m5 commit, then baton waits on stdin
# (m6) while another process takes the lock.
{
  for _ in $(seq 200); do [ "$(count messages)" = 5 ] && break; sleep 0.05; done
  lock_database
  cat "$WORK/m6.eml"
} | BATON_INGEST_BATCH=2 BATON_BUSY_TIMEOUT_MS=200 \
    "$BATON" -c "$CONFIG" ingest "$WORK/m4.eml" "$WORK/m5.eml" - "$WORK/m7.eml" \
    > "$WORK/locked.out" 2>&1
rc=${PIPESTATUS[1]}
unlock_database
is "a lock mid-batch is a temporary failure (EX_TEMPFAIL)" "$rc" 75
like "saying the mail is retried" "$(cat "$WORK/locked.out")" "retried"
is "what was committed before stays" "$(db "select count(*) from messages where message_id in ('m4@b','m5@b')")" 2
is "nothing after the failure was taken" \
  "$(db "select count(*) from messages where message_id in ('m6@b','m7@b')")" 0
BATON_INGEST_BATCH=2 baton ingest "$WORK/m4.eml" "$WORK/m5.eml" "$WORK/m6.eml" "$WORK/m7.eml"; rc=$?
is "the rerun succeeds" "$rc" 0
is "and applies each message exactly once" \
  "$(db "select count(*) from tasks where title like 'Task %'")/$(count messages)" "4/7"

# --- stdin goes through a temporary file that does not outlive the run ----
mkdir -p "$WORK/tmp"
mail "Bob Stone <bob@example.com>" "stdin" s1@b 'task: From a pipe' > "$WORK/s1.eml"
TMPDIR="$WORK/tmp" baton ingest < "$WORK/s1.eml"; rc=$?
is "ingest from stdin exits 0" "$rc" 0
is "the message is stored" "$(db "select count(*) from tasks where title='From a pipe'")" 1
is "no temporary file is left behind" "$(ls -A "$WORK/tmp")" ""
db "select writefile('$WORK/s1.stored', raw) from message_raw
    where message = (select id from messages where message_id = 's1@b')" > /dev/null
ok "the raw bytes are stored exactly" cmp -s "$WORK/s1.eml" "$WORK/s1.stored"

# --- the spool: --queue without the database, --drain after commit -------
write_config 'spool = spool2'
rm -f "$WORK/baton.db" "$WORK/baton.db-wal" "$WORK/baton.db-shm"
mail "Alice Martin <alice@example.com>" "queued" q1@a 'task: Queued task' > "$WORK/q1.eml"
"$BATON" -c "$CONFIG" ingest --queue < "$WORK/q1.eml"; rc=$?
is "--queue exits 0" "$rc" 0
is "the mail is in spool/new" "$(ls "$WORK/spool2/new" | wc -l)/$(ls -A "$WORK/spool2/tmp")" "1/"
is "--queue never opened the database" "$(test -e "$WORK/baton.db" && echo opened)" ""
baton tasks > /dev/null
lock_database
out=$(BATON_BUSY_TIMEOUT_MS=200 baton ingest --drain 2>&1); rc=$?
unlock_database
is "a drain while the database is locked exits 75" "$rc" 75
is "and the spool keeps the mail" "$(ls "$WORK/spool2/new" | wc -l)/$(count messages)" "1/0"
baton ingest --drain; rc=$?
is "the next drain succeeds" "$rc" 0
is "stores the mail and removes its spool file" \
  "$(db "select title from tasks")/$(ls -A "$WORK/spool2/new")" "Queued task/"
printf 'no header here\n' | baton ingest --queue
baton ingest --drain 2>/dev/null; rc=$?
is "a spooled file that is not mail is reported (EX_DATAERR)" "$rc" 65
is "and set aside in spool/failed" "$(ls "$WORK/spool2/new" | wc -l)/$(ls "$WORK/spool2/failed" | wc -l)" "0/1"
out=$(baton ingest --queue < /dev/null 2>&1); rc=$?
is "--queue refuses empty input (EX_DATAERR)" "$rc" 65
out=$(baton ingest --queue "$WORK/q1.eml" 2>&1); rc=$?
is "--queue with a file argument is a usage error" "$rc" 64
write_config 'spool = blocked'
: > "$WORK/blocked"
out=$(baton ingest --queue < "$WORK/q1.eml" 2>&1); rc=$?
is "an unwritable spool is a temporary failure (EX_TEMPFAIL)" "$rc" 75
like "with what to do about it" "$out" "spool directory writable"
