#!/usr/bin/env bash
# report on the demo scenario: fake Azure + collect + the customers and subscriptions reports,
# read back with Python's csv module and compared with tests/golden/report/demo-*.csv; --excel,
# formula guard, why (match, chain, no match with suggestions, exit codes).
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/demo.db
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect exit status (one identity fails)" 1 "$RC"

for r in customers subscriptions; do
	"$PALSCOPE" report "$r" --db "$DB" --out "$T/$r.csv" || fail "report $r"
	[ ! -e "$T/$r.csv.tmp" ] || fail "$r: temporary file left"
	# UPDATE_GOLDEN=1 rewrites the golden file (as the unit test of the rules does)
	[ -z "${UPDATE_GOLDEN:-}" ] || cp "$T/$r.csv" "$SRCDIR/tests/golden/report/demo-$r.csv"
	"$PYTHON" - "$T/$r.csv" "$SRCDIR/tests/golden/report/demo-$r.csv" <<'PY' || fail "report $r differs from golden"
import csv, re, sys
# Azure error messages carry a random request id: compare everything else.
RID = re.compile(r"Request ID: [0-9a-f-]{36}")
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return [[RID.sub("Request ID: *", c) for c in r] for r in csv.reader(f, strict=True)]
got, want = rows(sys.argv[1]), rows(sys.argv[2])
if got != want:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            print("row %d:\n got  %r\n want %r" % (i, g, w))
            break
    print("rows: got %d want %d" % (len(got), len(want)))
    sys.exit(1)
PY
	ok "report $r matches golden"
done

# Header contract, formula guard, stdout and --excel.
"$PALSCOPE" report customers --db "$DB" --excel --out "$T/excel.csv" || fail "excel"
head -c 3 "$T/excel.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "BOM"
grep -q $'\r$' "$T/excel.csv" || fail "CRLF"
"$PALSCOPE" report subscriptions --db "$DB" >"$T/stdout.csv" || fail "report to stdout"
# The contract: the old header prefix byte-identical, new columns only at the end.
head -1 "$T/stdout.csv" | grep -qx '"tenant_id","customer_name","subscription_id","subscription_name","offer","state","status","reason_code","reasons","partner_id","principals","roles","usage","currency","explanation","attributed_usage"' || fail "subscriptions header"
head -1 "$T/customers.csv" | grep -qx '"tenant_id","customer_name","status","reason_code","subscriptions","attributed_subscriptions","attributed_usage","currency","explanation","usage","missing_usage"' || fail "customers header"
grep -q "\"'=Formula Foods AB\"" "$T/customers.csv" || fail "formula guard"
ok "excel, header, formula guard"

"$PALSCOPE" report summary --db "$DB" >"$T/summary.csv" || fail "summary"
grep -q '"status","ATTRIBUTED"' "$T/summary.csv" || fail "summary status"
ok "summary"

NO_COLOR= "$PALSCOPE" why "contoso" --db "$DB" >"$T/why.out" || fail "why contoso"
grep -q "Customer ATTRIBUTED: Contoso Ltd" "$T/why.out" || { cat "$T/why.out"; fail "why header"; }
grep -q "\[FAIL\] link" "$T/why.out" || fail "why marks a failing step"
# 80 columns, but for a backticked command too long for a line: it has one of its own, whole
awk 'length($0) > 80 && $0 !~ /^ *`[^`]+`[;,.)]*$/ { bad = 1 } END { exit bad }' "$T/why.out" || fail "why fits 80 columns"
grep -q $'\033' "$T/why.out" && fail "no colour when not a terminal"
set +e
"$PALSCOPE" why "Contso Ltd" --db "$DB" >"$T/why2.out" 2>"$T/why2.err"
rc=$?
set -e
expect_eq "why no match exit" 1 "$rc"
grep -q "did you mean:.*Contoso Ltd" "$T/why2.err" || { cat "$T/why2.err"; fail "suggestion"; }
ok "why"
