#!/usr/bin/env bash
# collect on the demo scenario: every table is filled as Azure describes it,
# one identity fails (wrong secret) without stopping the others, secrets and
# tokens never reach the database, stderr or the request log.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/demo.db
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "exit status (one identity fails)" 1 "$RC"
grep -q "identities 11 ok, 1 failed of 12" "$T/collect.err" || { cat "$T/collect.err"; fail "summary line"; }
ok "summary and exit status"

expect_eq "run row" "collect|2026-10|2026-10-01|2026-10-31|partial|12|11|1" \
	"$(q "$DB" "select kind, period, period_start, period_end, status, identities_total, identities_ok, identities_failed from run")"
expect_eq "partner ids" "1234567" "$(q "$DB" "select group_concat(partner_id) from run_partner_id")"
expect_eq "file mode" "600" "$(stat -c %a "$DB")"
ok "run bookkeeping"

# Tailspin's wrong secret: a failed identity with the AADSTS reason, a token failure row.
expect_eq "failed identity" "failed|Tailspin Toys" "$(q "$DB" "select status, label from identity where status <> 'ok'")"
q "$DB" "select error from identity where status = 'failed'" | grep -q "AADSTS7000215" || fail "AADSTS reason kept"
expect_eq "token failure row" "token|401|invalid_client" \
	"$(q "$DB" "select kind, http_status, error_code from request_failure")"
ok "one failed sign-in recorded, the others collected"

# Links: linked to the right ID, another ID, and not linked (404 with the body kept).
expect_eq "Contoso collector link" "1|1234567|Active" \
	"$(q "$DB" "select l.linked, l.partner_id, l.state from partner_link l join identity i using (identity_id) where i.label = 'Contoso Ltd - collector'")"
expect_eq "Contoso legacy link" "7654321" \
	"$(q "$DB" "select l.partner_id from partner_link l join identity i using (identity_id) where i.label = 'Contoso Ltd - legacy automation'")"
expect_eq "Adventure Works not linked" "0|404" \
	"$(q "$DB" "select l.linked, l.http_status from partner_link l join identity i using (identity_id) where i.label = 'Adventure Works Cycles'")"
q "$DB" "select raw_json from partner_link l join identity i using (identity_id) where i.label = 'Adventure Works Cycles'" | grep -q '"NotFound"' || fail "404 body kept"
q "$DB" "select raw_json from partner_link where linked = 1 limit 1" | grep -q '"partnerId"' || fail "raw link JSON kept"
ok "partner links"

# Subscriptions with paging (page size 2), quotaId, state, managedByTenants.
expect_eq "Contoso collector subscriptions" "4" \
	"$(q "$DB" "select count(*) from subscription s join identity i using (identity_id) where i.label = 'Contoso Ltd - collector'")"
expect_eq "quota and state" "MSDN_2014-09-01|Enabled" \
	"$(q "$DB" "select distinct quota_id, state from subscription where subscription_id = '50100003-0000-4000-8000-000000000000'")"
expect_eq "disabled subscription" "Disabled" \
	"$(q "$DB" "select distinct state from subscription where subscription_id = '50400002-0000-4000-8000-000000000000'")"
expect_eq "Lighthouse managing tenant" "a0000000-0000-4000-8000-000000000000" \
	"$(q "$DB" "select distinct managing_tenant_id from subscription_managed_by where subscription_id = '50900001-0000-4000-8000-000000000000'")"
grep -q 'skiptoken' "$T/requests.jsonl" || fail "a nextLink was followed"
ok "subscriptions, paging, Lighthouse delegation"

# Role assignments: inherited from a management group and through a group.
expect_eq "MG-inherited assignment" "management_group|b24988ac-6180-42a0-ab88-20f7382dd24c" \
	"$(q "$DB" "select scope_level, role_guid from role_assignment where subscription_id = '50100001-0000-4000-8000-000000000000' and scope_level = 'management_group' limit 1")"
expect_eq "group principal" "Group" \
	"$(q "$DB" "select distinct principal_type from role_assignment where subscription_id = '50100002-0000-4000-8000-000000000000'")"
expect_eq "RG-scoped assignment" "resource_group|rg-staging" \
	"$(q "$DB" "select scope_level, resource_group from role_assignment where subscription_id = '50100004-0000-4000-8000-000000000000'")"
# Each distinct role definition once per run, custom ones with permissions.
expect_eq "role definitions fetched once" "$(q "$DB" "select count(distinct role_guid) from role_assignment")" \
	"$(grep -c 'roleDefinitions/' "$T/requests.jsonl")"
expect_eq "custom role write action" "1" \
	"$(q "$DB" "select count(*) > 0 from role_permission p join role_definition d using (run_id, role_guid) where d.role_type = 'CustomRole' and p.kind = 'action' and p.pattern not like '%/read'")"
ok "role assignments and definitions"

# Lighthouse authorizations: permanent and eligible (JIT).
expect_eq "permanent authorization" "1" \
	"$(q "$DB" "select count(*) > 0 from lighthouse_authorization where subscription_id = '50900001-0000-4000-8000-000000000000' and eligible = 0")"
ok "Lighthouse authorizations"

# Cost: rows within the period only, 204 = no_cost, 403/400 = unreadable (recorded, not a failure).
expect_eq "cost dates in period" "2026-10-01|2026-10-31" \
	"$(q "$DB" "select min(usage_date), max(usage_date) from cost_daily")"
expect_eq "cost 204" "no_cost" "$(q "$DB" "select status from cost_status where subscription_id = '50400003-0000-4000-8000-000000000000'")"
expect_eq "cost 403" "unreadable|403|RBACAccessDenied" \
	"$(q "$DB" "select status, http_status, error_code from cost_status where subscription_id = '51000001-0000-4000-8000-000000000000'")"
expect_eq "cost 400" "unreadable|400" \
	"$(q "$DB" "select status, http_status from cost_status where subscription_id = '50800002-0000-4000-8000-000000000000'")"
expect_eq "Litware Web daily cost by RG" "rg-web-prod|31|1240.0" \
	"$(q "$DB" "select resource_group, count(*), round(sum(cost), 2) from cost_daily where subscription_id = '50800004-0000-4000-8000-000000000000' and lower(resource_group) = 'rg-web-prod' group by 1")"
grep -q '"timePeriod": {"from": "2026-10-01T00:00:00Z", "to": "2026-10-31T23:59:59Z"}' "$T/requests.jsonl" ||
	grep -q '2026-10-01T00:00:00Z' "$T/requests.jsonl" || fail "cost query period"
ok "cost"

# Secrets and tokens appear nowhere.
secrets=$(sed -n 's/^export [A-Z0-9_]*=//p' "$FAKE/scenarios/demo-secrets.env")
for s in $secrets; do
	if grep -aq -- "$s" "$DB" "$T/collect.err" "$T/collect.out" "$T/requests.jsonl" 2>/dev/null; then
		fail "secret '$s' leaked"
	fi
	# The WAL file too, if present.
	[ ! -f "$DB-wal" ] || ! grep -aq -- "$s" "$DB-wal" || fail "secret in WAL"
done
if grep -aq 'eyJ' "$DB" "$T/collect.err"; then fail "a token leaked"; fi
expect_eq "integrity" "ok" "$(q "$DB" "pragma integrity_check")"
ok "no secret or token stored or printed"

# The same at -vv (every request traced): URLs only, never a secret, token or header value.
set +e
"$PALSCOPE" -vv collect --db "$T/vv.db" --accounts "$FAKE/scenarios/demo-accounts.csv" \
	--partner-id 1234567 --period 2026-10 --arm-url "$URL" --login-url "$URL" >"$T/vv.out" 2>"$T/vv.err"
set -e
no_sanitizer_report "$T/vv.err"
grep -q "debug: GET $URL/subscriptions?api-version=2022-12-01" "$T/vv.err" || fail "-vv traces requests"
for s in $secrets; do
	if grep -aq -- "$s" "$T/vv.err" "$T/vv.out"; then fail "secret '$s' in the -vv trace"; fi
done
if grep -Eaq 'eyJ|Bearer|client_secret' "$T/vv.err"; then fail "a token or secret field in the -vv trace"; fi
ok "-vv trace carries no secret or token"
