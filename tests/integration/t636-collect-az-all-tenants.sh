#!/usr/bin/env bash
# collect --az: every tenant the Azure CLI's sign-in reaches, as azure-identity's
# AzureCliCredential gets tokens (issue 11). palscope runs `az account get-access-token
# --resource {arm} --output json` once without --tenant (az's default tenant: the JSON's
# "tenant", checked against the token's tid), reads GET {arm}/tenants with that token ONCE in the
# run (stored as the default tenant identity's list, collector.c user_tenants_wanted), then one
# identity per tenant with `--tenant T`. Scenario users.json (lib_user.sh): Alice of Fabrikam,
# a guest in tenants 01..09; 03 needs MFA, 04..09 refuse the sign-in in other ways.
#
# The `az` here is a fake on PATH standing in for the real one: signed in as Alice (its MSAL
# cache: the refresh token of a palscope login, bound to the az client id, not to a tenant), it
# redeems the refresh token at {login}/{tenant}/oauth2/v2.0/token for each call, as az's MSAL
# does. Its JSON is Azure CLI 2.54+'s (accessToken, expiresOn, expires_on, subscription, tenant,
# tokenType; MicrosoftDocs/azure-docs-cli docs-ref-conceptual/includes/refresh-token.md, as in
# t633). On an identity platform error it prints what az prints, exit status 1: "ERROR: " and the
# error_description (AADSTS50076: ...), then "Interactive authentication is needed. Please
# run:\naz login --scope {resource}/.default" (Azure/azure-cli
# src/azure-cli-core/azure/cli/core/auth/util.py: aad_error_handler, _generate_login_command;
# knack prints AuthenticationError as "ERROR: msg" and the recommendation after it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"
. "$(dirname "$0")/lib_cred.sh"
. "$(dirname "$0")/lib_az.sh"

start_server "$USERS_JSON"
login_as "$ALICE" false
RT=$(cached_rt)
fake_az "$RT"
# palscope's own sign-in plays no part: az's is used.
rm -f "$CACHE"

DB="$T/az.db"
: >"$T/requests.jsonl"
collect_vv --az --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "collect --az with failing tenants: exit" 1 "$RC"
ARM=https://management.azure.com
expect_eq "az: once without --tenant, then once per tenant" \
	"account get-access-token --resource $ARM --output json
$(for t in "$HOME_T" $(for n in 1 2 3 4 5 6 7 8 9; do tenant $n; printf " "; done); do
	echo "account get-access-token --tenant $t --resource $ARM --output json"
done)" "$(cat "$T/az-argv")"
expect_eq "GET /tenants once in the run (with az's default tenant token)" "1 200" "$(count_tenants_reads)"
expect_eq "one az identity per tenant, default tenant first, named by the UPN" \
	"$HOME_T|$ALICE|ok|az|alice@fabrikam.example
$(tenant 1)|$(guest 1)|ok|az|alice@fabrikam.example
$(tenant 2)|$(guest 2)|ok|az|alice@fabrikam.example
$(tenant 3)||failed|az|alice@fabrikam.example
$(tenant 4)||failed|az|alice@fabrikam.example
$(tenant 5)||failed|az|alice@fabrikam.example
$(tenant 6)||failed|az|alice@fabrikam.example
$(tenant 7)||failed|az|alice@fabrikam.example
$(tenant 8)||failed|az|alice@fabrikam.example
$(tenant 9)||failed|az|alice@fabrikam.example" \
	"$(q "$DB" "select tenant_id, coalesce(object_id, ''), status, auth_kind, label from identity order by identity_id")"
expect_eq "the list is the default tenant identity's" "1|$HOME_T|10" \
	"$(q "$DB" "select count(distinct t.identity_id), i.tenant_id, count(*) from tenant t join identity i using (identity_id)")"
# Each failed tenant: az's AADSTS error classified, the fix with az login --tenant.
while IFS='|' read -r n pattern; do
	err=$(q "$DB" "select error from identity where tenant_id = '$(tenant "$n")'")
	case "$err" in
	*"$pattern"*) ;;
	*) fail "tenant $n: expected '$pattern' in '$err'" ;;
	esac
done <<EOF
3|az account get-access-token: tenant $(tenant 3) requires multi-factor authentication (AADSTS50076): sign in to it once: az login --tenant $(tenant 3)
4|a Conditional Access policy of tenant $(tenant 4) blocks this sign-in (AADSTS53003): sign in from a device or place the policy allows (az login --tenant $(tenant 4))
5|cross-tenant access policy does not allow access to tenant $(tenant 5) (AADSTS500212)
6|the token is for tenant $HOME_T, not tenant $(tenant 6): not used
8|your account is not a member or guest of tenant $(tenant 8) (AADSTS50020)
9|(AADSTS70043, a Conditional Access sign-in frequency): sign in again: az login --tenant $(tenant 9)
EOF
ok "collect --az over 10 tenants: az once per tenant, GET /tenants once, each failure classified with 'az login --tenant T'"

customers_status "$DB" "$T/status"
expect_eq "the reachable tenants' customers are collected" "$(tenant 1)|ATTRIBUTED|
$(tenant 2)|MISSING|NO_LINK" \
	"$(grep -E "^($(tenant 1)|$(tenant 2))" "$T/status" | cut -d'|' -f1-3)"
grep -q "^$(tenant 3)|UNKNOWN|COLLECTION_FAILED$" "$T/status" || { cat "$T/status"; fail "the MFA tenant's customer is COLLECTION_FAILED"; }
NO_COLOR= COLUMNS=200 "$PALSCOPE" why "$(tenant 3)" --db "$DB" --output table >"$T/why.out" 2>&1 || true
tr '\n' ' ' <"$T/why.out" | sed 's/  */ /g' >"$T/why.flat"
grep -qF "az login --tenant $(tenant 3)" "$T/why.flat" || { cat "$T/why.out"; fail "why names the fix for the MFA tenant"; }
ok "the reachable tenants' customers collected; the MFA tenant's COLLECTION_FAILED, its fix in why"

# Once az has an MFA sign-in for tenant 03 (az login --tenant T), that tenant is collected too.
login_as "$ALICE" true --tenant "$(tenant 3)"
printf '%s %s\n' "$HOME_T" "$(cached_rt)" >"$T/az-home/msal"
rm -f "$CACHE"
: >"$T/az-argv"
collect --az --partner-id 1234567 --db "$T/az2.db" --period 2026-10
expect_eq "after az login --tenant 03: tenant 03 ok" "ok" \
	"$(q "$T/az2.db" "select status from identity where tenant_id = '$(tenant 3)'")"
ok "after an MFA sign-in to tenant 03 its identity is collected"

# az not signed in at all: one clear error, nothing stored.
: >"$T/az-home/msal.bad"
mv "$T/az-home/msal" "$T/az-home/msal.ok"
printf '%s %s\n' "$HOME_T" "0.A-not-a-refresh-token" >"$T/az-home/msal"
collect --az --partner-id 1234567 --db "$T/az3.db" --period 2026-10
expect_eq "az's default sign-in fails: exit" 1 "$RC"
expect_eq "one line" 1 "$(wc -l <"$T/collect.err")"
grep -q "^palscope: error: --az: az's default tenant: az account get-access-token exited with status 1: ERROR: AADSTS9002313" "$T/collect.err" ||
	{ cat "$T/collect.err"; fail "the default sign-in's error"; }
[ -e "$T/az3.db" ] && fail "no database when az's default sign-in fails"
mv "$T/az-home/msal.ok" "$T/az-home/msal"
ok "az's default sign-in failing: one error line, no database"

# --az with --accounts or --user: a usage error.
collect --az --user --partner-id 1234567 --db "$T/x.db"
expect_eq "--az --user: exit" 2 "$RC"
grep -q "\-\-az and --user: give one of them" "$T/collect.err" || { cat "$T/collect.err"; fail "--az --user message"; }
ok "--az with --user is a usage error"

stop_server
"$PALSCOPE" report customers --db "$DB" --out "$T/report.csv"
sqlite3 "$DB" .dump >"$T/dump.sql"
not_anywhere "$RT" "the refresh token" "$DB" "$T/dump.sql" "$T/report.csv" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl" "$T/az-argv"
if grep -q 'eyJ[A-Za-z0-9_-]*\.eyJ' "$T/collect.err" "$DB" "$T/dump.sql" "$T/report.csv"; then fail "a token reached stderr or the database"; fi
ok "az's refresh token and tokens are in no database, dump, report, stderr (-vv), argv or log"
