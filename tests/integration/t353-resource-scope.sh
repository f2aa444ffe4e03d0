#!/usr/bin/env bash
# A role on one resource counts that resource (issue 10 section 5), end to end: the collector asks
# Cost Management for the cost grouped by ResourceId only where access is on single resources (the
# fake answers resource ids in lower case, as Cost Management does; the role's scope keeps the
# portal's case), and the subscriptions report attributes the cost of those resources, not of
# their resource group; a resource without cost gives SCOPE_EXCLUDES_USAGE. Parsed with csv.
. "$(dirname "$0")/lib.sh"
TA=a3530001-0000-4000-8000-000000000000; SPA=0b353001-0000-4000-8000-000000000000
S1=53530001-0000-4000-8000-000000000000; S2=53530002-0000-4000-8000-000000000000
CONTRIB=b24988ac-6180-42a0-ab88-20f7382dd24c
VM1=/subscriptions/$S1/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/VM1
VM2=/subscriptions/$S1/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/vm2
VM3=/subscriptions/$S2/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/vm3
VM4=/subscriptions/$S2/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/vm4
"$PYTHON" - "$T/s.json" <<PY
import json, sys
s = {"tenants": [{"id": "$TA", "displayName": "Resource customer"}],
     "principals": [{"id": "$SPA", "tenantId": "$TA", "kind": "ServicePrincipal", "displayName": "vm sp",
                     "clientId": "c1353001-1111-4000-8000-000000000000", "clientSecret": "secret-vm", "groups": []}],
     "links": {"$SPA": {"partnerId": "1234567", "state": "Active", "createdTime": "2025-01-01T00:00:00Z"}},
     "subscriptions": [{"id": x, "displayName": "sub " + x[:8], "tenantId": "$TA", "state": "Enabled",
                        "quotaId": "PayAsYouGo_2014-09-01"} for x in ("$S1", "$S2")],
     "role_assignments": [{"principalId": "$SPA", "roleDefinitionId": "$CONTRIB", "scope": v,
                           "createdOn": "2025-01-01T00:00:00Z"} for v in ("$VM1", "$VM3")],
     "costs": {"$S1": {"currency": "EUR", "daily_resources": {"$VM1": 10.0, "$VM2": 5.0}, "daily": {"rg-data": 1.0}},
               "$S2": {"currency": "EUR", "daily_resources": {"$VM4": 2.0}}}}
json.dump(s, open(sys.argv[1], "w"))
PY
printf 'tenant_id,client_id,secret_env,label\n%s,c1353001-1111-4000-8000-000000000000,SA,VM SP\n' "$TA" >"$T/acc.csv"
export SA=secret-vm
start_server "$T/s.json"
DB=$T/a.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
[ "$RC" -eq 0 ] || { cat "$T/collect.err"; fail "collect: exit $RC"; }
expect_eq "per-resource queries" 2 "$(grep -cF '\"name\":\"ResourceId\"' "$T/requests.jsonl")"
"$PALSCOPE" report subscriptions --db "$DB" --out "$T/s.csv" || fail "report subscriptions"
"$PYTHON" - "$T/s.csv" "$S1" "$S2" <<'PY' || fail "subscriptions report"
import csv, sys
rows = {r["subscription_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""), strict=True)}
s1, s2 = sys.argv[2:4]
r = rows[s1]
assert (r["status"], r["reason_code"], r["usage"]) == ("ATTRIBUTED", "", "496.00"), r
# VM1 only: 31 x 10.00; its resource group RG-App would have been 465.00
assert "310.00 of 496.00 EUR" in r["explanation"], r["explanation"]
assert "single resources: VM1 in RG-App 310.00" in r["explanation"], r["explanation"]
r = rows[s2]
assert (r["status"], r["reason_code"]) == ("MISSING", "SCOPE_EXCLUDES_USAGE"), r
assert "only on resource(s) vm3 in RG-App, which had no cost in 2026-10" in r["explanation"], r["explanation"]
PY
ok "a role on one VM attributes that VM's cost; a VM without cost is SCOPE_EXCLUDES_USAGE"
