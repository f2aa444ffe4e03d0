-- Every read of the identity completed: 'ok' unless a sign-in or required read failed.
UPDATE identity SET reads_done = 1,
	status = CASE status WHEN 'pending' THEN 'ok' ELSE status END
WHERE identity_id = :identity_id;
