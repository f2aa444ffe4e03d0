-- palscope diff (--customers): the changed customers of the TEMP diff_pair (the two runs
-- compared, db/as_of.c), views/77_customer_diff.sql. Column order is the CSV contract.
SELECT tenant_id, customer_name, subscription_id, subscription_name, from_run, to_run,
       from_status, to_status, from_reason, to_reason, from_attributed_usage, to_attributed_usage,
       currency, cause, evidence
FROM customer_diff
ORDER BY tenant_id;
