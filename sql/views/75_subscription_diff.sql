-- palscope diff --subscriptions: one row per changed subscription (views/73) with its causes
-- (views/74) in change_cause order, ';'-separated, and their evidence, '; '-separated. A change
-- no stored difference explains (the period moved on past a recent assignment, say) has no
-- cause and says so.
-- One pass: the change rows (part 0) and their causes (part 1) sorted by row and cause order,
-- then grouped (a join of the two would be a nested scan: SQLite builds no index on a view).
CREATE VIEW subscription_diff AS
SELECT max(tenant_id) AS tenant_id, max(customer_name) AS customer_name, subscription_id,
       max(subscription_name) AS subscription_name, from_run, to_run,
       max(from_status) AS from_status, max(to_status) AS to_status,
       max(from_reason) AS from_reason, max(to_reason) AS to_reason,
       max(from_attributed_usage) AS from_attributed_usage,
       max(to_attributed_usage) AS to_attributed_usage, max(currency) AS currency,
       coalesce(replace(group_concat(DISTINCT cause), ',', ';'), '') AS cause,
       coalesce(group_concat(evidence, '; '),
		'no difference in the stored data of run ' || from_run || ' and run ' || to_run ||
		' explains it (see palscope why ' || subscription_id || ')') AS evidence,
       max(from_period) AS from_period, max(to_period) AS to_period
FROM (SELECT * FROM (
	SELECT from_run, to_run, subscription_id, 0 AS part, 0 AS ord, NULL AS cause,
	       NULL AS evidence, tenant_id, customer_name, subscription_name, from_status, to_status,
	       from_reason, to_reason, from_attributed_usage, to_attributed_usage, currency,
	       from_period, to_period
	FROM subscription_change
	UNION
	SELECT from_run, to_run, subscription_id, 1, ord, cause, evidence, NULL, NULL, NULL, NULL,
	       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM subscription_change_cause)
      ORDER BY from_run, to_run, subscription_id, part, ord, evidence)
GROUP BY from_run, to_run, subscription_id
HAVING min(part) = 0;
