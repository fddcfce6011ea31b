# SPDX-License-Identifier: MIT
# The relay story the board tests share (sourced after tests/lib.sh): alice
# in Paris, bob in Los Angeles, kenji in Tokyo, mailing the team from
# 2026-02-27 to 2026-03-09, "now" 2026-03-09T16:31:00Z. What must show:
#   open    #4 (a <script> title, created by alice)
#   taken   #2 alice, #5 alice (an "><img onerror> title)
#   blocked #3 bob
#   done    #6 kenji (done 2026-03-09); #1 was done 2026-02-28, off the board
#   relay   3 arrows: #2 alice->bob, bob->kenji, kenji->alice (03-03/04);
#           #1's alice->kenji (02-27) is older than 7 days
#   hours   alice 09:00-17:00 Paris, bob 08:00-18:00 Los Angeles (the
#           default), kenji 09:00-18:00 Tokyo; Monday, so all at work
BOARD_NOW=2026-03-09T16:31:00Z

write_story_config () {
  CONFIG="$WORK/baton.conf"
  cat > "$CONFIG" <<CONF
[baton]
database = baton.db
team-address = team@example.com
${1:-}

[member alice]
email = alice@example.com
name = Alice Martin
timezone = Europe/Paris
hours = 09:00-17:00
digest-at = 09:00

[member bob]
email = bob@example.com
name = Bob Stone
timezone = America/Los_Angeles

[member kenji]
email = kenji@example.com
name = Kenji Sato
timezone = Asia/Tokyo
hours = 09:00-18:00
digest-at = 09:00

[outbox]
maildir = outbox
CONF
}

story_n=0
# say WHO AT BODY: WHO mails the team at AT (UTC).
say () {
  story_n=$((story_n + 1))
  mail "$1@example.com" "update $story_n" "story-$story_n@example.com" "$3" |
    BATON_NOW=$2 "$BATON" -c "$CONFIG" ingest - >/dev/null 2>>"$WORK/story.err"
}

play_story () {
  say alice 2026-02-27T10:00:00Z 'task: Ancient relay'
  say alice 2026-02-27T10:05:00Z 'take 1'
  say alice 2026-02-27T17:00:00Z 'handoff 1 to kenji: old news'
  say kenji 2026-02-28T03:00:00Z 'done 1'
  say alice 2026-03-03T08:00:00Z 'task: Write the migration guide
task: Fix the login bug
task: <script>alert(1)</script>
task: "><img src=x onerror=alert(2)>'
  say alice 2026-03-03T08:10:00Z 'take 2'
  say alice 2026-03-03T17:00:00Z 'handoff 2 to bob: tests pass, needs the staging deploy'
  say bob 2026-03-04T01:00:00Z 'handoff 2 to kenji: deployed; <b>docs</b> left'
  say kenji 2026-03-04T09:00:00Z 'handoff 2 to alice: docs done, review please'
  say bob 2026-03-05T16:00:00Z 'take 3
block 3: waiting on the vendor'
  say kenji 2026-03-08T00:00:00Z 'task: Tokyo release notes
take 6'
  say kenji 2026-03-09T02:00:00Z 'done 6'
  say alice 2026-03-09T08:00:00Z 'take 5'
}
