#!/bin/sh
# Builds and opens Token Desk. With no DocuSign profile yet it opens in demo
# mode on the built-in sandbox. Extra arguments go to tokendesk
# (e.g. scripts/run.sh --demo, scripts/run.sh status).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
mkdir -p bin
go build -o bin/tokendesk .
exec ./bin/tokendesk "$@"
