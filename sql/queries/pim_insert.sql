INSERT OR REPLACE INTO pim_schedule (run_id, identity_id, subscription_id, kind, item_id, scope,
	scope_level, resource_group, role_guid, principal_id, principal_type, member_type,
	assignment_type, request_type, status, start_time, end_time, eligibility_id, created_on)
VALUES (:run_id, :identity_id, :subscription_id, :kind, :item_id, :scope, :scope_level,
	:resource_group, :role_guid, :principal_id, :principal_type, :member_type,
	:assignment_type, :request_type, :status, :start_time, :end_time, :eligibility_id,
	:created_on);
