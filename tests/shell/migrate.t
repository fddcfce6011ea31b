#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Schema migrations: a database as the first release left it (schema
# version 1, raw mail inside messages, CHECKs written with IN) is carried
# to the current version on first use, in one transaction, keeping every
# row and every constraint. The version-1 schema below is a frozen fixture:
# it must never follow later changes.
. "$(dirname "$0")/../lib.sh"
plan 13
write_config

sqlite3 "$WORK/baton.db" > /dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE messages (  id INTEGER PRIMARY KEY,  message_id TEXT NOT NULL UNIQUE,  sender TEXT, member TEXT, subject TEXT, date INTEGER,  received_at INTEGER NOT NULL, source TEXT NOT NULL,  raw BLOB NOT NULL,  outcome TEXT NOT NULL CHECK (outcome IN ('applied','partly','failed','quarantined','ignored')),  reason TEXT, report TEXT);
CREATE TABLE members (  name TEXT PRIMARY KEY, email TEXT NOT NULL, display_name TEXT,  timezone TEXT NOT NULL, digest_minutes INTEGER NOT NULL,  joined_at INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE tasks (  id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,  state TEXT NOT NULL CHECK (state IN ('open','taken','blocked','done')),  owner TEXT, created_by TEXT NOT NULL,  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, blocked_reason TEXT);
CREATE TABLE events (  id INTEGER PRIMARY KEY, task INTEGER REFERENCES tasks (id),  kind TEXT NOT NULL, who TEXT NOT NULL, from_member TEXT, to_member TEXT,  note TEXT, at INTEGER NOT NULL, message INTEGER REFERENCES messages (id));
CREATE INDEX events_at ON events (at);
CREATE INDEX events_task ON events (task);
CREATE TABLE threads (message_id TEXT PRIMARY KEY, task INTEGER);
CREATE TABLE outbox (  id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, kind TEXT NOT NULL,  recipient TEXT NOT NULL, envelope_from TEXT NOT NULL, mime BLOB NOT NULL,  task INTEGER, created_at INTEGER NOT NULL, not_before INTEGER NOT NULL DEFAULT 0,  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,  sent_at INTEGER, failed_at INTEGER, last_error TEXT);
CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, next_attempt);
CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);
CREATE TABLE imap_state (mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,  last_uid INTEGER NOT NULL);
CREATE TABLE digests (member TEXT PRIMARY KEY, last_at INTEGER NOT NULL);
INSERT INTO messages VALUES (1, 'old@a', 'alice@example.com', 'alice', 'Plan', 1772900000, 1772900000,
  'stdin', CAST ('From: alice@example.com' || char(10) || char(10) || 'task: Old task' || char(10) AS BLOB),
  'applied', NULL, NULL);
INSERT INTO tasks VALUES (1, 'Old task', 'open', NULL, 'alice', 1772900000, 1772900000, NULL);
INSERT INTO events VALUES (1, 1, 'created', 'alice', NULL, NULL, NULL, 1772900000, 1);
INSERT INTO digests VALUES ('bob', 1772900001);
PRAGMA user_version = 1;
SQL

out=$(baton tasks 2>&1); rc=$?
is "a version-1 database opens" "$rc" 0
like "with its task" "$out" "Old task"
is "and is now at version 11" "$(db "PRAGMA user_version")" 11
# The mail sent to a member about a task, newest first, as a reply that
# names no parent looks it up (baton_store_sent_about()): from the index
# (9 → 10), not every mail to the recipient read and sorted.
plan_text=$(db "EXPLAIN QUERY PLAN SELECT message_id FROM outbox WHERE recipient = 'bob@example.com'
  AND task = 4 ORDER BY id DESC LIMIT 4")
like "the mail sent about a task is found by recipient and task" "$plan_text" "USING INDEX outbox_task"
ok "in id order without a sort" test "${plan_text/TEMP B-TREE/}" = "$plan_text"
# A sent mail's fingerprint is in its outbox row (10 → 11), found by its
# Message-ID when a reply names it.
like "a sent mail's fingerprint is found by the Message-ID's index" \
  "$(db "EXPLAIN QUERY PLAN SELECT fingerprint FROM outbox WHERE message_id = 'x@y'")" \
  "USING INDEX outbox_message"
is "bob's digest window now ends at the last event and message before its time" \
  "$(db "select last_at || ' ' || last_event || ' ' || last_message from digests where member = 'bob'")" "1772900001 1 1"
is "intact" "$(db "PRAGMA integrity_check")" "ok"
is "the raw mail moved to message_raw, byte for byte" \
  "$(db "select hex(raw) from message_raw where message = 1")" \
  "$(printf 'From: alice@example.com\n\ntask: Old task\n' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
is "the CHECKs no longer use IN (a temporary b-tree per statement)" \
  "$(db "select count(*) from sqlite_schema where sql like '%IN (''%'")" 0
db "INSERT INTO tasks (title, state, created_by, created_at, updated_at) VALUES ('x', 'bogus', 'alice', 0, 0)" 2>/dev/null
is "and still refuse a state outside the list" "$(db "select count(*) from tasks where state = 'bogus'")" 0
db "UPDATE messages SET outcome = 'nonsense' WHERE id = 1" 2>/dev/null
is "and an outcome outside the list" "$(db "select outcome from messages where id = 1")" applied
mail "Bob Stone <bob@example.com>" "mine" take@b 'take 1' | baton ingest
is "new mail acts on the migrated task" "$(task_field 1 owner)" bob
