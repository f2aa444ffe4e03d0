-- Per diff_pair and currency, the rows of subscription_change (kind 'subscription') and
-- customer_change (kind 'customer'): the change counts of report trend (sql/reports/trend.sql).
-- Stored per pair in trend_change (migrations/0015_trend_aggregate.sql); trend.sql reads this
-- view for a pair without. subscription_change's rows are counted in two key lookups per
-- subscription instead of through that view's UNION of both runs (the same test: status,
-- reason, attributed usage, tenant, or in one run only; t670 checks the count against diff).
CREATE VIEW trend_change_inline AS
SELECT from_run, to_run, 'subscription' AS kind, currency, sum(n) AS n FROM (
	SELECT p.from_run, p.to_run, coalesce(nullif(b.currency, ''), a.currency) AS currency,
	       count(*) AS n
	FROM diff_pair p
	JOIN subscription_snapshot a ON a.run_id = p.from_run
	LEFT JOIN subscription_snapshot b
		ON b.run_id = p.to_run AND b.subscription_id = a.subscription_id
	WHERE b.subscription_id IS NULL OR a.status <> b.status
	   OR a.reason_code <> b.reason_code OR a.tenant_id <> b.tenant_id
	   OR round(CASE WHEN a.status = 'ATTRIBUTED' THEN coalesce(a.attributed, 0) ELSE 0.0 END, 2) <>
	      round(CASE WHEN b.status = 'ATTRIBUTED' THEN coalesce(b.attributed, 0) ELSE 0.0 END, 2)
	GROUP BY 1, 2, 3
	UNION ALL
	SELECT p.from_run, p.to_run, b.currency, count(*)
	FROM diff_pair p
	JOIN subscription_snapshot b ON b.run_id = p.to_run
	WHERE NOT EXISTS (SELECT 1 FROM subscription_snapshot a
			  WHERE a.run_id = p.from_run AND a.subscription_id = b.subscription_id)
	GROUP BY 1, 2, 3)
GROUP BY from_run, to_run, currency
UNION ALL
SELECT x.from_run, x.to_run, 'customer', x.currency, count(*)
FROM customer_change x
GROUP BY x.from_run, x.to_run, x.currency;
