#!/usr/bin/env bash
# palscope import: az CLI output and cost exports become a run that the reports and `why`
# read like a collected one; bad input is one clear error, exit 2, and the database unchanged.
. "$(dirname "$0")/lib.sh"
F=$SRCDIR/tests/fixtures/import
TEN=11111111-1111-4111-8111-111111111111
S1=aaaaaaaa-0000-4000-8000-000000000001
S2=aaaaaaaa-0000-4000-8000-000000000002
S3=aaaaaaaa-0000-4000-8000-000000000003
DB=$T/p.db

imp() { # imp DB args...: status in $RC, stderr in $T/imp.err
	local db=$1; shift
	set +e
	"$PALSCOPE" import --db "$db" --tenant $TEN --partner-id 1234567 "$@" >"$T/imp.out" 2>"$T/imp.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/imp.err"
}
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO palscope_meta'; }

# 1. A full import: link, subscriptions (merged with quotaId), assignments (one group), a
# custom role, an EA cost export.
imp "$DB" --include-groups "$F/link.json" "$F/account-list.json" "$F/account-subscription-list.json" \
	"$F/ra-s1.json" "$F/ra-s2.json" "$F/ra-s3.json" "$F/role-definitions.json" "$F/cost-ea.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "import exit $RC"; }
grep -q "cost-ea.csv: EA/pay-as-you-go cost export, ','-separated, MM/DD/YYYY dates (4 rows, 2 subscriptions)" "$T/imp.err" || { cat "$T/imp.err"; fail "file notes"; }
grep -q "link.json: az managementpartner show: linked to partner ID 1234567" "$T/imp.err" || fail "link note"
expect_eq "run" "import|complete|2026-10" "$(q "$DB" "select kind, status, period from run")"
expect_eq "identity" "$TEN|import|alice@contoso.com|22222222-2222-4222-8222-222222222222|ok" \
	"$(q "$DB" "select tenant_id, auth_kind, label, object_id, status from identity")"
expect_eq "quotaId merged" "$S1|Contoso Prod|PayAsYouGo_2014-09-01|Enabled" \
	"$(q "$DB" "select subscription_id, display_name, quota_id, state from subscription where subscription_id = '$S1'")"
expect_eq "managedByTenants" "55555555-5555-4555-8555-555555555555" \
	"$(q "$DB" "select managing_tenant_id from subscription_managed_by")"
expect_eq "assignments" "4" "$(q "$DB" "select count(*) from role_assignment")"
expect_eq "group assignment kept" "$S3|Group|c0c0c0c0-1111-4222-8333-444444444444" \
	"$(q "$DB" "select subscription_id, principal_type, role_guid from role_assignment where principal_type = 'Group'")"
expect_eq "MG assignment listed for S1" "$S1|management_group" \
	"$(q "$DB" "select subscription_id, scope_level from role_assignment where scope like '/providers/%'")"
expect_eq "custom role" "Contoso Operator|CustomRole|2" \
	"$(q "$DB" "select role_name, role_type, (select count(*) from role_permission) from role_definition")"
expect_eq "daily cost per RG (RG names case-insensitive)" "$S1|2026-10-01|prod-rg|3.80|EUR
$S1|2026-10-15|prod-rg|10.25|EUR
$S2|2026-10-20|dev-rg|0.00|EUR" \
	"$(q "$DB" "select subscription_id, usage_date, resource_group, printf('%.2f', cost), currency from cost_daily order by 1, 2")"
expect_eq "cost status" "$S1|ok
$S2|ok
$S3|no_cost" "$(q "$DB" "select subscription_id, status from cost_status order by 1")"
"$PALSCOPE" report subscriptions --db "$DB" --out "$T/subs.csv" 2>"$T/rep.err" || { cat "$T/rep.err"; fail "report subscriptions"; }
no_sanitizer_report "$T/rep.err"
grep -q "\"$S1\",\"Contoso Prod\".*\"ATTRIBUTED\"" "$T/subs.csv" || { cat "$T/subs.csv"; fail "S1 attributed"; }
grep -q "\"$S2\".*\"ROLE_NOT_ELIGIBLE\"" "$T/subs.csv" || fail "S2 not eligible"
grep -q "\"$S3\".*EA_SUBSCRIPTION" "$T/subs.csv" || fail "S3 EA (policy ea=pal: a warning)"
"$PALSCOPE" report customers --db "$DB" --out "$T/cust.csv" 2>"$T/rep.err" || fail "report customers"
grep -q "\"$TEN\",\"Contoso Ltd\",\"ATTRIBUTED\"" "$T/cust.csv" || { cat "$T/cust.csv"; fail "customer row"; }
"$PALSCOPE" why "Contoso Dev" --db "$DB" >"$T/why.out" 2>&1 || { cat "$T/why.out"; fail "why"; }
grep -q "ROLE_NOT_ELIGIBLE" "$T/why.out" || { cat "$T/why.out"; fail "why reason"; }
ok "full import, reports and why on the imported run"

# 2. Bad input: exit 2, one message naming file and line, database unchanged (a second
# import on the same database, and a database that did not exist is not created).
dump "$DB" >"$T/before.sql"
bad() { # name regex files...
	local name=$1 re=$2; shift 2
	imp "$DB" "$F/account-list.json" "$@"
	expect_eq "$name: exit" 2 "$RC"
	grep -Eq -- "$re" "$T/imp.err" || { cat "$T/imp.err"; fail "$name: message"; }
	dump "$DB" >"$T/after.sql"
	cmp -s "$T/before.sql" "$T/after.sql" || { diff "$T/before.sql" "$T/after.sql" | head; fail "$name: database changed"; }
	imp "$T/new.db" "$@"
	[ ! -e "$T/new.db" ] || fail "$name: database created"
	ok "$name: $(grep error: "$T/imp.err" | head -1)"
}
bad "truncated JSON" "truncated.json:[0-9]+:[0-9]+: invalid JSON" "$F/truncated.json"
bad "bad number" "cost-bad-number.csv:3: column 3 \('Cost'\): bad number 'abc'" "$F/cost-bad-number.csv"
bad "bad date" "cost-bad-date.csv:3: column 2 \('Date'\): bad date '2026-13-45'" "$F/cost-bad-date.csv"
bad "ambiguous dates" "cost-ambiguous-dates.csv:2: the date '10/01/2026' .* cannot tell which" "$F/cost-ambiguous-dates.csv"
bad "two date orders" "dates in two orders: line 2 has '10/13/2026'" "$F/cost-mixed-orders.csv"
bad "1.234 in a ';' file" "column 3 \('Cost'\): bad number '1.234'" "$F/cost-semicolon-dot.csv"
bad "unknown CSV" "unknown.csv:1: unknown file type" "$F/unknown.csv"
bad "wrong tenant (subscriptions)" "account-list-wrong-tenant.json: subscription $S1 was listed in tenant 4444" "$F/account-list-wrong-tenant.json"
bad "wrong tenant (link)" "link-wrong-tenant.json: the partner link is in tenant 4444" "$F/link-wrong-tenant.json"
bad "wrong tenant (MPA customer)" "cost-mpa-other-customer.csv:3: column 5 \('CustomerTenantId'\)" "$F/cost-mpa-other-customer.csv"
bad "two principals" "direct assignments of 2 principals" "$F/ra-two-principals.json"
bad "Partner Center file" "a Partner Center download: use 'palscope reconcile" "$F/partner-center.csv"
bad "same export twice" "also in an earlier file" "$F/cost-ea.csv" "$F/cost-ea.csv"
bad "missing file" "cannot open '.*nope.json'" "$T/nope.json"
# generated at test time: a 10 MB line and a 100,000-character cell
"$PYTHON" - "$T" <<'PY'
import sys
t = sys.argv[1]
s = "aaaaaaaa-0000-4000-8000-000000000001"
with open(t + "/long-line.csv", "w") as f:
    f.write("SubscriptionId,Date,Cost,Currency,ResourceGroup,Tags\n")
    f.write(s + ",2026-10-01,1.5,USD,rg," + "x" * (10 * 1024 * 1024) + "\n")
    f.write(s + ",2026-10-02,abc,USD,rg,\n")
with open(t + "/big-cell.csv", "w") as f:
    f.write("SubscriptionId,Date,Cost,Currency,ResourceGroup,Tags\n")
    f.write(s + ',2026-10-01,1.5,USD,rg,"' + ("y" * 50000) + "\n" + ("z" * 49999) + '"\n')
    f.write(s + ",2026-10-02,2.5,USD,rg,\n")
PY
bad "error after a 10 MB line" "long-line.csv:3: column 3 \('Cost'\): bad number 'abc'" "$T/long-line.csv"
imp "$T/big.db" "$F/account-list.json" "$T/big-cell.csv"
expect_eq "100,000-character cell: exit" 0 "$RC"
expect_eq "100,000-character cell: cost" "4.00" "$(q "$T/big.db" "select printf('%.2f', sum(cost)) from cost_daily")"
ok "a 100,000-character cell with an embedded newline"

# 3. Every cost layout, a European re-save, and what is missing.
layout() { # name file expected-total expected-note
	rm -f "$T/l.db"
	imp "$T/l.db" "$F/account-list.json" "$F/$2"
	[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "$1: exit $RC"; }
	expect_eq "$1: total" "$3" "$(q "$T/l.db" "select printf('%.2f', sum(cost)) || '|' || count(*) from cost_daily")"
	grep -q -- "$4" "$T/imp.err" || { cat "$T/imp.err"; fail "$1: note"; }
	ok "$1: $(grep "$2" "$T/imp.err" | head -1)"
}
layout "EA" cost-ea.csv "14.05|3" "EA/pay-as-you-go cost export"
layout "MCA camelCase, CRLF" cost-mca.csv "8.75|3" "MCA cost export, camelCase headers"
layout "MPA" cost-mpa.csv "10.00|2" "MPA (partner) cost export"
layout "old layout (RG from InstanceId)" cost-old.csv "1.00|2" "EA usage file (old layout)"
layout "PAYG 2019" cost-payg2019.csv "3.33|1" "pay-as-you-go usage file (2019 layout)"
layout "EA 2021" cost-ea2021.csv "15.00|2" "EA cost export (2021 layout)"
layout "BOM, ';', decimal comma, dd.mm.yyyy" cost-eu-semicolon.csv "1236.00|2" "';'-separated, DD.MM.YYYY dates"
expect_eq "RG from InstanceId" "store-rg" "$(rm -f "$T/o.db"; imp "$T/o.db" "$F/account-list.json" "$F/cost-old.csv"; q "$T/o.db" "select distinct lower(resource_group) from cost_daily")"

rm -f "$T/m.db"
imp "$T/m.db" "$F/empty.json" "$F/account-list.json"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "minimal import"; }
grep -q "empty.json: empty: taken as 'az managementpartner show' of a principal with no partner link" "$T/imp.err" || fail "empty file note"
grep -q "missing: no cost data (.*): NO_USAGE cannot be decided, so these 3 subscriptions will show USAGE_UNREADABLE:" "$T/imp.err" || fail "no cost note"
grep -q "missing: no role assignments for subscription $S1" "$T/imp.err" || fail "no role assignments note"
expect_eq "not linked" "0|404" "$(q "$T/m.db" "select linked, http_status from partner_link")"
expect_eq "cost unreadable NotImported" "3" "$(q "$T/m.db" "select count(*) from cost_status where status = 'unreadable' and error_code = 'NotImported'")"
expect_eq "run partial" "partial" "$(q "$T/m.db" "select status from run")"
ok "empty link file = not linked; what is missing is said and recorded"

# 4. Imports for the same period add up with collected runs; the newest run per tenant wins.
imp "$DB" --period 2026-10 "$F/link-arm.json" "$F/account-list.json" "$F/account-subscription-list.json" "$F/ra-s1.json" "$F/cost-mca.csv"
[ "$RC" = 0 ] || { cat "$T/imp.err"; fail "second import"; }
expect_eq "two runs" "2" "$(q "$DB" "select count(*) from run")"
"$PALSCOPE" report subscriptions --db "$DB" --period 2026-10 --out "$T/subs2.csv" 2>/dev/null
grep -q "\"$S1\".*\"ATTRIBUTED\".*8.75" "$T/subs2.csv" || { cat "$T/subs2.csv"; fail "newest import wins"; }
ok "a second import of the same tenant replaces the first in reports"
