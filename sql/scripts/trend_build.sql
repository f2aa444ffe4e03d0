-- Build the aggregates of report trend (migrations/0015_trend_aggregate.sql) that are missing:
-- trend_run for every run with a current status snapshot and no trend_built row, trend_change
-- for every diff_pair without a trend_pair row, from the views trend_run_inline and
-- trend_change_inline (sql/views/78_, 79_), which hold the rules of the counts. Run by
-- db_snapshots_update (db/summary.c) after the snapshots, inside its transaction; no parameter.
DROP TABLE IF EXISTS temp.trend_new_run;
CREATE TEMP TABLE trend_new_run AS
SELECT b.run_id FROM main.snapshot_built b
WHERE NOT EXISTS (SELECT 1 FROM main.trend_built t WHERE t.run_id = b.run_id);
INSERT INTO main.trend_built (run_id) SELECT run_id FROM temp.trend_new_run;
INSERT INTO main.trend_run (run_id, kind, currency, n, n_attr, n_miss, n_unk, usage, attributed,
	missing)
SELECT run_id, kind, currency, n, n_attr, n_miss, n_unk, usage, attributed, missing
FROM trend_run_inline WHERE run_id IN (SELECT run_id FROM temp.trend_new_run);
DROP TABLE temp.trend_new_run;

DROP TABLE IF EXISTS temp.trend_new_pair;
CREATE TEMP TABLE trend_new_pair AS
SELECT p.from_run, p.to_run FROM diff_pair p
WHERE NOT EXISTS (SELECT 1 FROM main.trend_pair t
		  WHERE t.from_run = p.from_run AND t.to_run = p.to_run);
INSERT INTO main.trend_pair (from_run, to_run) SELECT from_run, to_run FROM temp.trend_new_pair;
-- diff_pair has one row per to_run: to_run names the pair
INSERT INTO main.trend_change (from_run, to_run, kind, currency, n)
SELECT from_run, to_run, kind, currency, n
FROM trend_change_inline WHERE to_run IN (SELECT to_run FROM temp.trend_new_pair);
DROP TABLE temp.trend_new_pair;
