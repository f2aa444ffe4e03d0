UPDATE link_change SET outcome = :outcome, partner_after = :partner_after,
	finished_at = :finished_at, http_status = :http_status, request_id = :request_id,
	error_code = :error_code, error_message = :error_message, explanation = :explanation
WHERE change_id = :change_id AND outcome = 'pending';
