-- 0011: group membership in the per-run summaries (issue 10 section 4). Derived data, rebuilt
-- with the other summaries (migrations/0006_run_summary.sql): per pair, how many eligible
-- permanent grants rest on a Lighthouse group membership that Microsoft Graph did not verify
-- (views/20_pair_access.sql, source 'lighthouse_group'); views/40_pair_eval.sql warns
-- GROUP_MEMBERSHIP_UNVERIFIED for them.
ALTER TABLE pair_summary ADD COLUMN n_group_unverified INTEGER NOT NULL DEFAULT 0;
