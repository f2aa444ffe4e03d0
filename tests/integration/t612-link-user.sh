#!/usr/bin/env bash
# link show|plan|apply|remove --user as the user signed in with palscope login (scenario
# users.json: Alice is linked in her home tenant and in Contoso, not in Northwind). A write with a
# sign-in whose amr claim has no "mfa" is refused before any request ("this write needs an MFA
# sign-in"); after an MFA sign-in the same apply creates the link, and remove deletes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_user.sh"

start_server "$USERS_JSON"
NW=$(tenant 2)
printf 'tenant_id\n%s\n' "$NW" >"$T/nw.csv"
link() { # link ARGS: palscope link against the fake; status in RC, output in $T/link.{out,err}
	set +e
	"$PALSCOPE" link "$@" --arm-url "$URL" --login-url "$URL" >"$T/link.out" 2>"$T/link.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/link.err"
}
writes() { grep -E '"method": "(PUT|PATCH|DELETE)"' "$T/requests.jsonl" | grep -c /providers/Microsoft.ManagementPartner/ || true; }

login_as "$ALICE" false
link show --user --csv
expect_eq "link show --user: exit (tenants 3-9 fail to sign in)" 1 "$RC"
"$PYTHON" - "$T/link.out" "$HOME_T" "$NW" <<'PY' || { cat "$T/link.out"; fail "link show --user table"; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
by = {r["tenant_id"]: r for r in rows}
assert len(rows) == 10, rows
assert by[sys.argv[2]]["partner_id"] == "1234567", by[sys.argv[2]]
assert by[sys.argv[3]]["partner_id"] == "", by[sys.argv[3]]
assert all(r["identity"] == "alice@fabrikam.example" for r in rows), rows
PY
ok "link show --user: one row per tenant Alice reaches, named by her UPN"

link plan --user --tenants "$T/nw.csv" --partner-id 1234567
expect_eq "link plan --user without MFA: exit" 0 "$RC"
grep -q "create" "$T/link.out" || { cat "$T/link.out"; fail "plan says create"; }
link apply --user --tenants "$T/nw.csv" --partner-id 1234567 --db "$T/audit.db"
expect_eq "link apply --user without MFA: exit" 1 "$RC"
grep -q "this write needs an MFA sign-in" "$T/link.out" || { cat "$T/link.out" "$T/link.err"; fail "MFA message"; }
expect_eq "no write request without MFA" 0 "$(writes)"
expect_eq "no change recorded without MFA" 0 "$(q "$T/audit.db" "select count(*) from link_change")"
ok "link apply --user refused without mfa in amr, nothing sent"

login_as "$ALICE" true
link apply --user --tenants "$T/nw.csv" --partner-id 1234567 --db "$T/audit.db"
expect_eq "link apply --user with MFA: exit" 0 "$RC"
expect_eq "one PUT" 1 "$(writes)"
expect_eq "the change is recorded for Alice's guest object in Northwind" "$NW|$(guest 2)|create|ok" \
	"$(q "$T/audit.db" "select tenant_id, object_id, operation, outcome from link_change")"
link show --user --tenants "$T/nw.csv" --csv
grep -q "1234567" "$T/link.out" || { cat "$T/link.out"; fail "linked after apply"; }
link remove --user --tenants "$T/nw.csv" --partner-id 1234567 --yes --db "$T/audit.db"
expect_eq "link remove --user with MFA: exit" 0 "$RC"
expect_eq "PUT then DELETE" 2 "$(writes)"
ok "after an MFA sign-in: apply creates the link, remove deletes it"

RT=$(cached_rt)
not_anywhere "$RT" "refresh token" "$T/link.out" "$T/link.err" "$T/requests.jsonl" "$T/audit.db"
link history --user
expect_eq "link history --user: exit" 2 "$RC"
ok "no refresh token in the output, the log or the audit database; history takes no --user"
