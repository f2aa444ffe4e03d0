#!/usr/bin/env bash
# auth az end to end: palscope runs `az account get-access-token --tenant T --resource {arm}
# --output json` (no shell) for each az line, as azure-identity's AzureCliCredential does, and
# reads its JSON (accessToken, expiresOn, expires_on, subscription, tenant, tokenType: the shape
# of Azure CLI 2.54+, MicrosoftDocs/azure-docs-cli docs-ref-conceptual/includes/refresh-token.md).
# The `az` here is a fake on PATH: signed in (its own login file, as az keeps its MSAL cache) as
# a service principal per tenant, it asks the fake identity platform for the token. A tenant az
# is not signed in to, and a token for another tenant, are that identity's failures; az does not
# see the other identities' secrets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
mkdir -p "$T/bin"
# The fake az's sign-ins: tenant -> the tenant and client whose token it gets (Litware's line
# deliberately answers with Contoso's token).
cat >"$T/az-logins" <<EOT
$CONTOSO $CONTOSO $CONTOSO_CID $PALSCOPE_DEMO_SECRET_01_1
$MUELLER $MUELLER $MUELLER_CID $PALSCOPE_DEMO_SECRET_02_1
$LITWARE $CONTOSO $CONTOSO_CID $PALSCOPE_DEMO_SECRET_01_1
EOT
cat >"$T/bin/az" <<'SH'
#!/bin/sh
# A fake Azure CLI: only `az account get-access-token --tenant T --resource R --output json`.
printf '%s\n' "$*" >>"$AZ_T/az-argv"
env >"$AZ_T/az-env"
[ "$1 $2" = "account get-access-token" ] || { echo "ERROR: fake az: unexpected: $*" >&2; exit 2; }
tenant=$4 resource=$6
line=$(grep "^$tenant " "$AZ_T/az-logins") || {
	# az's answer for a tenant that needs MFA (Azure/azure-cli
	# src/azure-cli-core/azure/cli/core/auth/util.py aad_error_handler: ERROR: the
	# error_description, then the recommendation)
	echo "ERROR: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'." >&2
	echo "Interactive authentication is needed. Please run:" >&2
	echo "az login --scope https://management.core.windows.net//.default" >&2
	exit 1
}
set -- $line
exec "$AZ_PYTHON" - "$AZ_URL" "$2" "$3" "$4" "$resource" <<'PY'
import datetime, json, sys, urllib.parse, urllib.request
url, tenant, cid, secret, resource = sys.argv[1:6]
form = urllib.parse.urlencode({"client_id": cid, "client_secret": secret, "grant_type": "client_credentials",
                               "scope": resource.rstrip("/") + "/.default"}).encode()
t = json.load(urllib.request.urlopen("%s/%s/oauth2/v2.0/token" % (url, tenant), form))
exp = int(datetime.datetime.now().timestamp()) + int(t["expires_in"])
print(json.dumps({"accessToken": t["access_token"],
                  "expiresOn": datetime.datetime.fromtimestamp(exp).strftime("%Y-%m-%d %H:%M:%S.%f"),
                  "expires_on": exp, "subscription": "00000000-0000-0000-0000-000000000000",
                  "tenant": tenant, "tokenType": "Bearer"}, indent=2))
PY
SH
chmod +x "$T/bin/az"
export PATH="$T/bin:$PATH" AZ_T=$T AZ_URL=$URL AZ_PYTHON=$PYTHON
export AZURE_CLIENT_SECRET=$PALSCOPE_DEMO_SECRET_04_1
{
	echo "tenant_id,auth,client_id,secret_env,label"
	echo "$CONTOSO,az,,,Contoso via az"
	echo "$MUELLER,AZ,,,Mueller via az"
	echo "$NORTHWIND,secret,$NORTHWIND_CID,PALSCOPE_DEMO_SECRET_04_1,Northwind (secret)"
} >"$T/az.csv"
collect_vv --db "$T/az.db" --accounts "$T/az.csv" --partner-id 1234567 --period 2026-10
expect_eq "az run: exit" 0 "$RC"
expect_eq "az identities" "Contoso via az|az|ok|0b010001-0000-4000-8000-000000000000
Mueller via az|az|ok|0b020001-0000-4000-8000-000000000000
Northwind (secret)|secret|ok|0b040001-0000-4000-8000-000000000000" \
	"$(q "$T/az.db" "select label, auth_kind, status, object_id from identity order by identity_id")"
expect_eq "az's arguments, once per az line" \
	"account get-access-token --tenant $CONTOSO --resource https://management.azure.com --output json
account get-access-token --tenant $MUELLER --resource https://management.azure.com --output json" \
	"$(cat "$T/az-argv")"
for v in PALSCOPE_DEMO_SECRET_04_1 AZURE_CLIENT_SECRET; do
	grep -q "^$v=" "$T/az-env" && fail "az saw $v"
done
grep -q "^AZ_T=" "$T/az-env" || fail "az gets the rest of the environment"
customers_status "$T/az.db" "$T/az.status"
[ "$(grep -vc COLLECTION_FAILED "$T/az.status")" -ge 3 ] || fail "the identities' customers are evaluated"
# az gives an ARM token only: Contoso's group checks say so rather than fail the identity.
expect_eq "no Graph token through az" "NoGraphToken" \
	"$(q "$T/az.db" "select distinct error_code from group_check where error_code is not null")"
ok "auth az: az account get-access-token per tenant, its JSON read, no other identity's secret in its environment"

# A tenant az is not signed in to, and an answer for another tenant: those identities fail.
: >"$T/az-argv"
{
	echo "tenant_id,auth,label"
	echo "$CONTOSO,az,Contoso"
	echo "$NORTHWIND,az,Northwind (az not signed in)"
	echo "$LITWARE,az,Litware (az answers for Contoso)"
} >"$T/az2.csv"
collect --db "$T/az2.db" --accounts "$T/az2.csv" --partner-id 1234567 --period 2026-10
expect_eq "az failures: exit" 1 "$RC"
expect_eq "az failures: per identity" "Contoso|ok|
Northwind (az not signed in)|failed|az account get-access-token: tenant $NORTHWIND requires multi-factor authentication (AADSTS50076): sign in to it once: az login --tenant $NORTHWIND
Litware (az answers for Contoso)|failed|sign-in failed: the token is for tenant $CONTOSO, not tenant $LITWARE: not used" \
	"$(q "$T/az2.db" "select label, status, coalesce(error, '') from identity order by identity_id")"
customers_status "$T/az2.db" "$T/az2.status"
[ "$(grep -c '|UNKNOWN|COLLECTION_FAILED$' "$T/az2.status")" -ge 2 ] || fail "the failed tenants' customers are COLLECTION_FAILED"
ok "az not signed in to a tenant (its AADSTS50076 classified), or answering for another tenant: that identity fails, with the fix"

# az lines take no client or secret columns.
bad_accounts "az with client_id" "bad.csv:2: column 3 ('client_id'): client_id is not used with auth az: leave it empty" \
	"tenant_id,auth,client_id" "$CONTOSO,az,$CONTOSO_CID"
ok "an az line with a client_id is an error naming file:line:column"

stop_server
"$PALSCOPE" report customers --db "$T/az.db" --out "$T/report.csv"
sqlite3 "$T/az.db" .dump >"$T/dump.sql"
for s in "$PALSCOPE_DEMO_SECRET_01_1" "$PALSCOPE_DEMO_SECRET_02_1" "$PALSCOPE_DEMO_SECRET_04_1"; do
	not_anywhere "$s" "a secret" "$T/az.db" "$T/dump.sql" "$T/report.csv" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl"
done
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/collect.err" "$T/az.db" "$T/dump.sql"; then fail "a token reached stderr or the database"; fi
ok "secrets and az's tokens are in no database, dump, report, stderr (-vv) or log"
