#!/bin/sh
# agent.sh: `tokendesk token` answered by a running `tokendesk agent` (a
# socket round trip) against `secret-tool lookup` of the same keyring item,
# and the direct path (TOKENDESK_NO_AGENT=1: lock + keyring) against the
# same baseline. Run through bench/run.sh, which sets $T, $tmp, $results,
# $ROUNDS and $RUNS and provides the keyring session.
set -eu
. "$(dirname "$0")/lib.sh"

sp=$(freeport)
cp=$(freeport)
base="http://127.0.0.1:$sp"
export TOKENDESK_CONFIG_DIR="$tmp/agent-config"
ns="tokendesk-$(printf %s "$TOKENDESK_CONFIG_DIR" | sha256sum | cut -c1-12)"

"$T" sandbox --addr "127.0.0.1:$sp" --auto-accept --redirect-uri "http://127.0.0.1:$cp/callback" \
	>"$tmp/agent-sandbox.out" 2>"$tmp/agent-sandbox.log" &
echo $! >>"$tmp/pids"
i=0
until curl -sf -o /dev/null "$base/"; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { log "the sandbox did not start"; cat "$tmp/agent-sandbox.log" >&2; exit 1; }
	sleep 0.05
done
key=$(awk '/integration key:/ { print $3 }' "$tmp/agent-sandbox.out")

"$T" profile add a --integration-key "$key" --env "$base" --ports "$cp" >/dev/null
: >"$tmp/agent-url"
"$T" login --no-browser -p a >"$tmp/agent-url" 2>"$tmp/agent-login.err" &
lp=$!
i=0
until [ -s "$tmp/agent-url" ]; do
	i=$((i + 1)); [ "$i" -lt 200 ] || { log "login printed no URL"; cat "$tmp/agent-login.err" >&2; exit 1; }
	sleep 0.02
done
curl -sSL -o /dev/null "$(head -n 1 "$tmp/agent-url")"
wait "$lp" || { log "login failed"; cat "$tmp/agent-login.err" >&2; exit 1; }
[ -n "$(secret-tool lookup service "$ns/a" username access_token)" ] || { log "no access token at service $ns/a"; exit 1; }

# The agent, with no display, as on a server.
env -u DISPLAY -u WAYLAND_DISPLAY "$T" agent 2>"$tmp/agent.log" &
ap=$!
echo "$ap" >>"$tmp/pids"
i=0
until [ "$("$T" status -p a --json 2>/dev/null | jq -r '.kept_alive_by.kind // empty')" = agent ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { log "the agent did not answer"; cat "$tmp/agent.log" >&2; exit 1; }
	sleep 0.05
done
# Both sides print the same token.
[ "$("$T" token -p a)" = "$(secret-tool lookup service "$ns/a" username access_token)" ] || { log "the agent's token is not the stored one"; exit 1; }

# 3. The running agent answers.
compare "token via the running agent" 0.5 "$ROUNDS" "$RUNS" "secret-tool lookup" \
	"$T token -p a" \
	"secret-tool lookup service $ns/a username access_token"

# 4. The direct path, with the agent still running (the lock and keyring
# path every process took before the agent existed).
export TOKENDESK_NO_AGENT=1
compare "token, direct path (TOKENDESK_NO_AGENT=1)" 1.5 "$ROUNDS" "$RUNS" "secret-tool lookup" \
	"$T token -p a" \
	"secret-tool lookup service $ns/a username access_token"
unset TOKENDESK_NO_AGENT

# The floor: starting the binary to do nothing (Go runtime, dynamic
# linking of the GL/X11 libraries, package initialisation).
compare "floor: tokendesk help (no work)" - "$ROUNDS" "$RUNS" "secret-tool lookup" \
	"$T help" \
	"secret-tool lookup service $ns/a username access_token"

kill -TERM "$ap"
wait "$ap" || { log "the agent did not stop cleanly"; cat "$tmp/agent.log" >&2; exit 1; }
grep -q stopped "$tmp/agent.log" || { log "the agent did not say it stopped"; cat "$tmp/agent.log" >&2; exit 1; }
log "agent: stopped cleanly on SIGTERM"
