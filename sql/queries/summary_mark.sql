-- Mark a run's summaries current (db/summary.c): the run is in effect for the report views.
INSERT OR REPLACE INTO run_summary (run_id, built_at) VALUES (:run_id, :built_at);
