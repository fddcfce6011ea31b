#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input: mail built to hurt a parser. Each must end in a clear outcome
# (stored and applied, stored with nothing to apply, ignored, or refused
# with 65) within seconds and bounded memory; `baton ingest` must never
# crash, hang or answer 75 (which would make the MTA retry it forever).
. "$(dirname "$0")/../lib.sh"
export BATON_NOW=2026-03-09T17:05:00Z
plan 45
write_config
"$BATON" -q -c "$CONFIG" init  # only init creates the database

# Generous bounds: the real numbers are printed as TAP comments. ASan's
# shadow memory and redzones make a sanitized baton several times bigger.
MAX_SECONDS=5
MAX_RSS_KB=$((128 * 1024))
ldd "$BATON" | grep -q libasan && MAX_RSS_KB=$((768 * 1024))

/usr/bin/python3 - "$WORK" <<'PY'
import os, sys
out = sys.argv[1]
def head(name, extra=""):
    return ("From: Alice Martin <alice@example.com>\nTo: team@example.com\n"
            "Subject: hostile %s\nMessage-ID: <%s@hostile>\n"
            "Date: Mon, 09 Mar 2026 18:05:00 +0100\n%s" % (name, name, extra))
def write(name, data):
    with open(os.path.join(out, name + ".eml"), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

write("long-header", head("long-header", "X-Filler: " + "a" * (1 << 20) + "\n")
      + "\ntask: Survive a long header\n")
write("long-subject", "From: alice@example.com\nTo: team@example.com\n"
      "Message-ID: <long-subject@hostile>\nSubject: " + "s" * (1 << 20)
      + "\n\ntask: Survive a long subject\n")

parts = ["--b\nContent-Type: text/plain\n\ntask: Survive ten thousand parts\n"]
parts += ["--b\nContent-Type: text/plain\nContent-Disposition: attachment\n\n"
          "part %d\n" % i for i in range(1, 10000)]
write("many-parts", head("many-parts", "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=b\n") + "\n" + "".join(parts) + "--b--\n")

def nested(depth, text):
    body = ["--n%d\nContent-Type: multipart/mixed; boundary=n%d\n\n" % (i, i + 1)
            for i in range(depth)]
    body.append("--n%d\nContent-Type: text/plain\n\n%s\n--n%d--\n" % (depth, text, depth))
    body += ["--n%d--\n" % i for i in reversed(range(depth))]
    return "".join(body)
write("deep", head("deep", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=n0\n")
      + "\n" + nested(1000, "task: Too deep to be read"))
# GMime matches every "--" line against every open boundary: nesting
# around a million of them would hold the parser (and the database's write
# lock) for seconds to minutes, so baton refuses the shape up front.
stall = nested(1000, "task: Stall the parser\n" + "--x\n" * 1000000)
write("deep-dashes", head("deep-dashes", "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=n0\n") + "\n" + stall)
write("deep-31", head("deep-31", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=n0\n")
      + "\n" + nested(31, "task: Deep but readable"))

write("nul", b"From: Alice Martin <alice@example.com>\nTo: team@example.com\n"
      b"Subject: nul\0 in the subject\nMessage-ID: <nul@hostile>\nX-Nul: a\0b\n\n"
      b"task: Survive NUL\0 bytes\nnote 1: after the NUL\n")

# Lone continuation bytes, bytes never valid, an overlong '/', a UTF-16
# surrogate, sequences cut short (before a space, so no ASCII is eaten).
bad = b"\xa0\xa1\xff\xfe\xc0\xaf\xed\xa0\x80\xe2\x82 \xf0\x9f\x98"
fields = (b"From: " + bad + b" <alice@example.com>\nTo: " + bad + b" <team@example.com>\n"
          b"Cc: " + bad + b"\nSubject: " + bad + b"\nMessage-ID: <bad" + bad + b"@hostile>\n"
          b"Date: " + bad + b"\nIn-Reply-To: <" + bad + b">\nReferences: <" + bad + b">\n"
          b"Content-Type: text/plain; charset=" + bad + b"\n")
write("bad-utf8", fields + b"\ntask: Survive bad UTF-8 " + bad + b"\n")
write("bad-utf8-auto", fields.replace(b"<bad", b"<bad-auto") + b"X-Loop: " + bad
      + b"\nAuto-Submitted: " + bad + b"\n\ntask: Never applied\n")

write("long-command", head("long-command") + "\ntask: " + "x" * (100 * 1024) + "\n")
write("garbage", bytes(range(256)) * 64)
# Issue 15: a 3 MB folded To: (a 40 MB one cost GMime 680 MB of memory).
write("huge-to", head("huge-to").replace("To: team@example.com\n", "To: team@example.com,\n "
      + "someone@example.com,\n " * 150000 + "x@example.com\n") + "\ntask: Never stored\n")

# Issue 15: commands the reader does not see. Task 1 exists by then (the
# long-header case creates it); only the visible "take 1" may act.
write("hidden-html", head("hidden-html", "MIME-Version: 1.0\n"
      "Content-Type: text/html; charset=utf-8\n") + "\n"
      "<html><head><title>done 1</title></head><body><p>take 1</p>"
      "<div style=\"display: none\">done 1</div><span hidden>drop 1</span>"
      "<p style=\"font-size:0px\">done 1</p><template>done 1</template></body></html>\n")
PY

# run CASE: ingests $WORK/CASE.eml under /usr/bin/time; sets rc, seconds, rss_kb.
run () {
  local name=$1
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %M' -o "$WORK/$name.time" "$BATON" -c "$CONFIG" ingest \
      < "$WORK/$name.eml" > "$WORK/$name.out" 2>&1
    rc=$?
    # A failing command adds "Command exited with non-zero status N" first.
    read -r seconds rss_kb < <(tail -n 1 "$WORK/$name.time")
  else
    local start=$(date +%s%N)
    "$BATON" -c "$CONFIG" ingest < "$WORK/$name.eml" > "$WORK/$name.out" 2>&1
    rc=$?
    seconds=$(( ($(date +%s%N) - start) / 1000000 ))e-3 rss_kb=0
  fi
  echo "# $name: $(stat -c %s "$WORK/$name.eml") bytes, exit $rc, $seconds s, max RSS $rss_kb KB"
}
# bounded CASE: the time and memory checks (2 points).
bounded () {
  ok "$1: within $MAX_SECONDS s" awk "BEGIN { exit !($seconds < $MAX_SECONDS) }"
  ok "$1: max RSS under $((MAX_RSS_KB / 1024)) MB" test "$rss_kb" -lt "$MAX_RSS_KB"
}
outcome () { db "select outcome from messages where message_id='$1'"; }
has_task () { db "select count(*) from tasks where title like '$1%'"; }

run long-header; bounded long-header
is "a 1 MB header line: stored and applied" "$rc/$(outcome long-header@hostile)/$(has_task 'Survive a long header')" "0/applied/1"

run long-subject; bounded long-subject
is "a 1 MB Subject: stored whole and applied" \
  "$rc/$(outcome long-subject@hostile)/$(db "select length(subject) from messages where message_id='long-subject@hostile'")" \
  "0/applied/1048576"

run many-parts; bounded many-parts
is "10,000 MIME parts: the first text part is read and applied" \
  "$rc/$(outcome many-parts@hostile)/$(has_task 'Survive ten thousand parts')" "0/applied/1"

# baton reads text parts up to 32 levels deep (MAX_PART_DEPTH in message.c);
# deeper is hostile: the mail is stored, and nothing in it acts.
run deep; bounded deep
is "MIME nested 1,000 deep: stored, nothing read from beyond the limit" \
  "$rc/$(outcome deep@hostile)/$(has_task 'Too deep')" "0/applied/0"
run deep-dashes; bounded deep-dashes
is "MIME nested around a million '--' lines: refused with 65" "$rc" 65
like "saying why" "$(cat "$WORK/deep-dashes.out")" "built to stall the parser"
run deep-31
is "MIME nested 31 deep: still read and applied" "$rc/$(has_task 'Deep but readable')" "0/1"

run nul; bounded nul
is "NUL bytes in headers and body: stored and the command before the NUL applied" \
  "$rc/$(outcome nul@hostile)/$(has_task 'Survive NUL')" "0/applied/1"

run bad-utf8; bounded bad-utf8
is "invalid UTF-8 in every header: stored and applied" "$rc/$(has_task 'Survive bad UTF-8')" "0/1"
json_ok () { /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; }
ok "tasks --json stays valid JSON" json_ok < <(baton tasks --json)
ok "log --json stays valid JSON" json_ok < <(baton log --json)
utf8_columns () {
  /usr/bin/python3 - "$WORK/baton.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.text_factory = bytes
for sql in ("select message_id, sender, member, subject, report from messages",
            "select title, owner, created_by from tasks",
            "select kind, who, note from events"):
    for row in db.execute(sql):
        for value in row:
            if isinstance(value, bytes):
                value.decode("utf-8")  # raises on invalid UTF-8
PY
}
ok "every text column stored is valid UTF-8" utf8_columns

run bad-utf8-auto; bounded bad-utf8-auto
is "invalid UTF-8 in Auto-Submitted too: machine mail, ignored" \
  "$rc/$(db "select outcome from messages where message_id like 'bad-auto%'")/$(has_task 'Never applied')" "0/ignored/0"

run long-command; bounded long-command
is "a 100 KB command line: stored and applied as one task" \
  "$rc/$(outcome long-command@hostile)/$(db "select max(length(title)) from tasks")" "0/applied/102400"

run garbage; bounded garbage
is "bytes that are not mail: refused with 65" "$rc" 65
like "saying why" "$(cat "$WORK/garbage.out")" "not a mail message"
is "and nothing stored" "$(db "select count(*) from messages where source = 'stdin' and message_id like 'sha256:%'")" 0

run huge-to; bounded huge-to
is "a 3 MB header: refused with 65" "$rc/$(has_task 'Never stored')" "65/0"
like "saying why" "$(cat "$WORK/huge-to.out")" "bytes of header"

run hidden-html; bounded hidden-html
is "HTML with hidden 'done 1' and 'drop 1': only the visible 'take 1' acts, task 1 stays open" \
  "$rc/$(outcome hidden-html@hostile)/$(db "select state || ' ' || coalesce(owner, '-') from tasks where id = 1")" \
  "0/applied/taken alice"

is "no case asked the MTA to retry (75) or crashed" \
  "$(grep -l -E 'AddressSanitizer|runtime error|Segmentation' "$WORK"/*.out 2>/dev/null | wc -l)" 0
