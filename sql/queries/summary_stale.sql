-- Runs whose summaries must be built before the report views are read (db/summary.c): those
-- without current summaries, and those still 'running' (their data may still grow). final = 1
-- marks the summaries current once built.
SELECT r.run_id, r.status <> 'running' AS final
FROM run r
WHERE r.status = 'running' OR NOT EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id)
ORDER BY r.run_id;
