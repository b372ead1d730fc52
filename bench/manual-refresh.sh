#!/bin/sh
# manual-refresh.sh STATE_FILE TOKEN_URL CLIENT_ID SERVICE
#
# The baseline of the refresh comparison: what a person would script by hand
# to refresh a DocuSign session of a public client. One curl POST of
# grant_type=refresh_token (client_id in the body) to the token endpoint,
# then `secret-tool store` of the rotated refresh token. The current refresh
# token is kept in STATE_FILE (mode 0600) between runs; no token is printed
# and none is put on a command line.
set -eu
umask 077
rt=""
IFS= read -r rt <"$1" || true
resp=$(printf %s "$rt" | curl -sS --fail-with-body -X POST \
	--data-urlencode grant_type=refresh_token \
	--data-urlencode "client_id=$3" \
	--data-urlencode refresh_token@- "$2")
case $resp in
*'"refresh_token":"'*) ;;
*) echo "manual-refresh: no refresh token in the response" >&2; exit 1 ;;
esac
new=${resp#*\"refresh_token\":\"}
new=${new%%\"*}
printf %s "$new" | secret-tool store --label="Password for 'refresh_token' on '$4'" service "$4" username refresh_token
printf %s "$new" >"$1"
