INSERT INTO request_failure (run_id, identity_id, subscription_id, kind, method, url,
	http_status, transport_error, error_code, error_message, request_id, attempts, at)
VALUES (:run_id, :identity_id, :subscription_id, :kind, :method, :url, :http_status,
	:transport_error, :error_code, :error_message, :request_id, :attempts, :at);
