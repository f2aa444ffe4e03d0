#!/usr/bin/env bash
# Deleted and disabled identities are MISSING, not UNKNOWN (issue 10 section 2). The fake answers
# the sign-ins in Entra ID's token-error shape (error, error_description "AADSTSnnn: ...",
# error_codes, timestamp, trace_id, correlation_id): an application no longer in the tenant
# (700016) -> PRINCIPAL_DELETED, a disabled application (7000112) -> PRINCIPAL_DISABLED, an
# expired secret (7000222) -> COLLECTION_FAILED with "renew the secret", a wrong secret (7000215)
# -> COLLECTION_FAILED. The customers report is parsed back with Python's csv.
. "$(dirname "$0")/lib.sh"
TOK=a3500001-0000-4000-8000-000000000000; TDEL=a3500002-0000-4000-8000-000000000000
TDIS=a3500003-0000-4000-8000-000000000000; TEXP=a3500004-0000-4000-8000-000000000000
TBAD=a3500005-0000-4000-8000-000000000000
SOK=53500001-0000-4000-8000-000000000000
"$PYTHON" - "$T/s.json" <<PY
import json, sys
sp = lambda n, t, **k: dict({"id": "0b35000%d-0000-4000-8000-000000000000" % n, "tenantId": t,
                             "kind": "ServicePrincipal", "displayName": "sp%d" % n,
                             "clientId": "c135000%d-1111-4000-8000-000000000000" % n,
                             "clientSecret": "secret-%d" % n, "groups": []}, **k)
s = {"tenants": [{"id": t, "displayName": "tenant " + t[:8]} for t in ("$TOK", "$TDEL", "$TDIS", "$TEXP", "$TBAD")],
     # the deleted application (client 2) has no service principal in its tenant any more
     "principals": [sp(1, "$TOK"), sp(3, "$TDIS", disabled=True), sp(4, "$TEXP", secretExpired=True),
                    sp(5, "$TBAD")],
     "links": {"0b350001-0000-4000-8000-000000000000": {"partnerId": "1234567", "state": "Active",
               "createdTime": "2025-01-01T00:00:00Z"}},
     "subscriptions": [{"id": "$SOK", "displayName": "ok", "tenantId": "$TOK", "state": "Enabled",
                        "quotaId": "PayAsYouGo_2014-09-01"}],
     "role_assignments": [{"principalId": "0b350001-0000-4000-8000-000000000000",
                           "roleDefinitionId": "b24988ac-6180-42a0-ab88-20f7382dd24c",
                           "scope": "/subscriptions/$SOK", "createdOn": "2025-01-01T00:00:00Z"}],
     "costs": {"$SOK": {"currency": "EUR", "daily": {"rg": 1.0}}}}
json.dump(s, open(sys.argv[1], "w"))
PY
{
	echo "tenant_id,client_id,secret_env,label"
	echo "$TOK,c1350001-1111-4000-8000-000000000000,S1,Working SP"
	echo "$TDEL,c1350002-1111-4000-8000-000000000000,S2,Deleted SP"
	echo "$TDIS,c1350003-1111-4000-8000-000000000000,S3,Disabled SP"
	echo "$TEXP,c1350004-1111-4000-8000-000000000000,S4,Expired SP"
	echo "$TBAD,c1350005-1111-4000-8000-000000000000,S5,Wrong secret SP"
} >"$T/acc.csv"
export S1=secret-1 S2=secret-2 S3=secret-3 S4=secret-4 S5=not-the-secret
start_server "$T/s.json"

# The fake's token errors have Microsoft's shape.
"$PYTHON" - "$URL" <<'PY' || fail "token error shape"
import json, sys, urllib.parse, urllib.request, urllib.error
url = sys.argv[1]
cases = [("a3500002-0000-4000-8000-000000000000", "c1350002-1111-4000-8000-000000000000", "secret-2", 400, "unauthorized_client", 700016),
         ("a3500003-0000-4000-8000-000000000000", "c1350003-1111-4000-8000-000000000000", "secret-3", 400, "unauthorized_client", 7000112),
         ("a3500004-0000-4000-8000-000000000000", "c1350004-1111-4000-8000-000000000000", "secret-4", 401, "invalid_client", 7000222),
         ("a3500005-0000-4000-8000-000000000000", "c1350005-1111-4000-8000-000000000000", "wrong", 401, "invalid_client", 7000215)]
for tenant, cid, sec, status, error, code in cases:
    body = urllib.parse.urlencode({"client_id": cid, "client_secret": sec, "grant_type": "client_credentials",
                                   "scope": "https://management.azure.com/.default"}).encode()
    try:
        urllib.request.urlopen(url + "/%s/oauth2/v2.0/token" % tenant, body)
        sys.exit("%d: sign-in succeeded" % code)
    except urllib.error.HTTPError as e:
        got = json.load(e)
        assert e.code == status, (code, e.code)
        assert got["error"] == error and got["error_codes"] == [code], got
        assert got["error_description"].startswith("AADSTS%d: " % code), got
        assert all(got.get(k) for k in ("timestamp", "trace_id", "correlation_id")), got
PY
ok "token errors in Entra ID's shape (700016, 7000112, 7000222, 7000215)"

DB=$T/a.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect exit (some identities failed)" 1 "$RC"
"$PALSCOPE" report customers --db "$DB" --out "$T/c.csv" || fail "report customers"
"$PYTHON" - "$T/c.csv" "$TOK" "$TDEL" "$TDIS" "$TEXP" "$TBAD" <<'PY' || fail "customers report"
import csv, sys
rows = {r["tenant_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""), strict=True)}
ok, deleted, disabled, expired, bad = sys.argv[2:7]
def check(t, status, code, *frags):
    r = rows[t]
    assert (r["status"], r["reason_code"]) == (status, code), (t, r)
    for f in frags:
        assert f in r["explanation"], (t, f, r["explanation"])
check(ok, "ATTRIBUTED", "")
check(deleted, "MISSING", "PRINCIPAL_DELETED", "AADSTS700016",
      "the identity that held the link is gone (deleted)", "link another identity with access",
      "az managementpartner create --partner-id 1234567")
check(disabled, "MISSING", "PRINCIPAL_DISABLED", "AADSTS7000112", "gone (disabled)",
      "link another identity with access", "or re-enable 'Disabled SP'")
check(expired, "UNKNOWN", "COLLECTION_FAILED", "AADSTS7000222", "renew the secret of 'Expired SP'")
check(bad, "UNKNOWN", "COLLECTION_FAILED", "AADSTS7000215", "fix its credentials")
assert "renew" not in rows[bad]["explanation"] and "gone" not in rows[bad]["explanation"]
PY
ok "deleted and disabled principals MISSING with the fix; expired and wrong secrets COLLECTION_FAILED"
"$PALSCOPE" report summary --db "$DB" --out "$T/s.csv" || fail "report summary"
grep -q '"PRINCIPAL_DELETED",1' "$T/s.csv" || { cat "$T/s.csv"; fail "summary counts PRINCIPAL_DELETED"; }
ok "summary counts the new codes"

# A deleted user (50034) and a disabled user (50057): the fake answers a refresh-token sign-in to
# those tenants in the same shape (users.json, the person's principal there with signin_error).
stop_server
. "$(dirname "$0")/lib_user.sh"
users_scenario "$T/u.json" '
for p in s["principals"]:
    if p["id"] == "0f000001-0000-4000-8000-000000000000": p["signin_error"] = 50034
    if p["id"] == "0f000002-0000-4000-8000-000000000000": p["signin_error"] = 50057'
start_server "$T/u.json"
"$PYTHON" - "$URL" "$ALICE" "$(tenant 1)" "$(tenant 2)" <<'PY' || fail "user sign-in error shape"
import json, sys, urllib.parse, urllib.request, urllib.error
url, alice, t1, t2 = sys.argv[1:5]
cid = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's public client id
arm = "https://management.azure.com/.default offline_access"
def post(path, form):
    try:
        return 200, json.load(urllib.request.urlopen(url + path, urllib.parse.urlencode(form).encode()))
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
st, dc = post("/organizations/oauth2/v2.0/devicecode", {"client_id": cid, "scope": arm})
assert st == 200, dc
req = urllib.request.Request(url + "/_fake/devicecode/approve", method="POST",
                             data=json.dumps({"user_code": dc["user_code"], "user": alice, "mfa": True}).encode())
urllib.request.urlopen(req)
st, tok = post("/organizations/oauth2/v2.0/token", {"client_id": cid, "device_code": dc["device_code"],
                                                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code"})
assert st == 200 and tok.get("refresh_token"), tok
for tenant, code in ((t1, 50034), (t2, 50057)):
    st, got = post("/%s/oauth2/v2.0/token" % tenant, {"client_id": cid, "grant_type": "refresh_token",
                                                      "refresh_token": tok["refresh_token"], "scope": arm})
    assert st == 400 and got["error"] == "invalid_grant" and got["error_codes"] == [code], got
    assert got["error_description"].startswith("AADSTS%d: " % code), got
    assert all(got.get(k) for k in ("timestamp", "trace_id", "correlation_id")), got
PY
ok "user sign-in errors 50034 (deleted) and 50057 (disabled) in Entra ID's shape"
