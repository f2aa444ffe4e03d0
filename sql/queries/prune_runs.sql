-- palscope db prune: delete the runs of periods older than the :keep newest periods that hold a
-- run (:keep NULL: no such limit), and of periods before :before (YYYY-MM; NULL: no such limit).
-- Everything a run stored goes with it (ON DELETE CASCADE). A run still marked 'running' is
-- kept: its collector may be writing it.
DELETE FROM run
WHERE status <> 'running'
  AND ((:keep IS NOT NULL
	AND period NOT IN (SELECT period FROM (SELECT DISTINCT period FROM run)
			   ORDER BY period DESC LIMIT :keep))
       OR (:before IS NOT NULL AND period < :before));
