-- palscope why: the customers matching :q (tenant id, subscription id, or a case-insensitive
-- part of a customer or subscription name). whole = 1 when the customer itself matched, so all
-- its subscriptions are shown; otherwise only the matching subscriptions are.
-- customer_status is evaluated once (cs); subscriptions match on the subscription lists of the
-- period's identities, which is what subscription_status reports (without evaluating it).
WITH cs AS MATERIALIZED (
	SELECT * FROM customer_status WHERE period = :period
),
m AS (
	SELECT tenant_id, NULL AS subscription_id FROM cs
	WHERE tenant_id = :q COLLATE NOCASE OR instr(lower(customer_name), lower(:q)) > 0
	UNION ALL
	SELECT s.tenant_id, s.subscription_id
	FROM effective_identity ei JOIN subscription s ON s.identity_id = ei.identity_id
	WHERE ei.period = :period
	  AND (s.subscription_id = :q COLLATE NOCASE
	       OR instr(lower(coalesce(s.display_name, '')), lower(:q)) > 0)
)
SELECT c.tenant_id, c.customer_name, c.status, c.reason_code, c.reasons, c.subscriptions,
       c.attributed_subscriptions, c.attributed_usage, c.currency, c.explanation,
       EXISTS (SELECT 1 FROM m WHERE m.tenant_id = c.tenant_id AND m.subscription_id IS NULL)
	       AS whole
FROM cs c
WHERE c.tenant_id IN (SELECT tenant_id FROM m)
ORDER BY c.customer_name COLLATE NOCASE, c.tenant_id;
