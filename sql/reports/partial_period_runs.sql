-- The runs in effect for :period (views/10_effective_identity.sql) that were collected before it
-- ended (collect --allow-partial-period, migrations/0007_identity_reads.sql): every report on
-- them says their cost is incomplete.
SELECT r.run_id, substr(r.started_at, 1, 10) AS collected_on
FROM run r
WHERE r.partial_period = 1 AND r.period = :period
  -- correlated, so the period's identities are evaluated only when a partial run exists
  AND EXISTS (SELECT 1 FROM effective_identity ei
	      WHERE ei.period = r.period AND ei.run_id = r.run_id)
ORDER BY r.run_id;
