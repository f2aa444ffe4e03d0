-- A run written in one transaction (an import) is all or nothing: every identity is done.
UPDATE identity SET reads_done = 1,
	status = CASE status WHEN 'pending' THEN 'ok' ELSE status END
WHERE run_id = :run_id;
