#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden files: each shipped template rendered by the real program on one
# fixed scenario (fixed BATON_NOW), delivered into the Maildir outbox, its
# text parts compared byte for byte with tests/golden/. Any difference
# fails make check.
#
# After a deliberate template change, regenerate and review the diff:
#   GOLDEN_UPDATE=1 make check        (or: GOLDEN_UPDATE=1 BATON=build/baton bash tests/shell/golden.t)
#   git diff tests/golden/
. "$(dirname "$0")/../lib.sh"
GOLDEN=$TESTS_DIR/golden
names=(handoff.txt notices.txt taken.txt changed.txt reply.txt digest.txt digest.html)
plan $(( ${#names[@]} + 2 ))
write_config

at () { export BATON_NOW=$1; }
at 2026-03-09T17:05:00Z   # the members join with this first mail
mail "Alice Martin <alice@example.com>" "Mon update" g1@a 'API draft is up for review;
the auth part still needs eyes.

task: Write the migration guide
task: Fix the login page
task: Update the changelog
handoff 1 to bob: tests pass, needs the staging deploy
handoff 3 to bob
done 99

--
Alice' | baton ingest
at 2026-03-09T18:00:00Z
mail "Bob Stone <bob@example.com>" "Re: stuff" g2@b 'take 2
block 2: waiting for design <the "new" one> & the icons
task: Order a cake
done 3: shipped
Staging is green.' | baton ingest
at 2026-03-09T19:00:00Z
mail "Alice Martin <alice@example.com>" "mine now" g3@a 'take 2
note 2: mockups are in the wiki' | baton ingest
at 2026-03-10T16:00:00Z
baton digest
baton send
# One task handed on its own: the single handoff notice (the first mail's
# two handoffs to bob became one notice listing both).
at 2026-03-10T16:05:00Z
mail "Alice Martin <alice@example.com>" "one more" g4@a 'handoff 1 to bob: the docs too, please' | baton ingest
# Bob closes the task alice holds: she is told, with the line that reopens it.
at 2026-03-10T16:10:00Z
mail "Bob Stone <bob@example.com>" "closing" g5@b 'done 2: the mockups were enough' | baton ingest
baton send
is "the scenario produced the expected mail" \
  "$(db "select group_concat(kind || '>' || recipient || ':' || (sent_at is not null), ' ') from outbox")" \
  "handoff>bob@example.com:1 reply>alice@example.com:1 taken>bob@example.com:1 digest>alice@example.com:1 digest>bob@example.com:1 handoff>bob@example.com:1 changed>alice@example.com:1"

# Each template's output, from the Maildir files, by the mail it went into.
out=$WORK/rendered; mkdir -p "$out"
/usr/bin/python3 - "$WORK/outbox/new" "$out" <<'PY'
import email, email.policy, os, sys
src, dst = sys.argv[1:]
for name in os.listdir(src):
    m = email.message_from_binary_file(open(os.path.join(src, name), "rb"), policy=email.policy.default)
    subject, to = m["Subject"], m["To"].addresses[0].username
    if subject.startswith("[#1]") and "handed to you" in subject: kind = "handoff"
    elif subject.startswith("2 tasks handed to you"): kind = "notices"
    elif "taken by" in subject: kind = "taken"
    elif "closed by" in subject: kind = "changed"
    elif subject.startswith("Re: "): kind = "reply"
    elif subject.startswith("baton digest") and to == "bob": kind = "digest"
    else: continue
    for part, ext in (("plain", "txt"), ("html", "html")):
        body = m.get_body((part,))
        if body is not None and body.get_content_type() == "text/" + part:
            with open(os.path.join(dst, "%s.%s" % (kind, ext)), "w", newline="") as f:
                f.write(body.get_content())
PY
is "every template was rendered" "$(cd "$out" && ls | sort | paste -sd' ')" "changed.txt digest.html digest.txt handoff.txt notices.txt reply.txt taken.txt"

for name in "${names[@]}"; do
  if [ -n "${GOLDEN_UPDATE:-}" ]; then
    cp "$out/$name" "$GOLDEN/$name"
    pass "$name: golden file rewritten (GOLDEN_UPDATE)"
  elif d=$(diff -u "$GOLDEN/$name" "$out/$name" 2>&1); then
    pass "$name matches tests/golden/$name"
  else
    fail "$name matches tests/golden/$name" "${d//$'\n'/$'\n# '}" "(GOLDEN_UPDATE=1 rewrites the golden files; see tests/shell/golden.t)"
  fi
done
