#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Working time, end to end: morning notices wait for the receiver's next
# working start and are dated when sent; away/back by mail; a handoff to an
# away member tells the giver at once; digests skip weekends, holidays and
# away days and catch up in working hours; baton check reports the new keys
# at their lines. Default week: Mon-Fri 08:00-18:00.
. "$(dirname "$0")/../lib.sh"
plan 19
write_config "handoff-delivery = morning"
outbox_count () { db "select count(*) from outbox where kind = '$1' and recipient = '$2@example.com'"; }

# Friday 18:30 in Los Angeles (2026-03-13): bob's notice waits for Monday
# 08:00 there, not Saturday's digest-at.
mail "Alice Martin <alice@example.com>" "Plan" p1@a 'task: Deploy to staging
handoff 1 to bob: over to you' | BATON_NOW=2026-03-14T01:30:00Z baton ingest
is "a Friday-evening handoff waits for Monday 08:00 in Los Angeles" \
  "$(db "select datetime(not_before, 'unixepoch') from outbox where kind = 'handoff'")" "2026-03-16 15:00:00"
BATON_NOW=2026-03-15T16:00:00Z baton send
is "nothing goes out on Sunday" "$(ls "$WORK/outbox/new" 2>/dev/null | wc -l)" 0
BATON_NOW=2026-03-16T15:10:00Z baton send
notice=$(cat "$WORK"/outbox/new/*)
like "sent Monday, it is dated when it was sent, not when it was handed" "$notice" \
  "Date: Mon, 16 Mar 2026 15:10:00 \+0000"

# At bob's 14:00 on a Tuesday he is at work: the notice goes at once.
mail "Alice Martin <alice@example.com>" "More" p2@a 'task: Review the API
handoff 2 to bob' | BATON_NOW=2026-03-17T21:00:00Z baton ingest
is "within the receiver's hours a held-delivery notice goes at once" \
  "$(db "select not_before from outbox where kind = 'handoff' and task = 2")" 0
# Taken notices follow the same rule: alice's 03:00 is outside her hours.
mail "Bob Stone <bob@example.com>" "Mine" p3@b 'take 2
handoff 2 to alice' | BATON_NOW=2026-03-18T02:00:00Z baton ingest
is "a handoff at the receiver's 03:00 waits for her 08:00" \
  "$(db "select datetime(not_before, 'unixepoch') from outbox where kind = 'handoff' and task = 2 and recipient = 'alice@example.com'")" \
  "2026-03-18 07:00:00"

# Away by mail.
mail "Bob Stone <bob@example.com>" "Holiday" a1@b 'away 2026-03-23..2026-03-27' |
  BATON_NOW=2026-03-18T17:00:00Z baton ingest
# Julian day 1 of GLib is 0001-01-01, JD 1721425.5 for SQLite.
is "away FIRST..LAST is stored in bob's own days" \
  "$(db "select date(first_day + 1721424.5) || '..' || date(last_day + 1721424.5) from away")" \
  "2026-03-23..2026-03-27"
mail "Alice Martin <alice@example.com>" "For bob" a2@a 'task: Write the report
handoff 3 to bob: when you are back' | BATON_NOW=2026-03-24T09:00:00Z baton ingest
is "the handoff to the away member is applied" "$(task_field 3 owner)" bob
reply=$(db "select mime from outbox where kind = 'reply' and recipient = 'alice@example.com' order by id desc limit 1")
like "the giver is told at once who is away until when" "$reply" "bob is away until 2026-03-27"
is "bob's notice waits for his return on Monday 08:00" \
  "$(db "select datetime(not_before, 'unixepoch') from outbox where kind = 'handoff' and task = 3")" \
  "2026-03-30 15:00:00"

# Digests: cron every 30 minutes, Thu 03-19 .. Tue 03-31 (UTC days).
# alice has a holiday on Friday 03-20; bob is away 03-23..03-27.
write_config "handoff-delivery = morning
digest-when-empty = yes"
sed -i '/^\[member alice\]/a holiday-dates = 2026-03-20' "$CONFIG"
BATON_NOW=2026-03-19T00:00:00Z baton digest
t=$(date -u -d 2026-03-19T00:00:00Z +%s); end=$(date -u -d 2026-04-01T00:00:00Z +%s)
while [ "$t" -lt "$end" ]; do
  BATON_NOW=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ) "$BATON" -q -c "$CONFIG" digest || echo "exit $?"
  t=$((t + 1800))
done
days () {
  local zone=$1 who=$2
  db "select created_at from outbox where kind = 'digest' and recipient = '$who@example.com' order by id" |
    while read -r at; do TZ=$zone date -d "@$at" '+%a %m-%d %H:%M'; done | paste -sd, -
}
# No digest ran since the members joined (Sat 03-14): the first run's
# catch-up goes out in working hours only, bob's at once (17:00 Wed),
# alice's at 08:00 Thu, and that day's 08:30 sends no second one.
is "alice: one digest per working day, none on the weekend or her holiday" \
  "$(days Europe/Paris alice)" \
  "Thu 03-19 08:00,Mon 03-23 08:30,Tue 03-24 08:30,Wed 03-25 08:30,Thu 03-26 08:30,Fri 03-27 08:30,Mon 03-30 08:30,Tue 03-31 08:30"
is "bob: none while away, one on his return covering it" \
  "$(days America/Los_Angeles bob)" \
  "Wed 03-18 17:00,Thu 03-19 08:30,Fri 03-20 08:30,Mon 03-30 08:30,Tue 03-31 08:30"

# back ends it early.
mail "Bob Stone <bob@example.com>" "Away" b1@b 'away until 2026-04-10' | BATON_NOW=2026-03-31T17:00:00Z baton ingest
is "away until DATE: away through the day before" "$(db "select last_day - first_day from away")" 9
mail "Bob Stone <bob@example.com>" "Back" b2@b 'back' | BATON_NOW=2026-04-01T17:00:00Z baton ingest
is "back forgets the away period" "$(db "select count(*) from away")" 0

# Downtime: no cron from Wed 04-01 to Mon 04-06 04:00 in Los Angeles; the
# catch-up waits for bob's 08:00 and no second digest follows at 08:30.
before=$(outbox_count digest bob)
BATON_NOW=2026-04-06T11:00:00Z baton digest
is "after downtime, nothing at 04:00 local" "$(outbox_count digest bob)" "$before"
BATON_NOW=2026-04-06T15:00:00Z baton digest
BATON_NOW=2026-04-06T15:30:00Z baton digest
BATON_NOW=2026-04-06T16:00:00Z baton digest
is "one catch-up at the working start, none at 08:30 the same day" \
  "$(outbox_count digest bob)" "$((before + 1))"

# baton check: every new key's problem at its line; digest-at outside the
# hours only warns.
cat > "$WORK/bad.conf" <<'CONF'
[baton]
team-address = team@example.com
workdays = Mon-Fry
hours = 9-5

[member alice]
email = alice@example.com
holiday-dates = 2026-13-01
holidays = broken.ics
CONF
printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nnot a line\nEND:VEVENT\nEND:VCALENDAR\n' > "$WORK/broken.ics"
out=$("$BATON" -c "$WORK/bad.conf" check 2>&1); code=$?
is "check fails with EX_CONFIG" "$code" 78
like "each problem at its line, the .ics one at its own line too" "$out" \
  "bad.conf:3: .*Mon-Fry.*bad.conf:4: .*9-5.*bad.conf:8: holiday-dates: .*2026-13-01.*bad.conf:9: holidays: .*broken.ics:4: not an iCalendar line"
cat > "$WORK/night.conf" <<'CONF'
[baton]
team-address = team@example.com

[member alice]
email = alice@example.com
hours = 09:00-17:00
digest-at = 02:30
CONF
out=$("$BATON" -c "$WORK/night.conf" check 2>&1); code=$?
is "a digest-at outside the hours is valid" "$code" 0
like "but warned about at its line" "$out" "night.conf:7: warning: digest-at 02:30 is outside alice's working hours 09:00-17:00"
