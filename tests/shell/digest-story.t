#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Digests that tell each member their part of the relay, read from each
# member's digest after a scripted story across three zones: alice in
# Paris, bob in Los Angeles, carol in Tokyo. Who took, handed on, closed,
# blocked and unblocked whose task; every section of digest.txt is in one
# of the three golden files (tests/golden/story-*.txt), the HTML part of
# bob's in story-bob.html. Then: a preview changes nothing, a member's mail
# that failed authentication is reported as such, and a member back from
# three weeks away gets a short digest in a team with 1,000 open tasks.
#
# After a deliberate change: GOLDEN_UPDATE=1 BATON=build/baton bash tests/shell/digest-story.t
. "$(dirname "$0")/../lib.sh"
GOLDEN=$TESTS_DIR/golden
plan 25

team_config () {
  cat > "$1" <<CONF
[baton]
database = baton.db
team-address = team@example.com
stale-after = 3
# What a digest says, not when it is due (worktime.t): every day is a working day.
workdays = Mon-Sun
hours = 00:00-24:00
${2:-}

$(member_section alice "Alice Martin" Europe/Paris)

$(member_section bob "Bob Stone" America/Los_Angeles)

$(member_section carol "Carol Sato" Asia/Tokyo)
CONF
}
CONFIG=$WORK/baton.conf
team_config "$CONFIG"
alice="Alice Martin <alice@example.com>" bob="Bob Stone <bob@example.com>" carol="Carol Sato <carol@example.com>"
n=0
send () { n=$((n + 1)); mail "$2" "story" "story$n@x" "$3" | BATON_NOW=$1 baton ingest; }

# The week before: the board as the story finds it.
BATON_NOW=2026-03-02T08:00:00Z baton init >/dev/null 2>&1
send 2026-03-02T08:00:00Z "$alice" 'task: Renew the certificate @carol
task: Order a cake
task: Plan the offsite @bob
task: Fix the flaky test @carol
task: Archive old tickets @carol
task: Migrate the wiki @alice
task: Pool task A
task: Pool task B
task: Pool task C
task: Pool task D
task: Pool task E
task: Pool task F
task: Pool task G'
send 2026-03-03T08:00:00Z "$carol" 'block 4: waiting for CI credits'
send 2026-03-04T08:00:00Z "$alice" 'block 6: waiting for IT'
BATON_NOW=2026-03-06T00:00:00Z baton digest --force

# Monday 9 March.
send 2026-03-09T08:00:00Z "$alice" 'task: Write the migration guide @bob
task: Update the changelog
handoff 3 to carol: carol has the budget'
send 2026-03-09T09:00:00Z "$carol" 'take 15
done 15: shipped
unblock 4'
send 2026-03-09T10:00:00Z "$carol" 'handoff 1 to alice: please check the renewal'
send 2026-03-09T12:00:00Z "Eve Outsider <eve@elsewhere.example>" 'take 2'
send 2026-03-09T16:00:00Z "$bob" 'Deploy went fine.
task: Buy new monitors
take 2'

# digest_text DB EMAIL [html]: the newest digest's text (or HTML) part.
digest_text () {
  /usr/bin/python3 - "$1" "$2" "${3:-plain}" <<'PY'
import sqlite3, sys, email, email.policy
row = sqlite3.connect(sys.argv[1]).execute(
    "SELECT mime FROM outbox WHERE kind = 'digest' AND recipient = ? ORDER BY id DESC LIMIT 1",
    (sys.argv[2],)).fetchone()
if row:
    print(email.message_from_bytes(row[0], policy=email.policy.default).get_body((sys.argv[3],)).get_content(), end="")
PY
}
golden () {
  if [ -n "${GOLDEN_UPDATE:-}" ]; then
    printf '%s' "$2" >"$GOLDEN/$1"; pass "$1: golden file rewritten (GOLDEN_UPDATE)"
  elif d=$(diff -u "$GOLDEN/$1" <(printf '%s' "$2") 2>&1); then
    pass "$1 matches tests/golden/$1"
  else
    fail "$1 matches tests/golden/$1" "${d//$'\n'/$'\n# '}"
  fi
}

# A preview before the real run: what it prints is what is then queued,
# and it queues nothing and moves no window. The escalations due go out
# first (`baton send` queues them as the digest run would), since a
# preview changes nothing and so cannot mark them.
BATON_NOW=2026-03-10T16:00:00Z baton send 2>"$WORK/send.err"
is "send queued the escalations due before the preview" "$?" 0
state () { db "select (select count(*) from outbox) || '/' || (select group_concat(member || ':' || last_at || ':' || last_event || ':' || last_message) from digests)"; }
before=$(state)
preview=$(BATON_NOW=2026-03-10T16:00:00Z baton digest --preview bob)
preview_html=$(BATON_NOW=2026-03-10T16:00:00Z baton digest --preview --html bob)
is "a preview queues nothing and moves no window" "$(state)" "$before"
BATON_NOW=2026-03-10T16:00:00Z baton digest
for who in alice bob carol; do
  golden "story-$who.txt" "$(digest_text "$WORK/baton.db" $who@example.com)"
done
bob_html=$(digest_text "$WORK/baton.db" bob@example.com html)
golden story-bob.html "$bob_html"
is "the preview printed bob's digest as queued, after To/Subject/Due lines" \
  "$(sed '1,4d' <<<"$preview")" "$(digest_text "$WORK/baton.db" bob@example.com)"
is "the preview's head" "$(head -3 <<<"$preview")" \
  $'To: Bob Stone <bob@example.com>\nSubject: baton digest for Bob Stone, Tue 10 Mar\nDue: Fri 08:30 Los Angeles, 3 days ago'
is "--html previews the HTML part" "$(sed '1,4d' <<<"$preview_html")" "$bob_html"
out=$(baton digest --preview nobody 2>&1); rc=$?
is "a preview for no member is a usage error (64), naming where names come from" \
  "$rc $(grep -c 'no member named .nobody.: give a short name' <<<"$out")" "64 1"
baton digest bob >/dev/null 2>&1
is "a member name without --preview is a usage error too" "$?" 64

# The text and HTML parts say the same: every task number and every time.
facts () { grep -oE '#[0-9]+ [A-Z]|[A-Z][a-z]{2} [0-9]{2}:[0-9]{2}|[0-9]+ more' | sort | uniq -c; }
is "bob's HTML part holds the same tasks and times as the text" \
  "$(digest_text "$WORK/baton.db" bob@example.com html | facts)" "$(digest_text "$WORK/baton.db" bob@example.com | facts)"

# No task twice in one digest (the open pool's take links name it again).
for who in alice bob carol; do
  is "no task twice in $who's digest" \
    "$(digest_text "$WORK/baton.db" $who@example.com | grep -oE '^  #[0-9]+' | sort | uniq -d)" ""
done

# Nothing new for a member: the next morning's run sends nothing.
BATON_NOW=2026-03-11T16:00:00Z baton digest
is "a quiet day: no digest" "$(db "select count(*) from outbox where kind = 'digest' and created_at = $(date -u -d 2026-03-11T16:00:00Z +%s)")" 0
# A day with only a handoff between others still sends one (to bob).
send 2026-03-11T17:00:00Z "$alice" 'handoff 1 to carol'
BATON_NOW=2026-03-12T16:00:00Z baton digest
is "a day with only a handoff between others: bob hears of it" \
  "$(digest_text "$WORK/baton.db" bob@example.com | sed -n '/^BETWEEN OTHERS/,/^$/p')" \
  $'BETWEEN OTHERS\n  #1 Renew the certificate: handed on to carol by alice, Wed 18:00 Paris, 10:00 your time'
is "and carol, whose task it now is, sees it waiting for her" \
  "$(digest_text "$WORK/baton.db" carol@example.com | sed -n '/^WAITING/,/^$/p' | head -3)" \
  $'WAITING FOR YOU\n  #1 Renew the certificate\n      from alice, Wed 18:00 Paris, Thu 02:00 your time (waiting 23 hours)'

# A member's mail that fails the Authentication-Results check is held and
# reported as such, not as "mail from outside the team".
auth=$WORK/auth; mkdir -p "$auth"
team_config "$auth/baton.conf" $'require-auth = yes\nauthserv-id = mx.example.com'
BATON_NOW=2026-03-09T08:00:00Z "$BATON" -q -c "$auth/baton.conf" init
mail "$alice" "forged?" auth1@x 'task: Wire the money' |
  BATON_NOW=2026-03-09T10:00:00Z "$BATON" -c "$auth/baton.conf" ingest
BATON_NOW=2026-03-10T16:00:00Z "$BATON" -c "$auth/baton.conf" digest
text=$(digest_text "$auth/baton.db" bob@example.com)
like "bob's digest says alice's mail failed authentication" "$text" \
  "HELD: A MEMBER'S MAIL THAT FAILED AUTHENTICATION .* alice@example.com, Mon 03:00 Los Angeles: \"forged\?\" +require-auth: "
ok "and does not advise adding her to the configuration" test -z "$(grep -i 'outside the team\|add the sender' <<<"$text")"

# Back from three weeks away, in a team with 1,000 open tasks: under 80
# lines, every section still there.
away=$WORK/away; mkdir -p "$away"; cp "$CONFIG" "$away/baton.conf"
BATON_NOW=2026-03-01T08:00:00Z "$BATON" -q -c "$away/baton.conf" init
asend () { n=$((n + 1)); mail "$2" "away" "away$n@x" "$3" | BATON_NOW=$1 "$BATON" -c "$away/baton.conf" ingest; }
for k in $(seq 0 9); do   # a mail creates at most 100 tasks
  asend 2026-03-01T08:00:00Z "$alice" "$(printf 'task: Pool chore %d\n' $(seq $((k * 100 + 1)) $((k * 100 + 100))))"
done
asend 2026-03-01T09:00:00Z "$alice" $'task: Bob\'s report @bob\ntask: Bob\'s review @bob'
BATON_NOW=2026-03-02T16:00:00Z "$BATON" -c "$away/baton.conf" digest --force
for day in $(seq 3 23); do
  d=$(printf '2026-03-%02d' "$day")
  asend "${d}T08:00:00Z" "$alice" "take $day
done $day: day $day done
task: Fresh thing $day
Daily note $day."
  asend "${d}T09:00:00Z" "$carol" "take $((day + 100))
handoff $((day + 100)) to alice"
done
asend 2026-03-20T10:00:00Z "$carol" 'take 1001
done 1001: finished it for you'
BATON_NOW=2026-03-23T16:00:00Z "$BATON" -c "$away/baton.conf" digest
text=$(digest_text "$away/baton.db" bob@example.com)
lines=$(wc -l <<<"$text")
ok "bob's three-week catch-up digest is under 80 lines ($lines)" test "$lines" -lt 80
like "it tells bob what happened to his task" "$text" \
  "WHAT HAPPENED TO YOUR TASKS +#1001 Bob's report \(now done\) +taken from you by carol, Fri 19:00 Tokyo, 03:00 your time +done by carol, Fri 19:00 Tokyo, 03:00 your time: finished it for you"
like "and that his other task, handed to him three weeks ago, still waits for him to accept it" "$text" "WAITING FOR YOU +#1002 Bob's review +from alice, Sun 1 Mar 10:00 Paris, 01:00 your time \(waiting 22 days\)"
like "the pool: the oldest five, then a count" "$text" \
  "OPEN, NOBODY HOLDS THEM +#1 Pool chore 1 \(open 22 days\) .* #26 Pool chore 26 \(open 22 days\) +take it: mailto:team\+take-26@example.com +and 953 more: reply \"tasks\" or see the board"
like "the team's sections show their latest five, then how many came before" "$text" \
  "DONE BY OTHERS +#19 Pool chore 19 .* #23 Pool chore 23 \(alice, Mon 09:00 Paris, 01:00 your time\): day 23 done +and 16 earlier"
