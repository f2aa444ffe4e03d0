-- Close a run with its status and counts (the counts come from the tables).
UPDATE run SET
	ended_at = :ended_at,
	status = :status,
	identities_total = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id),
	identities_failed = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id
	                     AND (i.status <> 'ok'
	                          OR EXISTS (SELECT 1 FROM request_failure f
	                                     WHERE f.identity_id = i.identity_id))),
	identities_ok = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id
	                 AND i.status = 'ok'
	                 AND NOT EXISTS (SELECT 1 FROM request_failure f
	                                 WHERE f.identity_id = i.identity_id)),
	subscriptions = (SELECT count(DISTINCT subscription_id) FROM subscription s
	                 WHERE s.run_id = run.run_id),
	role_assignments = (SELECT count(*) FROM role_assignment a WHERE a.run_id = run.run_id),
	cost_rows = (SELECT count(*) FROM cost_daily c WHERE c.run_id = run.run_id),
	requests = :requests,
	retries = :retries,
	failures = (SELECT count(*) FROM request_failure f WHERE f.run_id = run.run_id)
WHERE run_id = :run_id;
