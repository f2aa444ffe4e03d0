INSERT OR REPLACE INTO subscription (run_id, identity_id, subscription_id, display_name,
	tenant_id, state, quota_id, spending_limit, location_placement_id, authorization_source)
VALUES (:run_id, :identity_id, :subscription_id, :display_name, :tenant_id, :state, :quota_id,
	:spending_limit, :location_placement_id, :authorization_source);
