#!/bin/sh
# Runs every Token Desk check: gofmt, go vet (linux, windows, darwin), the
# whole test suite inside a private D-Bus session with a real gnome-keyring
# and under Xvfb, short fuzz runs, the Windows cross-build, the window smoke
# test in demo mode with headless Chromium, and a smoke run of the
# benchmarks so they cannot rot.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
export LANGUAGE=en_US CGO_ENABLED=1

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$bad" ] || { echo "gofmt would change:"; echo "$bad"; exit 1; }

echo "== go vet (linux)"
go vet ./...
echo "== go vet (windows, darwin: every package that builds without cgo there)"
GOOS=windows CGO_ENABLED=0 go vet $(go list ./... | grep -v -e '/tokendesk$')
GOOS=darwin CGO_ENABLED=0 go vet $(go list ./... | grep -v -e '/tokendesk$' -e '/ui$')
echo "== windows cross-build (mingw-w64)"
GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc go build -o "${TMPDIR:-/tmp}/tokendesk-windows.exe" .

# --- conformance (oidc-provider): install the pinned server from the committed
# lockfile, and make its Go tests fail rather than skip if anything is missing.
echo "== conformance server (npm ci from conformance/package-lock.json)"
if [ ! conformance/node_modules/.package-lock.json -nt conformance/package-lock.json ]; then
  (cd conformance && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
export TOKENDESK_REQUIRE_CONFORMANCE=1
# --- end conformance

echo "== tests (real keyring, Xvfb, Chromium, oidc-provider)"
export TOKENDESK_REQUIRE_BROWSER=1
results=$(mktemp)
trap 'rm -f "$results"' EXIT
rc=0
sh scripts/with-session.sh go test -count=1 -json ./... >"$results" || rc=$?
# The usual per-package lines, then the full output of any failing test.
jq -r 'select(.Action == "output" and .Test == null) | .Output' "$results" | grep -E '^(ok|FAIL|\?|panic|#)' || true
jq -rs '[.[] | select(.Action == "fail" and .Test != null) | .Package + " " + .Test] as $failed
  | .[] | select(.Action == "output" and .Test != null and ((.Package + " " + .Test) as $t | $failed | index($t)))
  | .Output' "$results"
count() { jq -s "[.[] | select(.Action == \"$1\" and .Test != null)] | length" "$results"; }
summary="$(count pass) passed, $(count fail) failed, $(count skip) skipped"
echo "$summary"
[ "$rc" -eq 0 ] || { echo "tests failed" >&2; exit "$rc"; }

echo "== fuzz (10s each)"
for target in "FuzzParseCallback ./oauth" "FuzzParseTokenResponse ./oauth" "FuzzCleanText ./oauth" "FuzzDecode ./oauth/dstoken"; do
  set -- $target
  go test -run='^$' -fuzz="^$1\$" -fuzztime=10s "$2"
done

echo "== window smoke test (real binary, demo mode, Xvfb, Chromium)"
sh scripts/with-session.sh sh scripts/smoke-window.sh

echo "== benchmark smoke (correctness only: tiny counts, no timing assertions)"
sh bench/run.sh --smoke
echo "all checks passed; go tests:"
echo "$summary"
