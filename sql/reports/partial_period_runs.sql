-- The runs in effect for :period (views/10_effective_identity.sql) that were collected before it
-- ended (collect --allow-partial-period, migrations/0007_identity_reads.sql): every report on
-- them says their cost is incomplete.
SELECT r.run_id, substr(r.started_at, 1, 10) AS collected_on
FROM run r
WHERE r.partial_period = 1 AND r.period = :period
  AND r.run_id IN (SELECT ei.run_id FROM effective_identity ei WHERE ei.period = :period)
ORDER BY r.run_id;
