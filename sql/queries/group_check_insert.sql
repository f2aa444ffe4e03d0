INSERT OR REPLACE INTO group_check (run_id, identity_id, group_id, status, member, http_status,
	error_code, error_message)
VALUES (:run_id, :identity_id, :group_id, :status, :member, :http_status, :error_code,
	:error_message);
