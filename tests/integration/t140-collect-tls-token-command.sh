#!/usr/bin/env bash
# The https path with certificate checks on (a throwaway CA via --ca-bundle),
# and an identity signed in through token_command (as with `az account
# get-access-token`), including its refresh after ARM says the token expired.
. "$(dirname "$0")/lib.sh"
demo_env
command -v openssl >/dev/null || fail "openssl is needed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
LITWARE=a0000008-0000-4000-8000-000000000000
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/s.json" <<PY
import json, sys
s = json.load(open(sys.argv[1]))
s["faults"] = [{"method": "GET", "path_regex": "^/tenants$", "tenant": "$LITWARE", "times": 1,
                "action": {"expire_token": True}}]
json.dump(s, open(sys.argv[2], "w"))
PY
start_server "$T/s.json" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
URL="https://127.0.0.1:$PORT"

# Litware signs in through a token command (the secret never appears in the accounts file).
cat >"$T/get-token.sh" <<SH
#!/bin/sh
echo run >>"$T/token-command.calls"
exec curl -sS --cacert "$T/cert.pem" -d "client_id=c1080001-1111-4000-8000-000000000000&client_secret=\$PALSCOPE_DEMO_SECRET_08_1&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&grant_type=client_credentials" \
  "$URL/$LITWARE/oauth2/v2.0/token" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
SH
chmod +x "$T/get-token.sh"
printf 'tenant_id,token_command,label\n%s,%s,Litware via token command\n' "$LITWARE" "$T/get-token.sh" >"$T/acc.csv"

collect --db "$T/tls.db" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10 --ca-bundle "$T/cert.pem"
[ "$RC" -eq 0 ] || { cat "$T/collect.err"; fail "collect over https with --ca-bundle"; }
expect_eq "token_command identity" "ok|token_command|0b080001-0000-4000-8000-000000000000" \
	"$(q "$T/tls.db" "select status, auth_kind, object_id from identity")"
expect_eq "subscriptions over https" 4 "$(q "$T/tls.db" "select count(*) from subscription")"
expect_eq "token command re-run after 401 expired" 2 "$(wc -l <"$T/token-command.calls")"
ok "https with --ca-bundle; token_command sign-in and refresh"

# Without the CA the certificate check fails: a recorded failure, exit 1, no data.
collect --db "$T/tls2.db" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10 --timeout 5
expect_eq "untrusted certificate: exit" 1 "$RC"
q "$T/tls2.db" "select transport_error from request_failure" | grep -qi "certificate" || fail "certificate error recorded"
expect_eq "no data from an untrusted server" 0 "$(q "$T/tls2.db" "select count(*) from subscription")"
ok "certificate verification stays on"
