-- palscope why, for an id (:q, a tenant or subscription GUID) that no identity of :period saw: the
-- identities that could have seen it, failed sign-ins and failed subscription lists (with the
-- error) and identities that saw no subscription (NO_RBAC). When a run of any period saw :q as a
-- subscription (the newest such run: seen_period, seen_name), or an identity of :period signs in
-- to tenant :q, only the identities of that tenant and of the tenants managing the subscription
-- through Lighthouse are named; else every such identity of :period. One row per identity, then
-- (identity_name NULL) one row when there is none, so the caller always learns what was known.
WITH known AS (
	SELECT s.identity_id, s.tenant_id, s.display_name, r.period
	FROM subscription s JOIN run r ON r.run_id = s.run_id
	WHERE s.subscription_id = :q COLLATE NOCASE
	ORDER BY s.run_id DESC LIMIT 1
),
target (tenant_id) AS (
	SELECT tenant_id FROM known
	UNION
	SELECT m.managing_tenant_id FROM subscription_managed_by m JOIN known k
	     ON m.identity_id = k.identity_id AND m.subscription_id = :q COLLATE NOCASE
	UNION
	SELECT DISTINCT ei.tenant_id FROM effective_identity ei
	WHERE ei.period = :period AND ei.tenant_id = :q COLLATE NOCASE
),
cand AS (
	SELECT ist.identity_name, ist.tenant_id, ist.failed_read, ist.failure, ist.n_subscriptions,
	       ist.ord
	FROM identity_status ist
	WHERE ist.period = :period AND (ist.failed_read IS NOT NULL OR ist.n_subscriptions = 0)
	  AND (NOT EXISTS (SELECT 1 FROM target)
	       OR ist.tenant_id IN (SELECT tenant_id FROM target))
)
SELECT c.identity_name, c.tenant_id, c.failed_read, coalesce(c.failure, '') AS failure,
       c.n_subscriptions, (SELECT period FROM known) AS seen_period,
       (SELECT coalesce(display_name, '') FROM known) AS seen_name,
       (SELECT tenant_id FROM known) AS seen_tenant,
       (SELECT group_concat(tenant_id, ', ') FROM target) AS tenants,
       (SELECT count(*) FROM effective_identity ei
	WHERE ei.period = :period AND ei.tenant_id IN (SELECT tenant_id FROM target)) AS n_target,
       c.ord
FROM cand c
UNION ALL
SELECT NULL, NULL, NULL, '', 0, (SELECT period FROM known), (SELECT coalesce(display_name, '') FROM known),
       (SELECT tenant_id FROM known), (SELECT group_concat(tenant_id, ', ') FROM target),
       (SELECT count(*) FROM effective_identity ei
	WHERE ei.period = :period AND ei.tenant_id IN (SELECT tenant_id FROM target)), 1e18
WHERE NOT EXISTS (SELECT 1 FROM cand)
ORDER BY ord;
