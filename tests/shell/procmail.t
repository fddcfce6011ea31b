#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Debian's procmail delivering into `| baton ingest` with the shipped recipe
# (contrib/baton.procmailrc): stored mail ends procmail with 0; a locked
# database makes baton exit 75 and procmail exit 75 without delivering the
# mail anywhere, so it stays with procmail's caller (the MTA) for a retry.
. "$(dirname "$0")/../lib.sh"
if ! command -v procmail > /dev/null; then
  echo "1..0 # SKIP procmail is not installed (contrib/install-deps.sh --test)"
  exit 0
fi
plan 12
write_config
"$BATON" -q -c "$CONFIG" init  # only init creates the database

# The shipped recipe, pointed at this baton and this config; everything
# procmail could deliver to on its own lands in $WORK/fallback, watched.
RCFILE="$WORK/procmailrc"
{
  echo "MAILDIR=$WORK/fallback"
  echo "DEFAULT=$WORK/fallback/default.mbox"
  echo "LOGFILE=$WORK/procmail.log"
  echo "BATON_BUSY_TIMEOUT_MS=200"
  sed -e "s|^BATON=.*|BATON=$BATON|" -e "s|^BATON_CONF=.*|BATON_CONF=$CONFIG|" \
    "$TESTS_DIR/../contrib/baton.procmailrc"
} > "$RCFILE"
mkdir -p "$WORK/fallback"
deliver () { procmail -m "$RCFILE" < "$1"; }
delivered_elsewhere () { find "$WORK/fallback" -type f | wc -l; }

mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Write the migration guide' > "$WORK/plan.eml"
deliver "$WORK/plan.eml"; rc=$?
is "procmail exits 0 once baton stored the mail" "$rc" 0
is "the mail was applied" "$(task_field 1 title)" "Write the migration guide"
is "and not also delivered to a mailbox" "$(delivered_elsewhere)" 0

# Another process holds the database: BEGIN EXCLUSIVE from Python's sqlite3.
/usr/bin/python3 - "$WORK/baton.db" > "$WORK/locker.out" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(30)
PY
locker=$!
cleanup_hooks+=("kill $locker 2>/dev/null")
for _ in $(seq 100); do grep -q locked "$WORK/locker.out" 2>/dev/null && break; sleep 0.05; done
mail "Bob Stone <bob@example.com>" "late" late@b 'take 1' > "$WORK/late.eml"
start=$(date +%s%N)
deliver "$WORK/late.eml"; rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "a locked database: procmail exits 75 (EX_TEMPFAIL)" "$rc" 75
ok "within seconds, not minutes (${elapsed_ms} ms)" test "$elapsed_ms" -lt 10000
is "nothing was delivered elsewhere: the mail stays with the caller" "$(delivered_elsewhere)" 0
like "procmail's log shows baton's 75" "$(cat "$WORK/procmail.log")" "Program failure \(75\)"
kill "$locker"; wait "$locker" 2>/dev/null
is "nothing of it reached the database" "$(db "select count(*) from messages where message_id='late@b'")" 0

# The MTA retries once the lock is gone.
deliver "$WORK/late.eml"; rc=$?
is "the retry: procmail exits 0" "$rc" 0
is "and the mail is applied once" "$(task_field 1 owner)/$(db "select count(*) from events where kind='taken'")" "bob/1"

# Not mail (65) is not baton's to keep: the recipe lets it fall through to
# the normal mailbox, where a person sees it.
printf 'just text, no header\n' > "$WORK/bare.txt"
deliver "$WORK/bare.txt"; rc=$?
is "input that is not mail: procmail delivers it to DEFAULT and exits 0" "$rc/$(delivered_elsewhere)" "0/1"
ok "DEFAULT holds it" grep -q "just text, no header" "$WORK/fallback/default.mbox"
