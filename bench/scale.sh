#!/bin/sh
# scale.sh: many profiles in one running app (figure 5 of bench/README.md):
# the real `tokendesk` window over $SCALE_PROFILES logged-in profiles (real
# keyring, sandbox on loopback) against the same window over 1 profile:
# start-up to first frame, idle CPU over $IDLE s and RSS. The in-process
# side (goroutines, timers, heap, a simulated day) is desk/scale_test.go.
# Uses $T, $tmp, $results, $IDLE, $SETTLE, $IDLE_ROUNDS and $SCALE_PROFILES.
set -eu
. "$(dirname "$0")/lib.sh"

sp=$(freeport)
cp=$(freeport)
base="http://127.0.0.1:$sp"
"$T" sandbox --addr "127.0.0.1:$sp" --auto-accept --redirect-uri "http://127.0.0.1:$cp/callback" >"$tmp/s-sandbox.out" 2>"$tmp/s-sandbox.log" &
echo $! >>"$tmp/pids"
until curl -sf -o /dev/null "$base/"; do sleep 0.05; done
key=$(awk '/integration key:/ { print $3 }' "$tmp/s-sandbox.out")

# fill DIR N: N logged-in profiles in config dir DIR.
fill() {
	export TOKENDESK_CONFIG_DIR="$1"
	n=0
	while [ "$n" -lt "$2" ]; do
		name=$(printf 'p%03d' "$n")
		"$T" profile add "$name" --integration-key "$key" --env "$base" --ports "$cp" >/dev/null
		: >"$tmp/url"
		"$T" login --no-browser -p "$name" >"$tmp/url" 2>"$tmp/login.err" &
		lp=$!
		until [ -s "$tmp/url" ]; do sleep 0.01; done
		curl -sSL -o /dev/null "$(head -n 1 "$tmp/url")"
		wait "$lp" || { log "login $name failed"; cat "$tmp/login.err" >&2; exit 1; }
		n=$((n + 1))
	done
	unset TOKENDESK_CONFIG_DIR
}
log "scale: logging in $SCALE_PROFILES profiles"
fill "$tmp/scale-many" "$SCALE_PROFILES"
fill "$tmp/scale-one" 1

: >"$tmp/scale.many"; : >"$tmp/scale.one"
TOKENDESK_CONFIG_DIR="$tmp/scale-one" window_run "$tmp/warm" "Token Desk" 0 "$T"
log "scale: $IDLE_ROUNDS rounds of ${IDLE}s idle each, alternating"
i=0
while [ "$i" -lt "$IDLE_ROUNDS" ]; do
	for side in $( [ $((i % 2)) = 0 ] && echo "many one" || echo "one many" ); do
		TOKENDESK_CONFIG_DIR="$tmp/scale-$side" window_run "$tmp/scale.$side" "Token Desk" "$IDLE" "$T"
	done
	i=$((i + 1))
done
# All profiles are still valid (none was refreshed away or lost).
bad=$(TOKENDESK_CONFIG_DIR="$tmp/scale-many" "$T" status -p p000 | grep -c '^State: *valid' || true)
[ "$bad" = 1 ] || { log "scale: profile p000 is not valid"; exit 1; }

n=$SCALE_PROFILES
row "scale: first frame, $n profiles" "1 profile" "$(column 1 "$tmp/scale.many")" "$(column 1 "$tmp/scale.one")" ms -
row "scale: idle CPU over ${IDLE}s, $n profiles" "1 profile" "$(column 3 "$tmp/scale.many")" "$(column 3 "$tmp/scale.one")" % 1.2
row "scale: RSS, $n profiles" "1 profile" "$(( $(column 2 "$tmp/scale.many" | cut -d. -f1) / 1024 ))" "$(( $(column 2 "$tmp/scale.one" | cut -d. -f1) / 1024 ))" MiB 1.2
