#!/usr/bin/env bash
# palscope import of a tenant whose files hold no cost data (issue 9): the import succeeds
# (exit 0) and names the subscriptions that will show USAGE_UNREADABLE because NO_USAGE cannot be
# decided; the report says so for exactly those. With cost data there is no such note.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_import.sh"
TEN=11111111-1111-4111-8111-111111111111
S1=aaaaaaaa-0000-4000-8000-000000000001
S2=aaaaaaaa-0000-4000-8000-000000000002
S3=aaaaaaaa-0000-4000-8000-000000000003

FILES=(--include-groups "$F/link.json" "$F/account-list-all.json" "$F/account-subscription-list.json"
	"$F/ra-s1.json" "$F/ra-s2.json" "$F/ra-s3.json" "$F/role-definitions.json")

imp "$T/a.db" "${FILES[@]}"
expect_eq "no cost data: exit" 0 "$RC"
grep -q "^missing: no cost data (.*): NO_USAGE cannot be decided, so these 3 subscriptions will show USAGE_UNREADABLE:$" "$T/imp.err" ||
	{ cat "$T/imp.err"; fail "no cost note"; }
expect_eq "the subscriptions named" "  $S1 (Contoso Prod)
  $S2 (Contoso Dev)
  $S3 (Contoso EA)" "$(grep '^  ' "$T/imp.err")"
expect_eq "recorded as not imported" "$S1|unreadable|NotImported
$S2|unreadable|NotImported
$S3|unreadable|NotImported" "$(q "$T/a.db" "select subscription_id, status, error_code from cost_status order by 1")"
"$PALSCOPE" report subscriptions --db "$T/a.db" --out "$T/subs.csv" 2>"$T/rep.err" || { cat "$T/rep.err"; fail "report"; }
"$PYTHON" - "$T/subs.csv" "$S1" "$S2" "$S3" <<'PY' || fail "report: USAGE_UNREADABLE"
import csv, sys
rows = {r["subscription_id"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
assert sorted(rows) == sorted(sys.argv[2:]), rows.keys()
for s, r in rows.items():
    assert "USAGE_UNREADABLE" in r["reasons"].split(";"), (s, r["reasons"])
    assert "NO_USAGE" not in r["reasons"].split(";"), (s, r["reasons"])
# S1 (Contributor, linked, PAYG) would be ATTRIBUTED with usage: without cost it is UNKNOWN
assert rows[sys.argv[2]]["status"] == "UNKNOWN" and rows[sys.argv[2]]["reason_code"] == "USAGE_UNREADABLE", rows[sys.argv[2]]
PY
ok "no cost data: exit 0, the 3 subscriptions named, USAGE_UNREADABLE in the report"

imp "$T/b.db" "${FILES[@]}" "$F/cost-ea.csv"
expect_eq "with cost: exit" 0 "$RC"
! grep -q "USAGE_UNREADABLE" "$T/imp.err" || { cat "$T/imp.err"; fail "with cost: a USAGE_UNREADABLE note"; }
grep -q "subscription $S3 has no rows in the cost data: taken as no cost (NO_USAGE)" "$T/imp.err" || fail "with cost: S3 note"
ok "with cost data: no USAGE_UNREADABLE note; the subscription without rows is said to be NO_USAGE"
