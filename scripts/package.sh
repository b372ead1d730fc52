#!/bin/sh
# Builds an installable package with Fyne's packager from FyneApp.toml.
#   scripts/package.sh linux     →  "Token Desk.tar.xz" (make install puts the binary, icon and .desktop file in place)
#   scripts/package.sh windows   →  "Token Desk.exe" with the icon and metadata (cross-built with mingw-w64)
# macOS packages must be built on a Mac: scripts/package.sh darwin there.
set -eu
cd "$(dirname "$0")/.."
os=${1:-linux}
sh scripts/deps.sh build
[ "$os" = windows ] && { sh scripts/deps.sh test; export CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1; }
GOBIN="$PWD/bin" go install fyne.io/tools/cmd/fyne@v1.7.4
exec ./bin/fyne package -os "$os"
