-- palscope db runs on a file from before migration 0007 (read as it is, not migrated): no
-- partial-period flag yet, so no run is flagged.
SELECT run_id, kind, period, status, started_at, coalesce(ended_at, '-') AS ended_at,
       identities_ok, identities_failed, 0 AS partial_period
FROM run
ORDER BY run_id DESC;
