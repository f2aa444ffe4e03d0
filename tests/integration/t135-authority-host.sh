#!/usr/bin/env bash
# AZURE_AUTHORITY_HOST is the login endpoint when --login-url is not given, as the Azure SDKs
# read it; --login-url wins over it; a host name alone means https://, so a plain-http
# authority is refused naming the variable unless it is a loopback host.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
run() { # db [args...]: collect with --arm-url only; status in RC
	local db=$1; shift
	set +e
	"$PALSCOPE" collect --db "$db" --arm-url "$URL" --accounts "$FAKE/scenarios/demo-accounts.csv" \
		--partner-id 1234567 --period 2026-10 "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
}
tokens() { grep -c '/oauth2/v2.0/token' "$T/requests.jsonl" || true; }

before=$(tokens)
AZURE_AUTHORITY_HOST="$URL/" run "$T/a.db"
expect_eq "signed in through AZURE_AUTHORITY_HOST: exit (one demo identity fails)" 1 "$RC"
expect_eq "identities ok" 11 "$(q "$T/a.db" "select count(*) from identity where status = 'ok'")"
[ "$(tokens)" -gt "$before" ] || fail "no token request reached the authority host"
ok "AZURE_AUTHORITY_HOST is the login endpoint"

# --login-url wins: the variable points at a port where nothing listens.
AZURE_AUTHORITY_HOST=http://127.0.0.1:9 run "$T/b.db" --login-url "$URL"
expect_eq "--login-url over AZURE_AUTHORITY_HOST: identities ok" 11 \
	"$(q "$T/b.db" "select count(*) from identity where status = 'ok'")"
ok "--login-url wins over AZURE_AUTHORITY_HOST"

# A plain-http authority on another host is refused, naming the variable; nothing is created.
AZURE_AUTHORITY_HOST=http://login.example.org run "$T/c.db"
expect_eq "http authority: exit" 2 "$RC"
grep -q "AZURE_AUTHORITY_HOST" "$T/err" || { cat "$T/err"; fail "message names AZURE_AUTHORITY_HOST"; }
[ ! -e "$T/c.db" ] || fail "database created on a usage error"
ok "a plain-http AZURE_AUTHORITY_HOST is refused: $(head -1 "$T/err")"
