-- The runs whose snapshots depend on :run_id: it and the later runs of its period that are in
-- effect (a snapshot is "as of" a run: the runs of its period up to and including it).
SELECT r.run_id FROM run r
WHERE r.period = (SELECT period FROM run WHERE run_id = :run_id) AND r.run_id >= :run_id
  AND EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id)
ORDER BY r.run_id;
