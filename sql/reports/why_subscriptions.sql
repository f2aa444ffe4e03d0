-- palscope why: the period's subscription_status once, into a temporary table that why_pairs.sql
-- and why_names.sql read for every matching customer (evaluating the view per customer would
-- cost a full evaluation each time).
CREATE TEMP TABLE IF NOT EXISTS why_subscription AS
SELECT * FROM subscription_status WHERE period = :period;
