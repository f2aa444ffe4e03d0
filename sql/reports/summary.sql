-- palscope report summary: counts by status and by reason code, usage and attributed cost per
-- currency, the runs used, and a partial_period row per run in effect collected before the period
-- ended (collect --allow-partial-period). One row per fact: section, key, customers, subscriptions, amount,
-- currency, detail.
WITH s AS MATERIALIZED (SELECT * FROM subscription_status WHERE period = :period),
     c AS MATERIALIZED (SELECT * FROM customer_status WHERE period = :period),
     st (ord, status) AS (VALUES (1, 'ATTRIBUTED'), (2, 'MISSING'), (3, 'UNKNOWN'))
SELECT section, key, customers, subscriptions, amount, currency, detail FROM (
	SELECT 1 AS sec, 0 AS ord, 'period' AS section, :period AS key, NULL AS customers,
	       NULL AS subscriptions, NULL AS amount, '' AS currency, '' AS detail
	UNION ALL
	SELECT 1, 1, 'partial_period', CAST(p.run_id AS TEXT), NULL, NULL, NULL, '',
	       'run ' || p.run_id || ' was collected on ' || p.collected_on || ', before ' || :period ||
	       ' ended (--allow-partial-period): its cost is incomplete'
	FROM (SELECT r.run_id, substr(r.started_at, 1, 10) AS collected_on FROM run r
	      WHERE r.partial_period = 1 AND r.period = :period
		AND r.run_id IN (SELECT ei.run_id FROM effective_identity ei
				 WHERE ei.period = :period)) p
	UNION ALL
	SELECT 2, r.run_id, 'run', CAST(r.run_id AS TEXT), NULL, NULL, NULL, '',
	       r.kind || ' ' || r.status || ', started ' || r.started_at || ', ' ||
	       count(DISTINCT ei.tenant_id) || ' accounts tenant(s)'
	FROM effective_identity ei JOIN run r ON r.run_id = ei.run_id
	WHERE ei.period = :period GROUP BY r.run_id
	UNION ALL
	SELECT 3, st.ord, 'status', st.status,
	       (SELECT count(*) FROM c WHERE c.status = st.status),
	       (SELECT count(*) FROM s WHERE s.status = st.status), NULL, '', ''
	FROM st
	UNION ALL
	SELECT 4, rc.ord, 'reason', rc.code,
	       (SELECT count(*) FROM c WHERE c.reason_code = rc.code),
	       (SELECT count(*) FROM s WHERE s.reason_code = rc.code), NULL, '', rc.description
	FROM reason_code rc WHERE rc.kind = 'blocking'
	UNION ALL
	SELECT 5, rc.ord, 'code', rc.code,
	       (SELECT count(*) FROM c WHERE instr(';' || c.reasons || ';', ';' || rc.code || ';') > 0),
	       (SELECT count(*) FROM s WHERE instr(';' || s.reasons || ';', ';' || rc.code || ';') > 0),
	       NULL, '', rc.kind || ': ' || rc.description
	FROM reason_code rc
	UNION ALL
	SELECT 6, 0, 'usage', s.currency, count(DISTINCT s.tenant_id), count(*), total(s.usage),
	       s.currency, 'cost of readable subscriptions in the period'
	FROM s WHERE s.usage IS NOT NULL AND s.currency <> '' GROUP BY s.currency
	UNION ALL
	SELECT 7, 0, 'attributed', s.currency, count(DISTINCT s.tenant_id), count(*),
	       total(s.attributed), s.currency, 'attributed cost of ATTRIBUTED subscriptions'
	FROM s WHERE s.status = 'ATTRIBUTED' AND s.currency <> '' GROUP BY s.currency
)
ORDER BY sec, ord, key;
