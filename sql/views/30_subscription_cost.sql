-- Cost of each subscription in each period, read once. Several identities may have queried the
-- same subscription: the one whose query succeeded (lowest identity_id) is used, 'no_cost' if
-- none had cost, 'unreadable' only when none succeeded. Only days inside the period count.
-- per_rg holds one row per (resource group, currency); the subscription's currency is the one
-- with the largest cost and totals are in that currency (n_currencies > 1 says costs were mixed).
CREATE VIEW subscription_cost_rg AS
SELECT r.period, cs.subscription_id, cs.identity_id, cd.resource_group, cd.currency,
       total(cd.cost) AS cost
FROM cost_status cs
JOIN identity i ON i.identity_id = cs.identity_id
JOIN run r ON r.run_id = i.run_id
JOIN cost_daily cd ON cd.identity_id = cs.identity_id AND cd.subscription_id = cs.subscription_id
WHERE cs.status = 'ok'
  -- the identity is effective for its period ...
  AND i.run_id = (SELECT max(r2.run_id) FROM run r2 JOIN identity i2 ON i2.run_id = r2.run_id
		  WHERE r2.period = r.period AND i2.tenant_id = i.tenant_id)
  -- ... and the lowest effective identity whose cost query succeeded
  AND NOT EXISTS (SELECT 1 FROM cost_status c2
		  JOIN identity j ON j.identity_id = c2.identity_id
		  JOIN run rj ON rj.run_id = j.run_id
		  WHERE c2.subscription_id = cs.subscription_id AND c2.status = 'ok'
		    AND c2.identity_id < cs.identity_id AND rj.period = r.period
		    AND j.run_id = (SELECT max(r3.run_id) FROM run r3
				    JOIN identity i3 ON i3.run_id = r3.run_id
				    WHERE r3.period = rj.period AND i3.tenant_id = j.tenant_id))
  -- '+' keeps the planner on the covering index, in its order (no sort for the GROUP BY)
  AND +cd.usage_date BETWEEN r.period_start AND r.period_end
GROUP BY cs.identity_id, cs.subscription_id, cd.currency, cd.resource_group;

CREATE VIEW subscription_cost AS
WITH cur AS MATERIALIZED (
	SELECT period, subscription_id, currency, cost, max(abs(cost)) AS pick,
	       count(*) AS n_currencies
	FROM (SELECT period, subscription_id, currency, total(cost) AS cost
	      FROM subscription_cost_rg
	      GROUP BY period, subscription_id, currency)
	GROUP BY period, subscription_id),
src AS MATERIALIZED (
	SELECT ei.period, cs.subscription_id, cs.identity_id, cs.status, cs.http_status,
	       cs.error_code, cs.error_message,
	       min(CASE cs.status WHEN 'ok' THEN 0 WHEN 'no_cost' THEN 1 ELSE 2 END * 1000000000000 +
		   cs.identity_id) AS pick
	FROM cost_status cs JOIN effective_identity ei ON ei.identity_id = cs.identity_id
	GROUP BY ei.period, cs.subscription_id)
SELECT src.period, src.subscription_id, src.identity_id AS cost_identity_id,
       src.status, src.http_status, src.error_code, src.error_message,
       coalesce(cur.currency, '') AS currency, coalesce(cur.cost, 0.0) AS total,
       coalesce(cur.n_currencies, 0) AS n_currencies
FROM src
LEFT JOIN cur ON cur.period = src.period AND cur.subscription_id = src.subscription_id;
