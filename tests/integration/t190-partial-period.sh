#!/usr/bin/env bash
# collect --period for a month not over yet is refused unless --allow-partial-period, a month to
# come always is; a run made with the flag is marked (run.partial_period) and report customers /
# subscriptions / summary, why and reconcile say so (stderr warning; a summary row), while the CSV
# headers of customers and subscriptions stay byte-identical. The months come from the real UTC
# clock (date -u), as collect reads it.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/p.db
ACC=$FAKE/scenarios/demo-accounts.csv
CUR=$(date -u +%Y-%m)
NEXT=$(date -u -d "$(date -u +%Y-%m-15) +1 month" +%Y-%m)
PREV=$(date -u -d "$(date -u +%Y-%m-15) -1 month" +%Y-%m)

collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period "$CUR"
expect_eq "current month refused: exit" 2 "$RC"
grep -qF "palscope: error: $CUR is not over; its cost is incomplete: use --allow-partial-period to collect it anyway" \
	"$T/collect.err" || fail "current month message: $(cat "$T/collect.err")"
[ ! -e "$DB" ] || fail "a refused collect created the database"
for flag in "" --allow-partial-period; do
	collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period "$NEXT" $flag
	expect_eq "month to come ($flag): exit" 2 "$RC"
	grep -qF "palscope: error: $NEXT has not begun: it has no cost to collect yet" "$T/collect.err" ||
		fail "future month message: $(cat "$T/collect.err")"
done
[ ! -e "$DB" ] || fail "a refused collect created the database"
ok "collect refuses $CUR without --allow-partial-period and $NEXT always; no database written"

collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period "$CUR" --allow-partial-period
expect_eq "partial collect exit (one demo identity fails)" 1 "$RC"
grep -qF "$CUR is not over: run 1 is marked partial-period" "$T/collect.err" || fail "collect warning: $(cat "$T/collect.err")"
collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period "$PREV" --allow-partial-period
expect_eq "previous month with the flag: exit" 1 "$RC"
collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period 2026-10
expect_eq "2026-10: exit" 1 "$RC"
expect_eq "run.partial_period" "1|$CUR|1 2|$PREV|0 3|2026-10|0" \
	"$(q "$DB" "select run_id, period, partial_period from run order by run_id" | tr '\n' ' ' | sed 's/ $//')"
ok "the flag marks only a month not over ($CUR); $PREV and 2026-10 are not marked"

WARN="run 1 was collected on $(date -u +%Y-%m-%d), before $CUR ended (--allow-partial-period): its cost is incomplete"
for r in customers subscriptions; do
	"$PALSCOPE" report "$r" --db "$DB" --period "$CUR" --out "$T/$r-cur.csv" 2>"$T/$r.err" || fail "report $r $CUR"
	no_sanitizer_report "$T/$r.err"
	grep -qF "$WARN" "$T/$r.err" || fail "report $r: no partial-period warning: $(cat "$T/$r.err")"
	"$PALSCOPE" report "$r" --db "$DB" --period 2026-10 --out "$T/$r-old.csv" 2>"$T/$r-old.err" || fail "report $r 2026-10"
	! grep -q "partial-period" "$T/$r-old.err" || fail "report $r 2026-10 warns: $(cat "$T/$r-old.err")"
	cmp <(head -1 "$T/$r-cur.csv") <(head -1 "$T/$r-old.csv") || fail "report $r: header changed"
	"$PYTHON" - "$T/$r-cur.csv" <<'PY' || fail "report $r rows"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))
assert len(rows) > 5, rows
PY
done
ok "report customers/subscriptions warn on stderr for $CUR only; headers byte-identical"

"$PALSCOPE" report summary --db "$DB" --period "$CUR" --out "$T/sum-cur.csv" 2>"$T/sum.err" || fail "summary"
grep -qF "$WARN" "$T/sum.err" || fail "summary: no warning"
"$PALSCOPE" report summary --db "$DB" --period 2026-10 --out "$T/sum-old.csv" 2>/dev/null || fail "summary 2026-10"
"$PYTHON" - "$T/sum-cur.csv" "$T/sum-old.csv" "$CUR" "$(date -u +%Y-%m-%d)" <<'PY' || fail "summary partial_period row"
import csv, sys
cur = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))
old = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8"), strict=True))
pp = [r for r in cur if r["section"] == "partial_period"]
assert len(pp) == 1, pp
assert pp[0]["key"] == "1", pp
want = "run 1 was collected on %s, before %s ended (--allow-partial-period): its cost is incomplete" % (sys.argv[4], sys.argv[3])
assert pp[0]["detail"] == want, pp[0]["detail"]
assert [r["section"] for r in cur[:2]] == ["period", "partial_period"], [r["section"] for r in cur[:3]]
assert not [r for r in old if r["section"] == "partial_period"], "2026-10 has a partial_period row"
PY
ok "report summary has one partial_period row for $CUR, none for 2026-10"

set +e
"$PALSCOPE" why Contoso --db "$DB" --period "$CUR" >"$T/why.out" 2>"$T/why.err"; rc=$?
set -e
no_sanitizer_report "$T/why.err"
expect_eq "why exit" 0 "$rc"
grep -qF "$WARN" "$T/why.err" || fail "why: no warning: $(cat "$T/why.err")"
grep -q "^Customer" "$T/why.out" || fail "why printed no customer"
"$PALSCOPE" reconcile --db "$DB" --period "$CUR" --partner-center "$SRCDIR/tests/fixtures/import/partner-center.csv" \
	--out "$T/rec.csv" 2>"$T/rec.err" || fail "reconcile: $(cat "$T/rec.err")"
no_sanitizer_report "$T/rec.err"
grep -qF "$WARN" "$T/rec.err" || fail "reconcile: no warning: $(cat "$T/rec.err")"
ok "why and reconcile warn for $CUR"

# The warning follows the flag of the runs in effect, nothing else.
"$PALSCOPE" db runs --db "$DB" | grep -Eq "^1 .* yes$" || fail "db runs does not flag run 1"
q "$DB" "UPDATE run SET partial_period = 0, period = '$PREV' WHERE run_id = 1"
"$PALSCOPE" report customers --db "$DB" --period "$PREV" --out "$T/x.csv" 2>"$T/x.err" || fail "report $PREV"
! grep -q "partial-period" "$T/x.err" || fail "warning without a partial run: $(cat "$T/x.err")"
ok "no warning once no partial run is in effect"
