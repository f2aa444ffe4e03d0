#!/usr/bin/env bash
# report trend's stored aggregates (migrations/0015_trend_aggregate.sql: trend_run per run,
# trend_change per diff_pair, built with the status snapshots by scripts/trend_build.sql) equal
# their recomputation from the snapshots (views trend_run_inline, trend_change_inline) after
# collect, after a second run of the same period, after `rules set` rebuilt every summary and
# after `db prune`; and trend.sql's rows are the same with the aggregates dropped (the fallback
# computes them from the snapshots), all of them or one run's and one pair's.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/trend.db

# trend.sql in sqlite3 (the same SELECT palscope runs), to compare with and without aggregates
trend_sql() { sqlite3 -csv "$1" ".parameter set :from NULL" ".parameter set :to NULL" \
	".read $SRCDIR/sql/reports/trend.sql"; }
run_cols="run_id, kind, currency, n, n_attr, n_miss, n_unk, round(usage, 6), round(attributed, 6), round(missing, 6)"
check() { # check STAGE: palscope reads (builds what is missing), then stored = recomputed
	local stage=$1
	"$PALSCOPE" report trend --db "$DB" --out "$T/trend-$stage.csv" || fail "$stage: report trend"
	expect_eq "$stage: runs with a snapshot and no trend_built row" 0 "$(q "$DB" \
		"SELECT count(*) FROM snapshot_built b WHERE b.run_id NOT IN (SELECT run_id FROM trend_built)")"
	expect_eq "$stage: trend_built rows without a current snapshot" 0 "$(q "$DB" \
		"SELECT count(*) FROM trend_built WHERE run_id NOT IN (SELECT run_id FROM snapshot_built)")"
	expect_eq "$stage: diff_pair rows without a trend_pair row" 0 "$(q "$DB" \
		"SELECT count(*) FROM diff_pair p WHERE NOT EXISTS (SELECT 1 FROM trend_pair t
		 WHERE t.from_run = p.from_run AND t.to_run = p.to_run)")"
	local stored recomputed
	stored=$(q "$DB" "SELECT $run_cols FROM trend_run ORDER BY 1, 2, 3")
	recomputed=$(q "$DB" "SELECT $run_cols FROM trend_run_inline
		WHERE run_id IN (SELECT run_id FROM trend_built) ORDER BY 1, 2, 3")
	[ -n "$stored" ] || fail "$stage: trend_run is empty"
	[ "$stored" = "$recomputed" ] || { diff <(echo "$stored") <(echo "$recomputed") >&2;
		fail "$stage: trend_run differs from trend_run_inline"; }
	stored=$(q "$DB" "SELECT t.* FROM trend_change t JOIN diff_pair p
		ON p.from_run = t.from_run AND p.to_run = t.to_run ORDER BY 1, 2, 3, 4")
	recomputed=$(q "$DB" "SELECT * FROM trend_change_inline ORDER BY 1, 2, 3, 4")
	[ -n "$stored" ] || fail "$stage: trend_change is empty"
	[ "$stored" = "$recomputed" ] || { diff <(echo "$stored") <(echo "$recomputed") >&2;
		fail "$stage: trend_change differs from trend_change_inline"; }
	# the fallback: the same rows with every aggregate dropped, and with one run's and one pair's
	trend_sql "$DB" >"$T/sql-$stage.csv" || fail "$stage: trend.sql"
	cp "$DB" "$T/drop.db"
	q "$T/drop.db" "PRAGMA foreign_keys = ON; DELETE FROM trend_built WHERE run_id = (SELECT max(run_id)
		FROM trend_built); DELETE FROM trend_pair WHERE to_run = (SELECT min(to_run) FROM trend_pair)"
	trend_sql "$T/drop.db" >"$T/sql-$stage-some.csv" || fail "$stage: trend.sql, some dropped"
	q "$T/drop.db" "DELETE FROM trend_change; DELETE FROM trend_pair; DELETE FROM trend_run;
		DELETE FROM trend_built"
	trend_sql "$T/drop.db" >"$T/sql-$stage-none.csv" || fail "$stage: trend.sql, none"
	cmp "$T/sql-$stage.csv" "$T/sql-$stage-some.csv" || fail "$stage: trend differs, some aggregates dropped"
	cmp "$T/sql-$stage.csv" "$T/sql-$stage-none.csv" || fail "$stage: trend differs, aggregates dropped"
	# palscope on the dropped copy builds them again: the same CSV
	"$PALSCOPE" report trend --db "$T/drop.db" --out "$T/trend-$stage-rebuilt.csv" || fail "$stage: trend"
	cmp "$T/trend-$stage.csv" "$T/trend-$stage-rebuilt.csv" || fail "$stage: trend differs once rebuilt"
	expect_eq "$stage: trend_run rows once rebuilt" "$(q "$DB" "SELECT count(*) FROM trend_run")" \
		"$(q "$T/drop.db" "SELECT count(*) FROM trend_run")"
	ok "$stage: trend aggregates equal their recomputation; the same trend without them"
}

for p in 2026-07 2026-09 2026-10; do
	collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period "$p"
	expect_eq "collect $p exit status (one identity fails)" 1 "$RC"
done
check collect
[ "$(q "$DB" "SELECT count(*) FROM trend_pair")" -ge 2 ] || fail "fewer than 2 pairs after 3 periods"

# a second run of 2026-10: its pair replaces the old one in diff_pair
before=$(q "$DB" "SELECT max(run_id) FROM run")
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "second collect of 2026-10" 1 "$RC"
check second-run
expect_eq "the 2026-10 pair compares the new run" 1 "$(q "$DB" \
	"SELECT count(*) FROM trend_pair t JOIN diff_pair p USING (from_run, to_run) WHERE p.to_run > $before")"

# rules set: every summary rebuilt, every snapshot (and so every aggregate) out of date
"$PALSCOPE" rules set read_only_roles count --db "$DB" >/dev/null || fail "rules set"
expect_eq "aggregates left after rules set" 0 "$(q "$DB" "SELECT count(*) FROM trend_built")"
check rules
"$PALSCOPE" rules set read_only_roles not_eligible --db "$DB" >/dev/null || fail "rules set back"
check rules-back

# db prune: the pruned runs' aggregates go with them
"$PALSCOPE" db prune --keep-periods 2 --db "$DB" >/dev/null || fail "db prune"
expect_eq "aggregates of pruned runs" 0 "$(q "$DB" \
	"SELECT (SELECT count(*) FROM trend_run WHERE run_id NOT IN (SELECT run_id FROM run))
	      + (SELECT count(*) FROM trend_pair WHERE from_run NOT IN (SELECT run_id FROM run))")"
check prune
stop_server
