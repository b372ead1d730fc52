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
# -noreset: by default Xvfb resets each time its last client leaves and drops
# a client connecting at that moment ("X11: Failed to open display", about 1
# launch in 100 under the tests' xdotool loops; docs/x11-open-display.md).
exec xvfb-run -a -n "$start" -s "-screen 0 1280x1024x24 -nolisten tcp -noreset" sh storage/testdata/with-keyring.sh "$@"
