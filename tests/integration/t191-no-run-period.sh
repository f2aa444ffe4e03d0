#!/usr/bin/env bash
# report (customers, subscriptions, summary), why and reconcile for a period with no run: one line
# "no run for 2026-11; runs exist for 2026-09, 2026-10", exit 1, and no CSV (neither the file nor
# its .tmp; an existing file is left as it was). A database with no run says that.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/n.db
for p in 2026-10 2026-09; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period "$p" -q
	expect_eq "collect $p exit (one demo identity fails)" 1 "$RC"
done
MSG="palscope: error: no run for 2026-11; runs exist for 2026-09, 2026-10"

# run CMD...: status in RC, stderr in $T/err
run() {
	set +e
	"$PALSCOPE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
}
for r in customers subscriptions summary; do
	run report "$r" --db "$DB" --period 2026-11 --out "$T/$r.csv"
	expect_eq "report $r exit" 1 "$RC"
	expect_eq "report $r message" "$MSG" "$(cat "$T/err")"
	[ ! -e "$T/$r.csv" ] && [ ! -e "$T/$r.csv.tmp" ] || fail "report $r wrote a file"
	run report "$r" --db "$DB" --period 2026-11
	expect_eq "report $r to stdout exit" 1 "$RC"
	[ ! -s "$T/out" ] || fail "report $r wrote to stdout: $(head -2 "$T/out")"
done
echo keep >"$T/old.csv"
run report customers --db "$DB" --period 2026-11 --out "$T/old.csv"
expect_eq "existing file kept" keep "$(cat "$T/old.csv")"
ok "report customers/subscriptions/summary for 2026-11: '$MSG', exit 1, no CSV"

run why Contoso --db "$DB" --period 2026-11
expect_eq "why exit" 1 "$RC"
expect_eq "why message" "$MSG" "$(cat "$T/err")"
[ ! -s "$T/out" ] || fail "why printed: $(head -2 "$T/out")"
run reconcile --db "$DB" --period 2026-11 --partner-center "$SRCDIR/tests/fixtures/import/partner-center.csv" --out "$T/rec.csv"
expect_eq "reconcile exit" 1 "$RC"
expect_eq "reconcile message" "$MSG" "$(cat "$T/err")"
[ ! -e "$T/rec.csv" ] && [ ! -e "$T/rec.csv.tmp" ] || fail "reconcile wrote a file"
ok "why and reconcile for 2026-11: same message, exit 1, nothing written"

# The periods that do exist still answer.
run report customers --db "$DB" --period 2026-09 --out "$T/sep.csv"
expect_eq "report 2026-09 exit" 0 "$RC"
"$PYTHON" -c "import csv,sys; r=list(csv.reader(open(sys.argv[1],newline='',encoding='utf-8'),strict=True)); sys.exit(0 if len(r)>5 else 1)" "$T/sep.csv" ||
	fail "report 2026-09 has no rows"

# A database whose runs were all deleted.
q "$DB" "DELETE FROM run"
run report customers --db "$DB" --period 2026-11 --out "$T/e.csv"
expect_eq "empty database exit" 1 "$RC"
grep -qF "palscope: error: no run for 2026-11; database '$DB' holds no run at all" "$T/err" ||
	fail "empty database message: $(cat "$T/err")"
[ ! -e "$T/e.csv" ] || fail "report on an empty database wrote a file"
ok "a database with no run says so"
