#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Header injection, end to end: CR/LF, other line breaks and encoded-word
# tricks in a task title, a member's display name and a subject never add a
# header to the mail baton sends, and the mail still goes out.
. "$(dirname "$0")/../lib.sh"
plan 16
write_config
# GKeyFile unescapes \r and \n in values: a display name with a real CRLF,
# and one that is an encoded-word for CRLF.
sed -i 's/^name = Bob Stone$/name = Bob\\r\\nBcc: evil@example.org/' "$CONFIG"
sed -i 's/^name = Alice Martin$/name = =?UTF-8?Q?Alice=0D=0ABcc:_evil5@example.org?=/' "$CONFIG"
export BATON_NOW=2026-03-09T16:31:00Z

# 1. A title made from a subject whose encoded-word decodes to CRLF + Bcc.
printf 'From: Alice Martin <alice@example.com>\nTo: team+task@example.com\nSubject: =?UTF-8?Q?Deploy=0D=0ABcc:_evil1@example.org=0D=0A=0D=0Abody?=\nMessage-ID: <inj1@a>\n\n' |
  baton ingest
like "the title really holds CR LF" "$(db "select hex(title) from tasks where id = 1")" "0D0A426363"
# 2. Line separators that are not CR/LF: NEL (C1), U+2028, U+2029, and a lone CR.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: t\nMessage-ID: <inj2@a>\nContent-Type: text/plain; charset=utf-8\n\ntask: Second\xc2\x85Bcc: evil2@example.org\xe2\x80\xa8Cc: evil3@example.org\xe2\x80\xa9X-Evil: 1\ntask: Third\rBcc: evil4@example.org\n' |
  baton ingest
# 3. Hand them all to bob (whose display name carries CRLF + Bcc), and a
#    subject with a folded "Bcc:" and an encoded CRLF gets a reply.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: =?UTF-8?Q?Re=0D=0ABcc:_evil6@example.org?=\n Bcc: evil7@example.org\nMessage-ID: <inj3@a>\nIn-Reply-To: <inj1@a>\nReferences: <ok@a> <bad\r\nBcc: evil8@example.org>\n\nhandoff 1 to bob: fine\r\nBcc: evil9@example.org\ndone 99\n' |
  baton ingest
# 4. Two more in one mail: one notice to bob listing both titles.
printf 'From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: two\nMessage-ID: <inj4@a>\n\nhandoff 2 to bob\nhandoff 3 to bob\n' |
  baton ingest
out=$(baton send 2>&1); rc=$?
is "send exits 0" "$rc" 0; [ "$rc" = 0 ] || echo "# $out"
is "every mail was sent: 2 notices to bob, 1 reply to alice" \
  "$(db "select group_concat(kind || '>' || recipient || ':' || (sent_at is not null), ' ') from outbox")" \
  "handoff>bob@example.com:1 reply>alice@example.com:1 handoff>bob@example.com:1"
is "and each is a file in the outbox Maildir" "$(ls "$WORK/outbox/new" | wc -l)" 3

# Re-parse each mail: exactly baton's own headers, once each; one recipient.
for file in "$WORK"/outbox/new/*; do
  summary=$(/usr/bin/python3 - "$file" <<'PY'
import email, email.policy, sys, re
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\n\n", 1)[0]
m = email.message_from_bytes(raw, policy=email.policy.default)
names = [k.lower() for k in m.keys()]
want = {"date", "from", "to", "reply-to", "subject", "message-id", "in-reply-to", "references",
        "mime-version", "auto-submitted", "x-loop", "x-baton-kind", "content-type", "content-transfer-encoding"}
problems = []
extra = [n for n in names if n not in want]
if extra: problems.append("extra headers " + ",".join(extra))
dups = sorted({n for n in names if names.count(n) > 1})
if dups: problems.append("repeated " + ",".join(dups))
if b"\r" in head: problems.append("CR in the header")
if re.search(rb"(?im)^(bcc|cc|x-evil)\s*:", head): problems.append("a Bcc/Cc/X-Evil line")
if any(len(l) > 78 for l in head.split(b"\n")): problems.append("a line over 78")
rcpts = [a.addr_spec for h in ("to", "cc", "bcc") for v in m.get_all(h, []) for a in v.addresses]
if len(rcpts) != 1: problems.append("recipients %r" % rcpts)
print(rcpts[0] if len(rcpts) == 1 else "?", m["Subject"].split(" (")[0][:40], "|", "; ".join(problems) or "clean")
PY
)
  like "re-parsed: only baton's headers, one recipient ($(cut -d'|' -f1 <<<"$summary"))" "$summary" "\| clean$"
  is "no header line starts Bcc:/Cc:/X-Evil: ($(cut -d'|' -f1 <<<"$summary"))" \
    "$(sed '/^$/q' "$file" | grep -ciE '^(bcc|cc|x-evil) *:')" 0
done

to=$(/usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["To"].addresses[0].display_name, "|", m["Subject"])' "$(grep -l 'task #1,' "$WORK"/outbox/new/*)")
is "bob's display name survives as text, CRLF turned into a space" "$(cut -d'|' -f1 <<<"$to")" "Bob Bcc: evil@example.org "
like "the title with CRLF is one subject line" "$(cut -d'|' -f2 <<<"$to")" "^ \[#1\] Deploy Bcc: evil1@example.org body \(handed to you by alice\)$"
reply=$(grep -l 'alice@example.com>$' "$WORK"/outbox/new/*)
# email.header.decode_header follows RFC 2047 6.2 (the blank between two
# adjacent encoded-words is dropped); policy.default's address parser
# keeps it, so the display name is decoded from the raw header here.
fields=$(/usr/bin/python3 -c '
import email, email.header, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.compat32)
to = str(email.header.make_header(email.header.decode_header(m["To"])))
print(m["Subject"], m["References"], to, sep="|")' "$reply")
is "the reply's subject keeps the words on one line" "$(cut -d'|' -f1 <<<"$fields")" \
  "Re: Re Bcc: evil6@example.org Bcc: evil7@example.org"
like "References keep the thread, and nothing of the Bcc line that followed it" \
  "$(cut -d'|' -f2 <<<"$fields")" "^<inj1@a> <ok@a> (<bad> )?<inj3@a>$"
is "an encoded-word display name stays literal text" "$(cut -d'|' -f3 <<<"$fields")" \
  "=?UTF-8?Q?Alice=0D=0ABcc:_evil5@example.org?= <alice@example.com>"
listed=$(/usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())' "$(grep -l '^Subject: 2 tasks' "$WORK"/outbox/new/*)")
like "the notice listing both keeps each title on one line" "$listed" \
  "#2 Second Bcc: evil2@example.org Cc: evil3@example.org X-Evil: 1 +handed to you +#3 Third +handed"
