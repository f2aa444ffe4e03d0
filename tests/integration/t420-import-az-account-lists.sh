#!/usr/bin/env bash
# palscope import of the subscription lists as az prints them (issue 9):
# - `az account list --all -o json` lists every tenant the user signed in to: --tenant's entries
#   are kept, the others counted and left out; only a file with nothing of --tenant is an error;
# - `az account subscription list -o json` has no tenantId: its subscriptions are --tenant's,
#   joined with az account list entries by id (quotaId from the former, tenant from the latter),
#   whatever the order of the files.
# Fixtures: tests/fixtures/import/README.md names the az version and source of each shape.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_import.sh"
TEN=11111111-1111-4111-8111-111111111111
FAB=55555555-5555-4555-8555-555555555555
S1=aaaaaaaa-0000-4000-8000-000000000001
S3=aaaaaaaa-0000-4000-8000-000000000003

csv_col() { # csv_col FILE COLUMN: that column of every data row, sorted (parsed with Python's csv)
	"$PYTHON" - "$1" "$2" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    print("\n".join(sorted(r[sys.argv[2]] for r in csv.DictReader(f))))
PY
}

# 1. az account list --all of a user signed in to 6 tenants, one import per customer.
imp_in $TEN "$T/a.db" "$F/link.json" "$F/account-list-all.json" "$F/account-subscription-list.json" \
	"$F/ra-s1.json" "$F/ra-s2.json" "$F/ra-s3.json" "$F/cost-ea.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "az account list --all: exit $RC"; }
grep -qx "$F/account-list-all.json: 12 subscriptions of 4 other tenants left out" "$T/imp.err" ||
	{ cat "$T/imp.err"; fail "left-out note"; }
grep -q "account-list-all.json: az account list (3 subscriptions of --tenant)" "$T/imp.err" || fail "kept note"
grep -q "account-list-all.json: 1 tenant level account of other tenants left out" "$T/imp.err" || fail "tenant level note"
expect_eq "only --tenant's subscriptions" "$S1|$TEN|PayAsYouGo_2014-09-01
aaaaaaaa-0000-4000-8000-000000000002|$TEN|MSDNDevTest_2014-09-01
$S3|$TEN|EnterpriseAgreement_2014-09-01" \
	"$(q "$T/a.db" "select subscription_id, tenant_id, quota_id from subscription order by 1")"
expect_eq "S3 delegated to the partner" "$S3|$FAB" \
	"$(q "$T/a.db" "select subscription_id, managing_tenant_id from subscription_managed_by")"
expect_eq "tenant name from --tenant's entries" "Contoso Ltd|contoso.onmicrosoft.com" \
	"$(q "$T/a.db" "select display_name, default_domain from tenant")"
"$PALSCOPE" report subscriptions --db "$T/a.db" --out "$T/subs.csv" 2>"$T/rep.err" || { cat "$T/rep.err"; fail "report"; }
expect_eq "report rows" "$S1
aaaaaaaa-0000-4000-8000-000000000002
$S3" "$(csv_col "$T/subs.csv" subscription_id)"
ok "az account list --all: --tenant's 3 kept, 12 of 4 other tenants left out and said"

# 2. A file with nothing of --tenant is an error naming the file; nothing is stored.
imp_in $TEN "$T/b.db" "$F/empty.json" "$F/account-list-other-tenants.json"
expect_eq "other tenants only: exit" 2 "$RC"
grep -q "error: .*account-list-other-tenants.json: subscription eeeeeeee-0000-4000-8000-000000000001 was listed in tenant $FAB, not in --tenant $TEN, and so were the other 11: nothing in the file is of --tenant" "$T/imp.err" ||
	{ cat "$T/imp.err"; fail "other tenants only: message"; }
[ ! -e "$T/b.db" ] || fail "other tenants only: database created"
ok "az account list with nothing of --tenant: $(grep error: "$T/imp.err" | head -1)"

# 3. az account subscription list alone (no tenantId): --tenant's subscriptions, with quotaId.
imp_in $TEN "$T/c.db" "$F/empty.json" "$F/account-subscription-list.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "subscription list alone: exit $RC"; }
grep -q "account-subscription-list.json: az account subscription list (3 subscriptions, with quotaId; no tenantId: taken as --tenant's)" "$T/imp.err" ||
	{ cat "$T/imp.err"; fail "subscription list note"; }
expect_eq "subscription list: tenant and quota" "$S1|$TEN|PayAsYouGo_2014-09-01|RoleBased
aaaaaaaa-0000-4000-8000-000000000002|$TEN|MSDNDevTest_2014-09-01|RoleBased
$S3|$TEN|EnterpriseAgreement_2014-09-01|RoleBased" \
	"$(q "$T/c.db" "select subscription_id, tenant_id, quota_id, authorization_source from subscription order by 1")"
ok "az account subscription list without tenantId belongs to --tenant"

# 4. The join in the partner's own tenant: the Lighthouse-projected Contoso subscription is in
# GET /subscriptions of the partner tenant (no tenantId), and az account list says its home is
# Contoso. quotaId from the subscription list, tenant from az account list, in either order.
for order in subs-first accounts-first; do
	rm -f "$T/d.db"
	if [ $order = subs-first ]; then
		imp_in $FAB "$T/d.db" "$F/empty.json" "$F/account-subscription-list-fabrikam.json" "$F/account-list-all.json"
	else
		imp_in $FAB "$T/d.db" "$F/empty.json" "$F/account-list-all.json" "$F/account-subscription-list-fabrikam.json"
	fi
	[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "$order: exit $RC"; }
	grep -q "account-list-all.json: 11 subscriptions of 4 other tenants left out" "$T/imp.err" ||
		{ cat "$T/imp.err"; fail "$order: left-out note"; }
	expect_eq "$order: joined by id" "$S3|Contoso EA|$TEN|EnterpriseAgreement_2014-09-01|Enabled
eeeeeeee-0000-4000-8000-000000000001|Fabrikam Internal|$FAB|MSDN_2014-09-01|Enabled
eeeeeeee-0000-4000-8000-000000000002|Fabrikam Dev|$FAB|MSDNDevTest_2014-09-01|Enabled
eeeeeeee-0000-4000-8000-000000000003|Fabrikam Sandbox|$FAB|FreeTrial_2014-09-01|Disabled" \
		"$(q "$T/d.db" "select subscription_id, display_name, tenant_id, quota_id, state from subscription order by 1")"
	expect_eq "$order: delegation" "$S3|$FAB" \
		"$(q "$T/d.db" "select subscription_id, managing_tenant_id from subscription_managed_by")"
done
ok "subscription list + az account list joined by id: quotaId from one, tenant from the other, either order"

# 5. A tenant with no subscription: az login --allow-no-subscriptions lists only its "tenant level
# account" (id = the tenant, no homeTenantId). That is --tenant's file: no subscription, no error.
"$PYTHON" - "$TEN" >"$T/tenant-level.json" <<'PY'
import json, sys
t = sys.argv[1]
print(json.dumps([{"cloudName": "AzureCloud", "id": t, "isDefault": True, "name": "N/A(tenant level account)",
    "state": "Enabled", "tenantId": t, "user": {"name": "alice@contoso.com", "type": "user"}}], indent=2, sort_keys=True))
PY
imp_in $TEN "$T/e.db" "$F/empty.json" "$T/tenant-level.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "tenant level account: exit $RC"; }
grep -q "tenant-level.json: az account list (0 subscriptions of --tenant; its tenant level account is no subscription)" "$T/imp.err" ||
	{ cat "$T/imp.err"; fail "tenant level note"; }
expect_eq "no subscription stored" 0 "$(q "$T/e.db" "select count(*) from subscription")"
expect_eq "subscriptions were read" 0 "$(q "$T/e.db" "select count(*) from request_failure where kind = 'subscriptions'")"
ok "a tenant level account alone: no subscription, not an error"
