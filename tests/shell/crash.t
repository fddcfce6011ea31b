#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing lost, nothing doubled, across crashes: `baton ingest --maildir` over
# 1,000 generated messages is killed with SIGKILL at 50 random moments, then
# run to the end. The messages arrive a few at a time between runs, as an
# MDA delivers while cron runs baton, so most runs have new work to die in. The board and the event log must be exactly those of one
# clean ingest of the same Maildir into a fresh database.
. "$(dirname "$0")/../lib.sh"
export BATON_NOW=2026-03-09T17:05:00Z
KILLS=50
plan 9
write_config

# Deterministic traffic: tasks, then take/done/drop/handoff/note/block on
# earlier task numbers (some already done or not yet existing, so lines fail
# too), free text, mail without a Message-ID, and redeliveries of earlier
# mail under the same Message-ID.
mkdir -p "$WORK/md/new" "$WORK/md/cur" "$WORK/md/tmp" "$WORK/arriving"
/usr/bin/python3 - "$WORK/arriving" <<'PY'
import os, random, sys
out = sys.argv[1]
rng = random.Random(20261125)
people = [("Alice Martin", "alice@example.com"), ("Bob Stone", "bob@example.com")]
tasks, sent = 0, []
for i in range(1, 1001):
    if sent and rng.random() < 0.05:
        mid, body, who = rng.choice(sent)           # the same mail delivered twice
    else:
        who = rng.choice(people)
        lines = []
        for _ in range(rng.randint(1, 4)):
            n = rng.randint(1, tasks + 2)
            other = rng.choice(["alice", "bob"])
            lines.append(rng.choice([
                "task: Task from message %d" % i,
                "take %d" % n, "done %d" % n, "drop %d: back to the pool" % n,
                "handoff %d to %s: your turn" % (n, other),
                "note %d: checked on message %d" % (n, i),
                "block %d: waiting on legal" % n, "unblock %d" % n,
                "Progress report number %d." % i]))
            tasks += lines[-1].startswith("task:")
        body = "\n".join(lines)
        mid = None if rng.random() < 0.03 else "m%04d@example.com" % i
        sent.append((mid, body, who))
    head = "From: %s <%s>\nTo: team@example.com\nSubject: update %d\n" % (who[0], who[1], i)
    if mid:
        head += "Message-ID: <%s>\n" % mid
    head += "Date: Mon, 09 Mar 2026 18:05:00 +0100\n"
    with open(os.path.join(out, "%04d.host" % i), "w") as f:
        f.write(head + "\n" + body + "\n")
PY
is "1,000 messages generated" "$(ls "$WORK/arriving" | wc -l)" 1000
# deliver N: the next N messages, in name order, into new/ (via tmp/).
deliver () {
  local name
  for name in $(ls "$WORK/arriving" | head -n "$1"); do
    mv "$WORK/arriving/$name" "$WORK/md/tmp/$name" && mv "$WORK/md/tmp/$name" "$WORK/md/new/$name"
  done
}

# SIGKILL the baton process itself ($! is baton: a simple command run with
# & is forked and exec'd directly) after a seeded random delay of up to
# $ceiling ms. A run that ends before its kill does not count, and lowers the
# ceiling to that delay: runs get shorter as baton gets faster, and the
# kills must keep landing inside them. A landed kill raises it again, so
# later moments of a run are tried too.
RANDOM=4242
killed=0 finished=0 first_exe= progress= ceiling=200
for _ in $(seq $((KILLS * 6))); do
  [ "$killed" -ge "$KILLS" ] && break
  # Spread what is left over the kills still to come.
  left=$(ls "$WORK/arriving" | wc -l)
  deliver $(( (left + KILLS - killed - 1) / (KILLS - killed) ))
  "$BATON" -q -c "$CONFIG" ingest --maildir "$WORK/md" 2>/dev/null &
  pid=$!
  ms=$((1 + RANDOM % ceiling))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  [ -z "$first_exe" ] && first_exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
  if kill -KILL "$pid" 2>/dev/null; then
    killed=$((killed + 1)) ceiling=$((ceiling < 180 ? ceiling + 20 : 200))
  else
    ceiling=$((ms > 2 ? ms : 2))
  fi
  wait "$pid" 2>/dev/null
  [ "$?" = 0 ] && finished=$((finished + 1))
  progress="$progress $(db 'select count(*) from messages' 2>/dev/null)/$(ls "$WORK/md/new" | wc -l)"
done
echo "# $killed SIGKILLs, $finished runs finished first; stored/delivered after each:$progress"
deliver 1000
is "all 1,000 delivered" "$(ls "$WORK/md/new" | wc -l)" 1000
is "the process killed is baton itself" "$first_exe" "$(readlink -f "$BATON")"
is "baton was killed mid-run $KILLS times" "$killed" "$KILLS"

baton ingest --maildir "$WORK/md"; rc=$?
is "a final clean run exits 0" "$rc" 0

# The reference: the same Maildir into a fresh database, never interrupted.
mkdir -p "$WORK/ref"
sed "s|^database = .*|database = $WORK/ref/baton.db|" "$CONFIG" > "$WORK/ref/baton.conf"
"$BATON" -q -c "$WORK/ref/baton.conf" init
"$BATON" -c "$WORK/ref/baton.conf" ingest --maildir "$WORK/md"; rc=$?
is "the clean reference run exits 0" "$rc" 0

board () { "$BATON" -c "$1" tasks --all --json; }
counts () {
  sqlite3 "$(dirname "$1")/baton.db" \
    "select 'events', kind, count(*) from events group by kind order by kind;" \
    "select 'messages', outcome, count(*) from messages group by outcome order by outcome;" \
    "select 'outbox', kind, count(*) from outbox group by kind order by kind;"
}
ref_board=$(board "$WORK/ref/baton.conf")
like "the reference board has tasks" "$ref_board" '"id" *: *[0-9]'
is "the board is identical to the clean run's" "$(board "$CONFIG")" "$ref_board"
got=$(counts "$CONFIG"; baton log --json) want=$(counts "$WORK/ref/baton.conf"; "$BATON" -c "$WORK/ref/baton.conf" log --json)
if [ "$got" = "$want" ]; then
  pass "event, message and outbox counts and the whole log are identical"
else
  fail "event, message and outbox counts and the whole log are identical" "$(diff <(echo "$want") <(echo "$got") | head -20)"
fi
echo "# $(counts "$CONFIG" | tr '\n' ' ')"
