#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replies from many mail clients, languages and line shapes
# (tests/corpus/clients/cases, made by its generate.py), each answering a
# message baton never saw, so only the line-shape rules can tell new text
# from old. Each mail has "take 2" as its new text and "done 1: …
# staging-7 …" in the old part. Through the whole program: after ingesting
# it, task 2 is bob's, task 1 is still open, and bob's only event is taking
# task 2 — no old command acted, no old text or signature became an update.
. "$(dirname "$0")/../lib.sh"
cases_dir="$TESTS_DIR/corpus/clients/cases"
cases=("$cases_dir"/*.eml)
plan $((${#cases[@]} + 3))
write_config

# A database with alice's tasks 1 and 2, both open, made once and copied
# for each case (creating one costs three times an ingest).
mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Fix the login bug
task: Write the release notes' | baton ingest
mkdir "$WORK/template"
cp "$WORK"/baton.db* "$WORK/template/"
fresh_team () {
  rm -f "$WORK"/baton.db*
  cp "$WORK"/template/baton.db* "$WORK/"
}

# verdict: "ok" when the board and log are as they must be, else what is wrong.
verdict () {
  /usr/bin/python3 - "$(baton tasks --json)" "$(baton log --json)" <<'PY'
import json, sys
tasks = {t["id"]: t for t in json.loads(sys.argv[1])}
log = json.loads(sys.argv[2])
wrong = []
if tasks[2]["owner"] != "bob":
    wrong.append("task 2 owner is %r, not bob" % tasks[2]["owner"])
if tasks[1]["state"] != "open":
    wrong.append("task 1 is %s: an old 'done 1' acted" % tasks[1]["state"])
bob = [(e["kind"], e["task"], e["note"]) for e in log if e["who"] == "bob"]
if bob != [("taken", 2, None)]:
    wrong.append("bob's events: %r" % bob)
for e in log:
    if e["note"] and ("staging-7" in e["note"] or "Friday" in e["note"]):
        wrong.append("old text in the log: %r" % e["note"])
print("ok" if not wrong else "; ".join(wrong))
PY
}

fresh_team control
mail "Bob Stone <bob@example.com>" "RE: Release plan" control@b 'take 2
done 1: the login fix is live on staging-7' | baton ingest
like "control: the check sees an old command that acts" "$(verdict)" "task 1 is done"

fresh_team control-sig
mail "Bob Stone <bob@example.com>" "RE: Release plan" control-sig@b 'take 2

Friday works for me' | baton ingest
like "control: the check sees an update that leaks" "$(verdict)" "bob's events: .*update"

for eml in "${cases[@]}"; do
  name=$(basename "$eml" .eml)
  fresh_team "$name"
  baton ingest <"$eml"
  got=$(verdict)
  is "$name: $(sed -n 's/^X-Case: //p' "$eml")" "$got" "ok"
done

# explain names the rule behind the cut, and --text stays only the text.
out=$(baton explain "$cases_dir/outlook-web-fr.eml")
like "explain names the header block and its labels" "$out" \
  "cut at line [0-9]+: header block \(De/Envoyé/À/Objet\)"
