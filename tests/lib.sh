# SPDX-License-Identifier: MIT
# Shared by the TAP shell tests in tests/shell/: a private HOME, config and
# database per test file, and small assertions that print TAP.
#   . "$(dirname "$0")/../lib.sh"
set -u
: "${BATON:?run through make check (BATON is the binary under test)}"
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/baton-test.XXXXXX")
export HOME="$WORK/home"
mkdir -p "$HOME"
unset BATON_CONFIG BATON_NOW
trap 'cleanup_test' EXIT
cleanup_hooks=()
cleanup_test () {
  local hook
  for hook in "${cleanup_hooks[@]+"${cleanup_hooks[@]}"}"; do eval "$hook"; done
  rm -rf "$WORK"
}

test_number=0
failures=0
plan () { echo "1..$1"; }
pass () { test_number=$((test_number + 1)); echo "ok $test_number - $1"; }
fail () {
  test_number=$((test_number + 1)); failures=$((failures + 1))
  echo "not ok $test_number - $1"
  shift
  local line
  for line in "$@"; do echo "# $line"; done
}
# ok DESCRIPTION COMMAND...: passes when the command succeeds.
ok () { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d" "command failed: $*"; fi; }
# is DESCRIPTION GOT EXPECTED
is () {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:      $2" "expected: $3"; fi
}
# like DESCRIPTION TEXT PATTERN: grep -E over TEXT with its lines joined by spaces
like () {
  if printf '%s' "$2" | tr '\n' ' ' | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "text: $2" "does not match: $3"; fi
}

# A config's [member NAME] section: member_section NAME "Display Name" ZONE
# [EXTRA-LINES]. The email is NAME@example.com.
member_section () {
  printf '[member %s]\nemail = %s@example.com\nname = %s\ntimezone = %s\n%s' \
    "$1" "$1" "$2" "$3" "${4:+$4
}"
}

# A team config with alice (Paris) and bob (San Francisco) in $WORK.
write_config () {
  CONFIG="$WORK/baton.conf"
  cat > "$CONFIG" <<CONF
[baton]
database = baton.db
team-address = team@example.com
${1:-}

[member alice]
email = alice@example.com
aliases = a.martin@example.org
name = Alice Martin
timezone = Europe/Paris
digest-at = 08:30

[member bob]
email = bob@example.com
name = Bob Stone
timezone = America/Los_Angeles
digest-at = 08:30

[outbox]
maildir = outbox
CONF
}

# Only `baton init` creates a database: the first command on a test's
# database runs it, at that command's BATON_NOW (the members join then). A
# config with a problem makes none; the command then reports the problem.
# Tests of a missing database call "$BATON" themselves.
baton () {
  if [ ! -s "$WORK/baton.db" ] && [ "${1:-}" != init ]; then
    "$BATON" -q -c "$CONFIG" init > /dev/null 2>&1
  fi
  "$BATON" -c "$CONFIG" "$@"
}

# mail FROM SUBJECT MESSAGE-ID BODY [EXTRA-HEADER...]: a message on stdout.
mail () {
  local from=$1 subject=$2 id=$3 body=$4; shift 4
  printf 'From: %s\nTo: team@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Mon, 09 Mar 2026 18:05:00 +0100\n' \
    "$from" "$subject" "$id"
  local header
  for header in "$@"; do printf '%s\n' "$header"; done
  printf '\n%s\n' "$body"
}

tasks_json () { baton tasks --json; }
# task_field N FIELD: one field of task N from tasks --json.
task_field () {
  baton tasks --json | /usr/bin/python3 -c "import json,sys
t=[t for t in json.load(sys.stdin) if t['id']==$1]
print(t[0]['$2'] if t and t[0]['$2'] is not None else '')"
}
db () { sqlite3 "$WORK/baton.db" "$@"; }

# Sets PRELOAD to tests/faults/fault.c's library (see its header), after the
# ASan runtime when baton is sanitized (it must be loaded first), or skips
# the whole file when the library was not built.
use_fault_library () {
  local library="${BATON_BUILD:-$(dirname "$BATON")}/faults/fault.so"
  if [ ! -f "$library" ]; then
    echo "1..0 # SKIP $library not built (make check builds it)"
    exit 0
  fi
  PRELOAD=$library
  if ldd "$BATON" | grep -q libasan; then
    PRELOAD="$(gcc -print-file-name=libasan.so) $library"
  fi
}
