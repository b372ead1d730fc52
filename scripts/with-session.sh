#!/bin/sh
# with-session.sh CMD [ARG...]
# Runs CMD under a virtual X display (Xvfb) and inside a private D-Bus session
# with a fresh, unlocked gnome-keyring (TOKENDESK_REAL_KEYRING=1), so tests
# never touch the user's display, bus or keyring.
set -eu
cd "$(dirname "$0")/.."
# xvfb-run -a searches for a free display from --server-num (default 99) and
# does not wait for its Xvfb to exit when it finishes. Back-to-back sessions
# then reuse :99 while the previous server, still exiting, removes the new
# server's socket ("Failed to open display :99"). Start each session's
# search at a different number.
start=$((100 + $$ % 800))
exec xvfb-run -a -n "$start" -s "-screen 0 1280x1024x24 -nolisten tcp" sh storage/testdata/with-keyring.sh "$@"
