-- 0001: the collected record. Every row belongs to a run, so earlier runs stay
-- readable and comparable. Nothing secret is ever stored here: no client
-- secrets, no tokens, no Authorization headers.

-- Internal bookkeeping (e.g. the text of the views this database holds).
CREATE TABLE palscope_meta (
	key   TEXT PRIMARY KEY,
	value TEXT
) STRICT;

CREATE TABLE run (
	run_id            INTEGER PRIMARY KEY,
	kind              TEXT NOT NULL DEFAULT 'collect' CHECK (kind IN ('collect', 'import')),
	started_at        TEXT NOT NULL,                 -- ISO 8601 UTC
	ended_at          TEXT,                          -- NULL while running or after a crash
	period            TEXT NOT NULL,                 -- YYYY-MM
	period_start      TEXT NOT NULL,                 -- YYYY-MM-DD, first day
	period_end        TEXT NOT NULL,                 -- YYYY-MM-DD, last day
	cloud             TEXT NOT NULL DEFAULT 'public',
	arm_url           TEXT NOT NULL DEFAULT '',
	status            TEXT NOT NULL DEFAULT 'running'
	                  CHECK (status IN ('running', 'complete', 'partial', 'incomplete')),
	identities_total  INTEGER NOT NULL DEFAULT 0,
	identities_ok     INTEGER NOT NULL DEFAULT 0,
	identities_failed INTEGER NOT NULL DEFAULT 0,
	subscriptions     INTEGER NOT NULL DEFAULT 0,
	role_assignments  INTEGER NOT NULL DEFAULT 0,
	cost_rows         INTEGER NOT NULL DEFAULT 0,
	requests          INTEGER NOT NULL DEFAULT 0,
	retries           INTEGER NOT NULL DEFAULT 0,
	failures          INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The partner IDs the run was asked about (--partner-id, repeatable).
CREATE TABLE run_partner_id (
	run_id     INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	partner_id TEXT NOT NULL,
	PRIMARY KEY (run_id, partner_id)
) STRICT;

-- One row per accounts-file line (or the AZURE_* environment identity).
CREATE TABLE identity (
	identity_id  INTEGER PRIMARY KEY,
	run_id       INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	tenant_id    TEXT NOT NULL COLLATE NOCASE,       -- tenant it signs in to
	client_id    TEXT,                               -- NULL for token_command identities
	label        TEXT,
	auth_kind    TEXT NOT NULL CHECK (auth_kind IN ('secret', 'token_command', 'import')),
	object_id    TEXT COLLATE NOCASE,                -- the token's oid claim
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'failed')),
	error        TEXT,                               -- one line, why it failed
	source_line  INTEGER                             -- line in the accounts file
) STRICT;
CREATE INDEX identity_run ON identity(run_id, tenant_id);

-- The identity's own Partner Admin Link, as GET .../partners returned it.
-- linked = 0 with http_status 404 means "not linked"; a failed read is a
-- request_failure row and no partner_link row.
CREATE TABLE partner_link (
	identity_id  INTEGER PRIMARY KEY REFERENCES identity(identity_id) ON DELETE CASCADE,
	run_id       INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	linked       INTEGER NOT NULL CHECK (linked IN (0, 1)),
	partner_id   TEXT,
	partner_name TEXT,
	tenant_id    TEXT COLLATE NOCASE,
	object_id    TEXT COLLATE NOCASE,
	state        TEXT,                               -- Active | Deleted
	created_time TEXT,
	updated_time TEXT,
	http_status  INTEGER NOT NULL,
	raw_json     TEXT                                -- the response body as received
) STRICT;

-- GET /tenants as seen by each identity.
CREATE TABLE tenant (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	tenant_id       TEXT NOT NULL COLLATE NOCASE,
	display_name    TEXT,
	default_domain  TEXT,
	tenant_category TEXT,                            -- Home | ManagedBy | ProjectedBy
	country_code    TEXT,
	PRIMARY KEY (identity_id, tenant_id)
) STRICT;

-- GET /subscriptions as seen by each identity.
CREATE TABLE subscription (
	run_id                INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id           INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id       TEXT NOT NULL COLLATE NOCASE,
	display_name          TEXT,
	tenant_id             TEXT NOT NULL COLLATE NOCASE,   -- the subscription's home tenant
	state                 TEXT,
	quota_id              TEXT,
	spending_limit        TEXT,
	location_placement_id TEXT,
	authorization_source  TEXT,
	PRIMARY KEY (identity_id, subscription_id)
) STRICT;
CREATE INDEX subscription_run ON subscription(run_id, subscription_id);

-- subscription.managedByTenants (Azure Lighthouse managing tenants).
CREATE TABLE subscription_managed_by (
	identity_id        INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id    TEXT NOT NULL COLLATE NOCASE,
	managing_tenant_id TEXT NOT NULL COLLATE NOCASE,
	PRIMARY KEY (identity_id, subscription_id, managing_tenant_id)
) STRICT;

-- roleAssignments?$filter=assignedTo('{oid}') per visible subscription:
-- direct, through groups, and inherited from management groups or the root.
CREATE TABLE role_assignment (
	run_id             INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id        INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id    TEXT NOT NULL COLLATE NOCASE,      -- the subscription queried
	assignment_id      TEXT NOT NULL COLLATE NOCASE,      -- full resource id
	scope              TEXT NOT NULL COLLATE NOCASE,
	role_guid          TEXT NOT NULL COLLATE NOCASE,      -- trailing GUID of roleDefinitionId
	role_definition_id TEXT NOT NULL,
	principal_id       TEXT COLLATE NOCASE,
	principal_type     TEXT,                              -- User | Group | ServicePrincipal | ...
	created_on         TEXT,
	condition          TEXT,
	resource_group     TEXT COLLATE NOCASE,               -- derived from scope, NULL above RG
	scope_level        TEXT NOT NULL
	                   CHECK (scope_level IN ('root', 'management_group', 'subscription',
	                                          'resource_group', 'resource', 'other')),
	PRIMARY KEY (identity_id, subscription_id, assignment_id)
) STRICT;

-- Each distinct role definition, fetched once per run.
CREATE TABLE role_definition (
	run_id      INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	role_guid   TEXT NOT NULL COLLATE NOCASE,
	role_name   TEXT,
	role_type   TEXT,                                     -- BuiltInRole | CustomRole
	description TEXT,
	PRIMARY KEY (run_id, role_guid)
) STRICT;

-- permissions[] of a role definition, one row per pattern.
CREATE TABLE role_permission (
	run_id    INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	role_guid TEXT NOT NULL COLLATE NOCASE,
	kind      TEXT NOT NULL CHECK (kind IN ('action', 'notAction', 'dataAction', 'notDataAction')),
	pattern   TEXT NOT NULL,
	PRIMARY KEY (run_id, role_guid, kind, pattern)
) STRICT;

-- Azure Lighthouse registration assignments on a subscription.
CREATE TABLE lighthouse_assignment (
	run_id                     INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id                INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id            TEXT NOT NULL COLLATE NOCASE,
	assignment_id              TEXT NOT NULL COLLATE NOCASE,
	registration_definition_id TEXT,
	definition_name            TEXT,
	managed_by_tenant_id       TEXT COLLATE NOCASE,
	managed_by_tenant_name     TEXT,
	managee_tenant_id          TEXT COLLATE NOCASE,
	managee_tenant_name        TEXT,
	provisioning_state         TEXT,
	plan_name                  TEXT,                      -- Marketplace offer plan, if any
	plan_publisher             TEXT,
	created_at                 TEXT,                      -- systemData.createdAt
	PRIMARY KEY (identity_id, subscription_id, assignment_id)
) STRICT;

-- authorizations[] (eligible = 0) and eligibleAuthorizations[] (eligible = 1).
CREATE TABLE lighthouse_authorization (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	assignment_id   TEXT NOT NULL COLLATE NOCASE,
	principal_id    TEXT NOT NULL COLLATE NOCASE,
	principal_name  TEXT,
	role_guid       TEXT NOT NULL COLLATE NOCASE,         -- a bare GUID in this API
	eligible        INTEGER NOT NULL CHECK (eligible IN (0, 1))
) STRICT;
CREATE INDEX lighthouse_authorization_sub ON lighthouse_authorization(identity_id, subscription_id);

-- Outcome of the cost query per (identity, subscription):
-- ok (rows follow), no_cost (HTTP 204 or zero rows), unreadable (denied or failed).
CREATE TABLE cost_status (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	status          TEXT NOT NULL CHECK (status IN ('ok', 'no_cost', 'unreadable')),
	http_status     INTEGER,
	error_code      TEXT,
	error_message   TEXT,
	PRIMARY KEY (identity_id, subscription_id)
) STRICT;

-- Daily ActualCost per resource group. Resource group names compare
-- case-insensitively, as in Azure.
CREATE TABLE cost_daily (
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER NOT NULL REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT NOT NULL COLLATE NOCASE,
	usage_date      TEXT NOT NULL,                        -- YYYY-MM-DD
	resource_group  TEXT NOT NULL COLLATE NOCASE,         -- '' for charges outside any RG
	cost            REAL NOT NULL,
	currency        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX cost_daily_sub ON cost_daily(identity_id, subscription_id, usage_date);

-- Every request that failed after retries, so "no data" is never confused
-- with "could not read". The URL never carries secrets (tokens travel in
-- headers, secrets in POST bodies that are not stored).
CREATE TABLE request_failure (
	failure_id      INTEGER PRIMARY KEY,
	run_id          INTEGER NOT NULL REFERENCES run(run_id) ON DELETE CASCADE,
	identity_id     INTEGER REFERENCES identity(identity_id) ON DELETE CASCADE,
	subscription_id TEXT COLLATE NOCASE,
	kind            TEXT NOT NULL,       -- token | link | tenants | subscriptions | role_assignments
	                                     -- | role_definition | lighthouse | cost
	method          TEXT NOT NULL,
	url             TEXT NOT NULL,
	http_status     INTEGER,             -- 0 when no HTTP response arrived
	transport_error TEXT,                -- curl's message when no response arrived
	error_code      TEXT,                -- ARM error.code or AADSTS error
	error_message   TEXT,
	request_id      TEXT,                -- x-ms-request-id
	attempts        INTEGER NOT NULL DEFAULT 1,
	at              TEXT NOT NULL
) STRICT;
CREATE INDEX request_failure_run ON request_failure(run_id, identity_id);
