-- The pairs of runs the change views compare (palscope diff, report trend): for every period
-- with a complete run, its newest complete run against the newest complete run of the previous
-- period that has one. A complete run ran to its end (status complete or partial: some identity
-- failed, which is an answer) and has its status snapshots (migrations/0010_status_snapshot.sql;
-- "as of" the run: the runs of its period up to and including it). `palscope diff --from --to`
-- evaluates the same change views over a TEMP diff_pair of its own two runs (db/as_of.c), so
-- two runs of one period (a re-collect after a fix) compare the same way.
CREATE VIEW diff_pair AS
WITH c AS (
	SELECT r.period, max(r.run_id) AS run_id
	FROM run r
	WHERE r.status IN ('complete', 'partial')
	  AND EXISTS (SELECT 1 FROM snapshot_built b WHERE b.run_id = r.run_id)
	GROUP BY r.period
)
SELECT f.run_id AS from_run, f.period AS from_period, t.run_id AS to_run, t.period AS to_period
FROM c t JOIN c f ON f.period = (SELECT max(p.period) FROM c p WHERE p.period < t.period);
