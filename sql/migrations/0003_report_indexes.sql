-- 0003: indexes for the report views (sql/views/). The cost views aggregate cost_daily per
-- (identity, subscription, resource group, currency) and the attributed-cost lookup reads one
-- subscription's days in one currency; this covering index serves both without a sort or a
-- table lookup.
CREATE INDEX cost_daily_report ON cost_daily(identity_id, subscription_id, resource_group, currency,
					      usage_date, cost);
