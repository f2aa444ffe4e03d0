-- palscope db runs: every run, newest first, with the partial-period flag (collect
-- --allow-partial-period, migrations/0007_identity_reads.sql).
SELECT run_id, kind, period, status, started_at, coalesce(ended_at, '-') AS ended_at,
       identities_ok, identities_failed, partial_period
FROM run
ORDER BY run_id DESC;
