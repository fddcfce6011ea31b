#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The database file and the exit codes an MTA sees (issue 15): only
# `baton init` creates a database, at 0600; a missing, empty, damaged or
# unwritable one is refused with what to do, and a mail on standard input
# is then kept by the MTA (75), never bounced (73, 74, 78).
. "$(dirname "$0")/../lib.sh"
plan 38
write_config
umask 022
letter () { mail "Alice Martin <alice@example.com>" "$1" "$1@a" "task: $1"; }
DB=$WORK/baton.db

# --- no database yet --------------------------------------------------------
out=$(letter m1 | "$BATON" -c "$CONFIG" ingest 2>&1); rc=$?
is "no database: ingest from stdin exits 75 (the MTA keeps the mail)" "$rc" 75
like "and says why, naming baton init" "$out" "does not exist: create it with .baton init."
ok "and creates no database" test ! -e "$DB"
out=$("$BATON" -c "$CONFIG" tasks 2>&1); rc=$?
is "no database: tasks exits 66 (EX_NOINPUT)" "$rc" 66
like "naming baton init" "$out" "baton init"
letter m1 > "$WORK/m1.eml"
out=$("$BATON" -c "$CONFIG" ingest "$WORK/m1.eml" 2>&1); rc=$?
is "no database: ingest FILE is no MTA delivery: 66" "$rc" 66
ok "still no database" test ! -e "$DB"

# --- init --------------------------------------------------------------------
out=$("$BATON" -c "$CONFIG" init 2>&1); rc=$?
is "init exits 0" "$rc" 0
is "the database is 0600 under umask 022 (it holds raw mail)" "$(stat -c %a "$DB")" 600
"$BATON" -c "$CONFIG" ingest < "$WORK/m1.eml"; rc=$?
is "ingest after init exits 0" "$rc" 0
ok "no -wal or -shm left readable by others" \
  bash -c "! find '$WORK' -maxdepth 1 -name 'baton.db*' -perm /077 | grep -q ."
chmod 644 "$DB"
"$BATON" -q -c "$CONFIG" init
is "init on a database of an older baton makes it 0600" "$(stat -c %a "$DB")" 600
is "and keeps its tasks" "$(db "select count(*) from tasks")" 1

# --- truncated -------------------------------------------------------------
cp "$DB" "$WORK/saved.db"
: > "$DB"; rm -f "$DB-wal" "$DB-shm"
out=$(letter m2 | "$BATON" -c "$CONFIG" ingest 2>&1); rc=$?
is "an empty database: ingest from stdin exits 75" "$rc" 75
like "and names baton init" "$out" "is empty.*baton init"
out=$("$BATON" -c "$CONFIG" tasks 2>&1); rc=$?
is "an empty database: tasks exits 66" "$rc" 66
is "and the file is left as it was (not re-created, numbering does not restart)" \
  "$(stat -c %s "$DB")" 0

# --- damaged ----------------------------------------------------------------
printf 'this is not a database, it is a text file of some length\n%.0s' $(seq 20) > "$DB"
out=$("$BATON" -c "$CONFIG" tasks 2>&1); rc=$?
is "a damaged database: tasks exits 74 (EX_IOERR)" "$rc" 74
like "saying what to do" "$out" "restore it from a backup"
out=$(letter m3 | "$BATON" -c "$CONFIG" ingest 2>&1); rc=$?
is "a damaged database: ingest from stdin exits 75, not 74" "$rc" 75
like "with the reason on stderr" "$out" "not a database.*exit 75, not 74"
out=$(letter m3 | "$BATON" -c "$CONFIG" ingest --queue 2>&1); rc=$?
is "ingest --queue never opens the database: 0" "$rc" 0
out=$("$BATON" -c "$CONFIG" ingest --drain 2>&1); rc=$?
is "ingest --drain (cron, no MTA) keeps 74" "$rc" 74
cp "$WORK/saved.db" "$DB"

# --- unwritable ------------------------------------------------------------
# As root the file modes do not stop baton: run it as nobody on a copy.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
  ro=$(mktemp -d "${TMPDIR:-/tmp}/baton-ro.XXXXXX"); chmod 755 "$ro"
  cleanup_hooks+=("rm -rf '$ro'")
  sed "s|^database = .*|database = $ro/baton.db|" "$CONFIG" > "$ro/baton.conf"
  cp "$DB" "$ro/baton.db"; chmod 644 "$ro/baton.db" "$ro/baton.conf"; cp "$WORK/m1.eml" "$ro/"
  chmod 644 "$ro/m1.eml"
  as_nobody () { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ "$@"; }
  rodir=$ro
else
  rodir=$WORK/ro; mkdir -p "$rodir"
  sed "s|^database = .*|database = $rodir/baton.db|" "$CONFIG" > "$rodir/baton.conf"
  cp "$DB" "$rodir/baton.db"; chmod 444 "$rodir/baton.db"; chmod 555 "$rodir"
  cp "$WORK/m1.eml" "$WORK/ro-m1.eml"
  as_nobody () { "$@"; }
fi
letter m4 > "$WORK/m4.eml"; chmod 644 "$WORK/m4.eml"
out=$(as_nobody "$BATON" -c "$rodir/baton.conf" ingest < "$WORK/m4.eml" 2>&1); rc=$?
is "an unwritable database: ingest from stdin exits 75, not 73" "$rc" 75
like "saying why" "$out" "exit 75, not 73"
out=$(as_nobody "$BATON" -c "$rodir/baton.conf" ingest --drain 2>&1); rc=$?
is "an unwritable database: ingest --drain exits 73 (EX_CANTCREAT)" "$rc" 73
[ -w "$rodir" ] || chmod 755 "$rodir"

# --- broken config ---------------------------------------------------------
printf '\n[bogus]\n' >> "$CONFIG"
out=$(letter m5 | "$BATON" -c "$CONFIG" ingest 2>&1); rc=$?
is "a broken config: ingest from stdin exits 75, not 78" "$rc" 75
like "with file:line on stderr" "$out" "baton.conf:[0-9]+: unknown section \[bogus\]"
"$BATON" -c "$CONFIG" check > /dev/null 2>&1; rc=$?
is "check still exits 78" "$rc" 78
"$BATON" -c "$CONFIG" tasks > /dev/null 2>&1; rc=$?
is "and tasks 78" "$rc" 78
"$BATON" -c "$CONFIG" ingest --bogus < "$WORK/m1.eml" > /dev/null 2>&1; rc=$?
is "a wrong command line stays 64: the first test delivery shows it" "$rc" 64
write_config
out=$(printf 'no header here\n' | "$BATON" -c "$CONFIG" ingest 2>&1); rc=$?
is "input that is not mail stays 65 (the mail's own fault)" "$rc" 65

# --- the demo, which makes its own database ---------------------------------
out=$(cd "$WORK" && "$BATON" demo --dir demo 2>&1); rc=$?
is "baton demo still works (it initialises its database)" "$rc" 0
is "and its database is 0600" "$(stat -c %a "$WORK/demo/baton.db")" 600

# --- secrets: every finding as file:line from baton check ------------------
printf 'secret\n' > "$WORK/imap.pass"; chmod 640 "$WORK/imap.pass"
write_config "[imap]
url = imaps://team:hunter2@imap.example.com/INBOX
user = team
password-file = $WORK/imap.pass"
chmod 666 "$CONFIG"
out=$("$BATON" -c "$CONFIG" check 2>&1); rc=$?
is "check refuses a 0640 password file, a 0666 config naming it, a password in the url" "$rc" 78
like "the password file at its line, with chmod 600" "$out" "baton.conf:[0-9]+: password-file .*imap.pass .*mode 0640.*chmod 600 "
like "the config's mode, with chmod go-w" "$out" "baton.conf:[0-9]+: .*can be written by others \(mode 0666\).*chmod go-w"
like "the url at its line, without repeating the password" \
  "$(printf '%s' "$out" | grep -c hunter2)/$out" "^0/.*baton.conf:[0-9]+: url carries a password"
