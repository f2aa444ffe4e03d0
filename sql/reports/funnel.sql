-- palscope report html: the funnel. A customer passes a step when the check it stopped at
-- (its reason_code, in the evaluation order of reason_code, views/12_reason_code.sql) comes
-- after the step's last check; ATTRIBUTED customers pass every step. One row per step and
-- currency (customers under their currency, as in the customers report): how many customers
-- and their usage (attributed usage for the step attributed).
WITH c AS (
	SELECT c.status, c.usage, c.attributed_usage, c.currency,
	       CASE WHEN c.status = 'ATTRIBUTED' THEN 1000000
		    ELSE coalesce((SELECT rc.ord FROM reason_code rc WHERE rc.code = c.reason_code), 0)
	       END AS ord
	FROM customer_status c WHERE c.period = :period
),
steps (n, step, label, last_check) AS (VALUES
	(1, 'customer_tenants', 'customer tenants', NULL),
	(2, 'signed_in', 'signed in and read', 'PRINCIPAL_DISABLED'),
	(3, 'linked', 'linked to your partner ID', 'LINK_WRONG_PARTNER_ID'),
	(4, 'eligible_rbac', 'with eligible RBAC', 'ASSIGNMENT_TOO_RECENT'),
	(5, 'with_usage', 'with usage', 'NO_USAGE'),
	(6, 'attributed', 'attributed', NULL)
),
s AS (
	SELECT st.n, st.step, st.label,
	       CASE WHEN st.step = 'attributed' THEN 999999
		    WHEN st.last_check IS NULL THEN -1
		    ELSE (SELECT rc.ord FROM reason_code rc WHERE rc.code = st.last_check) END AS after
	FROM steps st
)
SELECT s.step, s.label, cur.currency,
       count(c.ord) AS customers,
       total(CASE WHEN s.step = 'attributed' THEN c.attributed_usage ELSE c.usage END) AS usage
FROM s
CROSS JOIN (SELECT DISTINCT currency FROM c) cur
LEFT JOIN c ON c.currency = cur.currency AND c.ord > s.after
GROUP BY s.n, cur.currency
ORDER BY s.n, cur.currency;
