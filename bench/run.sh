#!/bin/sh
# bench/run.sh [--smoke] [cli] [agent] [window] [go] [scale]
#
# Runs Token Desk's benchmarks (see bench/README.md) and prints a table with
# the medians, the ratio against each baseline and whether the target holds.
# With no section named, runs them all. --smoke runs every section with tiny
# counts and a 5 s idle window: it checks that the benchmarks still work and
# asserts nothing about timings.
#
# The whole run happens inside scripts/with-session.sh: a virtual X display
# (Xvfb) and a private D-Bus session with a fresh, unlocked gnome-keyring, so
# the user's display, bus and keyring are never touched. Needs hyperfine, jq,
# curl, secret-tool, xdotool, xvfb-run, dbus and gnome-keyring.
set -eu
cd "$(dirname "$0")/.."

smoke=0
sections=""
for a in "$@"; do
	case $a in
	--smoke) smoke=1 ;;
	cli | agent | window | go | scale) sections="$sections $a" ;;
	*) echo "usage: $0 [--smoke] [cli] [agent] [window] [go] [scale]" >&2; exit 2 ;;
	esac
done
[ -n "$sections" ] || sections="cli agent window go scale"

if [ "${TOKENDESK_BENCH_SESSION:-}" != 1 ]; then
	for tool in hyperfine jq curl secret-tool xdotool xvfb-run; do
		command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is not installed (apt-get install hyperfine jq curl libsecret-tools xdotool xvfb)" >&2; exit 1; }
	done
	TOKENDESK_BENCH_SESSION=1 exec sh scripts/with-session.sh sh bench/run.sh "$@"
fi

export LANGUAGE=en_US CGO_ENABLED=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokendesk-bench.XXXXXX")
results="$tmp/results.md"
: >"$tmp/pids"
cleanup() {
	for p in $(cat "$tmp/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	for p in $(cat "$tmp/pids" 2>/dev/null); do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp" 2>/dev/null || { sleep 1; rm -rf "$tmp"; } || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export tmp results

if [ "$smoke" = 1 ]; then
	ROUNDS=2 RUNS=2 IDLE=${BENCH_IDLE:-5} IDLE_ROUNDS=1 LAUNCHES=2 SETTLE=1 GOCOUNT=1 GOTIME=1x SCALE_PROFILES=3
else
	ROUNDS=${BENCH_ROUNDS:-10} RUNS=${BENCH_RUNS:-5} IDLE=${BENCH_IDLE:-60} IDLE_ROUNDS=${BENCH_IDLE_ROUNDS:-3} LAUNCHES=${BENCH_LAUNCHES:-10} SETTLE=${BENCH_SETTLE:-3}
	GOCOUNT=${BENCH_COUNT:-6} GOTIME=${BENCH_TIME:-1s} SCALE_PROFILES=${BENCH_PROFILES:-200}
fi
export ROUNDS RUNS IDLE IDLE_ROUNDS LAUNCHES SETTLE SCALE_PROFILES

echo "bench: building" >&2
T="$tmp/tokendesk"
export T
go build -o "$T" .
go build -tags tokendesk_bench -o "$tmp/barewindow" ./bench/barewindow

{
	echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3-), $(hyperfine --version)"
	echo
	echo "| figure | Token Desk | baseline | ratio | target | met |"
	echo "|---|---|---|---|---|---|"
} >"$results"

for s in $sections; do
	case $s in
	cli) sh bench/cli.sh ;;
	agent) sh bench/agent.sh ;;
	window) sh bench/window.sh ;;
	scale) sh bench/scale.sh ;;
	go)
		echo "bench: go benchmarks (keeper, desk)" >&2
		if ! go test -run '^$' -bench . -benchtime "$GOTIME" -count "$GOCOUNT" ./keeper/ ./desk/ >"$tmp/go-bench.txt" 2>&1; then
			cat "$tmp/go-bench.txt" >&2
			echo "bench: the Go benchmarks failed" >&2
			exit 1
		fi
		grep -E '^(Benchmark|ok)' "$tmp/go-bench.txt" >&2
		if [ "$smoke" = 0 ]; then
			(cd "$tmp" && go run golang.org/x/perf/cmd/benchstat@latest -col /profiles -filter '.name:ScaleIdle' go-bench.txt) >&2 || true
			(cd "$tmp" && go run golang.org/x/perf/cmd/benchstat@latest go-bench.txt) >&2 || true
		fi
		;;
	esac
done

echo >&2
cat "$results"
[ "$smoke" = 0 ] || echo "bench: smoke run passed (timings above are not meaningful)"
