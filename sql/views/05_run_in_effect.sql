-- The runs in effect: a run counts for the reports once its summaries are built (a collect still
-- writing its run is not in effect until it ends: migrations/0006_run_summary.sql). Every rule
-- view reads runs through this one view (views/10_effective_identity.sql).
-- `palscope report ... --run ID` and `palscope diff` evaluate the same views "as of run ID": the
-- connection gets TEMP copies of every view of sql/views/ (the same text, db/as_of.c) over a TEMP
-- run_in_effect holding only the runs of ID's period up to and including ID, so the answer is
-- the one the reports gave right after run ID (the runs before it that it did not replace stay
-- in effect, principal by principal, as always).
CREATE VIEW run_in_effect AS
SELECT r.* FROM run r
WHERE EXISTS (SELECT 1 FROM run_summary rs WHERE rs.run_id = r.run_id);
