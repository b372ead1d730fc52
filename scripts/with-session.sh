#!/bin/sh
# with-session.sh CMD [ARG...]
# Runs CMD under a virtual X display (Xvfb) and inside a private D-Bus session
# with a fresh, unlocked gnome-keyring (TOKENDESK_REAL_KEYRING=1), so tests
# never touch the user's display, bus or keyring.
set -eu
cd "$(dirname "$0")/.."
exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" sh storage/testdata/with-keyring.sh "$@"
