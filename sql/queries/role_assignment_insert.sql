INSERT OR REPLACE INTO role_assignment (run_id, identity_id, subscription_id, assignment_id,
	scope, role_guid, role_definition_id, principal_id, principal_type, created_on, condition,
	resource_group, scope_level)
VALUES (:run_id, :identity_id, :subscription_id, :assignment_id, :scope, :role_guid,
	:role_definition_id, :principal_id, :principal_type, :created_on, :condition,
	:resource_group, :scope_level);
