-- 0006: per-run summaries. The report views used to aggregate every role assignment and every
-- daily cost row of a period on each report; these tables hold those aggregates, computed once
-- per run (sql/scripts/summary_build.sql) when the run ends, and the views read them.
-- They are derived data: db_summaries_update() (db/summary.c) builds them for any run that lacks
-- them (databases from before this migration, runs a crash left 'running'), and they are dropped
-- and rebuilt whenever the views or the schema change, so they always follow the current rules.
-- They reference identity, so deleting a run deletes its summaries.
-- A run counts for the reports (views/10_effective_identity.sql) once its summaries are built:
-- while a collect is still writing its run, the period's earlier runs stay in effect.

-- The process writing a run, so a reader can tell a run still being collected (left alone: a
-- reader must not hold the write lock for long under a live collector) from one that a crash or
-- SIGKILL left 'running' (summarized by the next reader and then in effect).
ALTER TABLE run ADD COLUMN pid INTEGER;
ALTER TABLE run ADD COLUMN host TEXT;

-- A row per run whose summaries are built and current.
CREATE TABLE run_summary (
	run_id   INTEGER PRIMARY KEY REFERENCES run(run_id) ON DELETE CASCADE,
	built_at TEXT NOT NULL                          -- ISO 8601 UTC
) STRICT;

-- Per (identity, subscription): the access aggregate of pair_access (views/20_pair_access.sql).
-- Counts exclude just-in-time grants except n_jit; start_jd and whole_start_jd are julian days
-- (0 = start unknown), NULL without eligible access (at subscription scope for whole_start_jd).
CREATE TABLE pair_summary (
	identity_id          INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id      TEXT NOT NULL COLLATE NOCASE,
	n_access             INTEGER NOT NULL,
	n_jit                INTEGER NOT NULL,
	n_eligible           INTEGER NOT NULL,
	n_eligible_known     INTEGER NOT NULL,
	n_eligible_undefined INTEGER NOT NULL,
	n_eligible_whole     INTEGER NOT NULL,
	start_jd             REAL,
	whole_start_jd       REAL,
	covered_rgs          TEXT,                      -- eligible resource groups, comma-separated
	roles                TEXT,                      -- "role at scope;..." sorted, permanent grants
	PRIMARY KEY (identity_id, subscription_id)
) STRICT, WITHOUT ROWID;

-- Per (identity, subscription, resource group) with eligible access below subscription scope:
-- the day that access starts ('0000-01-01' when unknown).
CREATE TABLE pair_rg_summary (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	resource_group  TEXT NOT NULL COLLATE NOCASE,
	start_date      TEXT NOT NULL,                  -- YYYY-MM-DD
	PRIMARY KEY (identity_id, subscription_id, resource_group)
) STRICT, WITHOUT ROWID;

-- Per (identity, subscription, currency, resource group): cost_daily inside the run's period.
CREATE TABLE cost_summary (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	currency        TEXT NOT NULL,
	resource_group  TEXT NOT NULL COLLATE NOCASE,
	cost            REAL NOT NULL,
	days            INTEGER NOT NULL,               -- daily rows summed
	PRIMARY KEY (identity_id, subscription_id, currency, resource_group)
) STRICT, WITHOUT ROWID;

-- Per (identity, subscription) with cost in the period: the currency with the largest cost, that
-- currency's total, and how many currencies there were.
CREATE TABLE cost_total_summary (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	currency        TEXT NOT NULL,
	cost            REAL NOT NULL,
	n_currencies    INTEGER NOT NULL,
	PRIMARY KEY (identity_id, subscription_id)
) STRICT, WITHOUT ROWID;
