#!/usr/bin/env bash
# Every file of baton's own carries "SPDX-License-Identifier: MIT"
# (tools/spdx.sh --check), so a new file without it fails here. Then the
# script itself, on a scratch tree of every kind of file: --check finds what
# lacks the line and what no rule covers, --apply adds it in each file's
# comment syntax without breaking a shebang or a coding cookie, and a
# second --apply changes nothing. Last, the Mustache comment line at the top
# of a template changes nothing in what baton renders (the golden tests
# check the shipped templates byte for byte; this checks the rule itself).
. "$(dirname "$0")/../lib.sh"
plan 19
ROOT=$(cd "$TESTS_DIR/.." && pwd)

out=$("$ROOT/tools/spdx.sh" --check 2>&1); rc=$?
is "every file of the repository carries the license line" "$rc" 0
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" | head -20

# --- the script on a scratch tree (not a git checkout: every file counts) ---
tree="$WORK/tree"
mkdir -p "$tree/tools" "$tree/src" "$tree/templates" "$tree/man" "$tree/tests/corpus" \
  "$tree/contrib/systemd"
cp "$ROOT/tools/spdx.sh" "$tree/tools/"
sed -i '/^# SPDX-License-Identifier: MIT$/d' "$tree/tools/spdx.sh"
printf '#include <stdio.h>\nint main (void) { return 0; }\n' > "$tree/src/a.c"
printf '#pragma once\n' > "$tree/src/a.h"
printf '#!/bin/sh\necho hi\n' > "$tree/tools/run.sh"
printf '#!/usr/bin/python3\n# -*- coding: utf-8 -*-\nprint(1)\n' > "$tree/tools/cookie.py"
printf 'all:\n\ttrue\n' > "$tree/Makefile"
printf '[Unit]\nDescription=x\n' > "$tree/contrib/systemd/x.service"
printf 'Hello {{name}}.\n' > "$tree/templates/hello.txt"
printf '.Dd March 9, 2026\n.Dt X 1\n' > "$tree/man/x.1"
printf 'From: a@example.com\n\nmail\n' > "$tree/tests/corpus/third-party.eml"
printf '# notes\n' > "$tree/README.md"
printf 'strange\n' > "$tree/src/data.xyz"
chmod 755 "$tree/tools/run.sh"

out=$("$tree/tools/spdx.sh" --check 2>&1); rc=$?
is "--check fails on files without the line" "$rc" 1
like "and lists each of them" "$out" \
  'src/a\.c.*src/a\.h.*templates/hello\.txt.*tools/cookie\.py.*tools/run\.sh.*tools/spdx\.sh'
like "a kind of file no rule covers is reported, not skipped" "$out" 'src/data\.xyz: no rule'
ok "exempt files (third-party data, docs) are not listed" \
  test -z "$(printf '%s\n' "$out" | grep -E 'third-party|README')"

rm "$tree/src/data.xyz"
err=$("$tree/tools/spdx.sh" --apply 2>&1 > /dev/null)
is "--apply runs clean, rewriting itself too" "$err" ""
is "the script got its own line" "$(sed -n 2p "$tree/tools/spdx.sh")" '# SPDX-License-Identifier: MIT'
is "C: the comment is the first line" "$(head -n 1 "$tree/src/a.c")" \
  '/* SPDX-License-Identifier: MIT */'
is "shell: after the shebang" "$(sed -n 1,2p "$tree/tools/run.sh" | tr '\n' '|')" \
  '#!/bin/sh|# SPDX-License-Identifier: MIT|'
is "python: after the shebang and the coding cookie" \
  "$(sed -n 1,3p "$tree/tools/cookie.py" | tr '\n' '|')" \
  '#!/usr/bin/python3|# -*- coding: utf-8 -*-|# SPDX-License-Identifier: MIT|'
is "Makefile and systemd units: a # line" \
  "$(head -n 1 "$tree/Makefile")$(head -n 1 "$tree/contrib/systemd/x.service")" \
  '# SPDX-License-Identifier: MIT# SPDX-License-Identifier: MIT'
is "templates: a Mustache comment" "$(head -n 1 "$tree/templates/hello.txt")" \
  '{{! SPDX-License-Identifier: MIT }}'
is "man pages: a roff comment" "$(head -n 1 "$tree/man/x.1")" '.\" SPDX-License-Identifier: MIT'
ok "the script stays executable" test -x "$tree/tools/run.sh"
is "exempt files are untouched" "$(cat "$tree/tests/corpus/third-party.eml" "$tree/README.md")" \
  "$(printf 'From: a@example.com\n\nmail\n# notes')"
before=$(cd "$tree" && find . -type f -exec md5sum {} + | sort)
"$tree/tools/spdx.sh" --apply > /dev/null
is "a second --apply changes nothing" "$(cd "$tree" && find . -type f -exec md5sum {} + | sort)" \
  "$before"
"$tree/tools/spdx.sh" --check > /dev/null
is "and --check passes" "$?" 0

# --- the Mustache rule through baton's own renderer ---
# Two template directories that differ only in the license line on top of
# every template; the same digest rendered through each must be the same.
render () { # DIR: the text and HTML of a forced digest to bob, as templates in DIR render it
  local dir=$1
  mkdir -p "$dir"
  sed "s|^database = baton.db|database = $dir/baton.db\ntemplates = $dir/templates|" "$CONFIG" \
    > "$dir/baton.conf"
  BATON_NOW=2026-03-09T08:00:00Z "$BATON" -q -c "$dir/baton.conf" init > /dev/null
  mail "Alice Martin <alice@example.com>" "Plan" plan@a "task: Write the guide
handoff 1 to bob: the draft is in the wiki" |
    BATON_NOW=2026-03-09T17:05:00Z "$BATON" -c "$dir/baton.conf" ingest
  BATON_NOW=2026-03-10T17:00:00Z "$BATON" -c "$dir/baton.conf" digest --force
  sqlite3 "$dir/baton.db" "select mime from outbox where recipient = 'bob@example.com' order by id" |
    grep -v -E '^(Message-ID|Date|Content-Type: multipart|--=-|References|In-Reply-To):?' |
    grep -v -E '^ *(boundary|<baton)'
}
write_config
mkdir -p "$WORK/with/templates" "$WORK/without/templates"
for template in "$ROOT"/templates/*; do
  name=$(basename "$template")
  sed '/^{{! SPDX-License-Identifier: MIT }}$/d' "$template" > "$WORK/without/templates/$name"
  { printf '{{! SPDX-License-Identifier: MIT }}\n'; cat "$WORK/without/templates/$name"; } \
    > "$WORK/with/templates/$name"
done
with=$(render "$WORK/with")
without=$(render "$WORK/without")
like "the comparison holds a handoff notice and a digest" "$with" \
  'passed you the baton.*Good morning Bob Stone'
ok "the notices and digest render the same with the license comment on top" \
  test "$with" = "$without"
