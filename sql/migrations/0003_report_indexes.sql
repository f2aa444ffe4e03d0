-- 0003: indexes for the report views (sql/views/). The cost views aggregate cost_daily per
-- (identity, subscription, currency, resource group) in index order, and the attributed-cost
-- lookup reads one subscription's days in one currency; this covering index serves both
-- without a sort or a table lookup.
CREATE INDEX cost_daily_report ON cost_daily(identity_id, subscription_id, currency, resource_group,
					      usage_date, cost);
-- The cost views look up the other identities that read the same subscription's cost.
CREATE INDEX cost_status_sub ON cost_status(subscription_id, status, identity_id);
