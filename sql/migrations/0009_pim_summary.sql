-- 0009: PIM in the per-run summaries (issue 10 section 3; migrations/0006_run_summary.sql says
-- how summaries are built and rebuilt). Derived data only: db_open rebuilds every run's
-- summaries when the views change, so older databases get these filled in.

-- Role assignments that are PIM activations (an 'Activated' roleAssignmentScheduleInstance with
-- the same role and scope): they are not permanent access (views/20_pair_access.sql).
ALTER TABLE pair_summary ADD COLUMN n_pim_activated INTEGER NOT NULL DEFAULT 0;

-- Per (identity, subscription) with PIM eligibility, activations or a PIM list that could not be
-- read: the aggregate of the pair_pim view (views/22_pair_pim.sql).
CREATE TABLE pair_pim_summary (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	n_eligible      INTEGER NOT NULL,       -- eligibility schedules for a role eligible for PEC
	eligible_roles  TEXT,                   -- "role at scope;..." of those
	active_hours    REAL NOT NULL,          -- union of activation windows inside the period
	period_hours    REAL NOT NULL,
	unreadable      TEXT,                   -- NULL, or why a PIM list could not be read
	PRIMARY KEY (identity_id, subscription_id)
) STRICT, WITHOUT ROWID;
