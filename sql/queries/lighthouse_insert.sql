INSERT OR REPLACE INTO lighthouse_assignment (run_id, identity_id, subscription_id,
	assignment_id, registration_definition_id, definition_name, managed_by_tenant_id,
	managed_by_tenant_name, managee_tenant_id, managee_tenant_name, provisioning_state,
	plan_name, plan_publisher, created_at)
VALUES (:run_id, :identity_id, :subscription_id, :assignment_id, :registration_definition_id,
	:definition_name, :managed_by_tenant_id, :managed_by_tenant_name, :managee_tenant_id,
	:managee_tenant_name, :provisioning_state, :plan_name, :plan_publisher, :created_at);
