-- 0008: who holds access, more exactly (issue 10): Privileged Identity Management schedules,
-- group membership verified with Microsoft Graph, and cost per resource where access is on
-- single resources. The collector reads these per identity (collector/collector.c); the rule
-- views read them (views/20_pair_access.sql, 40_pair_eval.sql).

-- PIM (Microsoft.Authorization 2020-10-01, $filter=assignedTo('{oid}')) per visible
-- subscription: roleEligibilityScheduleInstances (kind 'eligible'),
-- roleAssignmentScheduleInstances ('active': assignmentType Assigned or Activated) and
-- roleAssignmentScheduleRequests ('request': activations and assignments, with their window).
CREATE TABLE pim_schedule (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,          -- the subscription queried
	kind            TEXT NOT NULL CHECK (kind IN ('eligible', 'active', 'request')),
	item_id         TEXT NOT NULL COLLATE NOCASE,          -- instance or request id
	scope           TEXT NOT NULL COLLATE NOCASE,
	scope_level     TEXT NOT NULL
	                CHECK (scope_level IN ('root', 'management_group', 'subscription',
	                                       'resource_group', 'resource', 'other')),
	resource_group  TEXT COLLATE NOCASE,                   -- derived from scope, NULL above RG
	role_guid       TEXT NOT NULL COLLATE NOCASE,
	principal_id    TEXT COLLATE NOCASE,
	principal_type  TEXT,
	member_type     TEXT,                                  -- Direct | Group | Inherited
	assignment_type TEXT,                                  -- Assigned | Activated ('active')
	request_type    TEXT,                                  -- SelfActivate, AdminAssign, ...
	status          TEXT,                                  -- Provisioned, Accepted, ...
	start_time      TEXT,                                  -- ISO 8601 UTC
	end_time        TEXT,                                  -- NULL: no expiration
	eligibility_id  TEXT COLLATE NOCASE,                   -- the eligibility schedule (GUID)
	created_on      TEXT,
	PRIMARY KEY (identity_id, subscription_id, kind, item_id)
) STRICT;

-- Outcome of each PIM list per (identity, subscription): 'forbidden' (HTTP 401/403: the
-- subscription is evaluated on role assignments alone, with a warning) or 'failed' (after
-- retries; also in request_failure).
CREATE TABLE pim_status (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	list            TEXT NOT NULL CHECK (list IN ('eligible', 'active', 'request')),
	status          TEXT NOT NULL CHECK (status IN ('ok', 'forbidden', 'failed')),
	http_status     INTEGER,
	error_code      TEXT,
	error_message   TEXT,
	PRIMARY KEY (identity_id, subscription_id, list)
) STRICT, WITHOUT ROWID;

-- Microsoft Graph checkMemberGroups for exactly the groups named in the identity's Lighthouse
-- authorizations and group role assignments: member 1/0 when verified ('ok'), NULL when Graph
-- could not say ('forbidden': no permission; 'failed': other errors, no Graph token).
CREATE TABLE group_check (
	run_id        INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id   INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	group_id      TEXT NOT NULL COLLATE NOCASE,
	status        TEXT NOT NULL CHECK (status IN ('ok', 'forbidden', 'failed')),
	member        INTEGER CHECK (member IN (0, 1)),
	http_status   INTEGER,
	error_code    TEXT,
	error_message TEXT,
	PRIMARY KEY (identity_id, group_id)
) STRICT, WITHOUT ROWID;

-- The cost query grouped by ResourceId, made only for subscriptions where the identity's
-- eligible access is on single resources (below resource group): daily cost per resource.
-- Resource ids compare case-insensitively (Cost Management lower-cases them).
CREATE TABLE cost_resource_daily (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	usage_date      TEXT NOT NULL,                         -- YYYY-MM-DD
	resource_id     TEXT NOT NULL COLLATE NOCASE,
	cost            REAL NOT NULL,
	currency        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX cost_resource_daily_sub ON cost_resource_daily(identity_id, subscription_id, resource_id);

CREATE TABLE cost_resource_status (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	status          TEXT NOT NULL CHECK (status IN ('ok', 'no_cost', 'unreadable')),
	http_status     INTEGER,
	error_code      TEXT,
	error_message   TEXT,
	PRIMARY KEY (identity_id, subscription_id)
) STRICT, WITHOUT ROWID;

-- The new reads complete like the others (migrations/0007_identity_reads.sql): identity_read
-- takes their kinds too (SQLite cannot change a CHECK, so the table is copied).
CREATE TABLE identity_read_new (
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	kind            TEXT NOT NULL CHECK (kind IN ('link', 'tenants', 'subscriptions',
	                                              'role_assignments', 'lighthouse', 'cost',
	                                              'pim_eligibility', 'pim_assignment',
	                                              'pim_request', 'graph', 'cost_resource')),
	subscription_id TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
	PRIMARY KEY (identity_id, kind, subscription_id)
) STRICT, WITHOUT ROWID;
INSERT INTO identity_read_new SELECT identity_id, kind, subscription_id FROM identity_read;
DROP TABLE identity_read;
ALTER TABLE identity_read_new RENAME TO identity_read;
