#!/usr/bin/env bash
# auth managed_identity end to end through the fake's managed identity routes (credentials.py;
# shapes from Microsoft's "How to use managed identities on a VM to acquire an access token"
# and App Service's "Managed identities" REST protocol, as azure-identity's ImdsCredential and
# AppServiceCredential send them): App Service's IDENTITY_ENDPOINT + IDENTITY_HEADER (system and
# user-assigned, X-IDENTITY-HEADER checked, api-version 2019-08-01), IMDS (Metadata: true checked,
# api-version 2018-02-01) at AZURE_POD_IDENTITY_AUTHORITY_HOST (azure-identity's override of
# 169.254.169.254). Off Azure (IMDS pointed at a blackhole port, and a closed one), each identity
# fails after IMDS's 1 s connect timeout with one clear error. A wrong header and a token for
# another tenant are that identity's failures;
# an endpoint that is neither loopback nor IMDS is refused before anything is sent. The
# IDENTITY_HEADER secret never reaches the database, reports, stderr at -vv or the fake's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
cred_scenario "$T/s.json" '
p("'$CONTOSO_CID'")["managedIdentity"] = "system"
p("'$MUELLER_CID'")["managedIdentity"] = "user"
s["managed_identity"] = {"identity_header": "app-service-header-5f2c9"}
'
start_server "$T/s.json"
unset AZURE_CLIENT_SECRET AZURE_CLIENT_CERTIFICATE_PATH AZURE_FEDERATED_TOKEN_FILE
{
	echo "tenant_id,auth,client_id,label"
	echo "$CONTOSO,managed_identity,,Contoso VM (system-assigned)"
	echo "$MUELLER,managed_identity,$MUELLER_CID,Mueller (user-assigned)"
} >"$T/mi.csv"

# App Service: IDENTITY_ENDPOINT on loopback with its header.
export IDENTITY_ENDPOINT="$URL/msi/token" IDENTITY_HEADER=app-service-header-5f2c9
collect_vv --db "$T/as.db" --accounts "$T/mi.csv" --partner-id 1234567 --period 2026-10
expect_eq "App Service: exit" 0 "$RC"
expect_eq "App Service: identities" "Contoso VM (system-assigned)|managed_identity|ok|0b010001-0000-4000-8000-000000000000
Mueller (user-assigned)|managed_identity|ok|0b020001-0000-4000-8000-000000000000" \
	"$(q "$T/as.db" "select label, auth_kind, status, object_id from identity order by identity_id")"
"$PYTHON" - "$T/requests.jsonl" "$MUELLER_CID" <<'PY' || fail "App Service requests in the fake's log"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
mi = [e for e in log if e.get("path") == "/msi/token"]
assert mi and all(e["status"] == 200 and e["method"] == "GET" for e in mi), mi
assert all("api-version=2019-08-01" in e["query"] for e in mi), mi
assert any("client_id=" + sys.argv[2] in e["query"] for e in mi), mi
assert not any(e.get("path") == "/metadata/identity/oauth2/token" for e in log)
PY
customers_status "$T/as.db" "$T/as.status"
[ "$(grep -vc COLLECTION_FAILED "$T/as.status")" -ge 2 ] || fail "the identities' customers are evaluated"
"$PALSCOPE" report customers --db "$T/as.db" --out "$T/report.csv"
sqlite3 "$T/as.db" .dump >"$T/dump.sql"
ok "App Service IDENTITY_ENDPOINT: system- and user-assigned identities collected"

# The header wrong: each identity fails with the endpoint's answer.
IDENTITY_HEADER=not-the-header collect --db "$T/bad.db" --accounts "$T/mi.csv" --partner-id 1234567 --period 2026-10
expect_eq "wrong X-IDENTITY-HEADER: exit" 1 "$RC"
expect_eq "wrong X-IDENTITY-HEADER: errors" "sign-in failed: HTTP 401 no access_token: Unauthorized
sign-in failed: HTTP 401 no access_token: Unauthorized" "$(q "$T/bad.db" "select error from identity order by identity_id")"
ok "a wrong IDENTITY_HEADER fails each identity with the endpoint's 401"

# IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST points it at the fake): Metadata: true is required by
# the fake, as by IMDS.
unset IDENTITY_ENDPOINT IDENTITY_HEADER
: >"$T/requests.jsonl"
AZURE_POD_IDENTITY_AUTHORITY_HOST="$URL/" collect --db "$T/imds.db" --accounts "$T/mi.csv" \
	--partner-id 1234567 --period 2026-10
expect_eq "IMDS: exit" 0 "$RC"
expect_eq "IMDS: identities" "managed_identity|ok
managed_identity|ok" "$(q "$T/imds.db" "select auth_kind, status from identity order by identity_id")"
"$PYTHON" - "$T/requests.jsonl" <<'PY' || fail "IMDS requests in the fake's log"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
mi = [e for e in log if e.get("path") == "/metadata/identity/oauth2/token"]
assert len(mi) >= 2 and all(e["status"] == 200 for e in mi), mi
assert all(e["query"].startswith("api-version=2018-02-01&resource=https%3A%2F%2F") for e in mi), mi
# ARM for both identities, then Microsoft Graph for Contoso's group checks
assert sum("resource=https%3A%2F%2Fmanagement.azure.com" in e["query"] for e in mi) == 2, mi
assert sum("resource=https%3A%2F%2Fgraph.microsoft.com" in e["query"] for e in mi) == 1, mi
PY
ok "IMDS route: GET /metadata/identity/oauth2/token?api-version=2018-02-01 with Metadata: true"

# The identity's token is for another tenant: not used.
printf '%s\n' "tenant_id,auth" "$MUELLER,managed_identity" >"$T/other.csv"
AZURE_POD_IDENTITY_AUTHORITY_HOST="$URL" collect --db "$T/other.db" --accounts "$T/other.csv" \
	--partner-id 1234567 --period 2026-10
expect_eq "token for another tenant: exit" 1 "$RC"
expect_eq "token for another tenant: error" "sign-in failed: the token is for tenant $CONTOSO, not tenant $MUELLER: not used" \
	"$(q "$T/other.db" "select error from identity")"
ok "a managed identity token for another tenant is refused"

# Off Azure nothing answers at IMDS: the request gets 1 s to connect (the Azure SDKs' IMDS
# probe), not the engine's 10 s and its retries, then one clear error per identity. The override
# points IMDS at a port on 127.0.0.1 that never completes a connection (a listening socket whose
# backlog is full: the kernel drops further SYNs), and at a closed port.
"$PYTHON" - "$T/blackhole.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fill = []  # never accepted: they fill the backlog
for _ in range(4):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fill.append(c)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % port)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
PY
BLACKHOLE_PID=$!
for _ in $(seq 1 300); do [ -s "$T/blackhole.port" ] && break; sleep 0.1; done
BH=$(cat "$T/blackhole.port") || fail "the blackhole port did not open"
# now_s: the clock in seconds (fractions)
now_s() { date +%s.%N; }
# A closed port first: refused at once, not retried; its time is what a run costs without waiting.
closed=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(now_s)
AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:$closed" collect_vv --db "$T/closed.db" --accounts "$T/mi.csv" \
	--partner-id 1234567 --period 2026-10
t1=$(now_s)
expect_eq "IMDS port closed: exit" 1 "$RC"
expect_eq "IMDS port closed: one error per identity" "2|no managed identity endpoint answered at 127.0.0.1:$closed within 1 s: not on Azure? use IDENTITY_ENDPOINT or another auth kind" \
	"$(q "$T/closed.db" "select count(*), error from identity group by error")"
grep -q "retrying" "$T/collect.err" && fail "a refused IMDS connection is not retried"
ok "IMDS port closed: one clear error per identity, not retried"
AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:$BH" collect_vv --db "$T/offazure.db" --accounts "$T/mi.csv" \
	--partner-id 1234567 --period 2026-10
t2=$(now_s)
kill "$BLACKHOLE_PID" 2>/dev/null || true
wait "$BLACKHOLE_PID" 2>/dev/null || true
expect_eq "IMDS not answering: exit" 1 "$RC"
expect_eq "IMDS not answering: one error per identity" "2|no managed identity endpoint answered at 127.0.0.1:$BH within 1 s: not on Azure? use IDENTITY_ENDPOINT or another auth kind" \
	"$(q "$T/offazure.db" "select count(*), error from identity group by error")"
grep -q "retrying" "$T/collect.err" && fail "an IMDS connect timeout is not retried"
# The run waits the 1 s connect timeout (at least), once: the identities wait side by side, and
# over the closed port's run it costs about that second. Was 10 s, six times: 60 s. The bound
# leaves room for a loaded machine (ASan, -j2).
waited=$("$PYTHON" -c "import sys; a, b, c = map(float, sys.argv[1:]); print('%.1f' % ((c - b) - (b - a)))" "$t0" "$t1" "$t2")
"$PYTHON" -c "import sys; a, b, c = map(float, sys.argv[1:4]); sys.exit(0 if c - b >= 1.0 and float(sys.argv[4]) < 15 else 1)" \
	"$t0" "$t1" "$t2" "$waited" ||
	fail "IMDS not answering: waited $waited s more than a refused connection (expected the 1 s connect timeout, once)"
ok "IMDS not answering (blackhole port): each identity fails after the 1 s connect timeout, not retried ($waited s more than a refused port)"

# Endpoints that are neither loopback nor IMDS: refused before anything is sent.
refused() { # WHAT EXPECTED VAR=VALUE...
	local what=$1 want=$2
	shift 2
	: >"$T/requests.jsonl"
	env "$@" "$PALSCOPE" collect --arm-url "$URL" --login-url "$URL" --db "$T/ref.db" --accounts "$T/mi.csv" \
		--partner-id 1234567 --period 2026-10 >"$T/ref.out" 2>"$T/ref.err" && RC=0 || RC=$?
	no_sanitizer_report "$T/ref.err"
	expect_eq "$what: exit" 2 "$RC"
	grep -qF -- "$want" "$T/ref.err" || { cat "$T/ref.err"; fail "$what: expected '$want'"; }
	[ -e "$T/ref.db" ] && fail "$what: no database"
	[ -s "$T/requests.jsonl" ] && fail "$what: nothing sent"
	return 0
}
refused "IDENTITY_ENDPOINT on another host" \
	"mi.csv:2: column 2 ('auth'): managed_identity: IDENTITY_ENDPOINT 'http://10.20.30.40:8081/msi/token' is not a loopback address: refused" \
	IDENTITY_ENDPOINT=http://10.20.30.40:8081/msi/token IDENTITY_HEADER=x
refused "IDENTITY_ENDPOINT over https elsewhere" "is not a loopback address: refused" \
	IDENTITY_ENDPOINT=https://msi.example.com/msi/token IDENTITY_HEADER=x
refused "AZURE_POD_IDENTITY_AUTHORITY_HOST elsewhere" \
	"AZURE_POD_IDENTITY_AUTHORITY_HOST 'http://169.254.169.254.example.com' is neither loopback nor IMDS http://169.254.169.254: refused" \
	AZURE_POD_IDENTITY_AUTHORITY_HOST=http://169.254.169.254.example.com
refused "IDENTITY_ENDPOINT without IDENTITY_HEADER" "IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not" \
	IDENTITY_ENDPOINT="$URL/msi/token"
ok "a non-loopback, non-IMDS managed identity endpoint is refused (exit 2, nothing sent)"

stop_server
not_anywhere app-service-header-5f2c9 "the IDENTITY_HEADER secret" "$T/as.db" "$T/dump.sql" "$T/report.csv" \
	"$T/collect.err" "$T/collect.out" "$T/requests.jsonl" "$T/server.err" "$T/server.out"
ok "the IDENTITY_HEADER secret is in no database, dump, report, stderr (-vv) or log"
