#!/usr/bin/env bash
# collect under fault injection: throttling (Retry-After and Cost Management
# headers), 503 storms, expired tokens, malformed and truncated bodies,
# dropped connections, slow responses and a nextLink to another host. Each
# fault either heals through a retry or becomes a recorded failure for that
# identity only.
. "$(dirname "$0")/lib.sh"
demo_env
CONTOSO=a0000001-0000-4000-8000-000000000000
FABRIKAM=a0000000-0000-4000-8000-000000000000
MUELLER=a0000002-0000-4000-8000-000000000000
NORTHWIND=a0000004-0000-4000-8000-000000000000
LITWARE=a0000008-0000-4000-8000-000000000000
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/faults.json" <<PY
import json, sys
s = json.load(open(sys.argv[1]))
s["faults"] = [
  {"method": "GET", "path_regex": "^/subscriptions$", "tenant": "$CONTOSO", "times": 1,
   "action": {"status": 429, "headers": {"Retry-After": "1"}}},
  {"method": "GET", "path_regex": "^/subscriptions/50400001-0000-4000-8000-000000000000/providers/Microsoft.Authorization/roleAssignments$",
   "times": -1, "action": {"status": 503}},
  {"method": "GET", "path_regex": "^/tenants$", "tenant": "$FABRIKAM", "times": 1,
   "action": {"expire_token": True}},
  {"method": "GET", "path_regex": "^/subscriptions/50900001-0000-4000-8000-000000000000/providers/Microsoft.ManagedServices",
   "times": -1, "action": {"malformed_json": True}},
  {"method": "GET", "path_regex": "^/subscriptions/50200001-0000-4000-8000-000000000000/providers/Microsoft.Authorization/roleAssignments$",
   "times": 1, "action": {"foreign_next_link": True}},
  {"method": "GET", "path_regex": "^/providers/Microsoft.ManagementPartner/partners$", "tenant": "$MUELLER",
   "times": 1, "action": {"drop": True}},
  {"method": "POST", "path_regex": "^/subscriptions/50800003-0000-4000-8000-000000000000/providers/Microsoft.CostManagement/query$",
   "times": 1, "action": {"delay_ms": 2500}},
  {"method": "POST", "path_regex": "^/subscriptions/50800004-0000-4000-8000-000000000000/providers/Microsoft.CostManagement/query$",
   "times": 1, "action": {"status": 429, "headers": {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "1"}}},
  {"method": "GET", "path_regex": "^/tenants$", "tenant": "$NORTHWIND", "times": 1, "action": {"truncate": True}},
]
json.dump(s, open(sys.argv[2], "w"))
PY
start_server "$T/faults.json"
DB=$T/f.db
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10 --timeout 1
expect_eq "exit status" 1 "$RC"

logq() { "$PYTHON" -c "import json,sys
rows=[json.loads(l) for l in open('$T/requests.jsonl')]
$1"; }

# 429 + Retry-After: 1 on Contoso's subscription list: retried no sooner than 1 s later, then stored.
gap=$(logq "
hit=[r for r in rows if r['path']=='/subscriptions' and r['status']==429][0]
nxt=[r for r in rows if r['path']=='/subscriptions' and r['oid']==hit['oid'] and r['ts']>hit['ts']][0]
print('%.2f' % (nxt['ts']-hit['ts']))")
awk -v g="$gap" 'BEGIN { exit !(g >= 0.95) }' || fail "Retry-After not honoured (gap $gap s)"
expect_eq "Contoso subscriptions after 429" 5 \
	"$(q "$DB" "select count(*) from subscription s join identity i using (identity_id) where i.tenant_id = '$CONTOSO'")"
# While that identity waited, the others went on.
others=$(logq "
hit=[r for r in rows if r['path']=='/subscriptions' and r['status']==429][0]
nxt=[r for r in rows if r['path']=='/subscriptions' and r['oid']==hit['oid'] and r['ts']>hit['ts']][0]
print(sum(1 for r in rows if hit['ts'] < r['ts'] < nxt['ts'] and r['oid'] not in (None, hit['oid'])))")
[ "$others" -gt 10 ] || fail "other identities stalled during the throttle wait ($others requests)"
ok "429 Retry-After honoured (${gap}s) and healed; $others requests of other identities meanwhile"

# 503 storm: retry cap reached, one failure row for that subscription, the rest of Northwind collected.
expect_eq "503 failure" "role_assignments|503|6" \
	"$(q "$DB" "select kind, http_status, attempts from request_failure where subscription_id = '50400001-0000-4000-8000-000000000000'")"
expect_eq "Northwind other subscriptions still read" 3 \
	"$(q "$DB" "select count(*) from cost_status where subscription_id like '504%' and subscription_id <> '50400001-0000-4000-8000-000000000000'")"
ok "503 storm recorded after the retry cap"

# Expired token: a second ARM token request for Fabrikam, then the tenants list succeeded (its
# Microsoft Graph token, for the group checks, is requested once on its own).
expect_eq "Fabrikam ARM token requests" 2 "$(logq "print(sum(1 for r in rows if r['path']=='/$FABRIKAM/oauth2/v2.0/token' and 'graph.microsoft.com' not in r['body']))")"
expect_eq "Fabrikam Graph token requests" 1 "$(logq "print(sum(1 for r in rows if r['path']=='/$FABRIKAM/oauth2/v2.0/token' and 'graph.microsoft.com' in r['body']))")"
expect_eq "Fabrikam tenants stored" 1 \
	"$(q "$DB" "select count(*) > 0 from tenant t join identity i using (identity_id) where i.tenant_id = '$FABRIKAM'")"
ok "expired token refreshed once"

# Malformed JSON after retries: recorded as such.
expect_eq "malformed" "lighthouse|200|MalformedResponse" \
	"$(q "$DB" "select kind, http_status, error_code from request_failure where subscription_id = '50900001-0000-4000-8000-000000000000'")"
ok "malformed JSON recorded"

# nextLink to another host: not followed, recorded.
expect_eq "foreign nextLink" "role_assignments|ForeignNextLink" \
	"$(q "$DB" "select kind, error_code from request_failure where subscription_id = '50200001-0000-4000-8000-000000000000'")"
if grep -q 'evil' "$T/collect.err"; then :; fi
ok "foreign nextLink refused"

# Dropped connection and truncated body: retried and healed.
expect_eq "Mueller link after drop" 1 \
	"$(q "$DB" "select count(*) from partner_link l join identity i using (identity_id) where i.tenant_id = '$MUELLER'")"
expect_eq "Northwind tenants after truncation" 1 \
	"$(q "$DB" "select count(*) > 0 from tenant t join identity i using (identity_id) where i.tenant_id = '$NORTHWIND'")"
ok "dropped connection and truncated body retried"

# Slow response beyond --timeout 1: retried, then cost stored.
expect_eq "cost after timeout" ok "$(q "$DB" "select status from cost_status where subscription_id = '50800003-0000-4000-8000-000000000000'")"
# Cost Management qpu-retry-after: waited and healed.
gap=$(logq "
ts=[r['ts'] for r in rows if r['path'].startswith('/subscriptions/50800004-0000-4000-8000-000000000000/providers/Microsoft.CostManagement') and 'skiptoken' not in r['query']]
print('%.2f' % (ts[1]-ts[0]))")
awk -v g="$gap" 'BEGIN { exit !(g >= 0.95) }' || fail "cost retry-after not honoured (gap $gap s)"
expect_eq "cost after qpu throttle" ok "$(q "$DB" "select status from cost_status where subscription_id = '50800004-0000-4000-8000-000000000000'")"
ok "timeout and Cost Management throttling retried (${gap}s)"

# Exactly the expected failures, nothing else.
expect_eq "failure rows" 4 "$(q "$DB" "select count(*) from request_failure")"
expect_eq "retries counted" 1 "$(q "$DB" "select retries >= 8 from run")"
ok "only the unrecoverable faults are failures"
