-- palscope diff / why --since: the run a --from/--to names. :run_id given: that run, if it has
-- status snapshots (migrations/0009). Else the newest complete run (it ran to its end: status
-- complete or partial) with snapshots, of :period when given, before run :before when given.
SELECT r.run_id, r.period,
       EXISTS (SELECT 1 FROM snapshot_built b WHERE b.run_id = r.run_id) AS has_snapshot
FROM run r
WHERE (:run_id IS NOT NULL AND r.run_id = :run_id)
   OR (:run_id IS NULL AND r.status IN ('complete', 'partial')
       AND EXISTS (SELECT 1 FROM snapshot_built b WHERE b.run_id = r.run_id)
       AND (:period IS NULL OR r.period = :period)
       AND (:before IS NULL OR r.run_id < :before))
ORDER BY r.run_id DESC
LIMIT 1;
