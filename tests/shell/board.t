#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `baton board`: the static site of the relay story (tests/board/story.sh),
# escaped, swapped in whole or not at all, never over a directory it did
# not write; its Atom feed read by a real feed parser (python3-feedparser)
# and checked for RFC 4287's required elements; `baton run` with
# [board] dir writes it by itself. The pages in a real browser:
# board-browser.t.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/board/story.sh"

write_story_config
baton init >/dev/null 2>&1
play_story
board () { BATON_NOW=$BOARD_NOW "$BATON" -c "$CONFIG" board "$@"; }
site=$WORK/site

is "the story's mail all applied" "$(cat "$WORK/story.err")" ""
out=$(board --out "$site" 2>&1); rc=$?
is "board --out exits 0" "$rc" 0
is "board is quiet on success (cron)" "$out" ""
missing=
for f in index.html events.atom member/alice.html member/bob.html member/kenji.html \
  task/1.html task/2.html task/3.html task/4.html task/5.html task/6.html; do
  [ -s "$site/$f" ] || missing="$missing $f"
done
is "every page is written" "$missing" ""
is "the site is readable by a web server" "$(stat -c %a "$site")" 755

# Hostile titles and notes show as text: in the source, only escaped.
hostile=$(grep -rlF -e '<script>alert(1)' -e '<img src=x' -e '<b>docs</b>' "$site" | sort | tr '\n' ' ')
is "no page carries a hostile title or note raw" "$hostile" ""
like "the <script> title is escaped on the board" "$(cat "$site/index.html")" \
  '&lt;script&gt;alert\(1\)&lt;/script&gt;'
like "the attribute-breaking title is escaped" "$(cat "$site/index.html")" \
  '&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;'
like "a note's markup is escaped in the relay's text" "$(cat "$site/index.html")" \
  'deployed; &lt;b&gt;docs&lt;/b&gt; left'
is "the only <script> is the board's own" "$(grep -c '<script' "$site/index.html")" 1

# task/N.html is `baton show N`: the same events, in the same order.
show_kinds=$(BATON_NOW=$BOARD_NOW baton show 2 | sed '1,/^$/d' | awk '{print $3}' | tr '\n' ,)
page_kinds=$(grep -o 'data-kind="[a-z]*"' "$site/task/2.html" | cut -d'"' -f2 | tr '\n' ,)
is "task/2.html has baton show 2's history" "$page_kinds" "$show_kinds"
like "task/2.html names its holder" "$(cat "$site/task/2.html")" 'class="holder">alice<'

# Cards: the durations come from BATON_NOW, exactly.
like "#5 taken 8 h before now" "$(grep -A2 'id="task-5"' "$site/index.html")" 'taken for <time datetime="2026-03-09T08:00:00Z">8 h<'
like "cards carry their mailto links" "$(cat "$site/index.html")" \
  'href="mailto:team\+take-4@example.com">take<.*href="mailto:team\+done-4@example.com">done<'
like "a handoff not accepted yet is marked waiting on its card" "$(cat "$site/index.html")" 'class="marker pending">waiting<'

# The same store and clock give the same bytes.
cp -r "$site" "$WORK/site-before"
inode=$(stat -c %i "$site/task/1.html")
board --out "$site"
ok "rewriting gives the same site" diff -r "$site" "$WORK/site-before"
is "an unchanged page is linked from the old site, not written anew" \
  "$(stat -c %i "$site/task/1.html")" "$inode"
is "no temporary directory is left behind" "$(ls -A "$WORK" | grep -c '\.new-')" 0

# A broken template leaves the old site as it was.
mkdir -p "$WORK/tpl"
printf '{{#columns}}unclosed\n' > "$WORK/tpl/board.html"
write_story_config "templates = tpl"
board --out "$site" 2>"$WORK/err"; rc=$?
is "a broken board template is a config error (78)" "$rc" 78
like "the error names the template file" "$(cat "$WORK/err")" 'tpl/board.html'
ok "the old site is untouched" diff -r "$site" "$WORK/site-before"
is "no temporary directory is left after a failure" "$(ls -A "$WORK" | grep -c '\.new-')" 0
# The task pages' template, parsed once for the pages' own thread, too.
rm "$WORK/tpl/board.html"
printf '{{#events}}unclosed\n' > "$WORK/tpl/board-task.html"
board --out "$site" 2>"$WORK/err"; rc=$?
is "a broken task template is a config error (78)" "$rc" 78
like "the error names that template file" "$(cat "$WORK/err")" 'tpl/board-task.html'
ok "the old site is still untouched" diff -r "$site" "$WORK/site-before"
rm "$WORK/tpl/board-task.html"

# One template overridden, the others shipped.
printf '{{! mine }}<p>custom {{team_address}} {{#columns}}{{key}}={{count}} {{/columns}}</p>\n' > "$WORK/tpl/board.html"
board --out "$site"
like "an overriding board.html is used" "$(cat "$site/index.html")" \
  'custom team@example.com waiting=1 open=1 taken=1 blocked=1 done=1'
like "the shipped task page still is" "$(cat "$site/task/1.html")" '<h1>#1 '
write_story_config

# Never over a directory baton did not write.
mkdir -p "$WORK/www"; echo keep > "$WORK/www/precious.html"
board --out "$WORK/www" 2>"$WORK/err"; rc=$?
is "a foreign non-empty directory is refused (73)" "$rc" 73
is "its files are untouched" "$(ls "$WORK/www")" precious.html
mkdir -p "$WORK/empty"
ok "an empty directory is accepted" board --out "$WORK/empty"

# Options.
board --out "$WORK/tokyo" --zone Asia/Tokyo
like "--zone draws the relay in that zone" "$(cat "$WORK/tokyo/index.html")" 'The relay, Tuesday 10 March 2026 \(Asia/Tokyo\)'
board --out "$WORK/x" --zone Mars/Olympus 2>/dev/null; rc=$?
is "an unknown zone is a usage error (64)" "$rc" 64
board 2>"$WORK/err"; rc=$?
is "no --out and no [board] dir is a usage error" "$rc" 64
like "the message says what to do" "$(cat "$WORK/err")" '--out DIR or set \[board\] dir'
write_story_config "[board]
dir = public"
ok "baton check accepts [board] dir" baton check
ok "board without --out writes [board] dir" board
ok "... relative to the config file" test -s "$WORK/public/index.html"

# The feed, through a real feed parser and RFC 4287's required elements.
feed_report=$(/usr/bin/python3 - "$site/events.atom" "$(baton log --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" <<'PY'
import sys, feedparser, xml.etree.ElementTree as ET
path, events = sys.argv[1], int(sys.argv[2])
d = feedparser.parse(path)
problems = []
if d.bozo: problems.append("bozo: %s" % d.bozo_exception)
if d.version != "atom10": problems.append("version %s" % d.version)
if len(d.entries) != events: problems.append("%d entries for %d events" % (len(d.entries), events))
times = [e.updated_parsed for e in d.entries]
if times != sorted(times, reverse=True): problems.append("not newest first")
A = "{http://www.w3.org/2005/Atom}"
root = ET.parse(path).getroot()
if root.tag != A + "feed": problems.append("root is %s" % root.tag)
for name in ("id", "title", "updated"):
    if len(root.findall(A + name)) != 1: problems.append("feed needs one atom:%s" % name)
feed_author = root.find(A + "author") is not None
ids = set()
for entry in root.findall(A + "entry"):
    for name in ("id", "title", "updated"):
        if len(entry.findall(A + name)) != 1: problems.append("entry needs one atom:%s" % name)
    if not feed_author and entry.find(A + "author") is None: problems.append("entry without author")
    ids.add(entry.findtext(A + "id"))
if len(ids) != len(root.findall(A + "entry")): problems.append("entry ids repeat")
print("; ".join(problems) or "valid %d" % len(d.entries))
print(d.entries[0].title)
PY
)
is "events.atom parses and has RFC 4287's required elements" "$(echo "$feed_report" | head -1)" "valid 18"
is "the newest event comes first" "$(echo "$feed_report" | sed -n 2p)" "#5 taken by alice"

# Control characters from mail would make the XML invalid: they become spaces.
mail alice@example.com "ctl" ctl-1@example.com "$(printf 'task: bell\033[31m\x01red')" |
  BATON_NOW=$BOARD_NOW baton ingest - >/dev/null 2>&1
board --out "$site"
ctl=$(/usr/bin/python3 -c 'import sys, feedparser; d = feedparser.parse(sys.argv[1]); print(d.bozo, d.entries[0].title)' "$site/events.atom")
like "a title with control characters still parses, cleaned" "$ctl" '^False #7 created by alice: bell .31m red$'

# A rewrite reuses each task page whose inputs did not change (a hard link
# to the old site's page, never rendered again) and renders those a mail
# changed; a changed template renders them all.
inode () { stat -c %i "$site/task/$1.html"; }
before2=$(inode 2) before5=$(inode 5)
mail alice@example.com "blocked" block-5@example.com 'block 5: waiting on legal' |
  BATON_NOW=$BOARD_NOW baton ingest - >/dev/null 2>&1
board --out "$site"
is "an unchanged task page is the old one, linked" "$(inode 2)" "$before2"
ok "a changed task page is new" test "$(inode 5)" != "$before5"
like "... with the change" "$(cat "$site/task/5.html")" 'blocked \(waiting on legal\)'
is "every task page is listed with its fingerprint" \
  "$(grep -c '^task/[0-9]*\.html [0-9a-f]\{32\}$' "$site/.baton-board")" 7
mkdir -p "$WORK/tpl"
sed 's|<h2>History</h2>|<h2>History (edited template{{>partial-extra.html}})</h2>|' \
  "$TESTS_DIR/../templates/board-task.html" > "$WORK/tpl/board-task.html"
write_story_config "templates = tpl"
board --out "$site"
ok "an edited template renders every task page again" test "$(inode 2)" != "$before2"
is "... all of them with it" "$(grep -l 'edited template' "$site"/task/*.html | wc -l)" 7
printf ', with a partial' > "$WORK/tpl/partial-extra.html"
board --out "$site"
is "so does a new partial among the overrides" \
  "$(grep -l 'edited template, with a partial' "$site"/task/*.html | wc -l)" 7
printf ', with the partial edited' > "$WORK/tpl/partial-extra.html"
board --out "$site"
is "and an edited one" "$(grep -l 'template, with the partial edited' "$site"/task/*.html | wc -l)" 7
write_story_config

# `baton run` writes [board] dir by itself when something changed.
write_story_config "[board]
dir = live"
BATON_NOW=$BOARD_NOW "$BATON" -c "$CONFIG" run >/dev/null 2>"$WORK/run.err" &
run_pid=$!
cleanup_hooks+=("kill $run_pid 2>/dev/null")
for _ in $(seq 1 100); do [ -s "$WORK/live/index.html" ] && break; sleep 0.1; done
kill "$run_pid" 2>/dev/null; wait "$run_pid" 2>/dev/null
ok "baton run wrote [board] dir" test -s "$WORK/live/index.html"
like "with the task mailed last" "$(cat "$WORK/live/index.html")" '#7</a>'

# The documentation names what the user sees.
man=$TESTS_DIR/../man
ok "baton.1 documents baton board" grep -q '^\.It Ic board Oo Fl \\-out Ar dir Oc Op Fl \\-zone Ar zone' "$man/baton.1"
ok "baton.conf.5 documents [board] dir" grep -q '^\.Sh THE \[board\] SECTION' "$man/baton.conf.5"
for template in board.html board-relay.svg board-task.html board-events.atom board.css; do
  ok "baton.conf.5 documents template $template" grep -q "$template" "$man/baton.conf.5"
done

echo "1..$test_number"
exit $((failures > 0))
