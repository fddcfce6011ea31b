#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11: old text is recognised by the parent baton knows, whatever the
# client did to it. A reply that pastes its parent unquoted and unmarked
# under the new text applies only the new text: for a notice baton sent
# and for a team mail baton ingested. Issue 15: an out-of-office that
# echoes a notice with no References never acts on the notice's
# instruction lines.
. "$(dirname "$0")/../lib.sh"
plan 25
write_config
export BATON_NOW=2026-03-09T17:05:00Z

# body_of ROW-SQL: the decoded text body of an outbox row.
body_of () {
  db "select cast(mime as text) from outbox where $1" | /usr/bin/python3 -c '
import email, sys
m = email.message_from_string(sys.stdin.read())
part = next(p for p in m.walk() if p.get_content_type() == "text/plain")
print(part.get_payload(decode=True).decode().rstrip("\n"))'
}
report () { db "select report from messages where message_id = '$1'"; }

# --- a parent baton sent: the handoff notice, pasted below the reply ---
mail "Alice Martin <alice@example.com>" "cert" plan@a 'task: Renew the TLS certificate
take 1
handoff 1 to bob: block: waiting on the registrar' | baton ingest
notice_id=$(db "select message_id from outbox where kind='handoff'")
notice=$(body_of "kind='handoff'")
like "the notice carries the note as a command form" "$notice" "block: waiting on the registrar"
is "and baton remembers its fingerprint, in the outbox row" \
  "$(db "select fingerprint_width from outbox where message_id = '$notice_id'")" 4

{ printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: Re: [#1] Renew the TLS certificate\nMessage-ID: <r1@b>\nIn-Reply-To: <%s>\nReferences: <baton-task-1@example.com> <%s>\nDate: Mon, 09 Mar 2026 18:05:00 +0100\n\ntake\n\n%s\n' \
  "$notice_id" "$notice_id" "$notice"; } > "$WORK/r1.eml"
out=$(baton explain "$WORK/r1.eml")
like "explain names the parent that cut the paste, and that baton sent it" "$out" \
  "lines 3-[0-9]+: the text of <$notice_id>, a mail baton sent"
is "explain --text prints only the new text" "$(baton explain --text "$WORK/r1.eml")" "take"
baton ingest < "$WORK/r1.eml"
is "only 'take' was applied" "$(report r1@b | grep -c line)" 1
is "the pasted note's 'block:' did not block the task" "$(task_field 1 state)" "taken"
is "and bob holds it" "$(task_field 1 owner)" "bob"

# --- a parent baton ingested: a member's mail pasted by another member ---
export BATON_NOW=2026-03-09T18:05:00Z
mail "Alice Martin <alice@example.com>" "printer" t2@a 'task: Fix the printer
take 2
task: Order toner' | baton ingest
mail "Alice Martin <alice@example.com>" "printer fixed" done2@a 'The printer on the second floor works again, I cleared the jam and put in the spare cartridge.
done 2

Alice' | baton ingest
is "alice's mail closed task 2" "$(task_field 2 state)" "done"
is "baton remembers the text of the mail it ingested, in its row" \
  "$(db "select fingerprint_width from messages where message_id = 'done2@a'")" 4
paste=$(printf 'The printer on the second floor works again, I cleared the jam and put in the\nspare cartridge.\ndone 2\n\nAlice')
mail "Bob Stone <bob@example.com>" "Re: printer fixed" r2@b "take 3

$paste" "In-Reply-To: <done2@a>" > "$WORK/r2.eml"
like "explain says the paste is a team mail baton ingested" "$(baton explain "$WORK/r2.eml")" \
  "the text of <done2@a>, a team mail baton ingested"
baton ingest < "$WORK/r2.eml"
is "bob's reply applied only 'take 3'" "$(report r2@b)" "ok line 1: take 3: task #3 is yours"
is "so it applied whole, with no failed 'done 2'" \
  "$(db "select outcome from messages where message_id = 'r2@b'")" "applied"
is "and earned bob no reply" "$(db "select count(*) from outbox where kind='reply'")" 0

# --- issue 15: an out-of-office echoing the notice, no References ---
mail "Alice Martin <alice@example.com>" "db" t4@a 'task: Migrate the database
take 4
handoff 4 to bob: block: the dump is not ready yet' | baton ingest
notice4_id=$(db "select message_id from outbox where kind='handoff' and task=4")
notice4=$(body_of "kind='handoff' and task=4")
mail "Bob Stone <bob@example.com>" "Automatic reply: [#4] Migrate the database" ooo@b \
  "I am out of the office until Monday.

$notice4" > "$WORK/ooo.eml"
like "explain finds the notice by the subject's task, with no References" \
  "$(baton explain "$WORK/ooo.eml")" "the text of <$notice4_id>, a mail baton sent"
baton ingest < "$WORK/ooo.eml"
is "neither the echoed note nor 'block: REASON' blocked task 4" "$(task_field 4 state)" "taken"
is "only the out-of-office's own line is read" "$(report ooo@b | grep -c line)" 1
# No References and no notice to this sender: the templates' own lines.
mail "Alice Martin <alice@example.com>" "[#4] away" away@a "Out today.

  block: REASON    if it waits on something
  handoff to NAME  to pass it on" > "$WORK/away.eml"
like "explain says baton's own template text was cut" "$(baton explain "$WORK/away.eml")" \
  "lines 3-4: baton's own template text"
baton ingest < "$WORK/away.eml"
is "the echoed instruction lines did not act" "$(task_field 4 state)/$(report away@a | grep -c line)" "taken/1"

# --- a digest baton sent, pasted under a reply to it ---
BATON_NOW=2026-03-10T17:00:00Z baton digest --force
digest_id=$(db "select message_id from outbox where kind='digest' and recipient='bob@example.com'")
digest=$(body_of "kind='digest' and recipient='bob@example.com'")
like "bob's digest lists the tasks" "$digest" "Fix the printer"
mail "Bob Stone <bob@example.com>" "Re: digest" r3@b "note 3: ordered

$digest" "In-Reply-To: <$digest_id>" > "$WORK/r3.eml"
like "explain names the digest as a parent baton sent" "$(baton explain "$WORK/r3.eml")" \
  "the text of <$digest_id>, a mail baton sent"
baton ingest < "$WORK/r3.eml"
is "only bob's line was read, none of the digest's" "$(report r3@b)" "ok line 1: note 3: ordered: note added to task #3"

# --- a database of version 10 kept the fingerprints in their own table:
# the 10 -> 11 step moves each into its mail's row, sent or ingested ---
db "CREATE TABLE fingerprints (message_id TEXT PRIMARY KEY, sent INTEGER NOT NULL,
    width INTEGER NOT NULL, words INTEGER NOT NULL, hashes BLOB NOT NULL) WITHOUT ROWID;
  INSERT INTO fingerprints SELECT message_id, 0, fingerprint_width, fingerprint_words, fingerprint
    FROM messages WHERE fingerprint IS NOT NULL;
  INSERT INTO fingerprints SELECT message_id, 1, fingerprint_width, fingerprint_words, fingerprint
    FROM outbox WHERE fingerprint IS NOT NULL;
  DROP INDEX outbox_message;
  ALTER TABLE messages DROP COLUMN fingerprint_width;
  ALTER TABLE messages DROP COLUMN fingerprint_words;
  ALTER TABLE messages DROP COLUMN fingerprint;
  ALTER TABLE outbox DROP COLUMN fingerprint_width;
  ALTER TABLE outbox DROP COLUMN fingerprint_words;
  ALTER TABLE outbox DROP COLUMN fingerprint;
  PRAGMA user_version = 10;"
mail "Bob Stone <bob@example.com>" "Re: printer fixed" r4@b "note 3: the cartridge came

$paste" "In-Reply-To: <done2@a>" > "$WORK/r4.eml"
baton ingest < "$WORK/r4.eml"
is "after the step, an ingested mail's fingerprint is in its row, and the table is gone" \
  "$(db "select fingerprint_width from messages where message_id = 'done2@a'")/$(db "select count(*) from sqlite_schema where name = 'fingerprints'")" "4/0"
is "and a reply that pastes that mail applies only its own line" \
  "$(report r4@b)" "ok line 1: note 3: the cartridge came: note added to task #3"
is "a sent mail's fingerprint is in its outbox row" \
  "$(db "select fingerprint_width from outbox where message_id = '$digest_id'")" 4
mail "Bob Stone <bob@example.com>" "Re: digest" r5@b "note 3: toner ordered too

$digest" "In-Reply-To: <$digest_id>" > "$WORK/r5.eml"
baton ingest < "$WORK/r5.eml"
is "and a reply that pastes that mail applies only its own line" "$(report r5@b)" \
  "ok line 1: note 3: toner ordered too: note added to task #3"
