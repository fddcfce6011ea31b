#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# baton check finds what poll would refuse, each problem on its own line,
# and says one line on success; check --connect logs in to the rig's real
# Dovecot and SMTP server, sends nothing, and reports each step.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../rig/lib-rig.sh"
rig_start
plan 29

printf 'teampass\n' > "$WORK/imap.pass"; chmod 600 "$WORK/imap.pass"
printf 'bobpass\n' > "$WORK/smtp.pass"; chmod 600 "$WORK/smtp.pass"
servers () {  # MAILBOX IMAP-CA SMTP-CA PROCESSED
  cat <<CONF
[imap]
url = imaps://127.0.0.1:$IMAPS_PORT/${1:-INBOX}
user = team@example.com
password-file = $WORK/imap.pass
${2-ca-file = $RIG_CA}
processed-folder = ${4:-Processed}
failed-folder = Failed

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
user = bob@example.com
password-file = $WORK/smtp.pass
${3-ca-file = $RIG_CA}
CONF
}
# The rig's Dovecot creates folders on delivery: make the two exist.
printf 'From: a@example.com\n\nx\n' | rig_deliver team@example.com Processed
printf 'From: a@example.com\n\nx\n' | rig_deliver team@example.com Failed

# --- check without connecting -----------------------------------------------
write_config "$(servers)"
out=$("$BATON" -c "$CONFIG" check 2>&1); rc=$?
is "a good config passes check" "$rc" 0
is "with one line that says so, and that it did not connect" "$out" \
  "$CONFIG: no problems found (servers not contacted: baton check --connect logs in to them)"
is "check -q says nothing" "$("$BATON" -q -c "$CONFIG" check 2>&1)" ""

chmod 644 "$WORK/imap.pass"
out=$("$BATON" -c "$CONFIG" check 2>&1); rc=$?
is "a password-file others can read fails check (as poll would)" "$rc" 78
like "naming it with chmod 600" "$out" "password-file $WORK/imap.pass can be read or written by others .mode 0644.: chmod 600"
chmod 600 "$WORK/imap.pass"

write_config "$(servers)"
cat >> "$CONFIG" <<'CONF'

[member Carol]
email = Bob@example.com
timezone = PST
CONF
line_email=$(grep -n '^email = Bob@example.com' "$CONFIG" | cut -d: -f1)
line_tz=$(grep -n '^timezone = PST' "$CONFIG" | cut -d: -f1)
out=$("$BATON" -c "$CONFIG" check 2>&1); rc=$?
is "a duplicate address and a timezone abbreviation fail check" "$rc" 78
like "the duplicate is reported on its own line ([member Carol], capitalised)" "$out" \
  "$CONFIG:$line_email: address bob@example.com belongs to both bob and carol"
like "PST gets a hint toward America/Los_Angeles" "$out" \
  "$CONFIG:$line_tz: timezone 'PST' is not an IANA zone: write the place, such as America/Los_Angeles"

# --- check --connect --------------------------------------------------------
write_config "$(servers)"
mark=$(rig_smtp_log | wc -l)
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
is "check --connect with good settings exits 0" "$rc" 0
like "it reports the IMAP login" "$out" "imap: 127.0.0.1:$IMAPS_PORT: TLS verified, logged in as team@example.com"
like "the mailbox" "$out" "imap: mailbox INBOX opened .UIDVALIDITY [0-9]*)"
like "the folders" "$out" "imap: failed-folder = Failed opened"
like "the SMTP login over STARTTLS" "$out" "smtp: smtp://127.0.0.1:$SMTP_PORT: EHLO, STARTTLS accepted, logged in as bob@example.com; no mail sent"
like "and ends with one line saying all is well" "$out" "$CONFIG: no problems found; the servers accepted baton"
is "the SMTP server saw a login over TLS" "$(tail -n +"$((mark + 1))" "$RIG_DIR/log/smtpd.log" | grep -c 'auth conn=.* result=ok')" 1
is "and no mail" "$(tail -n +"$((mark + 1))" "$RIG_DIR/log/smtpd.log" | grep -c 'delivered conn=')" 0

printf 'wrong\n' > "$WORK/imap.pass"
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
is "a wrong IMAP password: exit 77" "$rc" 77
like "one line naming the account" "$out" "imap: IMAP server 127.0.0.1:$IMAPS_PORT refused the login of team@example.com"
like "and the real keys: user = and password-file =" "$out" "check user = and password-file = .or password-command =. in .imap."
case "$out" in *libsasl2*) fail "no SASL plugin hint when the server said no" "$out" ;; *) pass "no SASL plugin hint when the server said no" ;; esac
printf 'teampass\n' > "$WORK/imap.pass"

printf 'wrong\n' > "$WORK/smtp.pass"
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
is "a wrong SMTP password: exit 77" "$rc" 77
like "its own line naming [smtp]'s keys" "$out" "smtp: SMTP server 127.0.0.1 refused the login .*check user = and password-file = .or password-command =. in .smtp."
printf 'bobpass\n' > "$WORK/smtp.pass"

write_config "$(servers No-Such-Box)"
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
is "a mailbox that does not exist: exit 78" "$rc" 78
like "one line pointing at url =" "$out" "cannot open mailbox \"No-Such-Box\" for team@example.com .*: check the mailbox at the end of url = in .imap."

write_config "$(servers INBOX "ca-file = $RIG_CA" "ca-file = $RIG_CA" Never-Made)"
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
like "a processed-folder not made yet is said, with who makes it" "$out" \
  "imap: processed-folder = Never-Made cannot be opened yet"
is "and is no failure (the first move creates it)" "$rc" 0

write_config "$(servers INBOX "" "")"
out=$("$BATON" -c "$CONFIG" check --connect 2>&1); rc=$?
is "untrusted certificates: exit 78" "$rc" 78
like "one line for IMAP naming ca-file" "$out" "imap: IMAP server 127.0.0.1:$IMAPS_PORT presented a certificate.*ca-file"
like "one line for SMTP naming ca-file" "$out" "smtp: SMTP server 127.0.0.1: server certificate verification failed.*set ca-file = in .smtp."
