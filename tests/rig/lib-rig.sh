# SPDX-License-Identifier: MIT
# lib-rig.sh - helpers for TAP shell tests that need real mail servers.
# Source it from a tests/shell/*.t script:
#
#   . "$(dirname "$0")/../rig/lib-rig.sh"
#   rig_start                 # servers up; ports.env variables exported
#   tap_plan 3
#   rig_deliver team@example.com INBOX <<'MAIL' ... MAIL
#   tap_is "$(rig_count team@example.com INBOX)" 1 "one message in INBOX"
#
# rig_start makes a short temporary directory under /tmp (Dovecot's socket
# paths must stay short), starts tests/rig/rig.sh there and stops it (only
# the processes it started) and removes the directory when the script exits.

RIG_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BATON_BUILD=${BATON_BUILD:-$(cd "$RIG_HOME/../.." && pwd)/build}
RIG_TOOLS=$BATON_BUILD/tools

# Library-internal leaks (libetpan, GnuTLS, libcurl init) are suppressed in
# sanitizer builds; our own frames never are. See tests/lsan.supp.
export LSAN_OPTIONS="suppressions=$RIG_HOME/../lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# The assertions are tests/lib.sh's (one counter, one failure format for
# every test file); tap_* keep the argument order these tests were written
# in: GOT, WANT, then the description. lib.sh also gives the test its
# private $WORK and HOME, and the EXIT trap that runs cleanup_hooks.
declare -F pass > /dev/null || . "$RIG_HOME/../lib.sh"
tap_plan() { plan "$1"; }
tap_ok() {  # tap_ok STATUS DESCRIPTION: STATUS 0 passes
    if [ "$1" = 0 ]; then pass "$2"; else fail "$2" "exit status $1"; fi
}
tap_is() { is "$3" "$1" "$2"; }  # tap_is GOT WANT DESCRIPTION
tap_like() {  # tap_like TEXT SUBSTRING DESCRIPTION: a plain substring, not a pattern
    case "$1" in
        *"$2"*) pass "$3" ;;
        *) fail "$3" "text: $1" "does not contain: $2" ;;
    esac
}
tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

rig_stop() {
    [ -n "${RIG_DIR:-}" ] || return 0
    "$RIG_HOME/rig.sh" stop "$RIG_DIR" >/dev/null 2>&1
    rm -rf "$RIG_DIR"
    RIG_DIR=
}

rig_start() {
    local dir
    dir=$(mktemp -d /tmp/brig.XXXXXX) || { echo "Bail out! mktemp failed"; exit 1; }
    RIG_DIR=$dir
    cleanup_hooks+=(rig_stop)      # run by lib.sh's EXIT trap
    trap 'exit 130' INT TERM HUP   # via exit, so the EXIT trap stops the rig
    # Ports are picked free but released before the daemons bind them; if
    # another process took one meanwhile, a second start picks new ones.
    if ! "$RIG_HOME/rig.sh" start "$dir" >"$dir.start.log" 2>&1 &&
       ! "$RIG_HOME/rig.sh" start "$dir" >>"$dir.start.log" 2>&1; then
        echo "Bail out! rig did not start: $(tail -n 5 "$dir.start.log" | tr '\n' ' ')"
        rm -f "$dir.start.log"
        exit 1
    fi
    rm -f "$dir.start.log"
    set -a
    . "$dir/ports.env"
    set +a
}

# Maildir of USER (team@example.com) and FOLDER (INBOX or a folder name).
rig_maildir() {
    local login=$1 folder=${2:-INBOX} base
    base=$RIG_DIR/mail/${login#*@}/${login%%@*}/Maildir
    if [ "$folder" = INBOX ]; then echo "$base"; else echo "$base/.${folder//\//.}"; fi
}

# Delivers stdin as one message into USER's FOLDER (new/), owned by the
# user the servers run as.
rig_deliver() {
    local dir name
    dir=$(rig_maildir "$1" "${2:-INBOX}")
    mkdir -p "$dir"/{cur,new,tmp}
    name=$(date +%s).M$RANDOM${RANDOM}P$$.rig
    cat >"$dir/tmp/$name"
    [ "$(id -u)" = 0 ] && chown -R "$RIG_USER" "$dir"
    mv "$dir/tmp/$name" "$dir/new/$name"
}

# Delivers N small messages ("Subject: test i") into USER's FOLDER.
rig_deliver_n() {
    local login=$1 folder=$2 n=$3 i dir
    dir=$(rig_maildir "$login" "$folder")
    mkdir -p "$dir"/{cur,new,tmp}
    for i in $(seq "$n"); do
        printf 'From: sender@example.org\nTo: %s\nSubject: test %d\nMessage-ID: <t%d.%d@rig>\n\nBody %d.\n' \
            "$login" "$i" "$i" "$$" "$i" >"$dir/new/$(date +%s).M${i}P$$.rig"
    done
    [ "$(id -u)" = 0 ] && chown -R "$RIG_USER" "$dir"
    return 0
}

# Number of messages in USER's FOLDER on disk (new/ and cur/).
rig_count() {
    local dir
    dir=$(rig_maildir "$1" "${2:-INBOX}")
    [ -d "$dir" ] || { echo 0; return; }
    find "$dir/new" "$dir/cur" -type f 2>/dev/null | wc -l | tr -d ' '
}

# Makes the SMTP server answer STAGE (mail, rcpt, data) with REPLY; no
# REPLY: answer normally again.
rig_smtp_reply() {
    if [ -n "${2:-}" ]; then echo "$2" >"$RIG_DIR/control/smtp-$1"; else rm -f "$RIG_DIR/control/smtp-$1"; fi
}

# Lines of the SMTP server's log, for counting connections and deliveries.
rig_smtp_log() { cat "$RIG_DIR/log/smtpd.log"; }
