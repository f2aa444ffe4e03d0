-- palscope report subscriptions: one row per subscription of the period (see
-- views/50_subscription_status.sql). Column order is the CSV contract: new columns go at the end.
-- attributed_usage: the attributed cost, in currency (0 when the subscription is not attributed).
SELECT tenant_id, customer_name, subscription_id, subscription_name, offer, state, status,
       reason_code, reasons, partner_id, principals, roles, usage, currency, explanation,
       CASE WHEN status = 'ATTRIBUTED' THEN coalesce(attributed, 0.0) ELSE 0.0 END
	       AS attributed_usage
FROM subscription_status
WHERE period = :period
ORDER BY tenant_id, subscription_id;
