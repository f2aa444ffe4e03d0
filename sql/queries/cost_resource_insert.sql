INSERT INTO cost_resource_daily (run_id, identity_id, subscription_id, usage_date, resource_id,
	cost, currency)
VALUES (:run_id, :identity_id, :subscription_id, :usage_date, :resource_id, :cost, :currency);
