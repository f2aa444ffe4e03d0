#!/usr/bin/env bash
# The reads of issue 10 against the fake: PIM schedules per subscription (eligible only, an
# activation of 8 hours, a 403), Microsoft Graph checkMemberGroups for the groups named in
# Lighthouse authorizations (member, not member, 403) and the per-ResourceId cost query only
# where access is on a single resource. Checked in the stored rows.
. "$(dirname "$0")/lib.sh"
TA=a1600001-0000-4000-8000-000000000000   # customer tenant, its own SP
TM=a1600002-0000-4000-8000-000000000000   # managing tenant (Lighthouse), Graph allowed
TD=a1600003-0000-4000-8000-000000000000   # managing tenant, Graph denied
SPA=0b160001-0000-4000-8000-000000000000; SPM=0b160002-0000-4000-8000-000000000000; SPD=0b160003-0000-4000-8000-000000000000
G1=9a160001-0000-4000-8000-000000000000; G2=9a160002-0000-4000-8000-000000000000
G3=9a160003-0000-4000-8000-000000000000; G4=9a160004-0000-4000-8000-000000000000
S1=51600001-0000-4000-8000-000000000000; S2=51600002-0000-4000-8000-000000000000
S3=51600003-0000-4000-8000-000000000000; S4=51600004-0000-4000-8000-000000000000
S5=51600005-0000-4000-8000-000000000000; S6=51600006-0000-4000-8000-000000000000
READER=acdd72a7-3385-48ef-bd42-f606fba81ae7; CONTRIB=b24988ac-6180-42a0-ab88-20f7382dd24c
VM1=/subscriptions/$S4/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/VM1
VM2=/subscriptions/$S4/resourceGroups/RG-App/providers/Microsoft.Compute/virtualMachines/vm2
"$PYTHON" - "$T/s.json" <<PY
import json, sys
sub = lambda i, t, **k: dict({"id": i, "displayName": "sub " + i[:8], "tenantId": t, "state": "Enabled",
                              "quotaId": "PayAsYouGo_2014-09-01"}, **k)
sp = lambda i, t, c: {"id": i, "tenantId": t, "kind": "ServicePrincipal", "displayName": "sp " + i[:8],
                      "clientId": c, "clientSecret": "secret-" + c[:8], "groups": []}
s = {"tenants": [{"id": t, "displayName": "tenant " + t[:8]} for t in ("$TA", "$TM", "$TD")],
     "groups": [{"id": "$G1", "tenantId": "$TM"}, {"id": "$G2", "tenantId": "$TM"},
                {"id": "$G3", "tenantId": "$TM"}, {"id": "$G4", "tenantId": "$TD"}],
     "principals": [sp("$SPA", "$TA", "c1600001-1111-4000-8000-000000000000"),
                    sp("$SPM", "$TM", "c1600002-1111-4000-8000-000000000000"),
                    sp("$SPD", "$TD", "c1600003-1111-4000-8000-000000000000")],
     "subscriptions": [sub(x, "$TA") for x in ("$S1", "$S2", "$S3", "$S4", "$S5", "$S6")],
     "role_assignments": [{"principalId": "$SPA", "roleDefinitionId": "$READER", "scope": "/subscriptions/" + x,
                           "createdOn": "2025-01-01T00:00:00Z"} for x in ("$S1", "$S2")] +
                         [{"principalId": "$SPA", "roleDefinitionId": "$CONTRIB", "scope": "/subscriptions/$S3",
                           "createdOn": "2025-01-01T00:00:00Z"},
                          {"principalId": "$SPA", "roleDefinitionId": "$CONTRIB", "scope": "$VM1",
                           "createdOn": "2025-01-01T00:00:00Z"}],
     "pim": [{"principalId": "$SPA", "kind": "eligible", "roleDefinitionId": "$CONTRIB", "scope": "/subscriptions/$S1",
              "startDateTime": "2025-03-01T00:00:00Z", "endDateTime": "2027-03-01T00:00:00Z"},
             {"id": "e2e2e2e2-0000-4000-8000-000000000000", "principalId": "$SPA", "kind": "eligible",
              "roleDefinitionId": "$CONTRIB", "scope": "/subscriptions/$S2",
              "startDateTime": "2025-03-01T00:00:00Z", "endDateTime": "2027-03-01T00:00:00Z"},
             {"principalId": "$SPA", "kind": "request", "roleDefinitionId": "$CONTRIB", "scope": "/subscriptions/$S2",
              "requestType": "SelfActivate", "startDateTime": "2026-10-10T08:00:00Z", "duration": "PT8H",
              "linkedEligibility": "e2e2e2e2-0000-4000-8000-000000000000"}],
     "pim_denied": ["$S3"],
     "graph_denied": ["$SPD"],
     "lighthouse": [
       {"subscriptionId": "$S5", "managedByTenantId": "$TM",
        "authorizations": [{"principalId": "$G1", "principalIdDisplayName": "G1", "roleDefinitionId": "$CONTRIB"},
                           {"principalId": "$G2", "principalIdDisplayName": "G2", "roleDefinitionId": "$READER"}]},
       {"subscriptionId": "$S6", "managedByTenantId": "$TD",
        "authorizations": [{"principalId": "$G4", "principalIdDisplayName": "G4", "roleDefinitionId": "$CONTRIB"}]}],
     "costs": {"$S4": {"currency": "EUR", "daily_resources": {"$VM1": 10.0, "$VM2": 5.0}, "daily": {"rg-data": 1.0}}}}
s["principals"][1]["groups"] = ["$G1", "$G3"]
s["principals"][2]["groups"] = ["$G4"]
json.dump(s, open(sys.argv[1], "w"))
PY
printf 'tenant_id,client_id,secret_env,label\n%s,c1600001-1111-4000-8000-000000000000,SA,Customer SP\n%s,c1600002-1111-4000-8000-000000000000,SM,Managing SP\n%s,c1600003-1111-4000-8000-000000000000,SD,Denied SP\n' \
	"$TA" "$TM" "$TD" >"$T/acc.csv"
export SA=secret-c1600001 SM=secret-c1600002 SD=secret-c1600003
start_server "$T/s.json"
DB=$T/a.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
[ "$RC" -eq 0 ] || { cat "$T/collect.err"; fail "collect: exit $RC"; }

# PIM: three lists per visible subscription, api-version 2020-10-01, assignedTo the oid.
n=$(grep -c '"path": "/subscriptions/[^"]*/providers/Microsoft.Authorization/role\(Eligibility\|Assignment\)Schedule' "$T/requests.jsonl")
expect_eq "PIM reads: 3 lists x (4 customer + 1 + 1 delegated) subscriptions" 18 "$n"
grep -q "assignedTo(%27$SPA%27)&api-version=2020-10-01" "$T/requests.jsonl" || fail "PIM filter and api-version"
expect_eq "eligible only on S1" "eligible|subscription|$CONTRIB" \
	"$(q "$DB" "select kind, scope_level, role_guid from pim_schedule where subscription_id = '$S1'")"
expect_eq "8-hour activation on S2" "request|SelfActivate|2026-10-10T08:00:00Z|2026-10-10T16:00:00Z" \
	"$(q "$DB" "select kind, request_type, start_time, end_time from pim_schedule where subscription_id = '$S2' and kind = 'request'")"
expect_eq "activation linked to its eligibility" 1 \
	"$(q "$DB" "select count(*) from pim_schedule r join pim_schedule e on e.eligibility_id = r.eligibility_id and e.kind = 'eligible' where r.kind = 'request'")"
expect_eq "PIM 403 on S3: recorded per list, not a failure" "forbidden|403|forbidden|403|forbidden|403|0" \
	"$(q "$DB" "select group_concat(status || '|' || http_status, '|') from pim_status where subscription_id = '$S3'")|$(q "$DB" "select count(*) from request_failure")"
expect_eq "PIM read elsewhere" 0 "$(q "$DB" "select count(*) from pim_status where subscription_id <> '$S3' and status <> 'ok'")"
ok "PIM: eligible only, an 8-hour activation, a 403 recorded"

# Graph: the groups of the authorizations, checked once per identity.
expect_eq "managing SP: G1 member, G2 not" "$G1|ok|1;$G2|ok|0" \
	"$(q "$DB" "select group_concat(group_id || '|' || st || '|' || member, ';') from (select g.group_id, g.status AS st, g.member from group_check g join identity i using (identity_id) where i.tenant_id = '$TM' order by group_id)")"
expect_eq "denied SP: G4 unverified (403)" "$G4|forbidden||403|Authorization_RequestDenied" \
	"$(q "$DB" "select g.group_id, g.status, g.member, g.http_status, g.error_code from group_check g join identity i using (identity_id) where i.tenant_id = '$TD'" | tr -d '\n')"
grep -q '"path": "/v1.0/servicePrincipals/'"$SPM"'/checkMemberGroups"' "$T/requests.jsonl" || fail "checkMemberGroups path"
expect_eq "Graph token scope" 2 "$(grep -c 'graph.microsoft.com%2F.default' "$T/requests.jsonl")"
ok "Graph checkMemberGroups: member, not member, 403"

# Cost per resource: only S4 (Contributor on VM1) gets the second query.
expect_eq "per-resource queries" 1 "$(grep -cF '\"name\":\"ResourceId\"' "$T/requests.jsonl")"
expect_eq "per-resource cost of S4 (rg-data's charges have no resource id)" "ok|3|496.0" \
	"$(q "$DB" "select (select status from cost_resource_status), count(distinct resource_id), total(cost) from cost_resource_daily where subscription_id = '$S4'")"
expect_eq "VM1 matched case-insensitively" 310.0 \
	"$(q "$DB" "select total(cost) from cost_resource_daily where resource_id = '$VM1'")"
ok "cost by ResourceId where access is on a resource"
