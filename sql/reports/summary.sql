-- palscope report summary: one row per fact: section, key, customers, subscriptions, amount,
-- currency, detail. Every row says in detail what its counts are; each code appears once.
--   period, run        the period and the runs in effect; partial_period: a run in effect
--                      collected before the period ended (collect --allow-partial-period)
--   status             customers and subscriptions per status (no amount)
--   usage, attributed, missing
--                      per currency: cost of the subscriptions whose cost was read, the attributed
--                      part, and the cost of those not attributed (the sum of the blocking rows)
--   blocking           per blocking code and currency: the subscriptions whose reason_code it is,
--                      the customers they belong to (plus customers without a subscription whose
--                      reason it is, under currency ''), and their usage: the usage at stake,
--                      sorted by it, so the first row is the fix worth the most
--   warning            per warning code and currency: the subscriptions whose reasons list it, their
--                      customers, and the attributed usage that rests on it
--   policy             the policy switches in effect (palscope rules): value, default, when set
WITH s AS MATERIALIZED (SELECT tenant_id, status, reason_code, reasons, usage, currency,
			       CASE WHEN status = 'ATTRIBUTED' THEN coalesce(attributed, 0.0)
				    ELSE 0.0 END AS attributed
			FROM subscription_status WHERE period = :period),
     c AS MATERIALIZED (SELECT tenant_id, status, reason_code, subscriptions
			FROM customer_status WHERE period = :period),
     st (ord, status, meaning) AS (VALUES (1, 'ATTRIBUTED', 'count for your partner ID'),
					  (2, 'MISSING', 'do not count, for the reason given'),
					  (3, 'UNKNOWN', 'could not be evaluated (a read failed)')),
     blk AS (
	SELECT rc.ord, rc.code, rc.description, x.currency,
	       count(DISTINCT x.tenant_id) AS customers, sum(x.is_sub) AS subscriptions,
	       sum(1 - x.is_sub) AS bare, sum(x.usage) AS amount
	FROM reason_code rc
	JOIN (SELECT tenant_id, reason_code AS code, currency, usage, 1 AS is_sub
	      FROM s WHERE status <> 'ATTRIBUTED'
	      UNION ALL
	      SELECT tenant_id, reason_code, '', NULL, 0
	      FROM c WHERE subscriptions = 0 AND reason_code <> '') x ON x.code = rc.code
	WHERE rc.kind = 'blocking'
	GROUP BY rc.ord, x.currency
     ),
     wrn AS (
	SELECT rc.ord, rc.code, rc.description, s.currency,
	       count(DISTINCT s.tenant_id) AS customers, count(*) AS subscriptions,
	       sum(s.status = 'ATTRIBUTED') AS n_attr, total(s.attributed) AS amount
	FROM reason_code rc
	JOIN s ON instr(';' || s.reasons || ';', ';' || rc.code || ';') > 0
	WHERE rc.kind = 'warning'
	GROUP BY rc.ord, s.currency
     ),
     money AS (
	SELECT currency, count(DISTINCT tenant_id) AS customers, count(*) AS subscriptions,
	       total(usage) AS usage,
	       count(DISTINCT CASE WHEN status = 'ATTRIBUTED' THEN tenant_id END) AS attr_customers,
	       sum(status = 'ATTRIBUTED') AS attr_subscriptions, total(attributed) AS attributed,
	       count(DISTINCT CASE WHEN status <> 'ATTRIBUTED' THEN tenant_id END) AS miss_customers,
	       sum(status <> 'ATTRIBUTED') AS miss_subscriptions,
	       total(CASE WHEN status <> 'ATTRIBUTED' THEN usage END) AS missing
	FROM s WHERE usage IS NOT NULL AND currency <> '' GROUP BY currency
     )
SELECT section, key, customers, subscriptions, amount, currency, detail FROM (
	SELECT 1 AS sec, 0 AS o1, 0 AS o2, '' AS o3, 'period' AS section, :period AS key,
	       NULL AS customers, NULL AS subscriptions, NULL AS amount, '' AS currency, '' AS detail
	UNION ALL
	SELECT 1, 1, 0, '', 'partial_period', CAST(p.run_id AS TEXT), NULL, NULL, NULL, '',
	       'run ' || p.run_id || ' was collected on ' || p.collected_on || ', before ' || :period ||
	       ' ended (--allow-partial-period): its cost is incomplete'
	FROM (SELECT r.run_id, substr(r.started_at, 1, 10) AS collected_on FROM run r
	      WHERE r.partial_period = 1 AND r.period = :period
		AND r.run_id IN (SELECT ei.run_id FROM effective_identity ei
				 WHERE ei.period = :period)) p
	UNION ALL
	SELECT 2, r.run_id, 0, '', 'run', CAST(r.run_id AS TEXT), NULL, NULL, NULL, '',
	       r.kind || ' ' || r.status || ', started ' || r.started_at || ', ' ||
	       count(DISTINCT ei.tenant_id) || ' accounts tenant(s)' ||
	       -- whose sign-ins the run is (collect --user), so a merged database says who it combines
	       coalesce(', signed in as ' ||
			(SELECT group_concat(u, ', ')
			 FROM (SELECT DISTINCT i.upn AS u FROM identity i
			       WHERE i.run_id = r.run_id AND i.upn IS NOT NULL ORDER BY 1)), '')
	FROM effective_identity ei JOIN run r ON r.run_id = ei.run_id
	WHERE ei.period = :period GROUP BY r.run_id
	UNION ALL
	SELECT 3, n.ord, 0, '', 'status', n.status, n.customers, n.subscriptions, NULL, '',
	       n.customers || ' customer(s) and ' || n.subscriptions || ' subscription(s) are ' ||
	       n.status || ': they ' || n.meaning || ' (a customer is ATTRIBUTED when one of ' ||
	       'its subscriptions is)'
	FROM (SELECT st.*, (SELECT count(*) FROM c WHERE c.status = st.status) AS customers,
		     (SELECT count(*) FROM s WHERE s.status = st.status) AS subscriptions
	      FROM st) n
	UNION ALL
	SELECT 4, 1, 0, m.currency, 'usage', m.currency, m.customers, m.subscriptions, m.usage,
	       m.currency, 'cost in the period of the ' || m.subscriptions || ' subscription(s) of ' ||
	       m.customers || ' customer(s) whose cost in ' || m.currency || ' was read'
	FROM money m
	UNION ALL
	SELECT 4, 2, 0, m.currency, 'attributed', m.currency, m.attr_customers,
	       m.attr_subscriptions, m.attributed, m.currency,
	       'attributed cost of the ' || m.attr_subscriptions || ' ATTRIBUTED subscription(s) of ' ||
	       m.attr_customers || ' customer(s)'
	FROM money m
	UNION ALL
	SELECT 4, 3, 0, m.currency, 'missing', m.currency, m.miss_customers, m.miss_subscriptions,
	       m.missing, m.currency,
	       'cost of the ' || m.miss_subscriptions || ' subscription(s) not attributed, of ' ||
	       m.miss_customers || ' customer(s): the sum of the blocking rows in ' || m.currency
	FROM money m
	UNION ALL
	SELECT 5, 0, b.ord, b.currency, 'blocking', b.code, b.customers, b.subscriptions, b.amount,
	       b.currency,
	       CASE WHEN b.subscriptions > 0
		    THEN b.subscriptions || ' subscription(s) of ' || (b.customers - b.bare) ||
			 ' customer(s) stop at ' || b.code ||
			 CASE WHEN b.bare > 0 THEN ', and ' || b.bare || ' customer(s) that see ' ||
				   'no subscription' ELSE '' END
		    ELSE b.bare || ' customer(s) see no subscription and stop at ' || b.code END ||
	       ' (' || b.description || ')' ||
	       CASE WHEN b.amount IS NULL THEN '; their cost is unknown'
		    WHEN b.currency = '' THEN '; no cost in the period'
		    ELSE '; ' || printf('%.2f', b.amount) || ' ' || b.currency ||
			 ' of usage at stake: what fixing it adds at most' END
	FROM blk b
	UNION ALL
	SELECT 6, 0, w.ord, w.currency, 'warning', w.code, w.customers, w.subscriptions, w.amount,
	       w.currency,
	       w.subscriptions || ' subscription(s) of ' || w.customers || ' customer(s) carry the ' ||
	       'warning ' || w.code || ' (' || w.description || '); ' || w.n_attr ||
	       ' of them attributed, ' || printf('%.2f', w.amount) ||
	       rtrim(' ' || w.currency) || ' of attributed usage rests on it'
	FROM wrn w
	UNION ALL
	-- policy: the switches the report used (views/11_policy_switch.sql; sql/reports/policy.sql)
	SELECT 7, p.rn, 0, '', 'policy', p.key, NULL, NULL, NULL, '',
	       p.value || CASE WHEN p.is_default THEN ' (default)'
			       ELSE ' (default ' || p.default_value || ', set ' ||
				    coalesce(p.changed_at, '?') || ')' END
	FROM (SELECT ps.*, row_number() OVER () AS rn FROM policy_switch ps) p
)
ORDER BY sec,
	 -- blocking: the most usage at stake first (unknown last), then more customers
	 CASE WHEN sec = 5 THEN -coalesce(amount, -1e300) END, CASE WHEN sec = 5 THEN -customers END,
	 o1, o2, o3, key;
