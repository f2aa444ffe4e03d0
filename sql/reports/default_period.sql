-- The period of the newest run: the default for reports.
SELECT period FROM run ORDER BY run_id DESC LIMIT 1;
