#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The reply to a mail with failed lines: its subject, threading and rate.
. "$(dirname "$0")/../lib.sh"
plan 7
write_config
export BATON_NOW=2026-03-09T16:31:00Z
# newest_reply FIELD: Subject / In-Reply-To of the newest reply, or its text.
newest_reply () {
  /usr/bin/python3 - "$WORK/baton.db" "$1" <<'PY'
import sqlite3, sys, email, email.policy
(mime,) = sqlite3.connect(sys.argv[1]).execute(
    "SELECT mime FROM outbox WHERE kind = 'reply' ORDER BY id DESC LIMIT 1").fetchone()
m = email.message_from_bytes(mime, policy=email.policy.default)
print(m.get_body(("plain",)).get_content().splitlines()[0] if sys.argv[2] == "text" else m[sys.argv[2]])
PY
}

printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nMessage-ID: <nosubj@a>\n\ndone 99\n' | baton ingest
is "a mail without Subject: 'Re: (no subject)'" "$(newest_reply Subject)" "Re: (no subject)"
is "and the text says so" "$(newest_reply text)" 'baton could not apply 1 of the 1 items it found in your mail "(no subject)".'
is "threaded on the mail" "$(newest_reply In-Reply-To)" "<nosubj@a>"
mail "Alice Martin <alice@example.com>" "RE: the plan" upper@a 'done 98' | baton ingest
is "Outlook's 'RE:' gets no second prefix" "$(newest_reply Subject)" "RE: the plan"
mail "Alice Martin <alice@example.com>" "plan" plain@a 'done 97' | baton ingest
is "any other subject gets 'Re: '" "$(newest_reply Subject)" "Re: plan"

# At most 5 replies an hour to one sender, however many bad mails.
for i in 1 2 3 4 5 6; do
  mail "Alice Martin <alice@example.com>" "again $i" "again$i@a" 'done 96' | baton ingest
done
is "five replies in the hour, the rest suppressed" "$(db "select count(*) from outbox where kind = 'reply'")" 5
mail "Alice Martin <alice@example.com>" "later" later@a 'done 95' | BATON_NOW=2026-03-09T17:32:00Z baton ingest
is "an hour later replies resume" "$(db "select count(*) from outbox where kind = 'reply'")" 6
