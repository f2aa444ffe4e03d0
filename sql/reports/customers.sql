-- palscope report customers: one row per customer tenant of the period (see
-- views/60_customer_status.sql). Column order is the CSV contract: new columns go at the end.
-- usage and missing_usage are in currency, like attributed_usage.
SELECT tenant_id, customer_name, status, reason_code, subscriptions, attributed_subscriptions,
       attributed_usage, currency, explanation, usage, missing_usage
FROM customer_status
WHERE period = :period
ORDER BY tenant_id;
