#!/bin/sh
# Rebuilds english-words.txt: the lowercase ASCII words of five or more letters
# of the SCOWL word lists shipped by Debian's `wamerican` and `wbritish`
# packages (see LICENSE-SCOWL.txt), sorted bytewise, one per line.
# sco-bot uses it to tell real English words (never "corrected") from typos.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
apt-get download wamerican wbritish
for deb in *.deb; do dpkg-deb -x "$deb" x; done
cat x/usr/share/dict/american-english x/usr/share/dict/british-english \
  | grep -v "'" | LC_ALL=C grep -E '^[A-Za-z]{5,}$' | tr 'A-Z' 'a-z' | LC_ALL=C sort -u \
  > "$here/english-words.txt"
