#!/bin/bash
# SPDX-License-Identifier: MIT
# IMAP fetch and move against a real Dovecot: batching, UID ranges, chunks,
# flags left alone by fetch, move to a folder created on demand.
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
tap_plan 23

probe() {
    "$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
        --user team@example.com --password teampass "$@"
}

rig_deliver_n team@example.com INBOX 30
out=$(probe select fetch:1:0 2>&1); rc=$?
tap_is "$rc" 0 "fetch of all 30 messages succeeds"
tap_is "$(grep -c '^uid=' <<<"$out")" 30 "30 messages handed to the callback"
tap_like "$out" "fetched=30 commands=3" "one UID SEARCH, one UID FETCH of sizes, one of bodies for 30 messages"
tap_is "$(grep '^uid=' <<<"$out" | head -1)" "uid=1 size=$(grep '^uid=1 ' <<<"$out" | sed 's/.*size=\([0-9]*\).*/\1/') subject=test 1" "messages arrive in UID order with their subject"
tap_is "$(grep -o '^uid=[0-9]*' <<<"$out" | tr -d 'uid=' | paste -sd,)" "$(seq -s, 30)" "UIDs 1..30 ascending"
tap_is "$(find "$(rig_maildir team@example.com)/cur" -name '*:2,*S*' | wc -l)" 0 \
    "BODY.PEEK[] leaves messages unseen"

out=$(probe select fetch:5:9 2>&1)
tap_is "$(grep -o '^uid=[0-9]*' <<<"$out" | paste -sd' ')" "uid=5 uid=6 uid=7 uid=8 uid=9" \
    "UID range 5:9 fetches exactly those"
out=$(probe select fetch:31:0 2>&1)
tap_like "$out" "fetched=0" "range above the highest UID fetches nothing (not the last message)"
out=$(probe select above:27 2>&1)
tap_like "$out" "above=28,29,30" "UIDs above 27 listed"

out=$(probe select fetch:1:10 move:Processed 2>&1); rc=$?
tap_is "$rc" 0 "move of 10 messages to a missing folder succeeds"
tap_is "$(rig_count team@example.com Processed)" 10 "Processed folder holds 10 messages on disk"
tap_is "$(rig_count team@example.com INBOX)" 20 "INBOX keeps the other 20"
tap_is "$(find "$(rig_maildir team@example.com Processed)/cur" -name '*:2,*S*' | wc -l)" 10 \
    "moved messages are marked \\Seen"
out=$(probe --mailbox Processed select fetch:1:0 2>&1)
tap_like "$out" "fetched=10" "moved messages are visible over IMAP in Processed"

# Chunking: 1100 messages take one SEARCH and ceil(1100/500) = 3 FETCHes.
rig_deliver_n bob@example.com INBOX 1100
start=$(date +%s%N)
out=$("$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" --ca-file "$RIG_CA" \
    --user bob@example.com --password bobpass select fetch:1:0 2>&1)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_like "$out" "fetched=1100 commands=7" "1100 messages in 3 chunks of at most 500 (sizes, then bodies)"
tap_diag "1100 messages fetched in ${ms} ms"

out=$("$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAP_PORT" --tls starttls \
    --ca-file "$RIG_CA" --user team@example.com --password teampass select fetch:1:0 2>&1); rc=$?
tap_is "$rc" 0 "STARTTLS session works"
tap_like "$out" "fetched=20" "STARTTLS session fetches the 20 left in INBOX"

# 127.0.0.3 announces no MOVE: COPY + \Deleted + UID EXPUNGE, which must
# leave alone a message someone else marked \Deleted.
alice() {
    "$RIG_TOOLS/imap-probe" --host 127.0.0.3 --port "$IMAP_PORT" --tls plain --allow-plaintext \
        --user alice@example.com --password alicepass "$@"
}
rig_deliver_n alice@example.com INBOX 5
out=$(alice caps select 2>&1)
tap_like "$out" "move=0 uidplus=1" "the fallback server has UIDPLUS but no MOVE"
dir=$(rig_maildir alice@example.com)
printf 'Subject: deleted by someone else\n\nx\n' >"$dir/cur/$(date +%s).other.rig:2,T"
chown -R "$RIG_USER" "$dir"
out=$(G_MESSAGES_DEBUG=baton-imap alice select fetch:1:5 move:Done 2>&1); rc=$?
tap_is "$rc" 0 "move without MOVE succeeds"
tap_like "$out" "moved=5 folder=Done via=COPY+EXPUNGE" "by COPY + UID EXPUNGE"
tap_is "$(rig_count alice@example.com Done)" 5 "the 5 messages are in Done"
tap_is "$(rig_count alice@example.com INBOX)" 1 "INBOX keeps only the other \\Deleted message"
tap_like "$(cat "$dir"/cur/*)" "deleted by someone else" "UID EXPUNGE did not remove it"
