#!/usr/bin/env bash
# auth az in the accounts file (issue 11): a line without a tenant is every tenant the Azure
# CLI's sign-in reaches (the same path as collect --az: az once without --tenant, GET /tenants
# once, then `az account get-access-token --tenant T` per tenant, as azure-identity's
# AzureCliCredential does), a line with a tenant only that tenant (and it wins over the
# every-tenant line for its tenant), beside service principal lines. Scenario users.json
# (lib_user.sh: Alice of Fabrikam, a guest in tenants 01..09; 03 needs MFA, 04..09 refuse the
# sign-in in other ways) with a service principal with a secret added in tenant 03. The fake
# az is lib_az.sh's. Neither the secret, az's refresh token nor any token reaches the
# database, a report, stderr at -vv, az's environment or the fake's log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
. "$(dirname "$0")/lib_az.sh"

SP_CID=c1030001-1111-4000-8000-000000000000 SP_SECRET_VALUE=t637-sp-secret-of-tenant-3
"$PYTHON" - "$USERS_JSON" "$T/users-sp.json" "$(tenant 3)" "$SP_CID" "$SP_SECRET_VALUE" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["principals"].append({"id": "0b030001-0000-4000-8000-000000000000", "tenantId": sys.argv[3],
                        "kind": "ServicePrincipal", "displayName": "northwind-pal-reader",
                        "clientId": sys.argv[4], "clientSecret": sys.argv[5]})
json.dump(s, open(sys.argv[2], "w"))
PY
start_server "$T/users-sp.json"
login_as "$ALICE" false
RT=$(cached_rt)
fake_az "$RT"
rm -f "$CACHE" # palscope's own sign-in plays no part: az's is used
export SP_SECRET="$SP_SECRET_VALUE"
{
	echo "tenant_id,auth,label,client_id,secret_env"
	echo ",az,Alice via az,,"
	echo "$(tenant 2),az,tenant 2's own line,,"
	echo "$(tenant 3),,tenant 3 reader,$SP_CID,SP_SECRET"
} >"$T/acc.csv"
: >"$T/requests.jsonl"
collect_vv --accounts "$T/acc.csv" --partner-id 1234567 --db "$T/az.db" --period 2026-10
expect_eq "mixed accounts file with failing az tenants: exit" 1 "$RC"
ARM=https://management.azure.com
expect_eq "az: once without --tenant, then once per tenant (tenant 2 once, by its own line)" \
	"$( (echo "account get-access-token --resource $ARM --output json"
	     for t in "$HOME_T" $(for n in 1 2 3 4 5 6 7 8 9; do tenant $n; printf " "; done); do
		echo "account get-access-token --tenant $t --resource $ARM --output json"
	     done) | sort)" "$(sort "$T/az-argv")"
expect_eq "GET /tenants once for the every-tenant line; tenant 2's line and the secret line read their own" \
	"3 200,200,200" \
	"$(count_tenants_reads)"
expect_eq "identities: the every-tenant line in its place (but tenant 2), then the file's others" \
	"$HOME_T|$ALICE|ok|az|Alice via az|2
$(tenant 1)|$(guest 1)|ok|az|Alice via az|2
$(tenant 3)||failed|az|Alice via az|2
$(tenant 4)||failed|az|Alice via az|2
$(tenant 5)||failed|az|Alice via az|2
$(tenant 6)||failed|az|Alice via az|2
$(tenant 7)||failed|az|Alice via az|2
$(tenant 8)||failed|az|Alice via az|2
$(tenant 9)||failed|az|Alice via az|2
$(tenant 2)|$(guest 2)|ok|az|tenant 2's own line|3
$(tenant 3)|0b030001-0000-4000-8000-000000000000|ok|secret|tenant 3 reader|4" \
	"$(q "$T/az.db" "select tenant_id, coalesce(object_id, ''), status, auth_kind, label, source_line from identity order by identity_id")"
case "$(q "$T/az.db" "select error from identity where tenant_id = '$(tenant 3)' and auth_kind = 'az'")" in
*"requires multi-factor authentication (AADSTS50076): sign in to it once: az login --tenant $(tenant 3)"*) ;;
*) fail "tenant 3's az identity: the MFA fix with az login --tenant" ;;
esac
case "$(q "$T/az.db" "select error from identity where tenant_id = '$(tenant 6)'")" in
*"the token is for tenant $HOME_T, not tenant $(tenant 6): not used"*) ;;
*) fail "tenant 6: a token for another tenant (tid) is refused" ;;
esac
ok "an every-tenant az line fans out as --az does; a tenant's own az line wins; az failures classified per tenant"

grep -q "SP_SECRET" "$T/az-env" && fail "az ran with the secret line's variable"
expect_eq "az ran once per call, each without SP_SECRET" "$(wc -l <"$T/az-argv")" "$(grep -vc SP_SECRET "$T/az-env")"
ok "az runs without the secret variables of the file's other lines"

# The two sign-ins of tenant 3 (az fails, the service principal reads) are two identities.
customers_status "$T/az.db" "$T/status"
grep -q "^$(tenant 1)|ATTRIBUTED|" "$T/status" || { cat "$T/status"; fail "tenant 1 collected through az"; }
grep -q "^$(tenant 2)|MISSING|NO_LINK" "$T/status" || { cat "$T/status"; fail "tenant 2 collected through its own az line"; }
ok "the reachable tenants' customers are collected"

# Two every-tenant az lines are one identity twice; a tenant-less line of another kind is refused.
bad_accounts "az every-tenant twice" "bad.csv:3: duplicate identity (same tenant and client as line 2)" \
	"tenant_id,auth" ",az" ",az"
bad_accounts "secret without tenant" "bad.csv:2: column 1 ('tenant_id'): missing tenant_id (only auth az may leave it empty" \
	"tenant_id,client_id,secret_env" ",$SP_CID,SP_SECRET"
ok "two every-tenant az lines, or a tenant-less line of another kind: one error naming file:line, no database"

# az not signed in: the every-tenant line is one clear error, nothing stored.
mv "$T/az-home/msal" "$T/az-home/msal.ok"
printf '%s %s\n' "$HOME_T" "0.A-not-a-refresh-token" >"$T/az-home/msal"
collect --accounts "$T/acc.csv" --partner-id 1234567 --db "$T/az3.db" --period 2026-10
expect_eq "az's default sign-in fails: exit" 1 "$RC"
expect_eq "one line" 1 "$(wc -l <"$T/collect.err")"
grep -q "^palscope: error: collect: accounts line 2 (auth az, every tenant): az's default tenant: az account get-access-token exited with status 1: ERROR: AADSTS9002313" "$T/collect.err" ||
	{ cat "$T/collect.err"; fail "the default sign-in's error names the line"; }
[ -e "$T/az3.db" ] && fail "no database when az's default sign-in fails"
mv "$T/az-home/msal.ok" "$T/az-home/msal"
ok "az's default sign-in failing for an every-tenant line: one error line naming it, no database"

stop_server
"$PALSCOPE" report customers --db "$T/az.db" --out "$T/report.csv"
sqlite3 "$T/az.db" .dump >"$T/dump.sql"
for s in "$RT" "$SP_SECRET_VALUE"; do
	not_anywhere "$s" "a secret" "$T/az.db" "$T/dump.sql" "$T/report.csv" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl" "$T/az-argv" "$T/az-env"
done
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/collect.err" "$T/az.db" "$T/dump.sql" "$T/report.csv"; then fail "a token reached stderr or the database"; fi
ok "the secret, az's refresh token and tokens are in no database, dump, report, stderr (-vv), az's argv or log"
