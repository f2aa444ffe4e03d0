INSERT INTO cost_daily (run_id, identity_id, subscription_id, usage_date, resource_group, cost,
	currency)
VALUES (:run_id, :identity_id, :subscription_id, :usage_date, :resource_group, :cost, :currency);
