#!/bin/sh
# Window smoke test. Run under scripts/with-session.sh (it needs a session bus
# and keyring; the screens are this script's own Xvfb servers).
#
# For each case below it starts an Xvfb screen of the case's size, adds two
# real profiles, starts the real binary in demo mode (FYNE_THEME, FYNE_SCALE
# set), logs in through headless Chromium (an xdg-open shim on PATH, which is
# what pkg/browser calls), and takes screenshots of the whole screen: the
# overview of all profiles, the valid session, a refresh failing during a
# sandbox outage (retrying) and a revoked consent (re-login required). The
# demo sandbox is driven through its control file (TOKENDESK_DEMO_CONTROL).
#
# Screenshots go to $SMOKE_OUT (default: a temp dir; the README's come from
# SMOKE_OUT=docs/screenshots):
#   1x-{light,dark}-{overview,valid,retrying,relogin}.png   1024×700 screen
#   2x-light-{valid,relogin}.png, 2x-dark-{valid,retrying}.png   1280×900, FYNE_SCALE=2
set -eu
cd "$(dirname "$0")/.."
: "${DBUS_SESSION_BUS_ADDRESS:?run this under scripts/with-session.sh}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokendesk-smoke.XXXXXX")
out=${SMOKE_OUT:-$tmp/shots}
mkdir -p "$out" "$tmp/bin"
app="" xvfb=""
stop_app() {
  if [ -n "$app" ]; then
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    app=""
  fi
  if [ -f "$tmp/browser.pids" ]; then
    while read -r pid; do kill -9 -- "-$pid" 2>/dev/null || true; done <"$tmp/browser.pids"
    rm -f "$tmp/browser.pids"
  fi
}
stop_x() {
  if [ -n "$xvfb" ]; then
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
    xvfb=""
  fi
}
cleanup() {
  stop_app
  stop_x
  # A browser helper that is still exiting may write into $tmp while it is
  # removed: try again, and never let the clean-up decide the result.
  for _ in 1 2 3 4 5; do
    sleep 0.3
    rm -rf "$tmp" 2>/dev/null && break
  done
  return 0
}
trap cleanup EXIT INT TERM

chromium=/usr/lib/chromium/chromium
[ -x "$chromium" ] || chromium=$(command -v chromium)
cat >"$tmp/bin/xdg-open" <<SHIM
#!/bin/sh
prof=\$(mktemp -d "$tmp/chromium-XXXXXX")
HOME="\$prof" XDG_CONFIG_HOME="\$prof/config" XDG_CACHE_HOME="\$prof/cache" TMPDIR="\$prof" \
setsid "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --user-data-dir="\$prof/profile" "\$1" </dev/null >>"$tmp/browser.log" 2>&1 &
echo \$! >>"$tmp/browser.pids"
SHIM
chmod +x "$tmp/bin/xdg-open"

go build -o "$tmp/tokendesk" .

# start_x W H: an Xvfb screen of that size on a free display.
start_x() {
  n=$((300 + $$ % 600))
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  # -noreset: see docs/x11-open-display.md.
  Xvfb ":$n" -screen 0 "${1}x${2}x24" -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
  xvfb=$!
  i=0
  until [ -e "/tmp/.X11-unix/X$n" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "smoke: Xvfb :$n did not start" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
    sleep 0.05
  done
  export DISPLAY=":$n"
}

# start_app CASE THEME SCALE: the app in demo mode over a fresh configuration
# holding two real (signed-out) profiles.
start_app() {
  cfg="$tmp/config-$1" theme=$2 scale=$3
  ctl="$tmp/control-$1"
  TOKENDESK_CONFIG_DIR="$cfg" "$tmp/tokendesk" profile add acme-prod \
    --integration-key 1a2b3c4d-0000-1111-2222-333344445555 --env production >/dev/null
  TOKENDESK_CONFIG_DIR="$cfg" "$tmp/tokendesk" profile add acme-dev \
    --integration-key 1a2b3c4d-0000-1111-2222-333344445556 --env demo >/dev/null
  launch
}
launch() {
  PATH="$tmp/bin:$PATH" TOKENDESK_CONFIG_DIR="$cfg" TOKENDESK_DEMO_AUTO_ACCEPT=1 TOKENDESK_DEMO_REVOKE_AFTER=1h \
    TOKENDESK_DEMO_CONTROL="$ctl" FYNE_THEME="$theme" FYNE_SCALE="$scale" \
    "$tmp/tokendesk" --demo >"$tmp/app.log" 2>&1 &
  app=$!
}

# wait_title PATTERN: waits up to 30 s for a window whose title matches.
wait_title() {
  i=0
  until wid=$(xdotool search --name "$1" 2>/dev/null | head -n 1) && [ -n "$wid" ]; do
    i=$((i + 1))
    if [ $i -ge 300 ] || ! kill -0 "$app" 2>/dev/null; then
      echo "smoke: no window titled '$1'; app log:" >&2
      cat "$tmp/app.log" >&2
      xdotool search --name "Token Desk" getwindowname 2>/dev/null >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  echo "$wid"
}
key() {
  xdotool windowfocus --sync "$wid" 2>/dev/null || true
  xdotool key --window "$wid" "$1"
}
# shot NAME: the whole screen, as 256-colour PNG (small, still legible).
shot() {
  sleep 1.2
  import -window root "$tmp/shot.png"
  convert "$tmp/shot.png" -strip -colors 256 "PNG8:$out/$1.png"
  colours=$(convert "$out/$1.png" -format %k info:)
  [ "$colours" -gt 16 ] || { echo "smoke: $1.png looks blank ($colours colours)" >&2; exit 1; }
  echo "smoke: $1.png ($colours colours)"
}
has() { case " $want " in *" $1 "*) return 0 ;; esac; return 1; }

# run_case NAME W H SCALE THEME STATE...: one screen, one theme.
run_case() {
  name=$1 w=$2 h=$3 scale=$4 theme=$5
  shift 5
  want="$*"
  start_x "$w" "$h"
  start_app "$name" "$theme" "$scale"
  wid=$(wait_title "demo: Signed out")
  key ctrl+l
  wid=$(wait_title "demo: Session valid")
  [ -s "$tmp/browser.pids" ] || { echo "smoke: the login did not go through the browser" >&2; exit 1; }
  if has overview; then
    key ctrl+1
    shot "$name-overview"
  fi
  key ctrl+2
  if has valid; then shot "$name-valid"; fi
  if has retrying; then
    echo "outage 1" >"$ctl"
    sleep 0.6
    key ctrl+r
    wid=$(wait_title "demo: Retrying refresh")
    shot "$name-retrying"
  fi
  if has relogin; then
    echo "revoke" >"$ctl"
    sleep 0.6
    key ctrl+r
    wid=$(wait_title "demo: Re-login required")
    shot "$name-relogin"
  fi
  if grep -q -i "panic\|fatal" "$tmp/app.log"; then cat "$tmp/app.log" >&2; exit 1; fi
  stop_app
  stop_x
}

run_case 1x-light 1024 700 1 light overview valid retrying relogin
run_case 1x-dark 1024 700 1 dark overview valid retrying relogin
run_case 2x-light 1280 900 2 light valid relogin
run_case 2x-dark 1280 900 2 dark valid retrying
echo "smoke: window walked through signed out → valid → retrying → re-login required at 1× and 2×, light and dark"
