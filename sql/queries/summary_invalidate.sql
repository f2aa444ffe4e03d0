-- Forget every run's summaries (the views or the schema changed); db_open rebuilds them.
DELETE FROM run_summary;
