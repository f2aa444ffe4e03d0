-- The runs a period's reports use (the newest complete run per principal: effective_identity),
-- with how many accounts tenants and identities each supplies, and how many of those never finished.
SELECT r.run_id, r.kind, r.status, r.started_at, coalesce(r.ended_at, '') AS ended_at,
       count(DISTINCT ei.tenant_id) AS tenants, count(*) AS identities,
       sum(ei.interrupted) AS unfinished
FROM effective_identity ei JOIN run r ON r.run_id = ei.run_id
WHERE ei.period = :period
GROUP BY r.run_id
ORDER BY r.run_id;
