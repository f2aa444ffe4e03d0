-- palscope diff --subscriptions: one row per changed subscription (views/73) with its causes
-- (views/74) in change_cause order, ';'-separated, and their evidence, '; '-separated. A change
-- no stored difference explains (the period moved on past a recent assignment, say) has no
-- cause and says so.
CREATE VIEW subscription_diff AS
WITH agg AS (
	SELECT from_run, to_run, subscription_id, replace(group_concat(DISTINCT cause), ',', ';') AS cause,
	       group_concat(evidence, '; ') AS evidence
	FROM (SELECT DISTINCT from_run, to_run, subscription_id, ord, cause, evidence
	      FROM subscription_change_cause
	      ORDER BY from_run, to_run, subscription_id, ord, evidence)
	GROUP BY from_run, to_run, subscription_id
)
SELECT c.tenant_id, c.customer_name, c.subscription_id, c.subscription_name, c.from_run, c.to_run,
       c.from_status, c.to_status, c.from_reason, c.to_reason, c.from_attributed_usage,
       c.to_attributed_usage, c.currency, coalesce(a.cause, '') AS cause,
       coalesce(a.evidence, 'no difference in the stored data of run ' || c.from_run || ' and run ' ||
		c.to_run || ' explains it (see palscope why ' || c.subscription_id || ')') AS evidence,
       c.from_period, c.to_period
FROM subscription_change c
LEFT JOIN agg a ON a.from_run = c.from_run AND a.to_run = c.to_run
	       AND a.subscription_id = c.subscription_id;
