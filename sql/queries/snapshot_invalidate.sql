-- Mark out of date the status snapshots that depend on :run_id (db/summary.c): its own and those
-- of the later runs of its period (a snapshot is "as of" a run: the runs of its period up to and
-- including it). Their rows stay until db_snapshots_update rebuilds them; nothing reads a
-- snapshot without its snapshot_built row.
DELETE FROM snapshot_built
WHERE run_id IN (SELECT r.run_id FROM run r
		 WHERE r.period = (SELECT period FROM run WHERE run_id = :run_id)
		   AND r.run_id >= :run_id);
