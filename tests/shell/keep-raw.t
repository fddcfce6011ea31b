#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# keep-raw: baton copies the raw mail into the database where it holds the
# only copy (stdin, its spool), and by default not where the source keeps
# it (a Maildir, files, an mbox, an IMAP folder: the row names the source).
# keep-raw = always copies every mail. The copy is the exact bytes, small
# (one INSERT) or large (streamed into a zeroblob).
. "$(dirname "$0")/../lib.sh"
plan 13
write_config

raw_of () { # MESSAGE-ID FILE: writes the stored raw bytes to FILE
  db "select writefile('$2', raw) from message_raw
      where message = (select id from messages where message_id = '$1')" > /dev/null
}
has_raw () { db "select count(*) from message_raw where message = (select id from messages where message_id = '$1')"; }

mail "Alice Martin <alice@example.com>" "one" stdin@a 'task: From stdin' > "$WORK/stdin.eml"
baton ingest < "$WORK/stdin.eml"
is "stdin: the raw mail is kept" "$(has_raw stdin@a)" 1
raw_of stdin@a "$WORK/stdin.stored"
ok "byte for byte" cmp -s "$WORK/stdin.eml" "$WORK/stdin.stored"

mkdir -p "$WORK/md/new" "$WORK/md/cur"
mail "Alice Martin <alice@example.com>" "two" md@a 'task: From a Maildir' > "$WORK/md/new/1.host"
baton ingest --maildir "$WORK/md"
is "Maildir: no copy by default" "$(has_raw md@a)" 0
is "the row names the file that keeps it" "$(db "select source from messages where message_id = 'md@a'")" \
  "file:$WORK/md/new/1.host"
mail "Alice Martin <alice@example.com>" "three" file@a 'task: From a file' > "$WORK/file.eml"
baton ingest "$WORK/file.eml"
is "a file named on the command line: no copy" "$(has_raw file@a)" 0

mail "Bob Stone <bob@example.com>" "four" spool@b 'task: Through the spool' > "$WORK/spool.eml"
baton ingest --queue < "$WORK/spool.eml"
baton ingest --drain
is "the spool: kept (the spool file is gone once stored)" "$(has_raw spool@b)" 1
raw_of spool@b "$WORK/spool.stored"
ok "byte for byte" cmp -s "$WORK/spool.eml" "$WORK/spool.stored"

# Over 256 KB: the blob is streamed, not bound in one piece.
{ mail "Bob Stone <bob@example.com>" "big" big@b 'task: A big one'
  head -c 400000 /dev/urandom | base64; } > "$WORK/big.eml"
baton ingest < "$WORK/big.eml"
raw_of big@b "$WORK/big.stored"
ok "a 540 KB mail from stdin is kept byte for byte" cmp -s "$WORK/big.eml" "$WORK/big.stored"

write_config "keep-raw = always"
mail "Alice Martin <alice@example.com>" "five" md2@a 'task: Kept anyway' > "$WORK/md/new/2.host"
baton ingest --maildir "$WORK/md"
is "keep-raw = always: the Maildir's mail is copied too" "$(has_raw md2@a)" 1
raw_of md2@a "$WORK/md2.stored"
ok "byte for byte" cmp -s "$WORK/md/new/2.host" "$WORK/md2.stored"
is "and the earlier Maildir mail is not stored twice" \
  "$(db "select count(*) from messages where message_id = 'md@a'")" 1

write_config "keep-raw = sometimes"
out=$(baton check 2>&1); rc=$?
is "keep-raw = sometimes: check fails with EX_CONFIG" "$rc" 78
like "naming the line and the values" "$out" "baton.conf:[0-9]+: keep-raw must be auto or always, not 'sometimes'"
