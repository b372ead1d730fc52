#!/bin/sh
# cli.sh: the command-line comparisons (figures 1 and 2 of bench/README.md).
# Run through bench/run.sh, which sets $T (the tokendesk binary), $tmp,
# $results, $ROUNDS and $RUNS and provides the keyring session.
set -eu
. "$(dirname "$0")/lib.sh"

sp=$(freeport)
cp=$(freeport)
base="http://127.0.0.1:$sp"
export TOKENDESK_CONFIG_DIR="$tmp/cli-config"
ns="tokendesk-$(printf %s "$TOKENDESK_CONFIG_DIR" | sha256sum | cut -c1-12)"

"$T" sandbox --addr "127.0.0.1:$sp" --auto-accept --redirect-uri "http://127.0.0.1:$cp/callback" \
	>"$tmp/cli-sandbox.out" 2>"$tmp/cli-sandbox.log" &
echo $! >>"$tmp/pids"
i=0
until curl -sf -o /dev/null "$base/"; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { log "the sandbox did not start"; cat "$tmp/cli-sandbox.log" >&2; exit 1; }
	sleep 0.05
done
key=$(awk '/integration key:/ { print $3 }' "$tmp/cli-sandbox.out")

# login NAME: adds the profile and logs it in through the sandbox's
# auto-accept consent (curl follows the redirect to the loopback callback).
login() {
	"$T" profile add "$1" --integration-key "$key" --env "$base" --ports "$cp" >/dev/null
	: >"$tmp/url"
	"$T" login --no-browser -p "$1" >"$tmp/url" 2>"$tmp/login.err" &
	lp=$!
	i=0
	until [ -s "$tmp/url" ]; do
		i=$((i + 1)); [ "$i" -lt 200 ] || { log "login $1 printed no URL"; cat "$tmp/login.err" >&2; exit 1; }
		sleep 0.02
	done
	curl -sSL -o /dev/null "$(head -n 1 "$tmp/url")"
	wait "$lp" || { log "login $1 failed"; cat "$tmp/login.err" >&2; exit 1; }
}
login a
login b
# The keyring items are where Token Desk says they are.
[ -n "$(secret-tool lookup service "$ns/a" username access_token)" ] || { log "no access token at service $ns/a"; exit 1; }

# 1. A cached access token for a script.
compare "token (cached access token)" 1.5 "$ROUNDS" "$RUNS" "secret-tool lookup" \
	"$T token -p a" \
	"secret-tool lookup service $ns/a username access_token"

# 2. A refresh. Profile a is refreshed by Token Desk, profile b (its own
# grant) by hand, so each side always holds a valid refresh token.
( umask 077; secret-tool lookup service "$ns/b" username refresh_token >"$tmp/rt-b" )
compare "refresh (rotate + store)" 1.5 "$ROUNDS" "$RUNS" "curl + secret-tool store" \
	"$T refresh -p a" \
	"sh $(dirname "$0")/manual-refresh.sh $tmp/rt-b $base/oauth/token $key $ns/b"

# Both sides still hold a valid session: nothing was lost on the way.
"$T" status -p a | grep -q '^State: *valid' || { log "profile a is not valid after the refreshes"; exit 1; }
[ "$(secret-tool lookup service "$ns/b" username refresh_token)" = "$(cat "$tmp/rt-b")" ] || { log "the manual side lost its refresh token"; exit 1; }
sh "$(dirname "$0")/manual-refresh.sh" "$tmp/rt-b" "$base/oauth/token" "$key" "$ns/b" || { log "the manual side's refresh token is dead"; exit 1; }
log "cli: both sides still hold a valid refresh token"
