#!/bin/sh
# Installs the Debian/Ubuntu packages Token Desk needs, once.
#   scripts/deps.sh build   what `go build` needs (cgo, GL, X11 headers)
#   scripts/deps.sh test    build + what the tests need (Xvfb, D-Bus, gnome-keyring, Chromium, mingw-w64,
#                           Node.js and npm for the conformance server)
# Runs apt-get only when something is missing; uses sudo when not root.
set -eu
BUILD="gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev ca-certificates"
TEST="xvfb xauth x11-utils imagemagick xdotool dbus gnome-keyring libsecret-tools chromium gcc-mingw-w64-x86-64 curl hyperfine jq"
case "${1:-build}" in
  build) want="$BUILD" ;;
  test) want="$BUILD $TEST" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# --- conformance (oidc-provider, conformance/): Node.js and npm, checked by
# command because a Node.js from elsewhere (e.g. NodeSource, which bundles
# npm) is as good as Debian's nodejs; the pinned oidc-provider runs on 18+.
if [ "${1:-build}" = test ]; then
  command -v node >/dev/null 2>&1 || command -v nodejs >/dev/null 2>&1 || missing="$missing nodejs"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
# --- end conformance
[ -z "$missing" ] && exit 0
command -v apt-get >/dev/null 2>&1 || { echo "tokendesk: please install:$missing" >&2; exit 1; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "Installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
