-- Start a run; the row stays 'running' (read as incomplete) until run_end.
INSERT INTO run (kind, started_at, period, period_start, period_end, cloud, arm_url, status, pid,
		 host)
VALUES (:kind, :started_at, :period, :period_start, :period_end, :cloud, :arm_url, 'running', :pid,
	:host)
RETURNING run_id;
