-- Mark a run's status snapshots current (db/snapshot.c).
INSERT OR REPLACE INTO snapshot_built (run_id, built_at) VALUES (:run_id, :built_at);
