#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing lost, nothing doubled: the database fails (BUSY, FULL, IOERR) at
# chosen points of one `baton ingest`; baton must exit 75, keep nothing of
# the mail, and apply it exactly once when the MTA delivers it again.
# The failures come from tests/faults/fault.c, preloaded (see its header).
. "$(dirname "$0")/../lib.sh"
export BATON_NOW=2026-03-09T17:05:00Z
use_fault_library
write_config

# Two tasks exist, bob holds #2; the mail under test touches every table
# and queues every kind of mail a message causes: a new task, a handoff
# (notice and thread), a take from bob (notice to him), a note, a done,
# and a failing line (a reply to alice).
mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Write the guide
task: Deploy staging' | baton ingest
mail "Bob Stone <bob@example.com>" "mine" take@b 'take 2' | baton ingest
mail "Alice Martin <alice@example.com>" "Wed update" update@a 'API draft is up.

task: Review the auth part
handoff 1 to bob: tests pass locally
take 2
note 2: staging is slow today
done 2
done 99' > "$WORK/update.eml"

# Everything a mail can leave behind, without the generated Message-IDs of
# notices (they differ from run to run by design).
snapshot () {
  sqlite3 -bail "$WORK/baton.db" \
    "select 'task', id, title, state, coalesce(owner,'-'), created_by, created_at, updated_at from tasks order by id;" \
    "select 'event', id, coalesce(task,'-'), kind, who, coalesce(from_member,'-'), coalesce(to_member,'-'), coalesce(note,'-'), at, coalesce(message,'-') from events order by id;" \
    "select 'message', id, message_id, outcome, coalesce(report,'-'), (select length(raw) from message_raw where message = messages.id) from messages order by id;" \
    "select 'outbox', id, kind, recipient, coalesce(task,'-') from outbox order by id;" \
    "select 'threads', count(*) from threads;" \
    "select 'sequence', name, seq from sqlite_sequence order by name;"
}
cp "$WORK/baton.db" "$WORK/before.db"
restore () { rm -f "$WORK/baton.db" "$WORK/baton.db-wal" "$WORK/baton.db-shm"; cp "$WORK/before.db" "$WORK/baton.db"; }
before=$(snapshot) || { echo "Bail out! the snapshot SQL no longer fits the schema"; exit 1; }

# One clean run, traced: it gives the reference state and numbers the calls
# and writes, so the points below are found by their SQL, not hard-coded.
LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/trace" baton ingest < "$WORK/update.eml"
after=$(snapshot)
call_of () { grep -E "^c[0-9]+	$1" "$WORK/trace" | sed -n "${2:-1}p" | cut -f1 | tr -d c; }
first_effect=$(call_of 'INSERT INTO messages')
# The message's transaction: the last BEGIN before its first write.
begin=$(grep -E '^c[0-9]+	BEGIN IMMEDIATE' "$WORK/trace" | cut -f1 | tr -d c |
        awk -v e="$first_effect" '$1 < e' | tail -1)
outbox=$(call_of 'INSERT INTO outbox')
commit=$(grep -E '^c[0-9]+	COMMIT' "$WORK/trace" | tail -1 | cut -f1 | tr -d c)
middle=$(( (first_effect + commit) / 2 ))
# The commit's own writes: those to the WAL after the last COMMIT call.
commit_writes=$(sed -n "/^c$commit	/,\$p" "$WORK/trace" | grep -c "^w.*-wal$")
first_write=$(sed -n "/^c$commit	/,\$p" "$WORK/trace" | grep -m1 '^w' | cut -f1 | tr -d w)
points="1 $begin $first_effect $middle $outbox $commit"
# FAULTS_EVERY_CALL=1 tries every call of the run instead (slower).
[ -n "${FAULTS_EVERY_CALL:-}" ] && points=$(seq 1 "$commit")

# The raw mail's own write: one INSERT for mail up to 256 KB (this one),
# a zeroblob filled by blob_write calls above that.
raw_write=$(grep -E '^c[0-9]+	(blob_write|INSERT INTO message_raw)' "$WORK/trace" | head -1 | cut -f1 | tr -d c)
[ -n "$raw_write" ] && points="$points $raw_write"
kinds="busy full ioerr"
plan $(( 4 + 4 * 3 * $(echo $points | wc -w) + 2 + 4 * 2 * 2 + 5 ))
like "the trace found the message's transaction and its raw-mail write" \
  "$begin/$first_effect/$middle/$outbox/$commit/$raw_write" '^[0-9]+/[0-9]+/[0-9]+/[0-9]+/[0-9]+/[0-9]+$'
ok "the commit writes to the database (saw $commit_writes writes)" test "$commit_writes" -gt 2
# (bob's handoff and taken notices are one mail listing both tasks)
is "the clean run queued one notice to bob and a reply" \
  "$(db "select group_concat(kind, ' ') from (select kind from outbox order by id)")" "handoff reply"

# fault_case LABEL SPEC: one faulty delivery, then the MTA's retry.
fault_case () {
  local label=$1 spec=$2 out rc
  restore
  out=$(LD_PRELOAD=$PRELOAD BATON_FAULT=$spec "$BATON" -c "$CONFIG" ingest < "$WORK/update.eml" 2>&1)
  rc=$?
  is "$label: exits 75 (EX_TEMPFAIL)" "$rc" 75
  if ! printf '%s\n' "$out" | grep -q 'fault.so:'; then
    fail "$label: the fault fired" "output: $out"
  else
    like "$label: says the mail will be retried" "$out" "retried"
  fi
  is "$label: nothing of the mail is in the database" "$(snapshot)" "$before"
  baton ingest < "$WORK/update.eml"; rc=$?
  if [ "$rc" = 0 ] && [ "$(snapshot)" = "$after" ]; then
    pass "$label: the retry applies it exactly once"
  else
    fail "$label: the retry applies it exactly once" "exit $rc" "$(diff <(echo "$after") <(snapshot))"
  fi
}

for kind in $kinds; do
  for point in $points; do
    what=$(grep -E "^c$point	" "$WORK/trace" | cut -f2 | cut -c1-30)
    fault_case "$kind at call $point ($what)" "$kind:$point"
  done
done
# A new database: a failure reading its schema version must not be taken
# for "up to date" (the tables would never be created: exit 70, a bounce).
fresh_case () {
  local out rc
  mkdir -p "$WORK/fresh"
  sed "s|^database = .*|database = $WORK/fresh/baton.db|" "$CONFIG" > "$WORK/fresh/baton.conf"
  out=$(LD_PRELOAD=$PRELOAD BATON_FAULT=busy:sql:PRAGMA\ user_version \
        "$BATON" -c "$WORK/fresh/baton.conf" init 2>&1)
  rc=$?
  is "busy reading a new database's schema version: baton init exits 75" "$rc" 75
  "$BATON" -q -c "$WORK/fresh/baton.conf" init &&
    "$BATON" -c "$WORK/fresh/baton.conf" ingest < "$WORK/update.eml"; rc=$?
  is "and the retry creates the database, which applies the mail" \
    "$rc/$(sqlite3 "$WORK/fresh/baton.db" "select count(*) from tasks")" "0/1"
}
fresh_case

# SQLite itself meets the error while writing the commit to the WAL.
for kind in full ioerr; do
  fault_case "$kind on the commit's first write" "$kind:write:$first_write"
  fault_case "$kind on the commit's last write" "$kind:write:$((first_write + commit_writes - 1))"
done

# A Maildir read ahead by the parsing thread (readahead.h), failing at its
# third commit: the first two batches stay, the rest waits for the retry,
# which stores each of the 60 messages exactly once.
maildir_case () {
  local out rc third
  mkdir -p "$WORK/md/new" "$WORK/md/cur"
  for i in $(seq -w 1 60); do
    mail "Bob Stone <bob@example.com>" "m$i" "md$i@b" "task: Maildir task $i" > "$WORK/md/new/$i.host"
  done
  restore
  cp "$WORK/before.db" "$WORK/md-before.db"
  rm -f "$WORK/md-trace"
  LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/md-trace" BATON_INGEST_BATCH=10 \
    "$BATON" -c "$CONFIG" ingest --maildir "$WORK/md" 2>/dev/null
  # 60 messages in batches of 10: the last six COMMITs are the batches'.
  local commits
  commits=$(grep -cE '^c[0-9]+	COMMIT' "$WORK/md-trace")
  third=$(grep -E '^c[0-9]+	COMMIT' "$WORK/md-trace" | sed -n "$((commits - 3))p" | cut -f1 | tr -d c)
  restore
  out=$(LD_PRELOAD=$PRELOAD BATON_FAULT=busy:$third BATON_INGEST_BATCH=10 \
        "$BATON" -c "$CONFIG" ingest --maildir "$WORK/md" 2>&1)
  rc=$?
  is "Maildir, busy at the third commit: exits 75" "$rc" 75
  is "the two batches before it are stored, nothing of the third" \
    "$(db "select count(*) from messages where message_id like 'md%'")" 20
  "$BATON" -c "$CONFIG" ingest --maildir "$WORK/md"; rc=$?
  is "the retry stores the rest: each of the 60 once" \
    "$rc/$(db "select count(*), count(distinct message_id) from messages where message_id like 'md%'")" \
    "0/60|60"
  is "in Maildir order" \
    "$(db "select group_concat(message_id, ' ') from (select message_id from messages where message_id like 'md%' order by id)")" \
    "$(for i in $(seq -w 1 60); do printf 'md%s@b ' "$i"; done | sed 's/ $//')"
  is "every task once" "$(db "select count(*) from tasks where title like 'Maildir task %'")" 60
}
maildir_case

# Exit 0 tells the MTA to drop its copy, so the commit must be on disk by
# then, not only in the page cache: WAL with synchronous=NORMAL loses the
# last commits to a power cut. The database is held open by another
# connection (as `baton run` would), so closing cannot checkpoint and sync
# for the commit: only the commit's own sync can pass this.
durable_case () {
  restore
  rm -f "$WORK/sync-trace"
  coproc HOLDER { /usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("select count(*) from tasks").fetchall()
print("open", flush=True)
sys.stdin.read()' "$WORK/baton.db"; }
  local holder=$HOLDER_PID ready
  read -r ready <&"${HOLDER[0]}"
  mail "Bob Stone <bob@example.com>" "durable" durable@b 'task: Survive a power cut' |
    LD_PRELOAD=$PRELOAD BATON_FAULT_TRACE="$WORK/sync-trace" baton ingest
  exec {HOLDER[1]}>&-
  wait "$holder"
  local last_commit
  last_commit=$(grep -E '^c[0-9]+	COMMIT' "$WORK/sync-trace" | tail -1 | cut -f1)
  ok "with another connection open ($ready), the commit's WAL is synced before exit 0" \
    grep -q '^s[0-9]*	sync baton.db-wal$' <(sed -n "/^$last_commit	/,\$p" "$WORK/sync-trace")
}
durable_case
