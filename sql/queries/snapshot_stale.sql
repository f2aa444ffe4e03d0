-- The runs whose status snapshots are missing or out of date (db/summary.c, db_snapshots_update):
-- every run with current summaries (so in effect for the views) and no snapshot_built row.
SELECT r.run_id FROM run r
WHERE EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id)
  AND NOT EXISTS (SELECT 1 FROM snapshot_built b WHERE b.run_id = r.run_id)
ORDER BY r.run_id;
