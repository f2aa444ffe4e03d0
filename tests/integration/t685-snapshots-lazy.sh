#!/usr/bin/env bash
# Issue 15: a run's end builds its summaries only; the status snapshots (what diff, report trend,
# why --since and report html compare) are built the first time one of those commands reads them
# (db_snapshots_update, db/summary.c), once, and a new run marks out of date only the snapshots
# that depend on it (its own and the later runs of its period). That the snapshots built this
# way equal the previous build is t680's; that a read-only database without them is an error is
# unit.summary's (the tests run as root here, and chmod does not stop root writing).
. "$(dirname "$0")/lib.sh"

db=$T/diff.db
: >"$db"
chmod 600 "$db"
"$PALSCOPE" report summary --db "$db" >/dev/null 2>&1 || true   # create and migrate
sqlite3 "$db" <"$SRCDIR/tests/fixtures/diff/diff.sql" || fail "load the diff fixture"
"$PALSCOPE" rules --db "$db" >/dev/null || fail "open for writing (builds the summaries)"
runs=$(sqlite3 "$db" "SELECT count(*) FROM run")
[ "$runs" -ge 2 ] || fail "the diff fixture has $runs runs"
expect_eq "runs with summaries" "$runs" "$(sqlite3 "$db" "SELECT count(*) FROM run_summary")"
expect_eq "snapshots after the summaries were built" 0 \
	"$(sqlite3 "$db" "SELECT count(*) FROM snapshot_built")"
"$PALSCOPE" report customers --db "$db" >/dev/null || fail "report customers"
expect_eq "snapshots after report customers (it reads none)" 0 \
	"$(sqlite3 "$db" "SELECT count(*) FROM snapshot_built")"
ok "the summaries' build and the plain reports build no status snapshot"

# the first diff builds every run's snapshot, once; the second builds nothing
"$PALSCOPE" -vv diff --db "$db" >"$T/diff1.csv" 2>"$T/diff1.err" || { cat "$T/diff1.err" >&2; fail "diff"; }
grep -q "status snapshots of $runs run(s) built" "$T/diff1.err" ||
	{ grep snapshot "$T/diff1.err" >&2; fail "the first diff did not build the $runs runs' snapshots"; }
expect_eq "snapshots after the first diff" "$runs" "$(sqlite3 "$db" "SELECT count(*) FROM snapshot_built")"
[ "$(wc -l <"$T/diff1.csv")" -gt 1 ] || fail "the fixture's diff has no changed customer"
"$PALSCOPE" -vv diff --db "$db" >"$T/diff2.csv" 2>"$T/diff2.err" || fail "second diff"
! grep -q "status snapshots of" "$T/diff2.err" || fail "the second diff built snapshots again"
cmp -s "$T/diff1.csv" "$T/diff2.csv" || fail "the two diffs differ"
ok "the first diff built $runs runs' snapshots, the second none, same output"

# trend and why --since read the same snapshots: nothing to build
"$PALSCOPE" -vv report trend --db "$db" >/dev/null 2>"$T/trend.err" || fail "report trend"
! grep -q "status snapshots of" "$T/trend.err" || fail "report trend built snapshots again"

# a new run of the first period marks out of date that period's later snapshots only
first=$(sqlite3 "$db" "SELECT min(run_id) FROM run")
period=$(sqlite3 "$db" "SELECT period FROM run WHERE run_id = $first")
later=$(sqlite3 "$db" "SELECT count(*) FROM run WHERE period = '$period' AND run_id >= $first")
sqlite3 "$db" "DELETE FROM run_summary WHERE run_id = $first" # as if its summaries were rebuilt
"$PALSCOPE" rules --db "$db" >/dev/null || fail "rebuild run $first's summaries"
expect_eq "snapshots left current after run $first was rebuilt" "$((runs - later))" \
	"$(sqlite3 "$db" "SELECT count(*) FROM snapshot_built")"
"$PALSCOPE" -vv report trend --db "$db" >"$T/trend2.csv" 2>"$T/trend2.err" || fail "report trend"
grep -q "status snapshots of $later run(s) built" "$T/trend2.err" ||
	{ grep snapshot "$T/trend2.err" >&2; fail "trend did not rebuild the $later out-of-date snapshots"; }
"$PALSCOPE" diff --db "$db" >"$T/diff3.csv" || fail "diff after the rebuild"
cmp -s "$T/diff1.csv" "$T/diff3.csv" || fail "the diff changed after its snapshots were rebuilt"
ok "a rebuilt run invalidates $later snapshot(s) of period $period; rebuilt on the next trend, same diff"
