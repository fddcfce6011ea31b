#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The board in a real browser: Debian's chromium, headless, driven through
# chromium-driver by python3-selenium (tests/board/browser.py), over
# file://. The relay story (tests/board/story.sh) must show in the right
# columns, the member pages must filter (and the script filter in place),
# the relay must have one lane per member and one arrow per handoff of the
# last 7 days, hostile titles must run nothing (asserted from the page's
# own state: no alert, no error, no <img>), with no console errors. The
# screenshots stay in $BATON_BUILD/board-screenshots/ for a reviewer.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/board/story.sh"

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] ||
  ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
  echo "1..1"
  echo "not ok 1 - chromium, chromium-driver and python3-selenium are needed: sh contrib/install-deps.sh --test"
  exit 1
fi

write_story_config
baton init >/dev/null 2>&1
play_story
BATON_NOW=$BOARD_NOW "$BATON" -c "$CONFIG" board --out "$WORK/site"
shots=${BATON_BUILD:-$WORK}/board-screenshots
facts=$(/usr/bin/python3 "$TESTS_DIR/board/browser.py" "$WORK/site" "$shots" 2>"$WORK/browser.err")
is "the browser driver ran" "$?" 0
fact () { printf '%s\n' "$facts" | sed -n "s/^$1 //p"; }
[ -s "$WORK/browser.err" ] && sed 's/^/# /' "$WORK/browser.err" | head -20

is "waiting to be accepted: #2 (handed over, not accepted yet)" "$(fact index.column.waiting)" 2
is "open: #4" "$(fact index.column.open)" 4
is "taken: #5" "$(fact index.column.taken)" 5
is "blocked: #3" "$(fact index.column.blocked)" 3
is "done in the last 7 days: #6 (not #1)" "$(fact index.column.done)" 6
is "hostile titles show as text" "$(fact index.titles)" \
  'Write the migration guide|<script>alert(1)</script>|"><img src=x onerror=alert(2)>|Fix the login bug|Tokyo release notes'

for page in index alice bob kenji task2; do
  is "$page: no alert was called" "$(fact $page.alerts)" 0
  is "$page: no alert dialog is open" "$(fact $page.alert_dialog)" 0
  is "$page: no script error" "$(fact $page.errors)" 0
  is "$page: no <img> was created" "$(fact $page.hostile_images)" 0
done
is "index: the only script is the board's own" "$(fact index.scripts)" 1

# Member pages filter without JavaScript.
is "alice's page: her tasks and the one she created that nobody holds" \
  "$(fact alice.column.waiting)|$(fact alice.column.open)/$(fact alice.column.taken)/$(fact alice.column.blocked)/$(fact alice.column.done)" "2|4/5//"
is "bob's page: #3 only" \
  "$(fact bob.column.open)/$(fact bob.column.taken)/$(fact bob.column.blocked)/$(fact bob.column.done)" "//3/"
is "kenji's page: #6 only" \
  "$(fact kenji.column.open)/$(fact kenji.column.taken)/$(fact kenji.column.blocked)/$(fact kenji.column.done)" "///6"
is "the script filters in place" "$(fact filtered.url) $(fact filtered.cards)" "index.html 3"

# The relay picture.
is "one lane per member" "$(fact index.lanes)" alice,bob,kenji
is "one arrow per handoff of the last 7 days" "$(fact index.arrows)" \
  "2:alice>bob,2:bob>kenji,2:kenji>alice"
is "alice's page: the legs she ran" "$(fact alice.arrows)" "2:alice>bob,2:kenji>alice"
is "bob's page: the legs he ran" "$(fact bob.arrows)" "2:alice>bob,2:bob>kenji"
is "kenji's page: the legs he ran" "$(fact kenji.arrows)" "2:bob>kenji,2:kenji>alice"
is "every member keeps a lane on their page" "$(fact kenji.lanes)" alice,bob,kenji
is "every arrow is drawn" "$(fact index.arrow_boxes)" 3
is "a now line" "$(fact index.now_line)" 1
# Each lane shaded from its member's own hours, in UTC on Monday: alice
# 09-17 Paris = 08-16 UTC, bob 08-18 Los Angeles = 15-01 UTC (his Sunday
# evening is not shaded), kenji 09-18 Tokyo = 00-09 UTC.
is "working hours are each member's own" "$(fact index.work)" \
  "alice=390+280,bob=635+315,kenji=110+315"
is "seen from Los Angeles, kenji's Monday and Tuesday both show" "$(fact bob.work)" \
  "alice=145+280,bob=390+350,kenji=110+70&705+245"
like "the text equivalent names lanes, hours, now and each handoff" "$(fact index.text_equivalent)" \
  'Lanes: alice \(Europe/Paris, works 09:00-17:00\); bob \(America/Los_Angeles, works 08:00-18:00\); kenji \(Asia/Tokyo, works 09:00-18:00\); now 16:31 UTC\. Task 2 handed from alice to bob at Tue 03 Mar 17:00 UTC'
like "bob's page shows the relay in his zone" "$(fact bob.text_equivalent)" 'now 09:31 PDT'
is "task/2.html shows its whole history" "$(fact task2.history)" created,taken,handoff,handoff,handoff
is "dark mode changes the colours" "$(fact dark.background)" "rgb(22, 22, 22)"
is "print hides the navigation" "$(fact print.nav_display)" none
is "no console errors" "$(fact console.severe)" 0
missing=
for s in index index-dark index-print member-alice member-bob member-kenji task-2; do
  [ -s "$shots/$s.png" ] || missing="$missing $s"
done
is "screenshots are kept in $shots" "$missing" ""

echo "1..$test_number"
exit $((failures > 0))
