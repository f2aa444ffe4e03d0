#!/usr/bin/env bash
# Groups verified instead of inferred (issue 10 section 4), end to end: the fake answers Microsoft
# Graph checkMemberGroups (shaped as tests/fixtures/azure/graph-checkMemberGroups-*.json) for the
# groups named in Lighthouse delegations. A verified member holds its group's authorization, a
# verified non-member does not (even where the old inference would have given it), and where Graph
# denied the check the inference stays with GROUP_MEMBERSHIP_UNVERIFIED. Parsed back with csv.
. "$(dirname "$0")/lib.sh"
TC=a3520001-0000-4000-8000-000000000000   # customer tenant
TM=a3520002-0000-4000-8000-000000000000   # managing tenant, Graph allowed
TD=a3520003-0000-4000-8000-000000000000   # managing tenant, Graph denied
SPM=0b352002-0000-4000-8000-000000000000; SPD=0b352003-0000-4000-8000-000000000000
G1=9a352001-0000-4000-8000-000000000000; G2=9a352002-0000-4000-8000-000000000000
G3=9a352003-0000-4000-8000-000000000000; G4=9a352004-0000-4000-8000-000000000000
S1=53520001-0000-4000-8000-000000000000; S2=53520002-0000-4000-8000-000000000000
S3=53520003-0000-4000-8000-000000000000
READER=acdd72a7-3385-48ef-bd42-f606fba81ae7; CONTRIB=b24988ac-6180-42a0-ab88-20f7382dd24c
"$PYTHON" - "$T/s.json" <<PY
import json, sys
sp = lambda i, t, c, groups: {"id": i, "tenantId": t, "kind": "ServicePrincipal", "displayName": "sp " + i[:8],
                              "clientId": c, "clientSecret": "secret-" + c[:8], "groups": groups}
auth = lambda g, role: {"principalId": g, "principalIdDisplayName": "group " + g[:8], "roleDefinitionId": role}
s = {"tenants": [{"id": t, "displayName": "tenant " + t[:8]} for t in ("$TC", "$TM", "$TD")],
     "groups": [{"id": "$G1", "tenantId": "$TM"}, {"id": "$G2", "tenantId": "$TM"},
                {"id": "$G3", "tenantId": "$TM"}, {"id": "$G4", "tenantId": "$TD"}],
     "principals": [sp("$SPM", "$TM", "c1352002-1111-4000-8000-000000000000", ["$G1", "$G3"]),
                    sp("$SPD", "$TD", "c1352003-1111-4000-8000-000000000000", ["$G4"])],
     "links": {x: {"partnerId": "1234567", "state": "Active", "createdTime": "2025-01-01T00:00:00Z"}
               for x in ("$SPM", "$SPD")},
     "subscriptions": [{"id": x, "displayName": "sub " + x[:8], "tenantId": "$TC", "state": "Enabled",
                        "quotaId": "PayAsYouGo_2014-09-01"} for x in ("$S1", "$S2", "$S3")],
     "graph_denied": ["$SPD"],
     "lighthouse": [
       # S1: G1 (member) Contributor, G2 (not a member) Reader
       {"subscriptionId": "$S1", "managedByTenantId": "$TM", "definitionId": "d3520001-0000-4000-8000-000000000000",
        "authorizations": [auth("$G1", "$CONTRIB"), auth("$G2", "$READER")]},
       # S2: seen through G3's Reader delegation; G2's Contributor delegation is not SPM's
       {"subscriptionId": "$S2", "managedByTenantId": "$TM", "definitionId": "d3520002-0000-4000-8000-000000000000",
        "authorizations": [auth("$G2", "$CONTRIB")]},
       {"subscriptionId": "$S2", "managedByTenantId": "$TM", "definitionId": "d3520003-0000-4000-8000-000000000000",
        "authorizations": [auth("$G3", "$READER")]},
       # S3: Graph denied to SPD: inferred through G4, with a warning
       {"subscriptionId": "$S3", "managedByTenantId": "$TD", "definitionId": "d3520004-0000-4000-8000-000000000000",
        "authorizations": [auth("$G4", "$CONTRIB")]}],
     "costs": {x: {"currency": "EUR", "daily": {"rg": 1.0}} for x in ("$S1", "$S2", "$S3")}}
json.dump(s, open(sys.argv[1], "w"))
PY
printf 'tenant_id,client_id,secret_env,label\n%s,c1352002-1111-4000-8000-000000000000,SM,Managing SP\n%s,c1352003-1111-4000-8000-000000000000,SD,Denied SP\n' \
	"$TM" "$TD" >"$T/acc.csv"
export SM=secret-c1352002 SD=secret-c1352003
start_server "$T/s.json"
DB=$T/a.db
collect --db "$DB" --accounts "$T/acc.csv" --partner-id 1234567 --period 2026-10
[ "$RC" -eq 0 ] || { cat "$T/collect.err"; fail "collect: exit $RC"; }
expect_eq "Graph checks stored" "$G1|1;$G2|0;$G3|1" \
	"$(q "$DB" "select group_concat(group_id || '|' || member, ';') from (select group_id, member from group_check where status = 'ok' order by group_id)")"
"$PALSCOPE" report subscriptions --db "$DB" --out "$T/s.csv" || fail "report subscriptions"
"$PYTHON" - "$T/s.csv" "$S1" "$S2" "$S3" "$G1" "$G3" <<'PY' || fail "subscriptions report"
import csv, sys
rows = {r["subscription_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""), strict=True)}
s1, s2, s3, g1, g3 = sys.argv[2:7]
def check(s, status, code, reasons, roles, *frags):
    r = rows[s]
    assert (r["status"], r["reason_code"], r["reasons"], r["roles"]) == (status, code, reasons, roles), (s, r)
    for f in frags:
        assert f in r["explanation"], (s, f, r["explanation"])
check(s1, "ATTRIBUTED", "", "", "Contributor at subscription via Lighthouse through 'group 9a352001' (member, verified)",
      "31.00 of 31.00 EUR")
check(s2, "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE",
      "Reader at subscription via Lighthouse through 'group 9a352003' (member, verified)")
check(s3, "ATTRIBUTED", "", "GROUP_MEMBERSHIP_UNVERIFIED",
      "Contributor at subscription via Lighthouse through 'group 9a352004' (membership inferred)",
      "is inferred, not verified: Microsoft Graph did not answer checkMemberGroups (forbidden, HTTP 403 "
      "Authorization_RequestDenied)")
PY
ok "verified member counts, verified non-member does not, denied Graph keeps the inference with a warning"
