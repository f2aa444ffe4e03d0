#!/usr/bin/env bash
# palscope link signs in with the same credential kinds as collect: a certificate (PKCS#12), a
# federated token file and a managed identity (App Service endpoint) in one accounts file;
# `link show --csv` reads each identity's link and `link apply` writes it as that identity (the
# fake's log names the principal of each PUT).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
make_cert contoso
make_cert issuer
export P12_PASS=link-p12-pass
openssl pkcs12 -export -inkey "$T/contoso-key.pem" -in "$T/contoso-cert.pem" -out "$T/contoso.p12" \
	-passout env:P12_PASS 2>/dev/null || fail "openssl pkcs12 -export"
ISS=https://token.actions.githubusercontent.com
cred_scenario "$T/s.json" '
p("'$CONTOSO_CID'")["certificates"] = [pem("contoso")]
p("'$MUELLER_CID'")["federatedCredentials"] = [{"issuer": "'$ISS'", "subject": "repo:mueller/pal:environment:prod",
    "issuerCertificate": pem("issuer"), "issuerKeyFile": T + "/issuer-key.pem", "tokenFile": T + "/mueller.jwt"}]
p("'$NORTHWIND_CID'")["managedIdentity"] = "system"
s["managed_identity"] = {"identity_header": "link-identity-header"}
'
start_server "$T/s.json" --state "$T/state.json"
unset AZURE_CLIENT_SECRET
export IDENTITY_ENDPOINT="$URL/msi/token" IDENTITY_HEADER=link-identity-header
{
	echo "tenant_id,auth,client_id,certificate_file,certificate_password_env,federated_token_file,label"
	echo "$CONTOSO,certificate,$CONTOSO_CID,$T/contoso.p12,P12_PASS,,contoso-cert"
	echo "$MUELLER,federated,$MUELLER_CID,,,$T/mueller.jwt,mueller-fed"
	echo "$NORTHWIND,managed_identity,,,,,northwind-mi"
} >"$T/acc.csv"
link() {
	set +e
	"$PALSCOPE" link "$@" --arm-url "$URL" --login-url "$URL" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
}
link show --accounts "$T/acc.csv" --csv
expect_eq "show exit" 0 "$RC"
"$PYTHON" - "$T/out" <<'PY' || fail "link show --csv: $(cat "$T/out" "$T/err")"
import csv, sys
rows = {r["identity"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert sorted(rows) == ["contoso-cert", "mueller-fed", "northwind-mi"], rows
for r in rows.values():
    assert r["status"] == "ok" and r["object_id"], r
PY
ok "link show signs in with a certificate, a federated token file and a managed identity"

link apply --accounts "$T/acc.csv" --partner-id 1234568 --update --db "$T/audit.db"
expect_eq "apply exit" 0 "$RC"
"$PYTHON" - "$T/requests.jsonl" <<'PY' || fail "apply's writes: $(cat "$T/out")"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
w = sorted(e["oid"] for e in log if e["method"] in ("PUT", "PATCH") and "ManagementPartner" in e["path"])
assert w == ["0b010001-0000-4000-8000-000000000000", "0b020001-0000-4000-8000-000000000000",
             "0b040001-0000-4000-8000-000000000000"], w
PY
ok "link apply writes each link as that identity"
stop_server
not_anywhere "$P12_PASS" "the PKCS#12 password" "$T/out" "$T/err" "$T/audit.db" "$T/requests.jsonl"
not_anywhere link-identity-header "IDENTITY_HEADER" "$T/out" "$T/err" "$T/audit.db" "$T/requests.jsonl"
ok "no password or identity header in link's output, audit database or the fake's log"
