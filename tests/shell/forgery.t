#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a stranger can send (issue 15): forged Authentication-Results under
# require-auth, and a Message-ID taken before a member uses it.
. "$(dirname "$0")/../lib.sh"
export BATON_NOW=2026-03-09T17:05:00Z
plan 18
write_config 'require-auth = true
authserv-id = mx.example.com'

# deliver ID HEADER...: Alice's mail with a task named ID, as ingest sees it.
deliver () {
  local id=$1; shift
  mail "Alice Martin <alice@example.com>" "$id" "$id@a" "task: $id" "$@" | baton ingest
}
outcome () { db "select outcome || ':' || coalesce(reason, '') from messages where message_id = '$1@a'"; }
applied () { db "select count(*) from tasks where title = '$1'"; }

deliver legit-dkim 'Authentication-Results: mx.example.com; dkim=pass header.d=example.com header.s=s1'
is "our server's dkim pass aligned with From: applied" "$(applied legit-dkim)" 1
deliver legit-spf 'Authentication-Results: mx.example.com 1;
	spf=pass smtp.mailfrom=alice@example.com (sender SPF authorized)'
is "our server's spf pass, folded with a comment: applied" "$(applied legit-spf)" 1
deliver legit-two 'Authentication-Results: mx.example.com; dmarc=pass header.from=example.com' \
  'Authentication-Results: mx.example.com; dkim=pass header.d=example.com' \
  'Authentication-Results: mx.google.com; dkim=pass header.d=example.com'
is "two fields of ours above a foreign one: applied" "$(applied legit-two)" 1

# The three forgeries of the issue, each a copy of the header that showed it.
deliver forged-below 'Authentication-Results: mx.example.com; dkim=fail header.d=example.com' \
  'Authentication-Results: mx.example.com; dkim=pass header.d=example.com'
is "a forged dkim=pass below the real dkim=fail: not applied" "$(applied forged-below)" 0
like "but quarantined with the reason" "$(outcome forged-below)" \
  "^quarantined:require-auth: mx.example.com reports no dkim or spf pass aligned with example.com"
deliver forged-quote 'Authentication-Results: mx.example.com; spf=pass smtp.mailfrom="x; dkim=pass header.d=example.com"@evil.org'
is "a dkim=pass inside a quoted smtp.mailfrom: not applied" "$(applied forged-quote)" 0
like "quarantined" "$(outcome forged-quote)" "^quarantined:require-auth"
deliver forged-word 'Authentication-Results: mx.example.com; x-forged=1 dkim=pass header.d=example.com'
is "dkim=pass after an unknown word: not applied" "$(applied forged-word)" 0
like "quarantined" "$(outcome forged-word)" "^quarantined:require-auth"
deliver forged-under-foreign 'Authentication-Results: mx.google.com; dkim=none' \
  'Authentication-Results: mx.example.com; dkim=pass header.d=example.com'
is "ours below another server's field came with the mail: not applied" \
  "$(applied forged-under-foreign)" 0

# --- a Message-ID taken first --------------------------------------------
write_config
stranger () {
  mail "Mallory <mallory@evil.org>" "$2" "$1" "task: $2" | baton ingest
}
member () {
  mail "Bob Stone <bob@example.com>" "$2" "$1" "task: $2" | baton ingest
}
count () { db "select count(*) from tasks where title = '$1'"; }
stranger shared@x "Stranger task"
is "the stranger's mail is quarantined" \
  "$(db "select outcome from messages where message_id = 'shared@x'")" quarantined
member shared@x "Bob real task"
is "the member's later mail with that Message-ID is applied, not a silent duplicate" \
  "$(count "Bob real task")" 1
is "the stranger's held mail is kept, set aside" \
  "$(db "select count(*) from messages where message_id like 'shared@x (held, row %' and outcome = 'quarantined'")" 1
member shared@x "Bob real task"
is "the member's mail replayed is still a duplicate" "$(count "Bob real task")" 1
stranger shared@x "Stranger task"
is "and so is the stranger's replayed after it" \
  "$(db "select count(*) from messages where sender = 'mallory@evil.org'")" 1

# A forged From with a member's Message-ID, held by require-auth, then the
# member's authenticated mail: applied.
write_config 'require-auth = true
authserv-id = mx.example.com'
mail "Bob Stone <bob@example.com>" "forged" replay@x "task: Forged" | baton ingest
mail "Bob Stone <bob@example.com>" "forged" replay@x "task: Forged" | baton ingest
is "a held mail replayed by its sender is stored once" \
  "$(db "select count(*) from messages where message_id like 'replay@x%'")" 1
mail "Bob Stone <bob@example.com>" "real" replay@x "task: Bob authenticated" \
  'Authentication-Results: mx.example.com; dkim=pass header.d=example.com' | baton ingest
is "the member's authenticated mail after a forgery held with its Message-ID: applied" \
  "$(count "Bob authenticated")" 1
is "the forgery is not applied" "$(count "Forged")" 0
