-- palscope report html: the action list, one line per fix: the subscriptions that are not
-- attributed grouped by customer, reason code and the identity that got furthest (one fix
-- each: its text is the explanation of the group's subscription with the most usage, the same
-- text the subscriptions report gives), plus the customers that see no subscription (their
-- explanation in the customers report). usage_at_stake is the usage of the group's
-- subscriptions. actor says who must act: the actor of the reason code (views/12_reason_code.sql,
-- which the `why` story reads too): the partner's engineer, the customer, or nobody (listed only
-- when usage is at stake); a code without one is the partner's. Biggest usage first within each
-- actor; unknown cost last.
WITH g AS (
	SELECT s.tenant_id, s.customer_name, s.reason_code, s.identity_name,
	       s.explanation, s.currency, s.usage,
	       count(*) OVER w AS subscriptions,
	       sum(s.usage) OVER w AS group_usage,
	       row_number() OVER (PARTITION BY s.tenant_id, s.reason_code, s.identity_name
				  ORDER BY coalesce(s.usage, -1e300) DESC, s.subscription_id) AS rn
	FROM subscription_status s
	WHERE s.period = :period AND s.status <> 'ATTRIBUTED'
	WINDOW w AS (PARTITION BY s.tenant_id, s.reason_code, s.identity_name)
),
fix AS (
	SELECT tenant_id, customer_name, reason_code, coalesce(identity_name, '') AS identity_name,
	       subscriptions, group_usage AS usage_at_stake, currency, explanation AS text
	FROM g WHERE rn = 1
	UNION ALL
	SELECT c.tenant_id, c.customer_name, c.reason_code, '', 0, NULL, '', c.explanation
	FROM customer_status c
	WHERE c.period = :period AND c.subscriptions = 0 AND c.status <> 'ATTRIBUTED'
)
SELECT coalesce(a.actor, 'partner') AS actor, f.reason_code, f.customer_name, f.tenant_id,
       f.identity_name, f.subscriptions, f.usage_at_stake, f.currency, f.text
FROM fix f LEFT JOIN reason_code a ON a.code = f.reason_code
-- nobody can act and nothing is at stake (NO_USAGE): not a line
WHERE coalesce(a.actor, 'partner') <> 'none' OR f.usage_at_stake > 0
ORDER BY CASE coalesce(a.actor, 'partner') WHEN 'partner' THEN 1 WHEN 'customer' THEN 2 ELSE 3 END,
	 coalesce(f.usage_at_stake, -1e300) DESC, f.tenant_id, f.reason_code, f.identity_name;
