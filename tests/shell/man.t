#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages render without a single warning, and document every command,
# option, mail command, exit code and config key that is public interface
# (docs/DESIGN.md sections 5 and 9). Run from the repository root, as make check does.
#
# Entries are checked where they belong: a command must be a tag line of
# baton(1) ("     ingest --queue"), a config key a tag line of baton.conf(5)
# ("     spool = dir"). Phrases are looked up in the rendered text with line
# breaks undone, so hyphenation cannot hide them.
. "$(dirname "$0")/../lib.sh"

pages="man/baton.1 man/baton.conf.5"
out=$WORK/man
mkdir -p "$out"

if ! command -v groff >/dev/null; then
  echo "1..1"
  echo "not ok 1 - groff is installed (sh contrib/install-deps.sh --test)"
  exit 1
fi

# --- rendering ------------------------------------------------------------

for page in $pages; do
  name=${page#man/}
  ok "$name exists" test -s "$page"
  # man-db feeds pages through preconv, which warns on any byte beyond
  # ASCII; write \(em and friends instead.
  ok "$name is plain ASCII" eval "! LC_ALL=C grep -q '[^ -~	]' '$page'"
  groff -mandoc -ww -z "$page" >"$out/$name.groff" 2>&1
  ok "$name: groff -mandoc -ww prints no warning" test ! -s "$out/$name.groff"
  sed 's/^/# /' "$out/$name.groff"
  if command -v mandoc >/dev/null; then
    mandoc -T lint -W warning "$page" >"$out/$name.lint" 2>&1
    ok "$name: mandoc -T lint -W warning is clean" test ! -s "$out/$name.lint"
    sed 's/^/# /' "$out/$name.lint"
  else
    pass "# skip $name: mandoc is not installed"
  fi
  if command -v man >/dev/null; then
    MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null | grep -v '^$' >"$out/$name.man"
    ok "$name: man --warnings -l prints no warning" test ! -s "$out/$name.man"
    sed 's/^/# /' "$out/$name.man"
  else
    pass "# skip $name: man-db is not installed"
  fi
  # Plain text, 80 columns, no overstrike or escape sequences.
  groff -mandoc -Tascii -P-cbou -rLL=78n "$page" 2>/dev/null >"$out/$name.txt"
  # Two flattened copies: one keeps a hyphen at a line end (password-
  # command), one drops it (hyphenation of "com- mands").
  perl -0pe 's/-\n\s*/-/g; s/\s+/ /g' "$out/$name.txt" >"$out/$name.keep"
  perl -0pe 's/-\n\s*//g; s/\s+/ /g' "$out/$name.txt" >"$out/$name.join"
done

# PAGE PHRASE: the phrase occurs in the rendered page.
mentions () {
  grep -qF -- "$2" "$out/$1.keep" || grep -qF -- "$2" "$out/$1.join"
}
# PAGE LINE: the rendered page has a line that is exactly LINE (a heading).
heading () {
  grep -qxF -- "$2" "$out/$1.txt"
}
# PAGE SECTION TEXT: between the heading SECTION and the next heading, an
# entry's tag line starts with TEXT (indented 5), followed by nothing, a
# blank or a comma.
tag () {
  awk -v h="$2" -v e="     $3" '
    $0 == h { on = 1; next }
    /^[A-Z]/ { on = 0 }
    on && index($0, e) == 1 {
      c = substr($0, length(e) + 1, 1)
      if (c == "" || c == " " || c == ",") found = 1
    }
    END { exit !found }' "$out/$1.txt"
}

# --- baton(1) -------------------------------------------------------------

for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS 'MAIL COMMANDS' \
  ENVIRONMENT FILES 'EXIT STATUS' EXAMPLES 'SEE ALSO' BUGS 'SECURITY CONSIDERATIONS'; do
  ok "baton.1 has section $section" heading baton.1 "$section"
done

# Global options, each an entry of OPTIONS.
for opt in '-c file' -v -q --help --version; do
  ok "baton.1 documents option $opt" tag baton.1 OPTIONS "$opt"
done

# Every command with its arguments, as the tag of its entry.
while IFS= read -r entry; do
  ok "baton.1 documents command $entry" tag baton.1 COMMANDS "$entry"
done <<'EOF'
init
check
ingest [file ... | -]
ingest --maildir dir
ingest --mbox file
ingest --queue
ingest --drain
explain [--text] file
poll [--idle] [--from-start]
send
digest [--force]
run
tasks [--all] [--json]
show N [--json]
log [--task N] [--json]
members [--json]
demo [--dir dir]
undo message-id
reopen N --as name [--note text]
release message-id [--from address]
EOF

# The mail command language.
for word in 'task: title' 'take N' 'done N' 'drop N' \
  'handoff N to who' 'pass N to who' 'note N: text' 'block N: reason' 'unblock N' \
  'reopen N [: note]' 'undo' \
  'away until YYYY-MM-DD' 'away YYYY-MM-DD..YYYY-MM-DD' back; do
  ok "baton.1 documents mail command '$word'" tag baton.1 'MAIL COMMANDS' "$word"
done
for phrase in 'todo: title' 'Task force met today' 'case-insensitive' 'never silently skipped' \
  team+take-12@ team+done-12@ team+drop-12@ team+task@ '[#12]' In-Reply-To References \
  Authentication-Results authserv-id Auto-Submitted Precedence Return-Path X-Autoreply \
  X-Autorespond multipart/report mailer-daemon postmaster X-Loop quarantined; do
  ok "baton.1 mentions $phrase" mentions baton.1 "$phrase"
done

for var in BATON_CONFIG BATON_NOW; do
  ok "baton.1 documents $var" tag baton.1 ENVIRONMENT "$var"
done
ok "baton.1 shows BATON_NOW's form" mentions baton.1 2026-03-09T16:31:00Z
for path in /etc/baton/baton.conf ./baton.conf; do
  ok "baton.1 mentions $path" mentions baton.1 "$path"
done
for code in 0 64 65 66 69 70 73 74 75 76 77 78; do
  ok "baton.1 EXIT STATUS has $code" tag baton.1 'EXIT STATUS' "$code"
done

# --- baton.conf(5) --------------------------------------------------------

for section in 'THE [baton] SECTION' 'THE [member NAME] SECTIONS' 'THE [imap] SECTION' \
  'THE [smtp] SECTION' 'THE [outbox] SECTION' TEMPLATES 'SECURITY CONSIDERATIONS'; do
  ok "baton.conf.5 has section $section" heading baton.conf.5 "$section"
done

# docs/DESIGN.md section 9, key by key, plus the keys baton added since.
# The first word is the section's heading, '_' standing for a space.
while read -r heading keys; do
  heading=${heading//_/ }
  for key in $keys; do
    ok "baton.conf.5 documents $key under $heading" \
      tag baton.conf.5 "$heading" "$key ="
  done
done <<'EOF'
THE_[baton]_SECTION database team-address timezone templates require-auth authserv-id handoff-delivery acknowledge digest-when-empty spool keep-raw
THE_[member_NAME]_SECTIONS email aliases name timezone digest-at workdays hours holidays holiday-dates
THE_[imap]_SECTION url allow-plaintext user password-file password-command ca-file processed-folder failed-folder
THE_[smtp]_SECTION url allow-plaintext user password-file password-command ca-file from
THE_[outbox]_SECTION maildir
EOF

for template in digest.txt digest.html handoff.txt taken.txt changed.txt reply.txt; do
  ok "baton.conf.5 documents template $template" mentions baton.conf.5 "$template"
done
for phrase in 'relative to the directory of the configuration file' 'file:line' \
  08:30 Mustache 'readable by others' 'writable by others' loopback; do
  ok "baton.conf.5 mentions $phrase" mentions baton.conf.5 "$phrase"
done

echo "1..$test_number"
exit $((failures > 0))
