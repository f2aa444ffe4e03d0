#!/usr/bin/env bash
# collect --user reads the user's tenant list once per run, not once per tenant (issue 11,
# Performance: 500 guest tenants re-reading GET /tenants was 2,505 of 6,502 requests and 250,000
# stored rows). ARM's GET /tenants is "the tenants for your account": for a signed-in user every
# directory it belongs to, whichever tenant's token asks. Scenario users.json (lib_user.sh):
# Alice of Fabrikam, a guest in tenants 01..09 (03..09 refuse the sign-in).
# - the sign-in listing's pages are stored as the home tenant identity's list: the fake sees
#   GET /tenants once in the whole collect, and the customers keep their names;
# - with --tenants FILE (no listing) one identity of the run reads it: once;
# - when that read fails (403), another user identity in progress reads it: the names survive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"

# names_ok DB RUN: every tenant of the run's customers report is named as the scenario names it
names_ok() {
	"$PALSCOPE" report customers --db "$1" --out "$T/customers.csv"
	"$PYTHON" - "$T/customers.csv" "$USERS_JSON" "$2" <<'PY'
import csv, json, sys
names = {t["id"]: t["displayName"] for t in json.load(open(sys.argv[2]))["tenants"]}
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
want = int(sys.argv[3])
assert len(rows) >= want, (len(rows), want)
named = 0
for r in rows:
    if r["tenant_id"] in names and r["customer_name"] == names[r["tenant_id"]]:
        named += 1
    else:
        assert r["status"] == "UNKNOWN", r  # a tenant that refused the sign-in is still unnamed
assert named >= want, (named, want)
print(named)
PY
}

start_server "$USERS_JSON"
DB="$T/u.db"
login_as "$ALICE" false
: >"$T/requests.jsonl"
collect --user --partner-id 1234567 --db "$DB" --period 2026-10
expect_eq "collect --user: exit (tenants 03..09 refuse the sign-in)" 1 "$RC"
expect_eq "GET /tenants once: the sign-in listing" "1 200" "$(count_tenants_reads)"
expect_eq "the list is the home tenant identity's" "1|$HOME_T|10" \
	"$(q "$DB" "select count(distinct t.identity_id), i.tenant_id, count(*) from tenant t join identity i using (identity_id)")"
expect_eq "and recorded as its read" "$HOME_T" \
	"$(q "$DB" "select i.tenant_id from identity_read r join identity i using (identity_id) where r.kind = 'tenants'")"
expect_eq "the home and the reachable guest tenants are collected" 3 \
	"$(q "$DB" "select count(*) from identity where status = 'ok'")"
n=$(names_ok "$DB" 10) || fail "customer names after one tenant list"
expect_eq "every tenant named from the one list (also those that refused the sign-in)" 10 "$n"
ok "collect --user over 10 tenants: GET /tenants once (the sign-in's), $n customers named from it"

# --tenants FILE: no listing; the first identity signed in reads it, the others do not.
printf 'tenant_id\n%s\n%s\n%s\n' "$(tenant 1)" "$HOME_T" "$(tenant 2)" >"$T/tenants.csv"
DB2="$T/u2.db"
: >"$T/requests.jsonl"
collect --user --tenants "$T/tenants.csv" --partner-id 1234567 --db "$DB2" --period 2026-10
expect_eq "--tenants: exit" 0 "$RC"
expect_eq "--tenants: GET /tenants once in the run" "1 200" "$(count_tenants_reads)"
expect_eq "--tenants: one identity's list" 1 "$(q "$DB2" "select count(distinct identity_id) from tenant")"
n=$(names_ok "$DB2" 3) || fail "customer names with --tenants"
expect_eq "--tenants: the 3 customers named" 3 "$n"
ok "--tenants over 3 tenants: GET /tenants once, $n customers named"
stop_server

# The read fails (403, not retried): another identity in progress reads it.
users_scenario "$T/faulty.json" 's["faults"] = [{"method": "GET", "path_regex": "^/tenants$", "times": 1, "action": {"status": 403}}]'
start_server "$T/faulty.json"
login_as "$ALICE" false
DB3="$T/u3.db"
: >"$T/requests.jsonl"
collect --user --tenants "$T/tenants.csv" --partner-id 1234567 --db "$DB3" --period 2026-10
expect_eq "a failed tenant list: exit" 1 "$RC"
expect_eq "read again by another identity after the 403" "2 403,200" "$(count_tenants_reads)"
expect_eq "the failure is the first reader's, the list another's" "1|1" \
	"$(q "$DB3" "select (select count(*) from request_failure where kind = 'tenants' and http_status = 403),
	                    (select count(distinct identity_id) from tenant
	                     where identity_id not in (select identity_id from request_failure where kind = 'tenants'))")"
n=$(names_ok "$DB3" 3) || fail "customer names after a failed tenant list"
expect_eq "after the 403: the 3 customers named" 3 "$n"
ok "a 403 on the tenant list: another user identity reads it, $n customers named"
