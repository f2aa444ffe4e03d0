-- Whether some aggregate of report trend is missing (db/summary.c, db_snapshots_update): a run
-- with a current status snapshot and no trend_built row, or a diff_pair without a trend_pair row.
SELECT EXISTS (SELECT 1 FROM snapshot_built b
	       WHERE NOT EXISTS (SELECT 1 FROM trend_built t WHERE t.run_id = b.run_id))
    OR EXISTS (SELECT 1 FROM diff_pair p
	       WHERE NOT EXISTS (SELECT 1 FROM trend_pair t
				 WHERE t.from_run = p.from_run AND t.to_run = p.to_run));
