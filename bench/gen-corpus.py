#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Deterministic corpus of team mail for baton's benchmarks (stdlib only).

    gen-corpus.py --count N [--seed S] [--attachment-kb K] MAILDIR

Writes N messages into MAILDIR/new, named in delivery order. The same
arguments always give the same bytes, so runs compare. The mix follows what
a team mailbox holds: status updates carrying commands, replies quoting the
mail they answer, HTML-only mail from webmail clients, plain+HTML
alternatives, attachments, mail in legacy charsets with RFC 2047 subjects,
and a little machine and outside mail that baton must quarantine or ignore.
"""
import argparse
import base64
import os
import quopri
import random

MEMBERS = [("alice", "Alice Martin"), ("bob", "Bob Stone"), ("carol", "Carol Diaz"),
           ("dave", "Dave Okafor"), ("erin", "Erin Kowalski"), ("frank", "Frank Li")]
OUTSIDERS = [("mallory@evil.example", "Mallory"), ("vendor@supplier.example", "Sales Team")]
WORDS = ("api review staging deploy migration guide tests flaky auth token cache index "
         "schema backup release notes customer ticket dashboard metrics alert latency "
         "budget draft design meeting tomorrow blocked waiting on legal contract invoice "
         "build pipeline docker image rollback hotfix on-call pager weekend").split()
ACCENTED = "Réunion café déjà vu naïve façade Müller Straße Ærø Señor año niño"
JAPANESE = "進捗報告です。明日までにレビューをお願いします。"


def sentence(rng, low=6, high=16):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng, sentences=3):
    return " ".join(sentence(rng) for _ in range(rng.randint(1, sentences)))


def commands(rng, state):
    lines = []
    for _ in range(rng.randint(0, 3)):
        kind = rng.random()
        n = rng.randint(1, max(1, state["tasks"]))
        who = rng.choice(MEMBERS)[0]
        if kind < 0.35 or state["tasks"] == 0:
            lines.append("task: %s" % sentence(rng, 3, 7).rstrip("."))
            state["tasks"] += 1
        elif kind < 0.5:
            lines.append("take %d" % n)
        elif kind < 0.65:
            lines.append("done %d: %s" % (n, sentence(rng, 2, 5)))
        elif kind < 0.75:
            lines.append("handoff %d to %s: %s" % (n, who, sentence(rng, 3, 8)))
        elif kind < 0.85:
            lines.append("note %d: %s" % (n, sentence(rng)))
        elif kind < 0.92:
            lines.append("block %d: %s" % (n, sentence(rng, 2, 5)))
        else:
            lines.append("done %d" % (n + 1000))  # no such task: a reply explains
    return lines


def body_text(rng, state, name):
    parts = [paragraph(rng)] + commands(rng, state)
    if rng.random() < 0.5:
        parts.append(paragraph(rng))
    return "\n\n".join(parts) + "\n\n-- \n%s\n" % name


def quoted(rng, previous):
    who, text = previous
    lines = ["On Mon, 9 Mar 2026 at 18:05, %s wrote:" % who]
    lines += ["> " + line if line else ">" for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def headers(rng, index, sender, subject, extra=()):
    address, name = sender
    hour, minute = divmod(index % 1440, 60)
    out = ["Return-Path: <%s>" % address,
           "Received: from mx.example.com by mail.example.com; Mon, 9 Mar 2026 %02d:%02d:00 +0000"
           % (hour, minute),
           "From: %s <%s>" % (name, address),
           "To: Team <team@example.com>",
           "Subject: %s" % subject,
           "Date: Mon, 9 Mar 2026 %02d:%02d:%02d +0100" % (hour, minute, index % 60),
           "Message-ID: <bench-%06d@%s>" % (index, address.split("@")[1]),
           "MIME-Version: 1.0"]
    return out + list(extra)


def qp(text, charset):
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def b64(data):
    encoded = base64.b64encode(data).decode("ascii")
    return "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def encoded_word(text):
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode("utf-8")).decode("ascii")


def html_of(text):
    paras = "".join("<p>%s</p>" % p.replace("\n", "<br>") for p in text.split("\n\n"))
    return ("<html><head><style>p{margin:0}</style></head><body><div dir=\"ltr\">%s</div>"
            "</body></html>" % paras)


def member(rng):
    name, display = rng.choice(MEMBERS)
    return ("%s@example.com" % name, display)


def make(rng, index, state, attachment_kb):
    kind = rng.random()
    sender = member(rng)
    text = body_text(rng, state, sender[1].split()[0])
    subject = rng.choice(["Wed update", "Status", "Re: staging", "Deploy notes", "Quick one"])
    if kind < 0.30:  # plain update
        head = headers(rng, index, sender, subject,
                       ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"])
        body = text
    elif kind < 0.55:  # reply quoting the previous mail
        prev = state["last"]
        head = headers(rng, index, sender, "Re: " + subject,
                       ["In-Reply-To: %s" % prev[2], "References: %s" % prev[2],
                        "Content-Type: text/plain; charset=utf-8; format=flowed"])
        body = text + "\n" + quoted(rng, prev[:2])
    elif kind < 0.68:  # HTML only
        head = headers(rng, index, sender, subject,
                       ["Content-Type: text/html; charset=utf-8",
                        "Content-Transfer-Encoding: quoted-printable"])
        body = qp(html_of(text), "utf-8")
    elif kind < 0.78:  # alternative
        head = headers(rng, index, sender, subject,
                       ['Content-Type: multipart/alternative; boundary="alt-%d"' % index])
        body = ("--alt-{i}\nContent-Type: text/plain; charset=utf-8\n\n{t}\n--alt-{i}\n"
                "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                "{h}\n--alt-{i}--\n").format(i=index, t=text, h=qp(html_of(text), "utf-8"))
    elif kind < 0.86:  # attachment
        size = rng.randint(attachment_kb // 4, attachment_kb) * 1024
        data = rng.randbytes(size)
        head = headers(rng, index, sender, subject,
                       ['Content-Type: multipart/mixed; boundary="mix-%d"' % index])
        body = ("--mix-{i}\nContent-Type: text/plain; charset=utf-8\n\n{t}\n--mix-{i}\n"
                "Content-Type: application/pdf; name=\"report-{i}.pdf\"\n"
                "Content-Disposition: attachment; filename=\"report-{i}.pdf\"\n"
                "Content-Transfer-Encoding: base64\n\n{d}\n--mix-{i}--\n"
                ).format(i=index, t=text, d=b64(data))
    elif kind < 0.95:  # legacy charsets, encoded subject
        charset, extra = rng.choice([("iso-8859-1", ACCENTED), ("windows-1252", ACCENTED + " \u2019quoted\u2019 \u0152uvre"),
                                     ("iso-2022-jp", JAPANESE)])
        if charset == "iso-2022-jp":
            encoded = (extra + "\n\n" + "\n".join(commands(rng, state)) + "\n").encode(charset)
            transfer, payload = "7bit", encoded.decode("ascii")
        else:
            transfer, payload = "quoted-printable", qp(extra + "\n\n" + text, charset)
        head = headers(rng, index, sender, encoded_word("Réunion: " + subject),
                       ["Content-Type: text/plain; charset=%s" % charset,
                        "Content-Transfer-Encoding: %s" % transfer])
        body = payload
    elif kind < 0.98:  # outside mail: quarantined
        outsider = rng.choice(OUTSIDERS)
        head = headers(rng, index, outsider, "Special offer", ["Content-Type: text/plain"])
        body = paragraph(rng, 5) + "\n"
    else:  # machine mail: ignored
        head = headers(rng, index, sender, "Out of office",
                       ["Auto-Submitted: auto-replied", "Content-Type: text/plain"])
        body = "I am away until Monday.\n"
    state["last"] = (sender[1], text, "<bench-%06d@example.com>" % index)
    return "\n".join(head) + "\n\n" + body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20260309)
    parser.add_argument("--attachment-kb", type=int, default=120)
    parser.add_argument("maildir")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(args.maildir, sub), exist_ok=True)
    state = {"tasks": 0, "last": ("Alice Martin", "Hello.\n", "<bench-start@example.com>")}
    for index in range(1, args.count + 1):
        message = make(rng, index, state, args.attachment_kb)
        path = os.path.join(args.maildir, "new", "%08d.bench" % index)
        with open(path, "wb") as out:
            out.write(message.encode("utf-8"))


if __name__ == "__main__":
    main()
