-- Runs of a period still being collected (no summaries yet, see db/summary.c): the reports use
-- the period's earlier runs until they end.
SELECT r.run_id, r.started_at, coalesce(r.pid, 0) AS pid, coalesce(r.host, '') AS host
FROM run r
WHERE r.period = :period AND r.status = 'running'
  AND NOT EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id)
ORDER BY r.run_id;
