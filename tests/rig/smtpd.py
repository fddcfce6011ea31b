# SPDX-License-Identifier: MIT
"""baton test rig SMTP server: aiosmtpd that delivers into the rig's Maildirs.

Run by tests/rig/rig.sh under /usr/bin/python3 (Debian's python3-aiosmtpd).
- One port speaks plain SMTP and offers STARTTLS; an optional second port is
  implicit TLS (smtps).
- AUTH PLAIN/LOGIN checks the same passwd-file Dovecot reads (DIR/users).
- RCPT user+tag@domain is delivered to user@domain's Maildir/new, with the
  original address kept in Delivered-To:; unknown users go to DIR/mail/catchall.
- Failure injection for retry tests: if DIR/control/smtp-<stage> exists
  (stage = mail, rcpt or data) its first line is the reply sent at that stage,
  e.g. "451 4.3.0 Mailbox busy, try later"; "<addr> 550 ..." limits a mail or
  rcpt reply to that address.
- The log (DIR/log/smtpd.log) has one "connect conn=N" line per TCP
  connection and one "delivered conn=N ..." line per recipient, so tests can
  prove how many connections a batch used.
"""
import argparse, asyncio, itertools, logging, os, signal, socket, ssl, time
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--host", action="append", required=True)
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--tls-port", type=int, default=0)
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
args = ap.parse_args()

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
logging.getLogger("mail.log").setLevel(logging.ERROR)   # 1.4.3 warns about its own login_data use
log = logging.getLogger("rig-smtpd")
HOSTNAME = socket.gethostname().replace("/", r"\057").replace(":", r"\072")
seq = itertools.count(1)
conn_ids = itertools.count(1)


def users():
    """login -> password from the Dovecot passwd-file; re-read each time."""
    out = {}
    with open(os.path.join(args.dir, "users")) as f:
        for line in f:
            parts = line.rstrip("\n").split(":")
            if len(parts) > 1 and not line.startswith("#"):
                pw = parts[1]
                out[parts[0].lower()] = pw[7:] if pw.startswith("{PLAIN}") else None
    return out


def maildir_for(rcpt):
    addr = rcpt.lower()
    local, _, domain = addr.rpartition("@") if "@" in addr else (addr, "", "")
    local = local.split("+", 1)[0]
    login = local + ("@" + domain if domain else "")
    if login in users():
        return os.path.join(args.dir, "mail", domain, local, "Maildir")
    return os.path.join(args.dir, "mail", "catchall", "Maildir")


def deliver(maildir, data):
    """Maildir delivery: write tmp/<unique>, fsync, rename into new/."""
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), mode=0o700, exist_ok=True)
    now = time.time()
    name = "%d.M%06dP%dQ%d.%s,S=%d" % (int(now), int(now % 1 * 1e6), os.getpid(),
                                       next(seq), HOSTNAME, len(data))
    tmp = os.path.join(maildir, "tmp", name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(maildir, "new", name))
    return name


def injected(stage, address=None):
    """The reply forced for this stage by DIR/control/smtp-<stage>, or None.
    A line "<addr> 550 ..." applies only when the command's address is addr."""
    try:
        with open(os.path.join(args.dir, "control", "smtp-" + stage)) as f:
            line = f.readline().strip()
    except FileNotFoundError:
        return None
    if line.startswith("<"):
        only, _, line = line[1:].partition("> ")
        if address is None or only.lower() != address.lower():
            return None
    if line:
        log.info("injected stage=%s reply=%r", stage, line)
    return line or None


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, options):
        forced = injected("mail", address)
        if forced:
            return forced
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        forced = injected("rcpt", address)
        if forced:
            return forced
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        forced = injected("data")
        if forced:
            return forced
        body = envelope.original_content.replace(b"\r\n", b"\n")
        for rcpt in envelope.rcpt_tos:
            hdr = ("Return-Path: <%s>\nDelivered-To: %s\n" % (envelope.mail_from, rcpt))
            name = deliver(maildir_for(rcpt), hdr.encode("utf-8", "surrogateescape") + body)
            log.info("delivered conn=%d from=<%s> to=<%s> auth=%s tls=%s size=%d file=%s",
                     server.rig_conn, envelope.mail_from, rcpt, session.authenticated,
                     session.ssl is not None or server.rig_implicit_tls, len(body), name)
        return "250 OK delivered to %d recipient(s)" % len(envelope.rcpt_tos)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = False
    if isinstance(auth_data, LoginPassword):
        login = auth_data.login.decode("utf-8", "replace").lower()
        want = users().get(login)
        ok = want is not None and auth_data.password.decode("utf-8", "replace") == want
    log.info("auth conn=%d mechanism=%s result=%s", server.rig_conn, mechanism,
             "ok" if ok else "failed")
    # aiosmtpd 1.4.3: handled=False, or a failure sends no 535 and the client hangs
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(args.cert, args.key)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)


def factory(implicit_tls):
    smtp = SMTP(Handler(), hostname="rig.localhost", loop=loop, enable_SMTPUTF8=True,
                tls_context=None if implicit_tls else tls, require_starttls=False,
                authenticator=authenticator, auth_required=False, auth_require_tls=False)
    smtp.rig_conn = next(conn_ids)
    smtp.rig_implicit_tls = implicit_tls
    log.info("connect conn=%d port=%s", smtp.rig_conn, "smtps" if implicit_tls else "smtp")
    return smtp


loop.run_until_complete(loop.create_server(lambda: factory(False), args.host, args.port))
if args.tls_port:
    loop.run_until_complete(loop.create_server(lambda: factory(True), args.host,
                                               args.tls_port, ssl=tls))
with open(os.path.join(args.dir, "run", "smtpd.pid"), "w") as f:
    f.write("%d\n" % os.getpid())
loop.add_signal_handler(signal.SIGTERM, loop.stop)
log.info("listening hosts=%s smtp=%d smtps=%d", ",".join(args.host), args.port, args.tls_port)
try:
    loop.run_forever()
finally:
    log.info("stopping")
