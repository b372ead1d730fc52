#!/bin/sh
# x11-repro.sh [N]: measures the rare "X11: Failed to open display" at GLFW
# start-up (docs/x11-open-display.md). For each kind of X server (Xvfb as
# xvfb-run starts it, which resets when its last client leaves, and Xvfb
# -noreset) it launches each client N times (default 300) while a poller
# connects and disconnects every 5 ms, as the window tests' `xdotool search`
# loops do, and counts the launches that could not open the display:
#   xlib       XOpenDisplay through cgo        (internal/x11repro/xopen)
#   glfw       glfw.Init, as Fyne's driver     (internal/x11repro/glfwinit)
#   glfw+hold  x11start.Hold, then glfw.Init   (what Token Desk's window does)
# Needs Xvfb; uses xdotool as the poller when installed. Runs nice'd, one
# launch at a time; about 1 minute per 300 launches of each row.
set -eu
cd "$(dirname "$0")/.."
n=${1:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/x11-repro.XXXXXX")
xvfb="" poller=""
cleanup() {
	[ -n "$poller" ] && kill "$poller" 2>/dev/null || true
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

nice -n 10 go build -tags x11repro -o "$tmp/xopen" ./internal/x11repro/xopen
nice -n 10 go build -tags x11repro -o "$tmp/glfwinit" ./internal/x11repro/glfwinit

# start_xvfb ARGS...: starts a private Xvfb (it picks a free display number)
# and sets DISPLAY.
start_xvfb() {
	rm -f "$tmp/displayfd"
	mkfifo "$tmp/displayfd"
	Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x1024x24 "$@" 3>"$tmp/displayfd" 2>"$tmp/xvfb.log" &
	xvfb=$!
	read -r num <"$tmp/displayfd"
	DISPLAY=:$num
	export DISPLAY
}
stop_xvfb() {
	kill "$xvfb"
	wait "$xvfb" 2>/dev/null || true
	xvfb=""
}
# start_poller: a client that connects and disconnects every 5 ms.
start_poller() {
	rm -f "$tmp/stop"
	if command -v xdotool >/dev/null 2>&1; then
		(while [ ! -f "$tmp/stop" ]; do xdotool search --name "^no such window$" >/dev/null 2>&1 || true; sleep 0.005; done) &
	else
		(while [ ! -f "$tmp/stop" ]; do "$tmp/xopen" >/dev/null 2>&1 || true; sleep 0.005; done) &
	fi
	poller=$!
}
stop_poller() {
	touch "$tmp/stop"
	wait "$poller" 2>/dev/null || true
	poller=""
}
# count NAME CMD...: launches CMD n times; prints NAME and the failures.
count() {
	name=$1
	shift
	fail=0 i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		if ! nice -n 10 "$@" >/dev/null 2>"$tmp/err" || grep -q "open display" "$tmp/err"; then
			fail=$((fail + 1))
		fi
	done
	printf '%-22s %-10s %4d of %d launches failed\n' "$mode" "$name" "$fail" "$n"
}

echo "x11-repro: $n launches per row; poller: $(command -v xdotool >/dev/null 2>&1 && echo xdotool || echo xopen)"
for mode in "Xvfb (resets)" "Xvfb -noreset"; do
	if [ "$mode" = "Xvfb -noreset" ]; then start_xvfb -noreset; else start_xvfb; fi
	start_poller
	count xlib "$tmp/xopen"
	count glfw "$tmp/glfwinit"
	count glfw+hold "$tmp/glfwinit" -hold
	stop_poller
	stop_xvfb
done
