#!/usr/bin/env bash
# auth certificate end to end: client assertions signed with the identity's certificate (PEM with
# its key, RS256 + x5t; PKCS#12 with a password from certificate_password_env, PS256 + x5t#S256;
# the kind inferred from certificate_file), verified for real by the fake (credentials.py:
# signature against the registered certificate, aud, exp, jti once). The run's customers are the
# same as with client secrets. Failures are per identity with the AADSTS code: a certificate not
# registered (700027), a wrong audience (50012: signed for another authority spelling), an expired
# assertion (700024, the clock an hour behind); a lost token answer is retried with a new
# assertion (the spent jti would be refused). AZURE_CLIENT_CERTIFICATE_PATH (+ _PASSWORD)
# without an accounts file. Bad accounts lines are one error naming file:line:column. The private
# key and the PKCS#12 password never reach the database, reports, stderr at -vv or the fake's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
demo_env
make_cert contoso
make_cert mueller
make_cert northwind
make_cert stranger
export MUELLER_P12_PASS='p12-pass-7Qx!v'
openssl pkcs12 -export -inkey "$T/mueller-key.pem" -in "$T/mueller-cert.pem" -out "$T/mueller.p12" \
	-passout env:MUELLER_P12_PASS 2>/dev/null || fail "openssl pkcs12 -export"
cred_scenario "$T/s.json" '
for cid, name in [("'$CONTOSO_CID'", "contoso"), ("'$MUELLER_CID'", "mueller"),
                  ("'$NORTHWIND_CID'", "northwind"), ("'$LITWARE_CID'", "litware-registered")]:
    if name != "litware-registered":
        p(cid)["certificates"] = [pem(name)]
    else:
        p(cid)["certificates"] = [pem("contoso")]   # not the key Litware signs with below
'
start_server "$T/s.json"

# The same tenants with client secrets: what the certificate run must match.
{
	echo "tenant_id,client_id,secret_env"
	echo "$CONTOSO,$CONTOSO_CID,PALSCOPE_DEMO_SECRET_01_1"
	echo "$MUELLER,$MUELLER_CID,PALSCOPE_DEMO_SECRET_02_1"
	echo "$NORTHWIND,$NORTHWIND_CID,PALSCOPE_DEMO_SECRET_04_1"
} >"$T/secrets.csv"
collect --db "$T/secret.db" --accounts "$T/secrets.csv" --partner-id 1234567 --period 2026-10
expect_eq "secret run exit" 0 "$RC"
customers_status "$T/secret.db" "$T/secret.status"

{
	echo "tenant_id,auth,client_id,certificate_file,certificate_password_env,certificate_alg,label"
	echo "$CONTOSO,certificate,$CONTOSO_CID,$T/contoso.pem,,,Contoso (PEM)"
	echo "$MUELLER,Certificate,$MUELLER_CID,$T/mueller.p12,MUELLER_P12_PASS,PS256,Mueller (PKCS#12)"
	echo "$NORTHWIND,,$NORTHWIND_CID,$T/northwind.pem,,ps256,Northwind (inferred)"
} >"$T/cert.csv"
collect_vv --db "$T/cert.db" --accounts "$T/cert.csv" --partner-id 1234567 --period 2026-10
expect_eq "certificate run exit" 0 "$RC"
expect_eq "identities" "Contoso (PEM)|certificate|ok|0b010001-0000-4000-8000-000000000000
Mueller (PKCS#12)|certificate|ok|0b020001-0000-4000-8000-000000000000
Northwind (inferred)|certificate|ok|0b040001-0000-4000-8000-000000000000" \
	"$(q "$T/cert.db" "select label, auth_kind, status, object_id from identity order by identity_id")"
customers_status "$T/cert.db" "$T/cert.status"
[ -s "$T/cert.status" ] || fail "no customers in the certificate run's report"
diff "$T/secret.status" "$T/cert.status" || fail "the certificate run's customers differ from the secret run's"
ok "auth certificate (PEM RS256, PKCS#12 PS256, inferred): $(wc -l <"$T/cert.status") customers, the same as with secrets"

# What the fake saw: assertions (never secrets), PS256 with x5t#S256 for Mueller and Northwind.
"$PYTHON" - "$T/requests.jsonl" "$CONTOSO" "$MUELLER" "$NORTHWIND" <<'PY' || fail "token requests in the fake's log"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
for t in sys.argv[2:]:
    tok = [e for e in log if e.get("path", "").startswith("/%s/oauth2/v2.0/token" % t)]
    assert tok and all(e["status"] == 200 for e in tok[-1:]), (t, tok)
PY

# Leaks: no private key line, no PKCS#12 password anywhere.
"$PALSCOPE" report customers --db "$T/cert.db" --out "$T/report.csv"
"$PALSCOPE" report summary --db "$T/cert.db" --out "$T/summary.csv"
sqlite3 "$T/cert.db" .dump >"$T/dump.sql"
for name in contoso mueller northwind; do
	while read -r line; do
		not_anywhere "$line" "a line of $name's private key" "$T/cert.db" "$T/dump.sql" "$T/report.csv" \
			"$T/summary.csv" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl"
	done < <(key_lines "$name")
done
not_anywhere "$MUELLER_P12_PASS" "the PKCS#12 password" "$T/cert.db" "$T/dump.sql" "$T/report.csv" \
	"$T/summary.csv" "$T/collect.err" "$T/requests.jsonl"
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/requests.jsonl"; then fail "an assertion reached the fake's log"; fi
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/collect.err"; then fail "an assertion or token reached stderr at -vv"; fi
ok "private keys, the PKCS#12 password and assertions are in no database, dump, report, stderr (-vv) or log"

# Per-identity failures, each with its AADSTS code; the other identities go on.
{
	echo "tenant_id,auth,client_id,certificate_file,label"
	echo "$CONTOSO,certificate,$CONTOSO_CID,$T/contoso.pem,Contoso"
	echo "$LITWARE,certificate,$LITWARE_CID,$T/stranger.pem,Litware (certificate not registered)"
} >"$T/wrong.csv"
collect --db "$T/wrong.db" --accounts "$T/wrong.csv" --partner-id 1234567 --period 2026-10
expect_eq "unregistered certificate: exit" 1 "$RC"
expect_eq "statuses" "ok|failed" "$(q "$T/wrong.db" "select status from identity order by identity_id" | paste -sd'|')"
err=$(q "$T/wrong.db" "select error from identity where tenant_id = '$LITWARE'")
case "$err" in *AADSTS700027*"The key was not found"*) ;; *) fail "unregistered certificate error: $err" ;; esac
grep -q "failed: Litware (certificate not registered) (tenant $LITWARE): .*AADSTS700027" "$T/collect.err" \
	|| { cat "$T/collect.err"; fail "the summary names the failed identity"; }
customers_status "$T/wrong.db" "$T/wrong.status"
grep -q "|UNKNOWN|COLLECTION_FAILED$" "$T/wrong.status" || fail "Litware's customers are COLLECTION_FAILED"
ok "a certificate the app does not have: that identity fails (AADSTS700027), the other is collected"

# Wrong audience: signed for http://localhost:PORT, the fake's token endpoint is 127.0.0.1.
set +e
"$PALSCOPE" collect --arm-url "$URL" --login-url "http://localhost:$PORT" --db "$T/aud.db" \
	--accounts "$T/cert.csv" --partner-id 1234567 --period 2026-10 >"$T/aud.out" 2>"$T/aud.err"
RC=$?
set -e
no_sanitizer_report "$T/aud.err"
expect_eq "wrong audience: exit" 1 "$RC"
expect_eq "wrong audience: every identity failed with AADSTS50012" "3" \
	"$(q "$T/aud.db" "select count(*) from identity where status = 'failed' and error like '%AADSTS50012%audience%'")"
ok "an assertion for another audience is refused (AADSTS50012), reported per identity"

# Expired: palscope's clock an hour behind, so the assertion's exp has passed.
PALSCOPE_NOW=$(( $(date +%s) - 3600 )) collect --db "$T/exp.db" --accounts "$T/cert.csv" \
	--partner-id 1234567 --period 2026-10
expect_eq "expired assertion: exit" 1 "$RC"
expect_eq "expired assertion: AADSTS700024 per identity" "3" \
	"$(q "$T/exp.db" "select count(*) from identity where status = 'failed' and error like '%AADSTS700024%valid time range%'")"
ok "an expired assertion is refused (AADSTS700024), reported per identity"
stop_server

# A lost token answer: the fake took the assertion (its jti is spent), the answer never came;
# palscope retries with a new assertion, which the fake accepts.
cred_scenario "$T/lost.json" '
p("'$CONTOSO_CID'")["certificates"] = [pem("contoso")]
s["faults"] = [{"path": "^/'$CONTOSO'/oauth2/v2.0/token$", "times": 1, "action": {"lose_response": True}}]
'
: >"$T/requests.jsonl"
start_server "$T/lost.json"
echo "tenant_id,auth,client_id,certificate_file" >"$T/one.csv"
echo "$CONTOSO,certificate,$CONTOSO_CID,$T/contoso.pem" >>"$T/one.csv"
collect --db "$T/lost.db" --accounts "$T/one.csv" --partner-id 1234567 --period 2026-10
expect_eq "lost answer: exit" 0 "$RC"
# (then Contoso's Graph token for its group checks, also with an assertion)
expect_eq "lost answer: the token request lost, then answered 200 (no 401)" "-|200|200" \
	"$("$PYTHON" -c '
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
print("|".join(str(e["status"] if e["status"] is not None else "-") for e in log if e.get("path", "").endswith("/oauth2/v2.0/token")))' "$T/requests.jsonl")"
ok "a lost token answer is retried with a fresh assertion (a reused jti would be refused)"

# The environment, as azure-identity's EnvironmentCredential: no accounts file.
(
	unset AZURE_CLIENT_SECRET
	export AZURE_TENANT_ID=$CONTOSO AZURE_CLIENT_ID=$CONTOSO_CID AZURE_CLIENT_CERTIFICATE_PATH=$T/contoso.pem
	collect --db "$T/env.db" --partner-id 1234567 --period 2026-10
	expect_eq "AZURE_CLIENT_CERTIFICATE_PATH: exit" 0 "$RC"
	expect_eq "AZURE_CLIENT_CERTIFICATE_PATH: identity" "certificate|ok" "$(q "$T/env.db" "select auth_kind, status from identity")"
	AZURE_CLIENT_CERTIFICATE_PATH=$T/mueller.p12 AZURE_CLIENT_CERTIFICATE_PASSWORD=wrong-password \
		collect --db "$T/env2.db" --partner-id 1234567 --period 2026-10
	expect_eq "wrong AZURE_CLIENT_CERTIFICATE_PASSWORD: exit" 2 "$RC"
	grep -q "AZURE_CLIENT_CERTIFICATE_PATH: .*mueller.p12" "$T/collect.err" || { cat "$T/collect.err"; fail "names the file"; }
	not_anywhere wrong-password "the password" "$T/collect.err"
	[ -e "$T/env2.db" ] && fail "no database on bad input"
	true
)
ok "AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_CERTIFICATE_PATH (+ _PASSWORD) without an accounts file"

# Bad lines: one error naming file:line:column, exit 2, no database.
H="tenant_id,auth,client_id,secret_env,certificate_file,certificate_password_env,federated_token_file"
bad() { local what=$1 want=$2; shift 2; bad_accounts "$what" "$want" "$H" "$@"; }
bad "unknown kind" "bad.csv:2: column 2 ('auth'): unknown auth 'cert' (secret, certificate, federated, managed_identity, az, user or token_command)" \
	"$CONTOSO,cert,$CONTOSO_CID,,$T/contoso.pem,,"
bad "missing certificate_file" "bad.csv:2: column 5 ('certificate_file'): missing certificate_file (auth certificate needs it)" \
	"$CONTOSO,certificate,$CONTOSO_CID,,,,"
bad "extra secret_env" "bad.csv:2: column 4 ('secret_env'): secret_env is not used with auth certificate: leave it empty" \
	"$CONTOSO,certificate,$CONTOSO_CID,PALSCOPE_DEMO_SECRET_01_1,$T/contoso.pem,,"
bad "extra federated_token_file" "bad.csv:2: column 7 ('federated_token_file'): federated_token_file is not used with auth certificate" \
	"$CONTOSO,,$CONTOSO_CID,,$T/contoso.pem,,$T/contoso.pem"
bad "wrong PKCS#12 password" "bad.csv:2: column 5 ('certificate_file'): " \
	"$MUELLER,certificate,$MUELLER_CID,,$T/mueller.p12,PALSCOPE_DEMO_SECRET_01_1,"
not_anywhere "$PALSCOPE_DEMO_SECRET_01_1" "the password tried" "$T/collect.err"
bad "password variable not set" "bad.csv:2: column 6 ('certificate_password_env'): environment variable 'NO_SUCH_P12_PASS' (certificate_password_env) is not set" \
	"$MUELLER,certificate,$MUELLER_CID,,$T/mueller.p12,NO_SUCH_P12_PASS,"
bad "key missing from the PEM" "bad.csv:2: column 5 ('certificate_file'): " \
	"$CONTOSO,certificate,$CONTOSO_CID,,$T/contoso-cert.pem,,"
bad "client_id missing" "bad.csv:2: column 3 ('client_id'): missing client_id (auth certificate needs it)" \
	"$CONTOSO,certificate,,,$T/contoso.pem,,"
ok "unknown kind, missing and extra columns, a bad PKCS#12 password, a PEM without its key: one line naming file:line:column, exit 2"
