-- Mark every status snapshot out of date (db/summary.c: the policy changed and every run's
-- summaries were rebuilt); db_snapshots_update rebuilds them when a command next reads them.
DELETE FROM snapshot_built;
