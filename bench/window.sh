#!/bin/sh
# window.sh: the window comparison (figure 3 of bench/README.md): time to
# first frame, resident memory and idle CPU of `tokendesk --demo` against a
# bare Fyne window (bench/barewindow), both under the Xvfb display of
# bench/run.sh. Also `tokendesk` on one logged-in sandbox profile, where the
# countdown really counts down. Uses $T, $tmp, $results, $LAUNCHES, $IDLE,
# $SETTLE and $IDLE_ROUNDS from bench/run.sh.
set -eu
. "$(dirname "$0")/lib.sh"
bare="$tmp/barewindow"
: >"$tmp/ff.demo"; : >"$tmp/ff.bare"; : >"$tmp/ff.tray"; : >"$tmp/idle.demo"; : >"$tmp/idle.bare"; : >"$tmp/idle.live"

# Warm-up: one launch of each (page cache, font cache, GL shader cache).
window_run "$tmp/warm" "Token Desk" 0 "$T" --demo
window_run "$tmp/warm" "Bare Fyne" 0 "$bare"

log "window: $LAUNCHES launches of each, alternating (first frame)"
i=0
while [ "$i" -lt "$LAUNCHES" ]; do
	if [ $((i % 2)) = 0 ]; then
		window_run "$tmp/ff.demo" "Token Desk" 0 "$T" --demo
		window_run "$tmp/ff.bare" "Bare Fyne" 0 "$bare"
		window_run "$tmp/ff.tray" "Bare Fyne" 0 "$bare" -tray
	else
		window_run "$tmp/ff.tray" "Bare Fyne" 0 "$bare" -tray
		window_run "$tmp/ff.bare" "Bare Fyne" 0 "$bare"
		window_run "$tmp/ff.demo" "Token Desk" 0 "$T" --demo
	fi
	i=$((i + 1))
done

# A logged-in profile on a sandbox, for the countdown case.
sp=$(freeport)
cp=$(freeport)
base="http://127.0.0.1:$sp"
export TOKENDESK_CONFIG_DIR="$tmp/window-config"
"$T" sandbox --addr "127.0.0.1:$sp" --auto-accept --redirect-uri "http://127.0.0.1:$cp/callback" >"$tmp/w-sandbox.out" 2>"$tmp/w-sandbox.log" &
echo $! >>"$tmp/pids"
until curl -sf -o /dev/null "$base/"; do sleep 0.05; done
key=$(awk '/integration key:/ { print $3 }' "$tmp/w-sandbox.out")
"$T" profile add live --integration-key "$key" --env "$base" --ports "$cp" >/dev/null
: >"$tmp/url"
"$T" login --no-browser -p live >"$tmp/url" 2>"$tmp/login.err" &
lp=$!
until [ -s "$tmp/url" ]; do sleep 0.02; done
curl -sSL -o /dev/null "$(head -n 1 "$tmp/url")"
wait "$lp"

log "window: $IDLE_ROUNDS rounds of ${IDLE}s idle each, alternating"
i=0
while [ "$i" -lt "$IDLE_ROUNDS" ]; do
	if [ $((i % 2)) = 0 ]; then
		window_run "$tmp/idle.demo" "Token Desk" "$IDLE" "$T" --demo
		window_run "$tmp/idle.bare" "Bare Fyne" "$IDLE" "$bare"
	else
		window_run "$tmp/idle.bare" "Bare Fyne" "$IDLE" "$bare"
		window_run "$tmp/idle.demo" "Token Desk" "$IDLE" "$T" --demo
	fi
	window_run "$tmp/idle.live" "Token Desk" "$IDLE" "$T"
	i=$((i + 1))
done
unset TOKENDESK_CONFIG_DIR

row "window: first frame (--demo)" "bare Fyne" "$(column 1 "$tmp/ff.demo")" "$(column 1 "$tmp/ff.bare")" ms 1.15
row "window: first frame, bare Fyne + tray" "bare Fyne" "$(column 1 "$tmp/ff.tray")" "$(column 1 "$tmp/ff.bare")" ms -
row "window: RSS after ${IDLE}s (--demo)" "bare Fyne" "$(( $(column 2 "$tmp/idle.demo" | cut -d. -f1) / 1024 ))" "$(( $(column 2 "$tmp/idle.bare" | cut -d. -f1) / 1024 ))" MiB 1.2
row "window: idle CPU over ${IDLE}s (--demo)" "bare Fyne" "$(column 3 "$tmp/idle.demo")" "$(column 3 "$tmp/idle.bare")" % 1.0
row "window: idle CPU, logged in (countdown)" "bare Fyne" "$(column 3 "$tmp/idle.live")" "$(column 3 "$tmp/idle.bare")" % 1.0
row "window: RSS, logged in" "bare Fyne" "$(( $(column 2 "$tmp/idle.live" | cut -d. -f1) / 1024 ))" "$(( $(column 2 "$tmp/idle.bare" | cut -d. -f1) / 1024 ))" MiB 1.2
