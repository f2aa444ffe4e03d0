#!/usr/bin/env bash
# palscope reconcile: an imported run against Partner Center downloads, by subscription and by
# customer; the CSV follows the report rules (read back with a real CSV parser).
. "$(dirname "$0")/lib.sh"
F=$SRCDIR/tests/fixtures/import
TEN=11111111-1111-4111-8111-111111111111
S1=aaaaaaaa-0000-4000-8000-000000000001
DB=$T/p.db
set +e
"$PALSCOPE" import --db "$DB" --tenant $TEN --partner-id 1234567 --include-groups \
	"$F/link.json" "$F/account-list.json" "$F/account-subscription-list.json" "$F/ra-s1.json" \
	"$F/ra-s2.json" "$F/ra-s3.json" "$F/role-definitions.json" "$F/cost-ea.csv" 2>"$T/imp.err"
rc=$?
set -e
[ "$rc" = 0 ] || { cat "$T/imp.err"; fail "import"; }
export PALSCOPE_NOW=2027-03-15T00:00:00Z

rec() { # rec OUT args...
	local out=$1; shift
	set +e
	"$PALSCOPE" reconcile --db "$DB" --out "$out" "$@" 2>"$T/rec.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/rec.err"
}
# row MATCH-KEY: print "match|palscope_status|reason|causes-prefix" for the row whose subscription
# (or tenant) is KEY, parsed with Python's csv module
row() {
	"$PYTHON" - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
for r in rows:
    if sys.argv[2] in (r["subscription_id"], r["tenant_id"]):
        print("|".join([r["match"], r["palscope_status"], r["reason_code"], r["likely_causes"].split(":")[0], r["reported_acr"]]))
        break
PY
}

rec "$T/r1.csv" --partner-center "$F/partner-center.csv" --period 2026-10
expect_eq "reconcile exit" 0 "$RC"
head -1 "$T/r1.csv" | grep -qx '"match","tenant_id","customer_name","subscription_id","subscription_name","palscope_status","reason_code","palscope_partner_id","reported_partner_ids","reported_acr","likely_causes","explanation"' || fail "header"
expect_eq "S1 both" "BOTH|ATTRIBUTED|||123.45" "$(row "$T/r1.csv" $S1)"
expect_eq "S2 DPOR row dropped: neither" "NEITHER|MISSING|ROLE_NOT_ELIGIBLE||" "$(row "$T/r1.csv" aaaaaaaa-0000-4000-8000-000000000002)"
expect_eq "unknown tenant: reported only" "REPORTED_ONLY|NOT_SEEN||NO_IDENTITY|55.00" "$(row "$T/r1.csv" aaaaaaaa-0000-4000-8000-000000000004)"
ok "by subscription: BOTH, NEITHER, REPORTED_ONLY (no identity in that tenant)"

rec "$T/r2.csv" --partner-center "$F/partner-center-other-location.csv" --period 2026-10
expect_eq "predicted only" "PREDICTED_ONLY|ATTRIBUTED||OTHER_LOCATION_ID|" "$(row "$T/r2.csv" $S1)"
grep -q "Partner Center attributes this customer to partner ID 7654321" "$T/r2.csv" || fail "other location id named"
grep -q "REPORTED_ONLY.*UNSEEN_IDENTITY" "$T/r2.csv" || { cat "$T/r2.csv"; fail "seen but not predicted"; }
ok "PREDICTED_ONLY with another location ID; REPORTED_ONLY through an unseen identity"

PALSCOPE_NOW=2026-11-03T00:00:00Z rec "$T/r3.csv" --partner-center "$F/partner-center-other-location.csv" --period 2026-10
expect_eq "data latency first" "PREDICTED_ONLY|ATTRIBUTED||DATA_LATENCY|" "$(row "$T/r3.csv" $S1)"
ok "a recent month names data latency first"

rec "$T/r4.csv" --partner-center "$F/partner-center-customers.csv" --period 2026-10 --excel
expect_eq "excel BOM" "efbbbf" "$(head -c 3 "$T/r4.csv" | od -An -tx1 | tr -d ' \n')"
grep -q $'\r$' "$T/r4.csv" || fail "CRLF"
expect_eq "customer both (BOM, ';', decimal comma, M/D/YYYY month)" "BOTH|ATTRIBUTED|||123.45" "$(row "$T/r4.csv" $TEN)"
expect_eq "customer reported only" "REPORTED_ONLY|NOT_SEEN||NO_IDENTITY|5.00" "$(row "$T/r4.csv" 44444444-4444-4444-8444-444444444444)"
ok "by customer, Excel output"

printf 'foo,bar\n1,2\n' >"$T/bad.csv"
rec "$T/r5.csv" --partner-center "$T/bad.csv" --period 2026-10
expect_eq "bad file exit" 2 "$RC"
grep -q "bad.csv:1: not a Partner Center download" "$T/rec.err" || { cat "$T/rec.err"; fail "bad file message"; }
printf 'CustomerTenantId,PartnerAttributionType,Month\n%s,PAL,sometime\n' $TEN >"$T/bad2.csv"
rec "$T/r6.csv" --partner-center "$T/bad2.csv" --period 2026-10
expect_eq "bad month exit" 2 "$RC"
grep -q "bad2.csv:2: column 3 ('Month'): bad month 'sometime'" "$T/rec.err" || { cat "$T/rec.err"; fail "bad month message"; }
[ ! -e "$T/r6.csv" ] || fail "no output on error"
ok "bad Partner Center files: file, line, column; exit 2"
