-- palscope report subscriptions: one row per subscription of the period (see
-- views/50_subscription_status.sql). Column order is the CSV contract.
SELECT tenant_id, customer_name, subscription_id, subscription_name, offer, state, status,
       reason_code, reasons, partner_id, principals, roles, usage, currency, explanation
FROM subscription_status
WHERE period = :period
ORDER BY tenant_id, subscription_id;
