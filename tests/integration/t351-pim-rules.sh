#!/usr/bin/env bash
# PIM: eligible is not active (issue 10 section 3), end to end against the fake's PIM routes
# (shapes of Microsoft's 2020-10-01 spec examples, tests/fixtures/azure/GetRole*ByScope.json):
# eligible only -> PIM_ELIGIBLE_ONLY; an 8-hour activation in the period -> ATTRIBUTED with
# PIM_PARTIAL and 8/744 of the cost; a 403 on PIM -> evaluated on role assignments alone with
# PIM_UNREADABLE; an activation whose role assignment was created after the period is not
# ASSIGNMENT_TOO_RECENT (its eligibility start decides). Reports parsed back with Python's csv.
. "$(dirname "$0")/lib.sh"
TA=a3510001-0000-4000-8000-000000000000
SPA=0b351001-0000-4000-8000-000000000000
S1=53510001-0000-4000-8000-000000000000; S2=53510002-0000-4000-8000-000000000000
S3=53510003-0000-4000-8000-000000000000; S4=53510004-0000-4000-8000-000000000000
READER=acdd72a7-3385-48ef-bd42-f606fba81ae7; CONTRIB=b24988ac-6180-42a0-ab88-20f7382dd24c
"$PYTHON" - "$T/s.json" <<PY
import json, sys
sub = lambda i: {"id": i, "displayName": "sub " + i[:8], "tenantId": "$TA", "state": "Enabled",
                 "quotaId": "PayAsYouGo_2014-09-01"}
ra = lambda role, s, created="2025-01-01T00:00:00Z": {"principalId": "$SPA", "roleDefinitionId": role,
                                                     "scope": "/subscriptions/" + s, "createdOn": created}
elig = lambda i, s: {"id": i, "principalId": "$SPA", "kind": "eligible", "roleDefinitionId": "$CONTRIB",
                     "scope": "/subscriptions/" + s, "startDateTime": "2025-03-01T00:00:00Z",
                     "endDateTime": "2027-03-01T00:00:00Z"}
s = {"tenants": [{"id": "$TA", "displayName": "PIM customer"}],
     "principals": [{"id": "$SPA", "tenantId": "$TA", "kind": "ServicePrincipal", "displayName": "pim sp",
                     "clientId": "c1351001-1111-4000-8000-000000000000", "clientSecret": "secret-pim",
                     "groups": []}],
     "links": {"$SPA": {"partnerId": "1234567", "state": "Active", "createdTime": "2025-01-01T00:00:00Z"}},
     "subscriptions": [sub(x) for x in ("$S1", "$S2", "$S3", "$S4")],
     # an identity sees a subscription only through a role it holds now: Reader on S1 and S2
     "role_assignments": [ra("$READER", "$S1"), ra("$READER", "$S2"), ra("$CONTRIB", "$S3"),
                          # the activation's role assignment, (re)created after the period
                          ra("$CONTRIB", "$S4", "2026-11-03T09:00:00Z")],
     "pim": [elig("e3510001-0000-4000-8000-000000000000", "$S1"),
             elig("e3510002-0000-4000-8000-000000000000", "$S2"),
             {"principalId": "$SPA", "kind": "request", "roleDefinitionId": "$CONTRIB", "scope": "/subscriptions/$S2",
              "requestType": "SelfActivate", "startDateTime": "2026-10-10T08:00:00Z", "duration": "PT8H",
              "linkedEligibility": "e3510002-0000-4000-8000-000000000000"},
             elig("e3510004-0000-4000-8000-000000000000", "$S4"),
             {"principalId": "$SPA", "kind": "active", "assignmentType": "Activated", "roleDefinitionId": "$CONTRIB",
              "scope": "/subscriptions/$S4", "startDateTime": "2026-09-20T00:00:00Z",
              "endDateTime": "2026-11-20T00:00:00Z", "linkedEligibility": "e3510004-0000-4000-8000-000000000000"}],
     "pim_denied": ["$S3"],
     "costs": {x: {"currency": "EUR", "daily": {"rg": 1.0}} for x in ("$S1", "$S2", "$S3", "$S4")}}
json.dump(s, open(sys.argv[1], "w"))
PY
printf 'tenant_id,client_id,secret_env,label\n%s,c1351001-1111-4000-8000-000000000000,SA,PIM SP\n' "$TA" >"$T/acc.csv"
export SA=secret-pim
start_server "$T/s.json"
DB=$T/a.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
[ "$RC" -eq 0 ] || { cat "$T/collect.err"; fail "collect: exit $RC"; }
"$PALSCOPE" report subscriptions --db "$DB" --out "$T/s.csv" || fail "report subscriptions"
"$PYTHON" - "$T/s.csv" "$S1" "$S2" "$S3" "$S4" <<'PY' || fail "subscriptions report"
import csv, sys
rows = {r["subscription_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""), strict=True)}
s1, s2, s3, s4 = sys.argv[2:6]
def check(s, status, code, reasons, *frags):
    r = rows[s]
    assert (r["status"], r["reason_code"], r["reasons"]) == (status, code, reasons), (s, r)
    for f in frags:
        assert f in r["explanation"], (s, f, r["explanation"])
    return r
check(s1, "MISSING", "PIM_ELIGIBLE_ONLY", "PIM_ELIGIBLE_ONLY;ROLE_NOT_ELIGIBLE",
      "only PIM-eligible for Contributor at subscription and was never active in 2026-10",
      "holds permanently only Reader at subscription")
check(s2, "ATTRIBUTED", "", "PIM_PARTIAL", "(PIM-activated Contributor at subscription): 0.33 of 31.00 EUR",
      "the PIM role was active 8.0 of 744 hours of the period (1.1%)")
check(s3, "ATTRIBUTED", "", "PIM_UNREADABLE", "31.00 of 31.00 EUR",
      "PIM could not be read (active, eligible, request: forbidden, HTTP 403 AuthorizationFailed): "
      "evaluated on role assignments alone")
check(s4, "ATTRIBUTED", "", "", "31.00 of 31.00 EUR")
PY
ok "PIM: eligible only, partial activation, 403, activation judged by its eligibility start"
# the customers report rolls the warnings up into reasons; the summary lists the new code with its usage at stake
"$PALSCOPE" report summary --db "$DB" --out "$T/sum.csv" || fail "report summary"
grep -q '"blocking","PIM_ELIGIBLE_ONLY",1,1,31.00,"EUR"' "$T/sum.csv" || { cat "$T/sum.csv"; fail "summary PIM_ELIGIBLE_ONLY"; }
ok "summary counts PIM_ELIGIBLE_ONLY"
"$PALSCOPE" why "$TA" --db "$DB" >"$T/why.txt" 2>"$T/why.err" || { cat "$T/why.err"; fail "why"; }
grep -q "PIM_PARTIAL" "$T/why.txt" || { cat "$T/why.txt"; fail "why names PIM_PARTIAL"; }
tr '\n' ' ' <"$T/why.txt" | tr -s ' ' | grep -q "8.0 of 744 hours" || { cat "$T/why.txt"; fail "why shows the active hours"; }
ok "why shows PIM_PARTIAL with the hours active"
