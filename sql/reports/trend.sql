-- palscope report trend: one row per period and currency from :from to :to (YYYY-MM; NULL = the
-- first / last period with a run). Each period is read from the status snapshots of its newest
-- complete run (the run diff_pair uses, views/70_diff_pair.sql: what the reports said as of that
-- run), so no rule view is evaluated here. Customers are counted under their own currency,
-- subscriptions under theirs; usage is the cost of the subscriptions whose cost was read,
-- attributed_usage the attributed part, missing_usage the cost of those not attributed.
-- changed_customers / changed_subscriptions count the rows of customer_change /
-- subscription_change (what `palscope diff` lists) against compared_with, the previous period
-- with a complete run. A period without a complete run is one row saying so in note.
WITH RECURSIVE
bounds AS (
	SELECT coalesce(:from, (SELECT min(period) FROM run)) AS f,
	       coalesce(:to, (SELECT max(period) FROM run)) AS t
),
months (p, n) AS (
	SELECT f, 1 FROM bounds WHERE f IS NOT NULL AND f <= t
	UNION ALL
	SELECT strftime('%Y-%m', m.p || '-01', '+1 month'), m.n + 1
	FROM months m, bounds b WHERE m.p < b.t AND m.n < 1200
),
c AS (
	SELECT r.period, max(r.run_id) AS run_id
	FROM run r
	WHERE r.status IN ('complete', 'partial')
	  AND EXISTS (SELECT 1 FROM snapshot_built b WHERE b.run_id = r.run_id)
	  AND r.period BETWEEN (SELECT f FROM bounds) AND (SELECT t FROM bounds)
	GROUP BY r.period
),
subs AS (
	SELECT c.period, s.currency, count(*) AS n,
	       sum(s.status = 'ATTRIBUTED') AS n_attr, sum(s.status = 'MISSING') AS n_miss,
	       sum(s.status = 'UNKNOWN') AS n_unk,
	       total(s.usage) AS usage,
	       total(CASE WHEN s.status = 'ATTRIBUTED' THEN s.attributed END) AS attributed,
	       total(CASE WHEN s.status <> 'ATTRIBUTED' THEN s.usage END) AS missing
	FROM c JOIN subscription_snapshot s ON s.run_id = c.run_id
	GROUP BY c.period, s.currency
),
cust AS (
	SELECT c.period, cs.currency, count(*) AS n,
	       sum(cs.status = 'ATTRIBUTED') AS n_attr, sum(cs.status = 'MISSING') AS n_miss,
	       sum(cs.status = 'UNKNOWN') AS n_unk
	FROM c JOIN customer_snapshot cs ON cs.run_id = c.run_id
	GROUP BY c.period, cs.currency
),
pair AS (
	SELECT dp.to_period, dp.from_period, dp.from_run, dp.to_run
	FROM diff_pair dp JOIN c ON c.period = dp.to_period AND c.run_id = dp.to_run
),
-- subscription_change's rows counted in two key lookups per subscription instead of through the
-- view's UNION of both runs (the same test: status, reason, attributed usage, tenant, or in one
-- run only; t670 checks the count against palscope diff)
chs AS (
	SELECT period, currency, sum(n) AS n FROM (
		SELECT p.to_period AS period, coalesce(nullif(b.currency, ''), a.currency) AS currency,
		       count(*) AS n
		FROM pair p
		JOIN subscription_snapshot a ON a.run_id = p.from_run
		LEFT JOIN subscription_snapshot b
			ON b.run_id = p.to_run AND b.subscription_id = a.subscription_id
		WHERE b.subscription_id IS NULL OR a.status <> b.status
		   OR a.reason_code <> b.reason_code OR a.tenant_id <> b.tenant_id
		   OR round(CASE WHEN a.status = 'ATTRIBUTED' THEN coalesce(a.attributed, 0)
				 ELSE 0.0 END, 2) <>
		      round(CASE WHEN b.status = 'ATTRIBUTED' THEN coalesce(b.attributed, 0)
				 ELSE 0.0 END, 2)
		GROUP BY 1, 2
		UNION ALL
		SELECT p.to_period, b.currency, count(*)
		FROM pair p
		JOIN subscription_snapshot b ON b.run_id = p.to_run
		WHERE NOT EXISTS (SELECT 1 FROM subscription_snapshot a
				  WHERE a.run_id = p.from_run AND a.subscription_id = b.subscription_id)
		GROUP BY 1, 2)
	GROUP BY period, currency
),
chc AS (
	SELECT x.to_period AS period, x.currency, count(*) AS n
	FROM customer_change x JOIN pair p ON p.from_run = x.from_run AND p.to_run = x.to_run
	GROUP BY x.to_period, x.currency
),
k AS (
	SELECT period, currency FROM subs UNION SELECT period, currency FROM cust
	UNION SELECT period, currency FROM chs UNION SELECT period, currency FROM chc
)
SELECT m.p AS period, c.run_id AS run_id, coalesce(k.currency, '') AS currency,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(cu.n, 0) END AS customers,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(cu.n_attr, 0) END AS attributed_customers,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(cu.n_miss, 0) END AS missing_customers,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(cu.n_unk, 0) END AS unknown_customers,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.n, 0) END AS subscriptions,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.n_attr, 0) END AS attributed_subscriptions,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.n_miss, 0) END AS missing_subscriptions,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.n_unk, 0) END AS unknown_subscriptions,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.usage, 0.0) END AS usage,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.attributed, 0.0) END AS attributed_usage,
       CASE WHEN c.run_id IS NOT NULL THEN coalesce(s.missing, 0.0) END AS missing_usage,
       coalesce(p.from_period, '') AS compared_with,
       CASE WHEN p.from_run IS NOT NULL THEN coalesce(cc.n, 0) END AS changed_customers,
       CASE WHEN p.from_run IS NOT NULL THEN coalesce(sc.n, 0) END AS changed_subscriptions,
       CASE WHEN c.run_id IS NULL THEN
		    CASE WHEN EXISTS (SELECT 1 FROM run r WHERE r.period = m.p)
			 THEN 'no complete run for ' || m.p || ' (only interrupted or unfinished ones)'
			 ELSE 'no run for ' || m.p END
	    WHEN p.from_run IS NULL THEN 'no earlier period with a complete run to compare with'
	    ELSE '' END AS note
FROM months m
LEFT JOIN c ON c.period = m.p
LEFT JOIN k ON k.period = m.p
LEFT JOIN subs s ON s.period = m.p AND s.currency = k.currency
LEFT JOIN cust cu ON cu.period = m.p AND cu.currency = k.currency
LEFT JOIN pair p ON p.to_period = m.p
LEFT JOIN chs sc ON sc.period = m.p AND sc.currency = k.currency
LEFT JOIN chc cc ON cc.period = m.p AND cc.currency = k.currency
ORDER BY m.p, coalesce(k.currency, '');
