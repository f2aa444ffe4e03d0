#!/usr/bin/env bash
# Tenants given as domains in the accounts file are resolved to their GUID through the OpenID
# discovery document (GET {login}/{domain}/v2.0/.well-known/openid-configuration; the fake serves
# it, tests/fake_azure/README.md), once per domain whatever its case, also after a 503; the GUID is
# stored and used to sign in, the summary says which domain is which GUID. A domain that does not
# resolve (400 invalid_tenant AADSTS90002) fails its identity only; a domain and the GUID of the
# same tenant with the same client are one identity (usage error, nothing stored).
. "$(dirname "$0")/lib.sh"
demo_env
CONTOSO=a0000001-0000-4000-8000-000000000000
NORTHWIND=a0000004-0000-4000-8000-000000000000
LITWARE=a0000008-0000-4000-8000-000000000000
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["tenants"]:
    if t["id"].startswith("a0000004"):
        t["domains"] = t["domains"] + ["northwindtraders.com"]   # a verified custom domain
s["faults"] = [{"method": "GET", "path_regex": "^/litware.onmicrosoft.com/v2.0/.well-known/openid-configuration$",
                "times": 1, "action": {"status": 503}}]
json.dump(s, open(sys.argv[2], "w"))
PY
start_server "$T/s.json"
{
	echo "tenant_id,client_id,secret_env,label"
	echo "contoso.onmicrosoft.com,c1010001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_01_1,Contoso collector"
	echo "Contoso.OnMicrosoft.com,c1010002-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_01_2,Contoso legacy"
	echo "northwindtraders.com,c1040001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_04_1,Northwind"
	echo "litware.onmicrosoft.com,c1080001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_08_1,Litware"
	echo "nosuch-tenant.example.com,c1020001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_02_1,Nowhere"
} >"$T/acc.csv"
DB=$T/d.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect exit (the unknown domain's identity fails)" 1 "$RC"
expect_eq "identities" "$CONTOSO|Contoso collector|ok $CONTOSO|Contoso legacy|ok $NORTHWIND|Northwind|ok $LITWARE|Litware|ok nosuch-tenant.example.com|Nowhere|failed" \
	"$(q "$DB" "select tenant_id, label, status from identity order by identity_id" | tr '\n' ' ' | sed 's/ $//')"
err=$(q "$DB" "select error from identity where label = 'Nowhere'")
case "$err" in "the tenant domain 'nosuch-tenant.example.com' was not resolved to a tenant id (HTTP 400 invalid_tenant: AADSTS90002: Tenant 'nosuch-tenant.example.com' not found."*) ;;
*) fail "failed identity's error: $err" ;; esac
grep -qF "palscope: tenant domains: contoso.onmicrosoft.com -> $CONTOSO; northwindtraders.com -> $NORTHWIND; litware.onmicrosoft.com -> $LITWARE; nosuch-tenant.example.com not resolved (HTTP 400 invalid_tenant: AADSTS90002: Tenant 'nosuch-tenant.example.com' not found." \
	"$T/collect.err" || fail "summary line: $(grep 'tenant domains' "$T/collect.err")"
ok "domains resolved to GUIDs (stored, in the summary); an unknown domain fails only its identity"

logq() { "$PYTHON" -c "import json,sys
rows=[json.loads(l) for l in open('$T/requests.jsonl')]
$1"; }
expect_eq "discovery requests per domain" "contoso.onmicrosoft.com:1 litware.onmicrosoft.com:2 northwindtraders.com:1 nosuch-tenant.example.com:1" \
	"$(logq "import collections
c=collections.Counter(r['path'].split('/')[1] for r in rows if r['path'].endswith('/v2.0/.well-known/openid-configuration'))
print(' '.join('%s:%d' % kv for kv in sorted(c.items())))")"
expect_eq "token requests by domain" 0 "$(logq "print(sum(1 for r in rows if r['path'].endswith('/oauth2/v2.0/token') and not r['path'].startswith('/a0')))")"
ok "one discovery request per domain (case ignored; the 503 retried); tokens asked of the GUIDs"

"$PALSCOPE" report customers --db "$DB" --out "$T/c.csv" 2>"$T/r.err" || fail "report"
"$PYTHON" - "$T/c.csv" "$CONTOSO" <<'PY' || fail "customers report"
import csv, sys
rows = {r["tenant_id"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True)}
assert rows[sys.argv[2]]["status"] == "ATTRIBUTED", rows[sys.argv[2]]
n = rows["nosuch-tenant.example.com"]
assert (n["status"], n["reason_code"]) == ("UNKNOWN", "COLLECTION_FAILED"), n
assert "AADSTS90002" in n["explanation"] and "not resolved" in n["explanation"], n["explanation"]
PY
ok "reports: the resolved tenants by GUID, the unresolved domain UNKNOWN with the AADSTS error"

# A domain and the GUID of its tenant, same client: one identity twice.
printf 'tenant_id,client_id,secret_env\n%s,c1010001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_01_1\ncontoso.onmicrosoft.com,c1010001-1111-4000-8000-000000000000,PALSCOPE_DEMO_SECRET_01_1\n' \
	"$CONTOSO" >"$T/dup.csv"
collect --db "$T/dup.db" --accounts "$T/dup.csv" --partner-id 1234567 --period 2026-10
expect_eq "duplicate exit" 2 "$RC"
grep -qF "$T/dup.csv:3: duplicate identity: tenant 'contoso.onmicrosoft.com' is tenant $CONTOSO, as '$CONTOSO' on line 2, with the same client" "$T/collect.err" ||
	fail "duplicate message: $(cat "$T/collect.err")"
[ ! -e "$T/dup.db" ] || fail "the duplicate collect created a database"
ok "a domain and its GUID with the same client are refused as one identity"

# link resolves the same way: --only-missing-from names tenants by GUID (as the reports do).
printf '"tenant_id","customer_name","status","reason_code"\n"%s","Contoso Ltd","MISSING","NO_LINK"\n' "$CONTOSO" >"$T/missing.csv"
set +e
"$PALSCOPE" link plan --accounts "$T/acc.csv" --partner-id 1234567 --only-missing-from "$T/missing.csv" \
	--arm-url "$URL" --login-url "$URL" >"$T/link.out" 2>"$T/link.err"
lrc=$?
set -e
no_sanitizer_report "$T/link.err"
expect_eq "link plan exit" 0 "$lrc"
grep -E "^Contoso collector " "$T/link.out" | grep -q "already linked to 1234567" || fail "link plan: Contoso collector not selected: $(cat "$T/link.out")"
grep -E "^Northwind " "$T/link.out" | grep -q "not-selected" || fail "link plan: Northwind selected: $(cat "$T/link.out")"
! grep -q "no identity of the accounts file signs in to it" "$T/link.err" || fail "link: $CONTOSO not matched: $(cat "$T/link.err")"
ok "link plan --only-missing-from matches the GUID of a tenant given as a domain"
