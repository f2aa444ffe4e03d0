-- palscope diff (--customers): one row per changed customer (views/76) with the causes of its
-- own identities (views/72: sign-in, link) and of its subscriptions, in either run's tenant
-- (views/74; a subscription that moved counts for both customers), in change_cause order.
-- One pass, as subscription_diff: the change rows (part 0) and the causes keyed by tenant
-- (part 1), sorted and grouped; causes of customers that did not change are dropped (HAVING).
CREATE VIEW customer_diff AS
WITH sc AS MATERIALIZED (SELECT * FROM subscription_change_cause)
SELECT max(tenant_id) AS tenant_id, max(customer_name) AS customer_name,
       max(subscription_id) AS subscription_id, max(subscription_name) AS subscription_name,
       from_run, to_run, max(from_status) AS from_status, max(to_status) AS to_status,
       max(from_reason) AS from_reason, max(to_reason) AS to_reason,
       max(from_attributed_usage) AS from_attributed_usage,
       max(to_attributed_usage) AS to_attributed_usage, max(currency) AS currency,
       coalesce(replace(group_concat(DISTINCT cause), ',', ';'), '') AS cause,
       coalesce(group_concat(evidence, '; '),
		'no difference in the stored data of run ' || from_run || ' and run ' || to_run ||
		' explains it (see palscope why ' || max(tenant_id) || ')') AS evidence,
       max(from_period) AS from_period, max(to_period) AS to_period
FROM (SELECT * FROM (
	SELECT from_run, to_run, lower(tenant_id) AS k, 0 AS part, 0 AS ord, NULL AS cause,
	       NULL AS evidence, tenant_id, customer_name, subscription_id, subscription_name,
	       from_status, to_status, from_reason, to_reason, from_attributed_usage,
	       to_attributed_usage, currency, from_period, to_period
	FROM customer_change
	UNION
	SELECT from_run, to_run, lower(tenant_id), 1, ord, cause, evidence, NULL, NULL, NULL, NULL,
	       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM identity_change_cause
	UNION
	-- a subscription's cause says which subscription (a customer has several); a moved one
	-- counts for the customers of both runs
	SELECT from_run, to_run, lower(from_tenant_id), 1, ord, cause,
	       CASE WHEN scope = 'subscription'
		    THEN '''' || subscription_name || ''' (' || subscription_id || '): ' || evidence
		    ELSE evidence END,
	       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM sc WHERE from_tenant_id IS NOT NULL
	UNION
	SELECT from_run, to_run, lower(to_tenant_id), 1, ord, cause,
	       CASE WHEN scope = 'subscription'
		    THEN '''' || subscription_name || ''' (' || subscription_id || '): ' || evidence
		    ELSE evidence END,
	       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM sc WHERE to_tenant_id IS NOT NULL)
      ORDER BY from_run, to_run, k, part, ord, evidence)
GROUP BY from_run, to_run, k
HAVING min(part) = 0;
