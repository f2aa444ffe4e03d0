#!/usr/bin/env bash
# report --run ID: a period's reports as of one run (the runs of its period up to and including
# ID). Two collections of 2026-10 against the fake: the demo partner, then the same partner after
# the changes of tests/fake_azure/scenarios/make_changed.py (re-collecting, the usual case).
# --run 1 must give exactly the reports as they were before run 2, --run 2 the current ones.
. "$(dirname "$0")/lib.sh"
demo_env
DB=$T/as-of.db
start_server "$FAKE/scenarios/demo.json"
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "first collect exit status (one identity fails)" 1 "$RC"
for r in customers subscriptions summary; do
	"$PALSCOPE" report "$r" --db "$DB" --out "$T/before-$r.csv" 2>/dev/null || fail "report $r"
done
stop_server
"$PYTHON" "$FAKE/scenarios/make_changed.py" "$T/changed.json"
start_server "$T/changed.json"
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "second collect exit status" 1 "$RC"
expect_eq "runs" "1|2026-10
2|2026-10" "$(q "$DB" 'select run_id, period from run order by run_id')"

for r in customers subscriptions summary; do
	"$PALSCOPE" report "$r" --db "$DB" --out "$T/now-$r.csv" 2>/dev/null || fail "report $r"
	"$PALSCOPE" report "$r" --db "$DB" --run 1 --out "$T/run1-$r.csv" 2>"$T/run1.err" ||
		{ cat "$T/run1.err"; fail "report $r --run 1"; }
	"$PALSCOPE" report "$r" --db "$DB" --run 2 --out "$T/run2-$r.csv" 2>/dev/null || fail "report $r --run 2"
	"$PYTHON" - "$T/before-$r.csv" "$T/run1-$r.csv" "$T/now-$r.csv" "$T/run2-$r.csv" <<'PY' || fail "report $r as of runs"
import csv, re, sys
RID = re.compile(r"Request ID: [0-9a-f-]{36}")
def rows(p):
    with open(p, newline="", encoding="utf-8") as f:
        return [[RID.sub("*", c) for c in r] for r in csv.reader(f, strict=True)]
before, run1, now, run2 = (rows(p) for p in sys.argv[1:])
assert run1 == before, "--run 1 differs from the report before run 2"
assert run2 == now, "--run 2 differs from the current report"
assert run1 != run2, "the two runs give the same report: the test shows nothing"
PY
done
ok "report customers|subscriptions|summary --run 1 = the reports before run 2; --run 2 = now"

# What changed for one customer, as of each run (Northwind's link was deleted by run 2; before, its
# 1984.00 USD sat in Northwind Main, blocked by ASSIGNMENT_TOO_RECENT, not in its empty sandbox).
NW=a0000004-0000-4000-8000-000000000000
"$PYTHON" - "$T/run1-customers.csv" "$T/run2-customers.csv" "$NW" <<'PY' || fail "Northwind as of runs"
import csv, sys
def row(p):
    with open(p, newline="", encoding="utf-8") as f:
        return {r["tenant_id"]: r for r in csv.DictReader(f, strict=True)}[sys.argv[3]]
a, b = row(sys.argv[1]), row(sys.argv[2])
assert (a["status"], a["reason_code"]) == ("MISSING", "ASSIGNMENT_TOO_RECENT"), a
assert (b["status"], b["reason_code"]) == ("MISSING", "NO_LINK"), b
PY
# summary names only the runs in effect as of the run
grep -q '"run","1"' "$T/run1-summary.csv" || fail "summary --run 1 names run 1"
grep -q '"run","2"' "$T/run1-summary.csv" && fail "summary --run 1 must not use run 2"
ok "as of run 1 Northwind is ASSIGNMENT_TOO_RECENT (its money is in Northwind Main), as of run 2 NO_LINK; summary --run 1 uses run 1 only"

# The database is not written by --run (read-only file works, nothing left in it).
before_views=$(q "$DB" "select count(*) from sqlite_schema where type = 'view'")
chmod 0400 "$DB"
"$PALSCOPE" report customers --db "$DB" --run 1 --out "$T/ro.csv" 2>/dev/null || fail "--run on a read-only file"
cmp -s "$T/ro.csv" "$T/run1-customers.csv" || fail "read-only --run 1 differs"
chmod 0600 "$DB"
expect_eq "views unchanged" "$before_views" "$(q "$DB" "select count(*) from sqlite_schema where type = 'view'")"
ok "--run writes nothing (read-only database)"

# Errors: one line, non-zero exit.
expect_rc() { # RC WHAT ARGS...
	local want=$1 what=$2; shift 2
	set +e; "$PALSCOPE" "$@" >"$T/e.out" 2>"$T/e.err"; local rc=$?; set -e
	expect_eq "$what exit status" "$want" "$rc"
	# one line, a usage error (2) included: it ends pointing at 'palscope help report'
	expect_eq "$what: lines" 1 "$(wc -l <"$T/e.err")"
}
expect_rc 1 "unknown run" report customers --db "$DB" --run 99
grep -q "has no run 99" "$T/e.err" || fail "unknown run message: $(cat "$T/e.err")"
expect_rc 2 "bad run id" report customers --db "$DB" --run 1x
expect_rc 2 "--run with --period" report customers --db "$DB" --run 1 --period 2026-10
# a run still being written by a live process (this shell) on this host
q "$DB" "insert into run (kind, period, period_start, period_end, started_at, status, pid, host)
         select kind, period, period_start, period_end, started_at, 'running', $$, '$(hostname)'
         from run where run_id = 1"
expect_rc 1 "run not in effect" report customers --db "$DB" --run 3
grep -q "run 3 is still being collected" "$T/e.err" || fail "running run message: $(cat "$T/e.err")"
ok "errors: unknown run, bad id, --run with --period, run still being collected"
