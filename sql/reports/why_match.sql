-- palscope why: the customers matching :q (tenant id, subscription id, or a case-insensitive
-- part of a customer or subscription name). whole = 1 when the customer itself matched, so all
-- its subscriptions are shown; otherwise only the matching subscriptions are.
WITH m AS (
	SELECT tenant_id, NULL AS subscription_id FROM customer_status
	WHERE period = :period
	  AND (tenant_id = :q COLLATE NOCASE OR instr(lower(customer_name), lower(:q)) > 0)
	UNION ALL
	SELECT tenant_id, subscription_id FROM subscription_status
	WHERE period = :period
	  AND (subscription_id = :q COLLATE NOCASE OR instr(lower(subscription_name), lower(:q)) > 0)
)
SELECT c.tenant_id, c.customer_name, c.status, c.reason_code, c.reasons, c.subscriptions,
       c.attributed_subscriptions, c.attributed_usage, c.currency, c.explanation,
       EXISTS (SELECT 1 FROM m WHERE m.tenant_id = c.tenant_id AND m.subscription_id IS NULL)
	       AS whole
FROM customer_status c
WHERE c.period = :period AND c.tenant_id IN (SELECT tenant_id FROM m)
ORDER BY c.customer_name COLLATE NOCASE, c.tenant_id;
