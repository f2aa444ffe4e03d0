-- Close a run with its status and the engine's counts; the counts of what was stored are
-- written with the run's summaries (scripts/summary_build.sql), also for a run a crash ended.
UPDATE run SET
	ended_at = :ended_at,
	status = :status,
	requests = :requests,
	retries = :retries
WHERE run_id = :run_id;
