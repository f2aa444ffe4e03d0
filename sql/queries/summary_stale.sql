-- Runs whose summaries are missing or out of date (db/summary.c), with the process that writes a
-- run still 'running': db_summaries_update() leaves those whose process is alive.
SELECT r.run_id, r.status = 'running' AS running, r.pid, r.host
FROM run r
WHERE NOT EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id)
ORDER BY r.run_id;
