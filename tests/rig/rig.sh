#!/bin/bash
# SPDX-License-Identifier: MIT
# rig.sh - private IMAP (Dovecot) and SMTP (aiosmtpd) servers on loopback
# for baton's transport tests.
#
#   rig.sh start DIR   make a CA and a server certificate, start Dovecot and
#                      the SMTP server with all state under DIR, wait until
#                      every port greets, write DIR/ports.env
#   rig.sh stop DIR    stop exactly the processes `start DIR` recorded
#   rig.sh imap-down DIR / imap-up DIR
#                      stop / start Dovecot alone, on the same ports (a
#                      server restart seen by a connected client)
#
# Users (DIR/users, Dovecot passwd-file; the SMTP server reads it too):
#   team@example.com/teampass  alice@example.com/alicepass  bob@example.com/bobpass
# Maildirs: DIR/mail/<domain>/<local>/Maildir.  Dovecot listens on 127.0.0.1
# and 127.0.0.3; the certificate names only localhost and 127.0.0.1, so a
# client that connects to 127.0.0.3 must refuse it (hostname check), and
# Dovecot there does not announce MOVE (UIDPLUS fallback).
# SMTP failure injection: put a reply line in DIR/control/smtp-{mail,rcpt,data}
# ("<addr> 550 ..." limits it to one address); see smtpd.py.
#
# Nothing outside DIR is touched.  As root, both daemons drop to RIG_USER
# (default nobody): Dovecot refuses to run mail processes as root.
set -euo pipefail

PY=/usr/bin/python3      # Debian's python, the one with python3-aiosmtpd
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOSTS=(127.0.0.1 127.0.0.3)

die() { echo "rig: $*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: $0 {start|stop|imap-down|imap-up} DIR" >&2; exit 64; }
CMD=$1
if [ "$CMD" = start ]; then mkdir -p "$2"; elif [ ! -d "$2" ]; then exit 0; fi
DIR=$(cd "$2" && pwd -P)

# Alive and not a zombie: zombies can linger for seconds before being reaped.
alive() {
    local st
    st=$(sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# The PID is ours when its command line names this DIR (guards PID reuse).
ours() {
    [ -n "$1" ] && alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

children() {  # PIDs whose parent is $1, from /proc (no procps needed)
    grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3 || true
}

stop_pid() {  # NAME PIDFILE TOKEN
    local pid kids k
    [ -f "$2" ] || return 0
    pid=$(cat "$2")
    if ours "$pid" "$3"; then
        kids=$(children "$pid")
        kill -TERM "$pid"
        for _ in $(seq 100); do alive "$pid" || break; sleep 0.05; done
        alive "$pid" && kill -KILL "$pid"
        # Dovecot's master stops its own children; wait so DIR can be removed.
        for k in $kids; do for _ in $(seq 60); do alive "$k" || break; sleep 0.05; done; done
    fi
    rm -f "$2"
}

do_stop() {
    stop_pid smtpd "$DIR/run/smtpd.pid" "$DIR/smtpd.py"
    stop_pid dovecot "$DIR/run/dovecot/master.pid" "-c $DIR/dovecot.conf"
    rm -f "$DIR/ports.env"
}

fail_start() {
    do_stop || true   # first: printing could fail (closed pipe) and leave daemons
    echo "rig: start failed: $*" >&2
    for f in "$DIR/log/dovecot.stderr" "$DIR/log/dovecot.log" "$DIR/log/smtpd.log"; do
        [ -s "$f" ] && { echo "----- $f -----" >&2; tail -n 30 "$f" >&2; }
    done
    exit 1
}

make_certs() {  # a CA, and a server certificate it signs, for localhost/127.0.0.1
    local t=$DIR/tls
    [ -s "$t/server.pem" ] && return 0
    {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
            -subj "/CN=baton test rig CA" -keyout "$t/ca.key" -out "$t/ca.pem" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr"
        printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$t/server.ext"
        openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
            -CAcreateserial -days 30 -extfile "$t/server.ext" -out "$t/server.pem"
    } >"$DIR/log/openssl.log" 2>&1 || { cat "$DIR/log/openssl.log" >&2; die "openssl failed"; }
    chmod 600 "$t/ca.key" "$t/server.key"
}

make_users() {
    local u login local_ dom
    [ -s "$DIR/users" ] || for u in team@example.com:teampass alice@example.com:alicepass \
                                    bob@example.com:bobpass; do
        echo "${u%%:*}:{PLAIN}${u#*:}::::::"
    done >"$DIR/users"
    # Maildirs exist before the first IMAP login so SMTP and tests can deliver.
    while IFS=: read -r login _; do
        [ -z "$login" ] && continue
        local_=${login%%@*}; dom=${login#*@}
        mkdir -p "$DIR/mail/$dom/$local_/Maildir"/{cur,new,tmp}
    done <"$DIR/users"
    mkdir -p "$DIR/mail/catchall/Maildir"/{cur,new,tmp}
}

write_dovecot_conf() {  # RUSER RGROUP
    local addrs="${HOSTS[*]}"
    cat >"$DIR/dovecot.conf" <<CONF
# generated by tests/rig/rig.sh: a private Dovecot, independent of /etc/dovecot
instance_name = batonrig-$(printf %s "$DIR" | cksum | cut -d' ' -f1)
base_dir = $DIR/run/dovecot
state_dir = $DIR/state
log_path = $DIR/log/dovecot.log
auth_verbose = yes
protocols = imap
listen = ${addrs// /, }
default_internal_user = $1
default_internal_group = $2
default_login_user = $1
mail_uid = $1
mail_gid = $2
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
# the default 2 s delay after a wrong password would slow the tests down
auth_failure_delay = 0
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $DIR/users
}
mail_home = $DIR/mail/%d/%n
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
# IDLE falls back to polling when inotify is unavailable
mailbox_idle_check_interval = 1 secs
# Clients of 127.0.0.3 see a server without MOVE, to test the UIDPLUS
# COPY + EXPUNGE fallback (the certificate does not name 127.0.0.3 either).
local 127.0.0.3 {
  protocol imap {
    imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE UIDPLUS
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    address = ${addrs// /, }
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = ${addrs// /, }
    port = $IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service ipc {
  chroot =
}
CONF
}

free_ports() {  # four ports the kernel says are free right now
    $PY -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'
}

wait_ready() {  # every port greets, through TLS too, and one LOGIN works
    $PY - "$DIR" "$SMTPD_SPAWN" "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT" "$SMTPS_PORT" <<'PY'
import imaplib, os, socket, ssl, sys, time
d, spawn = sys.argv[1], sys.argv[2]
imap, imaps, smtp, smtps = (int(p) for p in sys.argv[3:7])
ctx = ssl.create_default_context(cafile=d + "/tls/ca.pem")
todo = [(imap, False, b"* OK"), (imaps, True, b"* OK"), (smtp, False, b"220"), (smtps, True, b"220")]
def greets(port, tls, want):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        if tls:
            s = ctx.wrap_socket(s, server_hostname="localhost")
        line = s.recv(200)
        s.close()
        return line.startswith(want)
    except OSError:
        return False
deadline = time.time() + 15
while todo:
    try:
        state = open("/proc/%s/stat" % spawn).read().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "X"
    if state in "ZX":
        sys.exit("smtpd died")
    if not os.path.exists(d + "/run/dovecot/master.pid"):
        sys.exit("dovecot died")
    todo = [t for t in todo if not greets(*t)]
    if todo and time.time() > deadline:
        sys.exit("not ready: %r" % todo)
    if todo:
        time.sleep(0.05)
m = imaplib.IMAP4("127.0.0.1", imap, timeout=5)
m.login("team@example.com", "teampass")
m.select("INBOX", readonly=True)
m.logout()
PY
}

do_start() {
    local pidf=$DIR/run/dovecot/master.pid
    if { [ -f "$pidf" ] && ours "$(cat "$pidf")" "-c $DIR/dovecot.conf"; } ||
       { [ -f "$DIR/run/smtpd.pid" ] && ours "$(cat "$DIR/run/smtpd.pid")" "$DIR/smtpd.py"; }; then
        die "already running in $DIR"
    fi
    command -v dovecot >/dev/null || die "dovecot is not installed (contrib/install-deps.sh --test)"
    $PY -c 'import aiosmtpd' 2>/dev/null || die "$PY cannot import aiosmtpd (apt install python3-aiosmtpd)"
    # Dovecot's socket paths must fit in sun_path (108 bytes).
    [ ${#DIR} -le 70 ] || die "DIR too long (${#DIR} > 70 characters): $DIR"

    local RUN_AS=() RUSER RGROUP
    if [ "$(id -u)" = 0 ]; then
        RUSER=${RIG_USER:-nobody}; RGROUP=$(id -gn "$RUSER")
        RUN_AS=(setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups --)
    else
        RUSER=$(id -un); RGROUP=$(id -gn)
    fi

    mkdir -p "$DIR"/{run/dovecot,state,log,tls,mail,control}
    : >"$DIR/log/dovecot.log"; : >"$DIR/log/smtpd.log"; rm -f "$DIR/log/dovecot.stderr"
    make_certs
    make_users
    read -r IMAP_PORT IMAPS_PORT SMTP_PORT SMTPS_PORT <<<"$(free_ports)"
    write_dovecot_conf "$RUSER" "$RGROUP"
    cp "$HERE/smtpd.py" "$DIR/smtpd.py"
    [ ${#RUN_AS[@]} -gt 0 ] && chown -R "$RUSER:$RGROUP" "$DIR"

    "${RUN_AS[@]}" dovecot -c "$DIR/dovecot.conf" 2>"$DIR/log/dovecot.stderr" ||
        fail_start "dovecot exited with $?"
    local hostargs=() h
    for h in "${HOSTS[@]}"; do hostargs+=(--host "$h"); done
    "${RUN_AS[@]}" $PY -I "$DIR/smtpd.py" --dir "$DIR" "${hostargs[@]}" \
        --port "$SMTP_PORT" --tls-port "$SMTPS_PORT" \
        --cert "$DIR/tls/server.pem" --key "$DIR/tls/server.key" \
        </dev/null >>"$DIR/log/smtpd.log" 2>&1 &
    SMTPD_SPAWN=$!
    # Recorded now (setpriv execs, so $! is python's PID): if readiness fails
    # before smtpd.py writes its own pid file, fail_start still stops it.
    echo "$SMTPD_SPAWN" >"$DIR/run/smtpd.pid"
    [ ${#RUN_AS[@]} -gt 0 ] && chown "$RUSER:$RGROUP" "$DIR/run/smtpd.pid"
    wait_ready || fail_start "servers did not become ready"

    cat >"$DIR/ports.env" <<ENV
RIG_DIR=$DIR
RIG_HOST=127.0.0.1
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
SMTP_PORT=$SMTP_PORT
SMTPS_PORT=$SMTPS_PORT
RIG_CA=$DIR/tls/ca.pem
RIG_USER=$RUSER
ENV
}

do_imap_down() {
    stop_pid dovecot "$DIR/run/dovecot/master.pid" "-c $DIR/dovecot.conf"
}

do_imap_up() {
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        local user=${RIG_USER:-nobody}
        run_as=(setpriv --reuid="$user" --regid="$(id -gn "$user")" --clear-groups --)
    fi
    "${run_as[@]}" dovecot -c "$DIR/dovecot.conf" 2>>"$DIR/log/dovecot.stderr" ||
        die "dovecot did not start again"
    local port i
    port=$(sed -n 's/^IMAPS_PORT=//p' "$DIR/ports.env")
    for i in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
    done
    die "dovecot does not listen on $port again"
}

case "$CMD" in
    start) do_start ;;
    stop) do_stop ;;
    imap-down) do_imap_down ;;
    imap-up) do_imap_up ;;
    *) echo "usage: $0 {start|stop|imap-down|imap-up} DIR" >&2; exit 64 ;;
esac
