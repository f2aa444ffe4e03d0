-- The customers whose status, reason code or attributed usage differs between the two runs of a
-- diff_pair (or that only one of them has), from the status snapshots. subscription_id is the
-- subscription that decides the customer's row (the later run's, else the earlier run's).
CREATE VIEW customer_change AS
WITH k AS (
	SELECT dp.from_run, dp.to_run, dp.from_period, dp.to_period, s.tenant_id
	FROM diff_pair dp JOIN customer_snapshot s ON s.run_id = dp.from_run
	UNION
	SELECT dp.from_run, dp.to_run, dp.from_period, dp.to_period, s.tenant_id
	FROM diff_pair dp JOIN customer_snapshot s ON s.run_id = dp.to_run
)
SELECT z.* FROM (
	SELECT k.from_run, k.to_run, k.from_period, k.to_period, k.tenant_id,
	       coalesce(b.customer_name, a.customer_name) AS customer_name,
	       coalesce(b.top_subscription_id, a.top_subscription_id, '') AS subscription_id,
	       coalesce((SELECT s.subscription_name FROM subscription_snapshot s
			 WHERE s.run_id = CASE WHEN b.top_subscription_id IS NOT NULL THEN k.to_run
					       ELSE k.from_run END
			   AND s.subscription_id = coalesce(b.top_subscription_id, a.top_subscription_id)),
			'') AS subscription_name,
	       a.tenant_id IS NOT NULL AS in_from, b.tenant_id IS NOT NULL AS in_to,
	       coalesce(a.status, '') AS from_status, coalesce(b.status, '') AS to_status,
	       coalesce(a.reason_code, '') AS from_reason, coalesce(b.reason_code, '') AS to_reason,
	       coalesce(a.attributed_usage, 0.0) AS from_attributed_usage,
	       coalesce(b.attributed_usage, 0.0) AS to_attributed_usage,
	       coalesce(nullif(b.currency, ''), a.currency, '') AS currency
	FROM k
	LEFT JOIN customer_snapshot a ON a.run_id = k.from_run AND a.tenant_id = k.tenant_id
	LEFT JOIN customer_snapshot b ON b.run_id = k.to_run AND b.tenant_id = k.tenant_id
) z
WHERE NOT (z.in_from AND z.in_to) OR z.from_status <> z.to_status OR z.from_reason <> z.to_reason
   OR round(z.from_attributed_usage, 2) <> round(z.to_attributed_usage, 2);
