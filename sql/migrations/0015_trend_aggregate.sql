-- 0015: per-run and per-pair aggregates of the status snapshots (0010) for `palscope report trend`
-- (sql/reports/trend.sql), so it reads a few rows per run instead of every snapshot row of every
-- run. Derived data: built by sql/scripts/trend_build.sql when db_snapshots_update (db/summary.c)
-- builds snapshots, from the views trend_run_inline and trend_change_inline (sql/views/78_, 79_),
-- which trend.sql also reads for a run or pair without aggregates. They hang off snapshot_built,
-- so whatever marks a snapshot out of date (snapshot_invalidate*.sql, db prune's run delete)
-- deletes its aggregates with it (foreign keys, ON DELETE CASCADE).

-- A run whose trend_run rows are built (it may have none: a run with no subscription).
CREATE TABLE trend_built (
	run_id INTEGER PRIMARY KEY REFERENCES snapshot_built(run_id) ON DELETE CASCADE
) STRICT;

-- trend_run_inline's rows of the run: kind 'subscription' or 'customer', per currency.
CREATE TABLE trend_run (
	run_id     INTEGER NOT NULL REFERENCES trend_built(run_id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	currency   TEXT NOT NULL,
	n          INTEGER NOT NULL,
	n_attr     INTEGER NOT NULL,
	n_miss     INTEGER NOT NULL,
	n_unk      INTEGER NOT NULL,
	usage      REAL,                                -- subscriptions only
	attributed REAL,
	missing    REAL,
	PRIMARY KEY (run_id, kind, currency)
) STRICT, WITHOUT ROWID;

-- A pair of runs (a diff_pair row when built) whose trend_change rows are built.
CREATE TABLE trend_pair (
	from_run INTEGER NOT NULL REFERENCES snapshot_built(run_id) ON DELETE CASCADE,
	to_run   INTEGER NOT NULL REFERENCES snapshot_built(run_id) ON DELETE CASCADE,
	PRIMARY KEY (from_run, to_run)
) STRICT, WITHOUT ROWID;
CREATE INDEX trend_pair_to ON trend_pair(to_run);

-- trend_change_inline's rows of the pair: the rows of customer_change / subscription_change.
CREATE TABLE trend_change (
	from_run INTEGER NOT NULL,
	to_run   INTEGER NOT NULL,
	kind     TEXT NOT NULL,
	currency TEXT NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (from_run, to_run, kind, currency),
	FOREIGN KEY (from_run, to_run) REFERENCES trend_pair(from_run, to_run) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
