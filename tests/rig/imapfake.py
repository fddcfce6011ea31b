#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A scripted IMAP server (and a cutting proxy) for the hostile-server tests.

    imapfake.py MODE DIR [UPSTREAM-PORT CUT-AFTER]

Listens on 127.0.0.1, on a free port it writes to DIR/port once it is ready,
and logs every command it reads to DIR/log. Serves one mailbox of three
small messages (UIDs 1, 2, 3) to any login, one connection at a time, until
it is killed. MODE says how it misbehaves:

  normal        behaves (IDLE included)
  literal-close on UID FETCH of bodies announces {100000}, sends a few bytes
                and closes the connection
  stall         on UID FETCH of bodies sends nothing, keeps the connection
  no-body       answers UID 2 of a body FETCH with FLAGS only, no body
  extra-uid     adds an unrequested UID 99, with a body, to body FETCHes
  no-starttls   does not offer STARTTLS (and refuses it)
  smtp-no-starttls  not IMAP: an SMTP server whose EHLO offers no STARTTLS
  silent        accepts the connection and never says a word (no IMAP
                greeting, no SMTP banner): a server stuck after connect
  tls-stall     reads the client's TLS ClientHello and never answers it
  login-stall   greets, then never answers LOGIN or AUTHENTICATE
  trickle       on UID FETCH of bodies announces {100000} and sends one byte
                of it every 0.3 s, each well inside any timeout
  slow          sends body FETCH answers (messages padded to 2000 bytes) in
                400-byte pieces every 0.1 s: slow, but a live 4 KB/s
  proxy         a byte-for-byte proxy to 127.0.0.1:UPSTREAM-PORT that
                closes both sides once CUT-AFTER bytes came from upstream
                (0: never); with RECORD set in the environment it also
                writes what upstream said to RECORD.N, one file per
                connection (fuzz seeds)
"""
import os
import re
import socket
import sys
import threading
import time

MODE, DIR = sys.argv[1], sys.argv[2]
LOG = open(os.path.join(DIR, "log"), "a", buffering=1)


def message(uid):
    return ("From: bob@example.com\r\nTo: team@example.com\r\nSubject: fake %d\r\n"
            "Message-ID: <fake%d@imapfake>\r\n\r\ntask: Fake task %d\r\n" % (uid, uid, uid)).encode()


MAILBOX = {uid: message(uid) for uid in (1, 2, 3)}
if MODE == "slow":
    MAILBOX = {uid: data + b"x" * (2000 - len(data)) + b"\r\n" for uid, data in MAILBOX.items()}


def uid_set(text):
    uids = set()
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        lo = max(MAILBOX) if lo == "*" else int(lo)
        hi = lo if not hi else (max(MAILBOX) if hi == "*" else int(hi))
        lo, hi = min(lo, hi), max(lo, hi)
        uids.update(u for u in MAILBOX if lo <= u <= hi)
    return sorted(uids)


def caps():
    words = "IMAP4rev1 LITERAL+ IDLE MOVE UIDPLUS"
    return words if MODE == "no-starttls" else words + " STARTTLS"


def fetch(conn, tag, args):
    m = re.match(r"(\S+) \((.*)\)$", args)
    uids, items = uid_set(m.group(1)), m.group(2)
    body = re.search(r"BODY\.PEEK\[\](?:<(\d+)\.(\d+)>)?", items)
    if body and MODE == "stall":
        return "stalled"
    if body and MODE == "trickle":
        conn.sendall(b"* 1 FETCH (UID 1 BODY[] {100000}\r\n")
        for byte in (b"x" * 100000):
            time.sleep(0.3)
            conn.sendall(bytes([byte]))
        return "trickled"
    if body and MODE == "literal-close":
        conn.sendall(b"* 1 FETCH (UID 1 BODY[] {100000}\r\nFrom: bob@exa")
        return "closed"
    out = b""
    for seq, uid in enumerate(uids, 1):
        if not body:
            out += b"* %d FETCH (UID %d RFC822.SIZE %d)\r\n" % (seq, uid, len(MAILBOX[uid]))
        elif MODE == "no-body" and uid == 2:
            out += b"* %d FETCH (UID %d FLAGS (\\Seen))\r\n" % (seq, uid)
        else:
            data, origin = MAILBOX[uid], b""
            if body.group(1) is not None:
                start, length = int(body.group(1)), int(body.group(2))
                data, origin = data[start:start + length], b"<%d>" % start
            out += b"* %d FETCH (UID %d BODY[]%s {%d}\r\n%s)\r\n" % (seq, uid, origin, len(data), data)
    if body and MODE == "extra-uid":
        data = message(99)
        out += b"* 4 FETCH (UID 99 BODY[] {%d}\r\n%s)\r\n" % (len(data), data)
    out += b"%s OK UID FETCH completed\r\n" % tag.encode()
    if body and MODE == "slow":
        for i in range(0, len(out), 400):
            conn.sendall(out[i:i + 400])
            time.sleep(0.1)
        return None
    conn.sendall(out)
    return None


def serve(conn):
    conn.sendall(("* OK [CAPABILITY %s] imapfake ready\r\n" % caps()).encode())
    reader = conn.makefile("rb")
    while True:
        line = reader.readline()
        if not line:
            return
        text = line.decode("latin-1").rstrip("\r\n")
        LOG.write(text + "\n")
        tag, _, rest = text.partition(" ")
        command, _, args = rest.partition(" ")
        command = command.upper()
        if command == "UID":
            command, _, args = args.partition(" ")
            command = "UID " + command.upper()
        reply = "%s OK %s completed\r\n" % (tag, command)
        if MODE == "login-stall" and command in ("LOGIN", "AUTHENTICATE"):
            LOG.write("login-stalled\n")
            while reader.readline():
                pass
            return
        if command == "CAPABILITY":
            reply = "* CAPABILITY %s\r\n" % caps() + reply
        elif command == "STARTTLS":
            reply = "%s BAD no TLS here\r\n" % tag
        elif command == "SELECT":
            reply = ("* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n"
                     "* OK [UIDNEXT 4] ok\r\n%s OK [READ-WRITE] SELECT completed\r\n"
                     % (len(MAILBOX), tag))
        elif command == "UID SEARCH":
            found = uid_set(args.split()[-1])
            reply = "* SEARCH %s\r\n" % " ".join(map(str, found)) + reply
        elif command == "UID FETCH":
            outcome = fetch(conn, tag, args)
            LOG.write("fetch-%s\n" % (outcome or "answered"))
            if outcome == "closed":
                conn.shutdown(socket.SHUT_RDWR)
                return
            if outcome == "stalled":
                while reader.readline():
                    pass
                return
            continue
        elif command == "IDLE":
            conn.sendall(b"+ idling\r\n")
            done = reader.readline()
            if not done:
                return
            LOG.write(done.decode("latin-1"))
        elif command == "LOGOUT":
            conn.sendall(("* BYE bye\r\n" + reply).encode())
            return
        conn.sendall(reply.encode())


def serve_smtp(conn):
    conn.sendall(b"220 imapfake ESMTP\r\n")
    reader = conn.makefile("rb")
    for line in reader:
        text = line.decode("latin-1").rstrip("\r\n")
        LOG.write(text + "\n")
        verb = text.split(" ")[0].upper()
        if verb == "EHLO":
            conn.sendall(b"250-imapfake\r\n250-8BITMIME\r\n250 AUTH PLAIN\r\n")
        elif verb == "QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        elif verb == "STARTTLS":
            conn.sendall(b"502 5.5.1 no TLS here\r\n")
        else:
            conn.sendall(b"503 5.5.1 not in this test\r\n")


def pipe(src, dst, limit, counter, record=None):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit is not None:
                data = data[:max(0, limit - counter[0])]
                counter[0] += len(data)
            if data:
                dst.sendall(data)
                if record:
                    record.write(data)
            if limit is not None and counter[0] >= limit:
                LOG.write("proxy-cut after %d bytes\n" % counter[0])
                break
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


CONNECTIONS = [0]


def proxy(conn, upstream_port, cut_after):
    up = socket.create_connection(("127.0.0.1", upstream_port))
    counter = [0]
    threading.Thread(target=pipe, args=(conn, up, None, None), daemon=True).start()
    record = None
    if os.environ.get("RECORD"):
        CONNECTIONS[0] += 1
        record = open("%s.%d" % (os.environ["RECORD"], CONNECTIONS[0]), "wb")
    pipe(up, conn, cut_after or None, counter, record)
    if record:
        record.close()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(tmp, os.path.join(DIR, "port"))
    while True:
        conn, _ = listener.accept()
        LOG.write("accepted\n")
        try:
            if MODE in ("silent", "tls-stall"):
                hello = conn.recv(65536)
                if hello:
                    LOG.write("read %d bytes, answering none\n" % len(hello))
                while conn.recv(65536):
                    pass
            elif MODE == "smtp-no-starttls":
                serve_smtp(conn)
            elif MODE == "proxy":
                proxy(conn, int(sys.argv[3]), int(sys.argv[4]))
            else:
                serve(conn)
        except OSError:
            pass
        finally:
            conn.close()


main()
