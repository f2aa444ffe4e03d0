-- 0007: which reads of each identity completed, so an interrupted or killed run never passes
-- "not read" off as "nothing there" (views/10_effective_identity.sql), and runs marked as
-- collected before their period ended.

-- 1 when every read of the identity completed (its data or its failure is stored). Until then
-- the identity stays 'pending': 'ok' now means "all read, nothing failed". collect inserts its
-- identities with 0 (queries/identity_insert.sql); rows written by other means (an import, a test
-- fixture) are taken as complete.
ALTER TABLE identity ADD COLUMN reads_done INTEGER NOT NULL DEFAULT 1 CHECK (reads_done IN (0, 1));

-- One row per read that ran to its end: the tenant-level reads (subscription_id '') and, per
-- subscription, its role assignments, Lighthouse delegations and cost. A read with no row was
-- not read. Sign-in is identity.object_id.
CREATE TABLE identity_read (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	kind            TEXT NOT NULL CHECK (kind IN ('link', 'tenants', 'subscriptions',
	                                              'role_assignments', 'lighthouse', 'cost')),
	subscription_id TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
	PRIMARY KEY (identity_id, kind, subscription_id)
) STRICT, WITHOUT ROWID;

-- Runs of earlier palscope versions: those that ended (complete or partial) read everything;
-- an interrupted one is taken as not done, with only the reads that certainly finished (a
-- stored link, a stored cost status), and its identities are no longer 'ok'.
UPDATE identity SET reads_done = 0
WHERE run_id IN (SELECT run_id FROM run WHERE status NOT IN ('complete', 'partial'));
UPDATE identity SET status = 'pending' WHERE reads_done = 0 AND status = 'ok';
INSERT OR IGNORE INTO identity_read (identity_id, kind)
SELECT l.identity_id, 'link' FROM partner_link l JOIN identity i USING (identity_id)
WHERE i.reads_done = 0;
INSERT OR IGNORE INTO identity_read (identity_id, kind, subscription_id)
SELECT c.identity_id, 'cost', c.subscription_id FROM cost_status c JOIN identity i USING (identity_id)
WHERE i.reads_done = 0;

-- The same principal across runs (views/10_effective_identity.sql): tenant + object id.
CREATE INDEX identity_principal ON identity(tenant_id, object_id);

-- 1 when the run was collected before its period ended (collect --allow-partial-period): its
-- cost is incomplete, and every report on it says so.
ALTER TABLE run ADD COLUMN partial_period INTEGER NOT NULL DEFAULT 0 CHECK (partial_period IN (0, 1));
