INSERT INTO lighthouse_authorization (run_id, identity_id, subscription_id, assignment_id,
	principal_id, principal_name, role_guid, eligible)
VALUES (:run_id, :identity_id, :subscription_id, :assignment_id, :principal_id,
	:principal_name, :role_guid, :eligible);
