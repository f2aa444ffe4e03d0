INSERT OR REPLACE INTO pim_status (run_id, identity_id, subscription_id, list, status,
	http_status, error_code, error_message)
VALUES (:run_id, :identity_id, :subscription_id, :list, :status, :http_status, :error_code,
	:error_message);
