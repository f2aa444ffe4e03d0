-- palscope why --since: the change of one customer between the TEMP diff_pair's two runs
-- (views/77_customer_diff.sql); no row when it did not change.
SELECT from_status, to_status, from_reason, to_reason, from_attributed_usage,
       to_attributed_usage, currency, cause, evidence
FROM customer_diff
WHERE tenant_id = :tenant_id;
