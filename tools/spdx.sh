#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The license line on every file of baton's own (LICENSE: MIT).
#
#   tools/spdx.sh --check   lists each file that should carry
#                           "SPDX-License-Identifier: MIT" and does not, and
#                           each file no rule below covers; exit 1 if any
#   tools/spdx.sh --apply   adds the line where it is missing, in the file's
#                           own comment syntax; running it again changes
#                           nothing
#
# The files are those git tracks plus those in the tree it does not ignore
# (so a new file counts before its first commit); outside a git checkout,
# every file under the root but the build directories. Every file must be
# either exempt (the list below says why) or of a known kind: a new kind of
# file fails --check until someone decides here how it carries the line.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
line='SPDX-License-Identifier: MIT'

# Exempt: path patterns (shell globs, matched against the whole path) and
# why. Nothing here is baton's own work, or it is data whose bytes matter.
exempt () {
  case "$1" in
    tests/corpus/*) ;;       # third-party mail and its scorer, under their own
                             # licenses (tests/corpus/README.md, */licenses/)
    tests/mustache-spec/*) ;; # the official Mustache spec tests, MIT, own LICENSE
    tests/golden/*) ;;       # expected output of the templates, byte for byte
    fuzz/regressions/*) ;;   # inputs that once crashed a fuzz target
    fuzz/seeds/* | fuzz/imap-seeds/*) ;; # fuzz seeds: inputs whose bytes matter
    *.md) ;;                 # documentation: not required
    LICENSE) ;;              # the license itself
    .gitignore | .clang-format) ;; # tool settings, not part of the program
    *.json | *.jsonl | *.eml | *.msg | *.tsv | *.mbox | *.ics) ;; # data (iCalendar has no comments)
    *) return 1 ;;
  esac
}

# The comment syntax of a file: c, hash, mustache, roff; "" when unknown.
kind_of () {
  case "$1" in
    *.c | *.h) echo c ;;
    templates/*) echo mustache ;;
    man/*.[1-8]) echo roff ;;
    *.sh | *.t | *.pl | *.py | *.supp | Makefile | */Makefile | *.mk) echo hash ;;
    *.service | *.timer | *.crontab | *.procmailrc | contrib/*.conf) echo hash ;;
    *)
      if head -c 2 "$1" 2>/dev/null | grep -q '^#!'; then echo hash; else echo; fi ;;
  esac
}

list_files () {
  if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    { git ls-files; git ls-files --others --exclude-standard; } | sort -u
  else
    find . \( -name .git -o -name 'build*' -o -name demo \) -prune -o -type f -print |
      sed 's,^\./,,' | sort
  fi
}

# The line counts only near the top, where --apply puts it.
has_line () { head -n 3 "$1" | grep -q "$line"; }

# Writes the file with the line added, keeping its mode and inode.
add_line () {
  local file=$1 kind=$2 tmp first second
  tmp=$(mktemp "${TMPDIR:-/tmp}/spdx.XXXXXX")
  case "$kind" in
    c) { printf '/* %s */\n' "$line"; cat "$file"; } > "$tmp" ;;
    mustache) { printf '{{! %s }}\n' "$line"; cat "$file"; } > "$tmp" ;;
    roff) { printf '.\\" %s\n' "$line"; cat "$file"; } > "$tmp" ;;
    hash)
      first=$(head -n 1 "$file")
      second=$(sed -n 2p "$file")
      if [ "${first#\#!}" != "$first" ]; then
        # After the shebang, and after a Python coding cookie, which must
        # stay on line 1 or 2.
        if printf '%s' "$second" | grep -Eq '^#.*coding[:=]'; then
          { sed -n 1,2p "$file"; printf '# %s\n' "$line"; sed 1,2d "$file"; } > "$tmp"
        else
          { sed -n 1p "$file"; printf '# %s\n' "$line"; sed 1d "$file"; } > "$tmp"
        fi
      else
        { printf '# %s\n' "$line"; cat "$file"; } > "$tmp"
      fi ;;
  esac
  cat "$tmp" > "$file"
  rm -f "$tmp"
}

# The whole file is read before main runs: --apply may rewrite this very
# script, and bash reads a script as it goes.
main () {
  mode=${1:-}
  case "$mode" in
    --check | --apply) ;;
    *) echo "usage: tools/spdx.sh --check | --apply" >&2; exit 64 ;;
  esac

  missing=0
  while IFS= read -r file; do
    [ -f "$file" ] || continue # deleted but still in the index
    exempt "$file" && continue
    kind=$(kind_of "$file")
    if [ -z "$kind" ]; then
      echo "$file: no rule for this kind of file: add one to tools/spdx.sh, or exempt it there"
      missing=$((missing + 1))
      continue
    fi
    has_line "$file" && continue
    if [ "$mode" = --apply ]; then
      add_line "$file" "$kind"
      echo "added: $file"
    else
      echo "$file: no '$line' in its first 3 lines (tools/spdx.sh --apply adds it)"
      missing=$((missing + 1))
    fi
  done < <(list_files)

  if [ "$mode" = --check ] && [ "$missing" -gt 0 ]; then
    echo "spdx: $missing file(s) without the license line" >&2
    exit 1
  fi
  return 0
}

main "$@"; exit $?
