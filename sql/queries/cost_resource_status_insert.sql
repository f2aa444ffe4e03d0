INSERT OR REPLACE INTO cost_resource_status (run_id, identity_id, subscription_id, status,
	http_status, error_code, error_message)
VALUES (:run_id, :identity_id, :subscription_id, :status, :http_status, :error_code,
	:error_message);
