-- Cost of each subscription in each period, read once. Several identities may have queried the
-- same subscription: the one whose query succeeded (lowest identity_id) is used, 'no_cost' if
-- none had cost, 'unreadable' only when none succeeded. Only days inside the period count.
-- per_rg holds one row per (resource group, currency); the subscription's currency is the one
-- with the largest cost and totals are in that currency (n_currencies > 1 says costs were mixed).
CREATE VIEW subscription_cost_rg AS
SELECT src.period, src.subscription_id, src.identity_id, cd.resource_group, cd.currency,
       total(cd.cost) AS cost
FROM (SELECT ei.period, ei.period_start, ei.period_end, cs.subscription_id, cs.identity_id,
	     row_number() OVER (PARTITION BY ei.period, cs.subscription_id
				ORDER BY CASE cs.status WHEN 'ok' THEN 0 WHEN 'no_cost' THEN 1 ELSE 2 END,
					 cs.identity_id) AS rn
      FROM cost_status cs JOIN effective_identity ei ON ei.identity_id = cs.identity_id
      WHERE cs.status = 'ok') src
JOIN cost_daily cd ON cd.identity_id = src.identity_id AND cd.subscription_id = src.subscription_id
WHERE src.rn = 1 AND cd.usage_date BETWEEN src.period_start AND src.period_end
GROUP BY src.period, src.subscription_id, src.identity_id, cd.resource_group, cd.currency;

CREATE VIEW subscription_cost AS
SELECT src.period, src.subscription_id, src.identity_id AS cost_identity_id,
       src.status, src.http_status, src.error_code, src.error_message,
       coalesce(cur.currency, '') AS currency, coalesce(cur.cost, 0.0) AS total,
       coalesce(cur.n_currencies, 0) AS n_currencies
FROM (SELECT ei.period, cs.subscription_id, cs.identity_id, cs.status, cs.http_status,
	     cs.error_code, cs.error_message,
	     row_number() OVER (PARTITION BY ei.period, cs.subscription_id
				ORDER BY CASE cs.status WHEN 'ok' THEN 0 WHEN 'no_cost' THEN 1 ELSE 2 END,
					 cs.identity_id) AS rn
      FROM cost_status cs JOIN effective_identity ei ON ei.identity_id = cs.identity_id) src
LEFT JOIN (SELECT period, subscription_id, currency, cost, n_currencies
	   FROM (SELECT period, subscription_id, currency, total(cost) AS cost,
			row_number() OVER (PARTITION BY period, subscription_id
					   ORDER BY abs(total(cost)) DESC, currency) AS rn,
			count(*) OVER (PARTITION BY period, subscription_id) AS n_currencies
		 FROM subscription_cost_rg
		 GROUP BY period, subscription_id, currency)
	   WHERE rn = 1) cur
	ON cur.period = src.period AND cur.subscription_id = src.subscription_id
WHERE src.rn = 1;
