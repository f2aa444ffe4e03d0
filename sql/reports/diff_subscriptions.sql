-- palscope diff --subscriptions: the changed subscriptions of the TEMP diff_pair (the two runs
-- compared, db/as_of.c), views/75_subscription_diff.sql. Column order is the CSV contract.
SELECT tenant_id, customer_name, subscription_id, subscription_name, from_run, to_run,
       from_status, to_status, from_reason, to_reason, from_attributed_usage, to_attributed_usage,
       currency, cause, evidence
FROM subscription_diff
ORDER BY tenant_id, subscription_id;
