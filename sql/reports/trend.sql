-- palscope report trend: one row per period and currency from :from to :to (YYYY-MM; NULL = the
-- first / last period with a run). Each period is read from the status snapshots of its newest
-- complete run (the run diff_pair uses, views/70_diff_pair.sql: what the reports said as of that
-- run), so no rule view is evaluated here. Customers are counted under their own currency,
-- subscriptions under theirs; usage is the cost of the subscriptions whose cost was read,
-- attributed_usage the attributed part, missing_usage the cost of those not attributed.
-- changed_customers / changed_subscriptions count the rows of customer_change /
-- subscription_change (what `palscope diff` lists) against compared_with, the previous period
-- with a complete run. A period without a complete run is one row saying so in note.
-- The counts and sums are stored per run and per pair when the snapshots are built
-- (migrations/0015_trend_aggregate.sql, scripts/trend_build.sql); a run or pair without them is
-- computed here from its snapshots by the same views (views/78_, 79_), so the rows are the same.
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
-- per run: its trend_run rows (migrations/0015_trend_aggregate.sql), or for a run without them
-- the same rows computed from its status snapshots (views/78_trend_run_inline.sql)
agg AS (
	SELECT t.run_id, t.kind, t.currency, t.n, t.n_attr, t.n_miss, t.n_unk, t.usage, t.attributed,
	       t.missing
	FROM trend_run t WHERE t.run_id IN (SELECT run_id FROM c)
	UNION ALL
	SELECT i.run_id, i.kind, i.currency, i.n, i.n_attr, i.n_miss, i.n_unk, i.usage, i.attributed,
	       i.missing
	FROM trend_run_inline i
	WHERE i.run_id IN (SELECT c.run_id FROM c
			   WHERE NOT EXISTS (SELECT 1 FROM trend_built b WHERE b.run_id = c.run_id))
),
subs AS (
	SELECT c.period, a.currency, a.n, a.n_attr, a.n_miss, a.n_unk, a.usage, a.attributed, a.missing
	FROM c JOIN agg a ON a.run_id = c.run_id AND a.kind = 'subscription'
),
cust AS (
	SELECT c.period, a.currency, a.n, a.n_attr, a.n_miss, a.n_unk
	FROM c JOIN agg a ON a.run_id = c.run_id AND a.kind = 'customer'
),
pair AS (
	SELECT dp.to_period, dp.from_period, dp.from_run, dp.to_run
	FROM diff_pair dp JOIN c ON c.period = dp.to_period AND c.run_id = dp.to_run
),
-- per pair: the rows of subscription_change and customer_change counted, from trend_change, or
-- for a pair without them computed from the snapshots (views/79_trend_change_inline.sql: one
-- row per to_run there, as in diff_pair)
chg AS (
	SELECT t.from_run, t.to_run, t.kind, t.currency, t.n
	FROM trend_change t JOIN pair p ON p.from_run = t.from_run AND p.to_run = t.to_run
	UNION ALL
	SELECT i.from_run, i.to_run, i.kind, i.currency, i.n
	FROM trend_change_inline i
	WHERE i.to_run IN (SELECT p.to_run FROM pair p
			   WHERE NOT EXISTS (SELECT 1 FROM trend_pair t
					     WHERE t.from_run = p.from_run AND t.to_run = p.to_run))
),
chs AS (
	SELECT p.to_period AS period, x.currency, x.n
	FROM pair p JOIN chg x ON x.from_run = p.from_run AND x.to_run = p.to_run
	WHERE x.kind = 'subscription'
),
chc AS (
	SELECT p.to_period AS period, x.currency, x.n
	FROM pair p JOIN chg x ON x.from_run = p.from_run AND x.to_run = p.to_run
	WHERE x.kind = 'customer'
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
