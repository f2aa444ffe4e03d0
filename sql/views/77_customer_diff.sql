-- palscope diff (--customers): one row per changed customer (views/76) with the causes of its
-- own identities (views/72: sign-in, link) and of its subscriptions, in either run's tenant
-- (views/74; a subscription that moved counts for both customers), in change_cause order.
CREATE VIEW customer_diff AS
WITH src AS (
	SELECT c.from_run, c.to_run, c.tenant_id, ic.ord, ic.cause, ic.evidence
	FROM customer_change c
	JOIN identity_change_cause ic
		ON ic.from_run = c.from_run AND ic.to_run = c.to_run AND ic.tenant_id = c.tenant_id
	UNION
	-- a subscription's cause says which subscription (a customer has several)
	SELECT c.from_run, c.to_run, c.tenant_id, sc.ord, sc.cause,
	       CASE WHEN sc.cause IN (SELECT code FROM change_cause WHERE scope = 'subscription')
		    THEN '''' || sc.subscription_name || ''' (' || sc.subscription_id || '): ' ||
			 sc.evidence
		    ELSE sc.evidence END
	FROM customer_change c
	JOIN subscription_change_cause sc
		ON sc.from_run = c.from_run AND sc.to_run = c.to_run
	       AND (sc.from_tenant_id = c.tenant_id OR sc.to_tenant_id = c.tenant_id)
),
agg AS (
	SELECT from_run, to_run, tenant_id, replace(group_concat(DISTINCT cause), ',', ';') AS cause,
	       group_concat(evidence, '; ') AS evidence
	FROM (SELECT * FROM src ORDER BY from_run, to_run, tenant_id, ord, evidence)
	GROUP BY from_run, to_run, tenant_id
)
SELECT c.tenant_id, c.customer_name, c.subscription_id, c.subscription_name, c.from_run, c.to_run,
       c.from_status, c.to_status, c.from_reason, c.to_reason, c.from_attributed_usage,
       c.to_attributed_usage, c.currency, coalesce(a.cause, '') AS cause,
       coalesce(a.evidence, 'no difference in the stored data of run ' || c.from_run || ' and run ' ||
		c.to_run || ' explains it (see palscope why ' || c.tenant_id || ')') AS evidence,
       c.from_period, c.to_period
FROM customer_change c
LEFT JOIN agg a ON a.from_run = c.from_run AND a.to_run = c.to_run AND a.tenant_id = c.tenant_id;
