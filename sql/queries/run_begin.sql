-- Start a run; the row stays 'running' (read as incomplete) until run_end.
INSERT INTO run (kind, started_at, period, period_start, period_end, cloud, arm_url, status, pid,
		 host, partial_period)
VALUES (:kind, :started_at, :period, :period_start, :period_end, :cloud, :arm_url, 'running', :pid,
	:host, :partial_period)
RETURNING run_id;
