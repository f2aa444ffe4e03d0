#!/usr/bin/env bash
# palscope report html in headless chromium, checked against the CSV reports of the same
# database: the demo partner with hostile customer names (make_hostile.py) collected for 2026-09
# and 2026-10, then `report html`, `report customers` and `report summary` for 2026-10.
# With JavaScript on: the headline figures, one row per customer with its status, reason, name
# and usage, the funnel steps, the action list order, the hostile names as literal text and none
# of their markup alive, filter by text / status / reason, sort by a header click, a why
# <details> opened, a reason bar filtering the table; no console message, exception, dialog, CSP
# refusal or network request but the file itself. With JavaScript off: every row and figure is
# there. A screenshot of each and an A4 PDF (with pages) kept in $ARTIFACTS.
. "$SRCDIR/tests/integration/lib.sh"
demo_env
"$PYTHON" "$SRCDIR/tests/browser/make_hostile.py" "$FAKE/scenarios/demo.json" \
	"$FAKE/scenarios/demo-accounts.csv" "$T/hostile.json" "$T/hostile-accounts.csv"
start_server "$T/hostile.json"
DB=$T/hostile.db
for p in 2026-09 2026-10; do
	collect --db "$DB" --accounts "$T/hostile-accounts.csv" --partner-id 1234567 --period "$p"
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
done
stop_server
P=2026-10
"$PALSCOPE" report html --db "$DB" --period $P --out "$T/report.html" 2>"$T/html.err" || { cat "$T/html.err"; fail "report html"; }
no_sanitizer_report "$T/html.err"
for r in customers summary; do
	"$PALSCOPE" report $r --db "$DB" --period $P --out "$T/$r.csv" || fail "report $r"
done
"$PYTHON" "$SRCDIR/tests/browser/check_report.py" "$T" "$T/report.html" "$T/customers.csv" \
	"$T/summary.csv" "${ARTIFACTS:-$T}" t811 trend,changes || fail "html report in the browser"
ok "html report in the browser"
