#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Big mail by IMAP against the real Dovecot: a connection cut after 6 MB of
# a 50 MB message ends as EX_TEMPFAIL at once (it used to spin forever);
# then `poll` of that 50 MB text body, and of 20 mails of 15 MB each, keeps
# its peak RSS under 64 MB (20 x 15 MB once reached 339 MB: a whole
# 500-message FETCH was held in memory). Under ASan the shadow memory makes
# RSS meaningless: those parts are skipped.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 11
LIMIT_KB=$((64 * 1024))
asan=0; if ldd "$BATON" | grep -q libasan; then asan=1; fi

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
imap_config () {  # PORT
  write_config "
[imap]
url = imaps://127.0.0.1:$1/INBOX
user = team@example.com
password-file = $WORK/imap.pass
ca-file = $RIG_CA
timeout = 10
processed-folder = Processed"
}
imap_config "$IMAPS_PORT"
baton poll   # the first pass records the (empty) mailbox's position
is "the first poll records the position" "$(db 'select last_uid from imap_state')" 0

# A 50 MB text body, line after line of plain words.
/usr/bin/python3 - "$WORK/big.eml" <<'PY'
import sys
line = b"All work and no play makes a dull day; the quick brown fox jumps over it.\n"
with open(sys.argv[1], "wb") as out:
    out.write(b"From: Bob Stone <bob@example.com>\nTo: team@example.com\n"
              b"Subject: the big text\nMessage-ID: <bigtext@imap-big>\n\n"
              b"task: Read the big text\n\n")
    for _ in range(50 * 1024 * 1024 // len(line)):
        out.write(line)
PY
rig_deliver team@example.com INBOX < "$WORK/big.eml"

# 1. Through a proxy that cuts the connection after 6 MB of the answer.
PROXY_DIR=$(mktemp -d "$WORK/proxy.XXXXXX")
/usr/bin/python3 "$RIG_HOME/imapfake.py" proxy "$PROXY_DIR" "$IMAPS_PORT" $((6 * 1024 * 1024)) &
proxy=$!
cleanup_hooks+=("kill $proxy 2>/dev/null")
for _ in $(seq 100); do [ -s "$PROXY_DIR/port" ] && break; sleep 0.05; done
imap_config "$(cat "$PROXY_DIR/port")"
start=$(date +%s%N)
timeout -s KILL 120 "$BATON" -c "$CONFIG" poll --from-start 2> "$WORK/err"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "a connection cut after 6 MB of a 50 MB FETCH: exit 75" "$rc" 75
like "saying the server closed the connection" "$(cat "$WORK/err")" "closed the connection"
ok "well within the 10 s timeout (took ${took} ms)" test "$took" -lt 10000
is "nothing applied, no position advanced" \
  "$(db 'select count(*) from tasks')/$(db 'select max(last_uid) from imap_state')" "0/0"

# The rest measures peak RSS, meaningless under ASan, where parsing the
# 50 MB text also takes minutes; the piece-by-piece fetch is covered under
# ASan by test-imap's large-in-pieces.
if [ "$asan" = 1 ]; then
  for i in $(seq 6); do pass "# SKIP peak RSS is not measurable under ASan"; done
  exit 0
fi

peak_kb () { /usr/bin/time -f '%M' -o "$WORK/time" "$@" > /dev/null 2>&1; tail -1 "$WORK/time"; }

# 2. The same message straight from Dovecot, with its peak RSS: the
# transport alone (imap-probe fetches it and reads its head), then poll.
# poll's bound also needs the parser to bound text parts (memory.t); while
# parsing the same mail from a file takes more, that check is a TODO.
probe_rss=$(peak_kb "$RIG_TOOLS/imap-probe" --host 127.0.0.1 --port "$IMAPS_PORT" \
  --ca-file "$RIG_CA" --user team@example.com --password teampass select fetch:1:0)
file_rss=$(peak_kb "$BATON" -c "$CONFIG" explain "$WORK/big.eml")
imap_config "$IMAPS_PORT"
rss=$(peak_kb "$BATON" -c "$CONFIG" poll)
is "the 50 MB text body is applied" "$(db 'select title from tasks')" "Read the big text"
ok "fetching the 50 MB message by IMAP: peak RSS ${probe_rss} KB, under 32 MB" \
  test "$probe_rss" -lt $((32 * 1024))
todo=""
[ "$file_rss" -ge "$LIMIT_KB" ] && todo=" # TODO the parser holds text parts whole (${file_rss} KB from a file)"
ok "50 MB text body by IMAP: peak RSS ${rss} KB, under 64 MB$todo" test "$rss" -lt "$LIMIT_KB"
is "and it is moved" "$(rig_count team@example.com Processed)" 1

# 3. Twenty mails of 15 MB (a base64 attachment each) in one pass.
/usr/bin/python3 - "$WORK/att.eml" <<'PY'
import base64, sys
chunk = bytes(range(256)) * 3 * 1024
with open(sys.argv[1], "wb") as out:
    out.write(b"From: Alice Martin <alice@example.com>\nTo: team@example.com\n"
              b"Subject: SUBJECT\nMessage-ID: <MSGID@imap-big>\nMIME-Version: 1.0\n"
              b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
              b"task: TITLE\n\n--b\nContent-Type: application/octet-stream\n"
              b"Content-Disposition: attachment; filename=big.bin\n"
              b"Content-Transfer-Encoding: base64\n\n")
    for _ in range(11 * 1024 * 1024 // len(chunk)):
        data = base64.b64encode(chunk)
        out.write(b"\n".join(data[i:i + 76] for i in range(0, len(data), 76)) + b"\n")
    out.write(b"--b--\n")
PY
for i in $(seq 20); do
  sed "1,12s/SUBJECT/att $i/;1,12s/MSGID/att$i/;1,12s/TITLE/Attachment $i/" "$WORK/att.eml" |
    rig_deliver team@example.com INBOX
done
rm -f "$WORK/att.eml" "$WORK/big.eml"
rss=$(peak_kb "$BATON" -c "$CONFIG" poll)
is "the 20 mails of 15 MB are applied" "$(db "select count(*) from tasks where title like 'Attachment %'")" 20
ok "20 x 15 MB by IMAP in one pass: peak RSS ${rss} KB, under 64 MB" test "$rss" -lt "$LIMIT_KB"
