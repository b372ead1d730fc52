# Shared helpers of the bench scripts (sourced, POSIX sh). Expects $tmp (a
# private temporary directory) and $results (the table file) to be set.

# log MSG... prints progress on stderr.
log() { printf '%s\n' "bench: $*" >&2; }

# freeport prints a loopback TCP port nobody listens on now.
freeport() {
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

# median reads numbers (one per line) and prints their median.
median() {
	sort -g | awk '{a[NR]=$1} END { if (NR == 0) { print "nan"; exit } if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}

# row NAME BASELINE_NAME VALUE BASE UNIT TARGET_RATIO [NOTE] appends one line
# to the results table: value, baseline, ratio and whether the target holds.
row() {
	ratio=$(awk -v a="$3" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	met=$(awk -v r="$ratio" -v t="$6" 'BEGIN { if (t == "-" || r == "n/a") print "-"; else if (r + 0 <= t + 0) print "yes"; else print "NO" }')
	tgt="≤ $6×"
	[ "$6" != - ] || tgt="-"
	printf '| %s | %s %s | %s: %s %s | %s× | %s | %s |\n' "$1" "$3" "$5" "$2" "$4" "$5" "$ratio" "$tgt" "$met" >>"$results"
	printf 'bench: %-38s %10s %-3s vs %10s %-3s  ratio %s× (target %s: %s)\n' "$1" "$3" "$5" "$4" "$5" "$ratio" "$tgt" "$met" >&2
}

# compare NAME TARGET ROUNDS RUNS BASE_NAME "CMD_A" "CMD_B"
# Times two commands (each one string, split into words by hyperfine, run
# without a shell) with hyperfine, alternating: ROUNDS rounds of RUNS runs of
# each, the order flipping every round, after a warm-up of both. Appends a
# table row with the medians in ms and their ratio A/B.
compare() {
	name=$1 target=$2 rounds=$3 runs=$4 bname=$5 a=$6 b=$7
	: >"$tmp/times.a"
	: >"$tmp/times.b"
	hyperfine -N -w 3 -r 2 "$a" >/dev/null 2>"$tmp/hf.err" || { log "$name: the command failed: $a"; cat "$tmp/hf.err" >&2; return 1; }
	hyperfine -N -w 3 -r 2 "$b" >/dev/null 2>"$tmp/hf.err" || { log "$name: the baseline failed: $b"; cat "$tmp/hf.err" >&2; return 1; }
	i=0
	while [ "$i" -lt "$rounds" ]; do
		order="a b"
		[ $((i % 2)) = 0 ] || order="b a"
		for side in $order; do
			if [ "$side" = a ]; then cmd=$a; else cmd=$b; fi
			hyperfine -N -r "$runs" --export-json "$tmp/h.json" "$cmd" >/dev/null 2>"$tmp/hf.err" || { log "$name: a run failed: $cmd"; cat "$tmp/hf.err" >&2; return 1; }
			jq -r '.results[0].times[] * 1000' "$tmp/h.json" >>"$tmp/times.$side"
		done
		i=$((i + 1))
	done
	ma=$(median <"$tmp/times.a")
	mb=$(median <"$tmp/times.b")
	row "$name" "$bname" "$(printf '%.2f' "$ma")" "$(printf '%.2f' "$mb")" ms "$target"
}

# window_run OUT TITLE IDLE_SECONDS CMD... launches a window app in the
# background and appends one line "first_frame_ms rss_kib cpu_percent" to
# OUT: the time until a visible window whose name starts with TITLE of that process is mapped
# (xdotool), then, after $SETTLE s, the CPU (utime+stime of all its threads
# from /proc/PID/stat) over IDLE_SECONDS, and VmRSS at the end. With
# IDLE_SECONDS 0 only the first frame and the RSS after $SETTLE s are taken
# (cpu is "-"). The process is stopped with SIGTERM afterwards.
window_run() {
	out=$1 title=$2 idle=$3
	shift 3
	mkdir -p "$tmp/xdg-config"
	xdotool getdisplaygeometry >/dev/null 2>&1 || { log "the X display $DISPLAY is gone (did another process stop Xvfb or clean /tmp/.X11-unix?)"; return 1; }
	t0=$(date +%s%N)
	# Fyne keeps its preferences under $XDG_CONFIG_HOME: a private one.
	XDG_CONFIG_HOME="$tmp/xdg-config" "$@" >"$tmp/window.out" 2>"$tmp/window.err" &
	wp=$!
	echo "$wp" >>"$tmp/pids"
	i=0
	until xdotool search --all --onlyvisible --pid "$wp" --name "^$title" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 3000 ] || ! kill -0 "$wp" 2>/dev/null; then
			log "no window \"$title\" from: $*"
			xdotool search --name . getwindowname %@ >&2 2>/dev/null || true
			cat "$tmp/window.err" >&2
			kill "$wp" 2>/dev/null || true
			return 1
		fi
		sleep 0.005
	done
	t1=$(date +%s%N)
	sleep "$SETTLE"
	cpu=-
	if [ "$idle" -gt 0 ]; then
		c0=$(awk '{ print $14 + $15 }' "/proc/$wp/stat")
		s0=$(date +%s%N)
		sleep "$idle"
		c1=$(awk '{ print $14 + $15 }' "/proc/$wp/stat")
		s1=$(date +%s%N)
		cpu=$(awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v ns="$((s1 - s0))" 'BEGIN { printf "%.3f", c / hz / (ns / 1e9) * 100 }')
	fi
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$wp/status")
	kill "$wp" 2>/dev/null || true
	wait "$wp" 2>/dev/null || true
	echo "$(( (t1 - t0) / 1000000 )) $rss $cpu" >>"$out"
}

# column N FILE prints the median of column N of FILE (lines "a b c").
column() { awk -v n="$1" '$n != "-" { print $n }' "$2" | median; }
