#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Digests follow each member's clock through daylight-saving changes, come
# once per local morning however often cron runs, stay quiet when nothing
# happened (unless asked), and say what happened.
#
# The DST part plays cron with BATON_NOW from 2026-03-07 to 2026-03-30 (US
# springs forward on 03-08, the EU on 03-29) and from 2026-10-24 to
# 2026-11-02 (EU falls back 10-25, US 11-01) for alice (Europe/Paris) and
# bob (America/Los_Angeles), both at 08:30. A real cron would run every 5
# minutes; to keep make check fast the loop steps every 15 minutes (30 under
# SANITIZE=1, where each run costs ~50 ms) and runs the two periods in
# parallel. DIGEST_STEP=5 make check runs the literal 5-minute cron (~3 min).
. "$(dirname "$0")/../lib.sh"
plan 32

step=${DIGEST_STEP:-15}
case "$BATON" in *build-san/*) step=${DIGEST_STEP:-30} ;; esac
# Every day a working day, all day long: this file checks the clock itself;
# working days and hours are worktime.t's.
every_day=$'workdays = Mon-Sun\nhours = 00:00-24:00'
write_config "digest-when-empty = yes
$every_day"

# simulate DIR START END: `baton digest` every $step minutes in START..END.
simulate () {
  mkdir -p "$1"; cp "$CONFIG" "$1/baton.conf"
  local t end now runs=0
  t=$(date -u -d "$2" +%s); end=$(date -u -d "$3" +%s)
  TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' "$t"
  BATON_NOW=$now "$BATON" -q -c "$1/baton.conf" init 2>>"$1/errors"
  while [ "$t" -lt "$end" ]; do
    TZ=UTC printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' "$t"
    BATON_NOW=$now "$BATON" -c "$1/baton.conf" digest 2>>"$1/errors" || echo "exit $? at $now" >>"$1/errors"
    t=$((t + step * 60)); runs=$((runs + 1))
  done
  echo "$runs" >"$1/runs"
}
# verify DIR START END MEMBER-EMAIL ZONE: one line "days=N bad=..." where
# bad lists every local day without exactly one digest at 08:30 + [0, step).
verify () {
  /usr/bin/python3 - "$@" "$step" <<'PY'
import sqlite3, sys, datetime, zoneinfo, collections
db, start, end, who, zone, step = sys.argv[1] + "/baton.db", *sys.argv[2:]
tz, step = zoneinfo.ZoneInfo(zone), int(step) * 60
start = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
end = datetime.datetime.fromisoformat(end.replace("Z", "+00:00"))
rows = sqlite3.connect(db).execute(
    "SELECT created_at FROM outbox WHERE kind = 'digest' AND recipient = ?", (who,)).fetchall()
days = collections.defaultdict(list)
for (at,) in rows:
    local = datetime.datetime.fromtimestamp(at, tz)
    days[local.date()].append(local)
want, day = set(), start.astimezone(tz).date()
while True:   # every local day whose 08:30 falls in the simulated period
    due = datetime.datetime.combine(day, datetime.time(8, 30), tz)
    if due >= end: break
    if due >= start: want.add(day)
    day += datetime.timedelta(days=1)
bad = []
for d in sorted(want | set(days)):
    got = days.get(d, [])
    due = datetime.datetime.combine(d, datetime.time(8, 30), tz)
    if d not in want or len(got) != 1:
        bad.append("%s:%d" % (d, len(got)))
    elif not 0 <= (got[0] - due).total_seconds() < step:
        bad.append("%s:late(%s)" % (d, got[0].strftime("%H:%M%z")))
print("days=%d bad=%s" % (len(days), ",".join(bad) or "none"))
PY
}

spring=$WORK/spring autumn=$WORK/autumn
simulate "$spring" 2026-03-07T00:00:00Z 2026-03-30T00:00:00Z &
spring_pid=$!
simulate "$autumn" 2026-10-24T00:00:00Z 2026-11-02T00:00:00Z &
autumn_pid=$!
wait "$spring_pid" "$autumn_pid"
echo "# cron every $step min: $(cat "$spring/runs") + $(cat "$autumn/runs") runs of baton digest"
is "no run failed" "$(cat "$spring/errors" "$autumn/errors")" ""
is "spring, alice (Paris, EU change 03-29): one digest each local day at 08:30" \
  "$(verify "$spring" 2026-03-07T00:00:00Z 2026-03-30T00:00:00Z alice@example.com Europe/Paris)" "days=23 bad=none"
is "spring, bob (Los Angeles, US change 03-08): one digest each local day at 08:30" \
  "$(verify "$spring" 2026-03-07T00:00:00Z 2026-03-30T00:00:00Z bob@example.com America/Los_Angeles)" "days=23 bad=none"
is "autumn, alice (EU change 10-25): one digest each local day at 08:30" \
  "$(verify "$autumn" 2026-10-24T00:00:00Z 2026-11-02T00:00:00Z alice@example.com Europe/Paris)" "days=9 bad=none"
is "autumn, bob (US change 11-01): one digest each local day at 08:30" \
  "$(verify "$autumn" 2026-10-24T00:00:00Z 2026-11-02T00:00:00Z bob@example.com America/Los_Angeles)" "days=9 bad=none"
is "across the change the UTC time moves by an hour (alice 03-28 / 03-29)" \
  "$(sqlite3 "$spring/baton.db" "select group_concat(strftime('%m-%d %H:%M', created_at, 'unixepoch'), ' / ') from outbox where recipient = 'alice@example.com' and date(created_at, 'unixepoch') in ('2026-03-28', '2026-03-29')")" \
  "03-28 07:30 / 03-29 06:30"

# digest-when-empty = no (the default): nothing happened, no digest.
write_config "$every_day"
count () { db "select count(*) from outbox where kind = 'digest' and recipient = '$1@example.com'"; }
digest_at () { BATON_NOW=$1 baton digest "${@:2}"; }
digest_at 2026-03-09T06:00:00Z
digest_at 2026-03-10T16:00:00Z
is "nothing happened: no digest for either" "$(count alice)/$(count bob)" "0/0"
is "but the morning counts as done" "$(db "select count(*) from digests where last_at = $(date -u -d 2026-03-10T16:00:00Z +%s)")" 2
mail "Alice Martin <alice@example.com>" "new" d1@a 'task: Only alice wrote' | BATON_NOW=2026-03-10T18:00:00Z baton ingest
digest_at 2026-03-11T16:00:00Z
is "only bob hears of alice's own new task" "$(count alice)/$(count bob)" "0/1"

# Twice in one window: one digest. Before digest-at: none.
mail "Bob Stone <bob@example.com>" "new" d2@b 'task: Bob wrote' | BATON_NOW=2026-03-11T18:00:00Z baton ingest
digest_at 2026-03-12T07:00:00Z
is "before alice's 08:30 (07:00Z = 08:00 Paris): nothing" "$(count alice)" 0
digest_at 2026-03-12T07:30:00Z
digest_at 2026-03-12T07:30:00Z
digest_at 2026-03-12T07:35:00Z
is "three runs in alice's window: one digest" "$(count alice)" 1
digest_at 2026-03-12T16:00:00Z
is "bob's nothing-happened morning: still one" "$(count bob)" 1

# --force sends now, due or not, even with nothing to say.
digest_at 2026-03-12T17:00:00Z --force
is "--force queues one for each member at once" "$(count alice)/$(count bob)" "2/2"
is "at the forced time" "$(db "select count(*) from outbox where kind = 'digest' and created_at = $(date -u -d 2026-03-12T17:00:00Z +%s)")" 2

# What a digest says.
export BATON_NOW=2026-03-13T17:05:00Z
mail "Alice Martin <alice@example.com>" "Fri update" d3@a 'API draft is up for review.
task: Write the migration guide
task: Fix the login page
task: Update the changelog
handoff 3 to bob: tests pass' | baton ingest
export BATON_NOW=2026-03-13T18:00:00Z
mail "Bob Stone <bob@example.com>" "mine" d4@b 'take 4
block 4: waiting for design
task: Order a cake
done 5: shipped
Staging is green.' | baton ingest
export BATON_NOW=2026-03-13T19:00:00Z
mail "Alice Martin <alice@example.com>" "note" d5@a 'note 4: the mockups are in the wiki' | baton ingest
unset BATON_NOW
digest_at 2026-03-14T16:00:00Z
# last_digest EMAIL [html [DIR]]: the text (or HTML) part of EMAIL's newest digest.
last_digest () {
  /usr/bin/python3 - "${3:-$WORK}/baton.db" "$1" "${2:-plain}" <<'PY'
import sqlite3, sys, email, email.policy
(mime,) = sqlite3.connect(sys.argv[1]).execute(
    "SELECT mime FROM outbox WHERE kind = 'digest' AND recipient = ? ORDER BY id DESC LIMIT 1",
    (sys.argv[2],)).fetchone()
print(email.message_from_bytes(mime, policy=email.policy.default).get_body((sys.argv[3],)).get_content())
PY
}
# has DESCRIPTION TEXT SNIPPET: TEXT holds SNIPPET (several lines, literally).
has () {
  if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1" "text: $2" "does not hold: $3"; fi
}
text=$(last_digest bob@example.com)
has "waiting for bob: #3 from alice, at alice's time and his, how long, with the note" "$text" \
  $'WAITING FOR YOU\n  #3 Write the migration guide\n      from alice, Fri 18:05 Paris, 10:05 your time (waiting 22 hours): tests pass\n\n'
has "his own blocked task, with when it last moved" "$text" \
  $'YOUR TASKS\n  #4 Fix the login page, last moved Fri 11:00 Los Angeles; blocked: waiting for design\n\n'
ok "bob's own done, his own new task and alice's tasks he acted on are not news to him" \
  test -z "$(grep -E '^(DONE|NEW TASKS|WHAT HAPPENED)' <<<"$text")"
has "alice's update at her time and his" "$text" \
  $'UPDATES\n  alice, Fri 18:05 Paris, 10:05 your time:\n    API draft is up for review.\n'
has "alice's note, with its text and task" "$text" \
  $'  alice, Fri 20:00 Paris, 12:00 your time, on #4 Fix the login page:\n    the mockups are in the wiki\n\n'
has "blocked: the count (his own blocked task is listed once, under YOUR TASKS)" "$text" \
  $'BLOCKED\n  1 blocked in all: reply "tasks" or see the board\n'
has "open tasks nobody holds, oldest first, with a take link" "$text" \
  $'  #6 Order a cake (open 22 hours)\n      take it: mailto:team+take-6@example.com\n\n'
ok "a held task is not listed as open" test -z "$(sed -n '/^OPEN/,$p' <<<"$text" | grep -E '#(3|4|5) ')"
text=$(last_digest alice@example.com)
has "alice hears what bob did to her tasks, at bob's time and hers" "$text" \
  $'WHAT HAPPENED TO YOUR TASKS\n  #4 Fix the login page (now blocked, held by bob: waiting for design)\n      taken by bob, Fri 11:00 Los Angeles, 19:00 your time\n      blocked by bob, Fri 11:00 Los Angeles, 19:00 your time: waiting for design\n  #5 Update the changelog (now done)\n      done by bob, Fri 11:00 Los Angeles, 19:00 your time: shipped\n\n'
has "alice sees bob's update at bob's local time" "$text" $'UPDATES\n  bob, Fri 11:00 Los Angeles, 19:00 your time:\n    Staging is green.\n'
ok "and not her own update" test -z "$(grep 'API draft' <<<"$text")"
has "the HTML part links the take address" "$(last_digest alice@example.com html)" \
  '<li>#1 Only alice wrote (open 3 days) &mdash; <a href="mailto:team+take-1@example.com?subject=take%201">take it</a></li>'

# The first mail baton ever sees is applied in the second the members join.
first=$WORK/first; mkdir -p "$first"; cp "$CONFIG" "$first/baton.conf"
BATON_NOW=2026-03-09T17:05:00Z "$BATON" -q -c "$first/baton.conf" init
mail "Alice Martin <alice@example.com>" "first" f1@a 'task: The very first task' |
  BATON_NOW=2026-03-09T17:05:00Z "$BATON" -c "$first/baton.conf" ingest
BATON_NOW=2026-03-10T16:00:00Z "$BATON" -c "$first/baton.conf" digest
has "mail applied in the second the members joined is in the first digest" \
  "$(last_digest bob@example.com plain "$first")" $'NEW TASKS\n  #1 The very first task (alice, Mon 18:05 Paris, 10:05 your time; in the pool)\n'

# in_section DIR EMAIL HEADING: for each of EMAIL's digests, oldest first,
# the task numbers listed under HEADING ("-" for none), separated by " / ".
in_section () {
  /usr/bin/python3 - "$1/baton.db" "$2" "$3" <<'PY'
import sqlite3, sys, re, email, email.policy
out = []
for (mime,) in sqlite3.connect(sys.argv[1]).execute(
        "SELECT mime FROM outbox WHERE kind = 'digest' AND recipient = ? ORDER BY id", (sys.argv[2],)):
    text = email.message_from_bytes(mime, policy=email.policy.default).get_body(("plain",)).get_content()
    m = re.search(r"^" + re.escape(sys.argv[3]) + r"\n(.*?)(?:\n\n|\Z)", text, re.M | re.S)
    ids = re.findall(r"^  #(\d+) ", m.group(1), re.M) if m else []
    out.append(",".join(ids) or "-")
print(" / ".join(out))
PY
}

# A mail applied in the same second as a digest, after it, is in the next one.
same=$WORK/same; mkdir -p "$same"; cp "$CONFIG" "$same/baton.conf"
BATON_NOW=2026-03-09T17:05:00Z "$BATON" -q -c "$same/baton.conf" init
mail "Alice Martin <alice@example.com>" "a" s1@a 'task: Before the digest' |
  BATON_NOW=2026-03-09T17:05:00Z "$BATON" -c "$same/baton.conf" ingest
BATON_NOW=2026-03-10T15:30:00Z "$BATON" -c "$same/baton.conf" digest
mail "Alice Martin <alice@example.com>" "b" s2@a 'task: Same second, after the digest' |
  BATON_NOW=2026-03-10T15:30:00Z "$BATON" -c "$same/baton.conf" ingest
BATON_NOW=2026-03-11T15:30:00Z "$BATON" -c "$same/baton.conf" digest
is "bob's two digests list each new task exactly once" \
  "$(in_section "$same" bob@example.com "NEW TASKS")" "1 / 2"

# The clock set back: `digest --force` with BATON_NOW earlier than the last
# digest must not move the window back and repeat what was already sent.
back=$WORK/back; mkdir -p "$back"; cp "$CONFIG" "$back/baton.conf"
BATON_NOW=2026-03-09T08:00:00Z "$BATON" -q -c "$back/baton.conf" init >/dev/null
mail "Alice Martin <alice@example.com>" "a" b1@a 'task: Held by alice @alice' |
  BATON_NOW=2026-03-09T17:05:00Z "$BATON" -c "$back/baton.conf" ingest
mail "Alice Martin <alice@example.com>" "b" b2@a 'note 1: said once only' |
  BATON_NOW=2026-03-10T10:00:00Z "$BATON" -c "$back/baton.conf" ingest
BATON_NOW=2026-03-10T16:00:00Z "$BATON" -c "$back/baton.conf" digest --force
BATON_NOW=2026-03-10T08:00:00Z "$BATON" -c "$back/baton.conf" digest --force
is "a forced digest with the clock set back keeps the window where it was" \
  "$(sqlite3 "$back/baton.db" "select datetime(last_at, 'unixepoch') from digests where member = 'bob'")" "2026-03-10 16:00:00"
BATON_NOW=2026-03-11T16:00:00Z "$BATON" -c "$back/baton.conf" digest --force
is "bob's three digests list alice's note in the first one only" \
  "$(sqlite3 "$back/baton.db" "select group_concat(instr(mime, 'said once only') > 0, ' ') from (select mime from outbox where recipient = 'bob@example.com' order by id)")" "1 0 0"

# Windows follow the log's order, not the clock (issue 12): the clock steps
# back one hour between two events. The second event has an earlier time
# than the digest that came between them, and is still in the next digest,
# once; the first is not repeated.
step=$WORK/step; mkdir -p "$step"; cp "$CONFIG" "$step/baton.conf"
BATON_NOW=2026-03-09T17:05:00Z "$BATON" -q -c "$step/baton.conf" init
mail "Alice Martin <alice@example.com>" "a" c1@a 'task: Before the step' |
  BATON_NOW=2026-03-10T15:00:00Z "$BATON" -c "$step/baton.conf" ingest
BATON_NOW=2026-03-10T15:40:00Z "$BATON" -c "$step/baton.conf" digest
mail "Alice Martin <alice@example.com>" "b" c2@a 'task: After the step, an hour back' |
  BATON_NOW=2026-03-10T14:40:00Z "$BATON" -c "$step/baton.conf" ingest
BATON_NOW=2026-03-11T15:40:00Z "$BATON" -c "$step/baton.conf" digest
is "clock stepped back an hour: each task in exactly one digest" \
  "$(in_section "$step" bob@example.com "NEW TASKS")" "1 / 2"
mail "Alice Martin <alice@example.com>" "c" c3@a 'task: After a step forward' |
  BATON_NOW=2026-03-13T15:40:00Z "$BATON" -c "$step/baton.conf" ingest
BATON_NOW=2026-03-12T15:40:00Z "$BATON" -c "$step/baton.conf" digest
BATON_NOW=2026-03-13T15:41:00Z "$BATON" -c "$step/baton.conf" digest
is "and stepped forward a day and back: the event is in the next digest, once" \
  "$(in_section "$step" bob@example.com "NEW TASKS")" "1 / 2 / 3"
