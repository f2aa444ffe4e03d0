-- 0010: status snapshots, what the reports said "as of" each run (palscope diff, why --since,
-- and the change counts of report trend). Derived data like the run summaries (0006): built by
-- db_summaries_build() (db/summary.c, db/snapshot.c) from the rule views evaluated as of the run
-- (db/as_of.c: the runs of its period up to and including it), rebuilt whenever the summaries
-- are (a view or the schema changed, an earlier run of the period got its summaries later).
-- A run without a row in snapshot_built has no current snapshot (a database from before this
-- migration gets them the next time palscope opens it with write access).
-- Only the columns a comparison needs: the report rows themselves come from the views.

CREATE TABLE snapshot_built (
	run_id   INTEGER PRIMARY KEY REFERENCES run(run_id) ON DELETE CASCADE,
	built_at TEXT NOT NULL                          -- ISO 8601 UTC
) STRICT;

-- subscription_status as of the run: one row per subscription of the run's period.
CREATE TABLE subscription_snapshot (
	run_id            INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	subscription_id   TEXT NOT NULL COLLATE NOCASE,
	tenant_id         TEXT NOT NULL COLLATE NOCASE,
	customer_name     TEXT NOT NULL,
	subscription_name TEXT NOT NULL,
	offer             TEXT NOT NULL,
	state             TEXT NOT NULL,
	status            TEXT NOT NULL,
	reason_code       TEXT NOT NULL,
	reasons           TEXT,
	partner_id        TEXT NOT NULL,
	roles             TEXT NOT NULL,
	usage             REAL,                         -- NULL: cost unreadable
	attributed        REAL,                         -- attributed cost of a passing pair
	currency          TEXT NOT NULL,
	cost_status       TEXT,
	identity_id       INTEGER,                      -- the pair that decided
	identity_name     TEXT,
	via_lighthouse    INTEGER,
	PRIMARY KEY (run_id, subscription_id)
) STRICT, WITHOUT ROWID;

-- customer_status as of the run.
CREATE TABLE customer_snapshot (
	run_id                   INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	tenant_id                TEXT NOT NULL COLLATE NOCASE,
	customer_name            TEXT NOT NULL,
	status                   TEXT NOT NULL,
	reason_code              TEXT NOT NULL,
	reasons                  TEXT,
	subscriptions            INTEGER NOT NULL,
	attributed_subscriptions INTEGER NOT NULL,
	attributed_usage         REAL,
	currency                 TEXT NOT NULL,
	top_subscription_id      TEXT COLLATE NOCASE,
	PRIMARY KEY (run_id, tenant_id)
) STRICT, WITHOUT ROWID;

-- identity_status as of the run: the identities in effect, by principal (tenant + object id).
CREATE TABLE identity_snapshot (
	run_id        INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	principal_key TEXT NOT NULL,
	identity_id   INTEGER NOT NULL,
	tenant_id     TEXT NOT NULL COLLATE NOCASE,
	identity_name TEXT NOT NULL,
	status        TEXT NOT NULL,                    -- pending | ok | failed
	error         TEXT,
	failed_read   TEXT,
	link_level    INTEGER NOT NULL,                 -- 1 not linked, 2 other partner ID, 3 yours
	PRIMARY KEY (run_id, principal_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX identity_snapshot_tenant ON identity_snapshot(run_id, tenant_id);
CREATE INDEX identity_snapshot_identity ON identity_snapshot(run_id, identity_id);
