-- 0012: access on single resources in the per-run summaries (issue 10 section 5: "PAL can be as
-- granular as a resource instance, for example a single virtual machine"). Derived data, rebuilt
-- with the other summaries (migrations/0006_run_summary.sql). Per (identity, subscription,
-- resource) with eligible access on the resource (below resource group) where the identity's
-- cost query by ResourceId answered (cost_resource_status 'ok' or 'no_cost'): the day that access
-- starts. Such a resource counts its own cost (cost_resource_daily), not its resource group's;
-- without a per-resource answer it is still counted as its resource group (pair_rg_summary).
CREATE TABLE pair_resource_summary (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	resource_id     TEXT NOT NULL COLLATE NOCASE,     -- the role assignment's scope
	resource_group  TEXT NOT NULL COLLATE NOCASE,
	start_date      TEXT NOT NULL,                    -- YYYY-MM-DD ('0000-01-01' when unknown)
	PRIMARY KEY (identity_id, subscription_id, resource_id)
) STRICT, WITHOUT ROWID;
