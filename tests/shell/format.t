#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One .clang-format, applied to everything: each C file of the repository
# is as clang-format leaves it (`make format` fixes a failure). Skipped
# where clang-format is not installed; contrib/install-deps.sh --test
# installs it.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
if ! command -v clang-format > /dev/null; then
  echo "1..0 # SKIP clang-format is not installed"
  exit 0
fi
cd "$ROOT" || exit 1
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else
  files=$(find src include tests bench fuzz -name '*.[ch]' | sort)
fi
plan 2
unformatted=
for f in $files; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || unformatted="$unformatted $f"
done
ok "there are C files to check ($(echo $files | wc -w))" test -n "$files"
is "every one is formatted (else: make format)" "${unformatted:-none}" none
