#!/usr/bin/env bash
# palscope import: a file of another tenant is an error naming the file, and nothing is imported
# (issue 9): a role assignment list made for a subscription that az account list --all shows in
# another tenant (whatever the order of the files), a managementpartner file whose tenantId is
# another tenant, an az account list with nothing of --tenant. The database is unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_import.sh"
TEN=11111111-1111-4111-8111-111111111111
NORTHWIND=66666666-6666-4666-8666-666666666666
DB=$T/p.db

# a good import first, so "unchanged" is about a database with data in it
imp "$DB" "$F/link.json" "$F/account-list-all.json" "$F/ra-s1.json" "$F/cost-ea.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "first import: exit $RC"; }
dump "$DB" >"$T/before.sql"

RA_RE="ra-other-tenant.json: its role assignments were listed for subscription bbbbbbbb-0000-4000-8000-000000000001, which az account list shows in tenant $NORTHWIND, not in --tenant $TEN"
refused "role assignments of another tenant" "$RA_RE" \
	"$F/link.json" "$F/account-list-all.json" "$F/ra-s1.json" "$F/ra-other-tenant.json" "$F/cost-ea.csv"
refused "role assignments of another tenant, listed before az account list" "$RA_RE" \
	"$F/ra-other-tenant.json" "$F/link.json" "$F/account-list-all.json" "$F/ra-s1.json"
refused "managementpartner file of another tenant" \
	"link-wrong-tenant.json: the partner link is in tenant 44444444-4444-4444-8444-444444444444, not in --tenant $TEN" \
	"$F/link-wrong-tenant.json" "$F/account-list.json" "$F/ra-s1.json"
refused "az account list of other tenants only" \
	"account-list-other-tenants.json: subscription .* was listed in tenant .*nothing in the file is of --tenant" \
	"$F/link.json" "$F/account-list-other-tenants.json" "$F/ra-s1.json"

# the same role assignment file is fine in its own tenant's import
rm -f "$T/n.db"
imp_in $NORTHWIND "$T/n.db" "$F/empty.json" "$F/account-list-all.json" "$F/ra-other-tenant.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "Northwind's own import: exit $RC"; }
expect_eq "Northwind's assignment" "bbbbbbbb-0000-4000-8000-000000000001|b24988ac-6180-42a0-ab88-20f7382dd24c" \
	"$(q "$T/n.db" "select subscription_id, role_guid from role_assignment")"
ok "the same file imports in its own tenant"
