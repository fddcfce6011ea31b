#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages baton needs, only those that are missing.
#   --build  what `make` needs
#   --test   that plus the real servers and peers the test suite starts,
#            /usr/bin/time (hostile.t measures memory), clang (make fuzz) and
#            clang-format (format.t), chromium + chromium-driver +
#            python3-selenium (board-browser.t), python3-feedparser (board.t)
#   --bench  that plus the baselines `make bench` compares against
set -eu
build="build-essential pkg-config libdpkg-perl libetpan-dev libgmime-3.0-dev
libsqlite3-dev libcurl4-gnutls-dev libjson-glib-dev libsasl2-modules libical-dev"
test="dovecot-imapd python3-aiosmtpd openssl procmail sqlite3 perl groff-base mandoc
time clang libclang-rt-14-dev clang-format
chromium chromium-driver python3-selenium python3-feedparser"
# make bench's baselines: notmuch (maildir), mbsync (imap), msmtp (smtp).
bench="notmuch isync msmtp"
case "${1:---build}" in
  --build) want=$build ;;
  --test) want="$build $test" ;;
  --bench) want="$build $test $bench" ;;
  *) echo "usage: $0 [--build|--test|--bench]" >&2; exit 64 ;;
esac
missing=
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing" >&2
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Dovecot's package starts a system instance; the tests run their own.
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
