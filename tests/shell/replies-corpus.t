#!/bin/bash
# SPDX-License-Identifier: MIT
# Scores baton_visible_text() on the replies corpus (tests/corpus/replies)
# with the corpus's own judge on whole messages, through the real path:
# `baton explain --text` (GMime parse, text part, reply finder).
# Bars: >= 95% of the exact cases and of the constraint cases.
#
# Four constraint cases cannot be met by any reader that does what baton
# needs, and are set aside for the 95% bar (test 3) but still scored, and
# must be the only failures (test 4):
#   c_email_de_1_2  asks for a text and forbids the same text once
#                   whitespace is normalised (self-contradictory);
#   c_email_1_2     wants the quoted lines kept in the very body whose exact
#                   case (willdurand email_2) wants them gone;
#   c_email_de_1    wants quoted lines and their "Am … schrieb" kept;
#                   quoted text must never be read as commands;
#   c_email_de_9    wants raw HTML entities ("f&uuml;r") in the text, which
#                   any HTML-to-text step decodes.
set -u
corpus=$(cd "$(dirname "$0")/../corpus" && pwd)
tool=${BATON:-$(cd "$(dirname "$0")/../.." && pwd)/build/baton}
python=/usr/bin/python3
set_aside="fiedl/extended_email_reply_parser/c_email_de_1_2
fiedl/extended_email_reply_parser/c_email_1_2
fiedl/extended_email_reply_parser/c_email_de_1
fiedl/extended_email_reply_parser/c_email_de_9"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"

# judge FILE...: the judge's output; the last line is "TOTAL  p/t  x%".
judge () {
  (cd "$corpus" && "$python" judge.py --verbose "$@" -- "$tool" explain --text)
}

# bar NUMBER NAME SUMMARY: ok when the TOTAL line shows >= 95%.
bar () {
  local total
  total=$(grep '^TOTAL' <<<"$3" | awk '{print $2, $3}')
  if [ -n "$total" ] && awk -v t="$total" 'BEGIN { split(t, a, "[/ %]+"); exit !(a[2] > 0 && 100 * a[1] / a[2] >= 95) }'; then
    echo "ok $1 - $2: $total"
  else
    echo "not ok $1 - $2: ${total:-no TOTAL line from the judge}"
    grep -A12 '^--- FAIL' <<<"$3" | sed 's/^/# /'
  fi
}

if [ -x "$tool" ] && [ -x "$python" ]; then
  echo "ok 1 - baton and $python present"
else
  echo "not ok 1 - need $tool and $python"
fi

bar 2 "exact cases >= 95%" "$(judge replies/replies.jsonl)"

grep -v -F -f <(sed 's/.*/"id": "&"/' <<<"$set_aside") \
  "$corpus/replies/replies.constraints.jsonl" >"$tmp/constraints.jsonl"
bar 3 "constraint cases >= 95% (4 contradictory cases set aside)" \
  "$(judge "$tmp/constraints.jsonl")"

all=$(judge replies/replies.constraints.jsonl)
unexpected=$(grep '^--- FAIL' <<<"$all" | awk '{print $3}' | grep -v -x -F -f <(echo "$set_aside"))
summary=$(grep '^TOTAL' <<<"$all" | awk '{print $2, $3}')
if [ -n "$summary" ] && [ -z "$unexpected" ]; then
  echo "ok 4 - all constraint cases: $summary, failing only where set aside"
else
  echo "not ok 4 - all constraint cases: $summary; unexpected failures:"
  sed 's/^/#   /' <<<"$unexpected"
fi
