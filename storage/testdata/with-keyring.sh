#!/bin/sh
# with-keyring.sh CMD [ARG...]
#
# Runs CMD inside a private D-Bus session with a freshly created, unlocked
# gnome-keyring (Secret Service), and with TOKENDESK_REAL_KEYRING=1 exported
# so that storage's real-keyring tests run. The keyring lives in temporary
# XDG_DATA_HOME/XDG_RUNTIME_DIR directories that are removed afterwards; the
# user's own keyring, bus and HOME (hence GOCACHE) are left alone. The daemons
# end with the session. Needs dbus-run-session, gnome-keyring-daemon and
# dbus-send (packages dbus, gnome-keyring). The exit status is CMD's. In
# containers dbus-daemon prints "Failed to set fd limit"; that is harmless.
set -eu
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
	command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokendesk-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/data" "$tmp/run"
chmod 700 "$tmp/run"

XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" \
dbus-run-session -- sh -ec '
	# The password must not be empty: with an empty one no login keyring is
	# created and every call fails with "failed to unlock correct collection".
	printf %s tokendesk-test-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	i=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
	do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "with-keyring.sh: the Secret Service did not come up" >&2; exit 1; }
		sleep 0.1
	done
	export TOKENDESK_REAL_KEYRING=1
	"$@"
' with-keyring "$@"
