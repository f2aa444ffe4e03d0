-- The subscriptions whose status, reason code, attributed usage or tenant differs between the
-- two runs of a diff_pair (or that only one of them has), from the status snapshots: what
-- subscription_status said as of each run. attributed usage is the attributed cost of an
-- ATTRIBUTED subscription, else 0. The from_/to_ columns are what the causes compare
-- (views/74_subscription_change_cause.sql). report trend counts these rows.
CREATE VIEW subscription_change AS
WITH k AS (
	SELECT dp.from_run, dp.to_run, dp.from_period, dp.to_period, s.subscription_id
	FROM diff_pair dp JOIN subscription_snapshot s ON s.run_id = dp.from_run
	UNION
	SELECT dp.from_run, dp.to_run, dp.from_period, dp.to_period, s.subscription_id
	FROM diff_pair dp JOIN subscription_snapshot s ON s.run_id = dp.to_run
)
SELECT z.* FROM (
	SELECT k.from_run, k.to_run, k.from_period, k.to_period, k.subscription_id,
	       coalesce(b.tenant_id, a.tenant_id) AS tenant_id,
	       coalesce(b.customer_name, a.customer_name) AS customer_name,
	       coalesce(b.subscription_name, a.subscription_name) AS subscription_name,
	       a.subscription_id IS NOT NULL AS in_from, b.subscription_id IS NOT NULL AS in_to,
	       coalesce(a.status, '') AS from_status, coalesce(b.status, '') AS to_status,
	       coalesce(a.reason_code, '') AS from_reason, coalesce(b.reason_code, '') AS to_reason,
	       CASE WHEN a.status = 'ATTRIBUTED' THEN coalesce(a.attributed, 0) ELSE 0.0 END
		       AS from_attributed_usage,
	       CASE WHEN b.status = 'ATTRIBUTED' THEN coalesce(b.attributed, 0) ELSE 0.0 END
		       AS to_attributed_usage,
	       coalesce(nullif(b.currency, ''), a.currency, '') AS currency,
	       a.tenant_id AS from_tenant_id, b.tenant_id AS to_tenant_id,
	       a.customer_name AS from_customer_name, b.customer_name AS to_customer_name,
	       a.state AS from_state, b.state AS to_state, a.offer AS from_offer, b.offer AS to_offer,
	       a.usage AS from_usage, b.usage AS to_usage,
	       a.currency AS from_currency, b.currency AS to_currency,
	       a.cost_status AS from_cost_status, b.cost_status AS to_cost_status,
	       a.identity_id AS from_identity_id, b.identity_id AS to_identity_id,
	       a.identity_name AS from_identity_name, b.identity_name AS to_identity_name
	FROM k
	LEFT JOIN subscription_snapshot a
		ON a.run_id = k.from_run AND a.subscription_id = k.subscription_id
	LEFT JOIN subscription_snapshot b
		ON b.run_id = k.to_run AND b.subscription_id = k.subscription_id
) z
WHERE NOT (z.in_from AND z.in_to) OR z.from_status <> z.to_status OR z.from_reason <> z.to_reason
   OR round(z.from_attributed_usage, 2) <> round(z.to_attributed_usage, 2)
   -- a subscription that moved counts for another customer now
   OR z.from_tenant_id <> z.to_tenant_id;
