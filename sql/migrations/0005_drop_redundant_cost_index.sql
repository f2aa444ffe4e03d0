-- 0005: cost_daily_sub (identity_id, subscription_id, usage_date) is served by the covering
-- index cost_daily_report of 0003 (same leading columns), which every cost query uses. Each
-- index is maintained on every cost row a collect writes (a row per day and resource group),
-- so the redundant one only cost time.
DROP INDEX cost_daily_sub;
