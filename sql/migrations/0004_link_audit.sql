-- 0004: the audit log of partner link changes made by `palscope link apply`
-- and `palscope link remove` (read with `palscope link history`). Rows are
-- never deleted; a change's row is written *before* its request is sent
-- (outcome 'pending') and completed when the answer arrives, so a run that is
-- killed half-way leaves a 'pending' row: the change may or may not have
-- happened, and a re-run reads the link again before it does anything.
-- Nothing secret is stored: no client secrets, tokens or headers.

-- One row per apply/remove invocation.
CREATE TABLE link_batch (
	batch_id          INTEGER PRIMARY KEY,
	command           TEXT NOT NULL CHECK (command IN ('apply', 'remove')),
	partner_id        TEXT NOT NULL,                 -- --partner-id
	allow_update      INTEGER NOT NULL DEFAULT 0 CHECK (allow_update IN (0, 1)),
	only_missing_from TEXT,                          -- the report file given, if any
	arm_url           TEXT NOT NULL,
	started_at        TEXT NOT NULL,                 -- ISO 8601 UTC
	ended_at          TEXT,                          -- NULL while running or after a crash
	status            TEXT NOT NULL DEFAULT 'running'
	                  CHECK (status IN ('running', 'complete', 'partial', 'incomplete')),
	identities        INTEGER NOT NULL DEFAULT 0,
	changed           INTEGER NOT NULL DEFAULT 0,
	failed            INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per change attempted (PUT, PATCH or DELETE), whatever its outcome.
CREATE TABLE link_change (
	change_id         INTEGER PRIMARY KEY,
	batch_id          INTEGER NOT NULL REFERENCES link_batch(batch_id),
	identity          TEXT NOT NULL,                 -- label, else client id
	client_id         TEXT,                          -- NULL for token_command identities
	tenant_id         TEXT NOT NULL COLLATE NOCASE,
	object_id         TEXT COLLATE NOCASE,           -- the principal whose link it is
	operation         TEXT NOT NULL CHECK (operation IN ('create', 'update', 'remove')),
	method            TEXT NOT NULL CHECK (method IN ('PUT', 'PATCH', 'DELETE')),
	partner_before    TEXT,                          -- NULL: not linked
	partner_after     TEXT,                          -- NULL: not linked (or unknown while pending)
	outcome           TEXT NOT NULL DEFAULT 'pending'
	                  CHECK (outcome IN ('pending', 'ok', 'failed')),
	started_at        TEXT NOT NULL,
	finished_at       TEXT,
	http_status       INTEGER,
	request_id        TEXT,                          -- x-ms-request-id of the answer
	error_code        TEXT,
	error_message     TEXT,                          -- as Azure sent it
	explanation       TEXT                           -- palscope's plain words
) STRICT;
CREATE INDEX link_change_tenant ON link_change(tenant_id, change_id);
CREATE INDEX link_change_batch ON link_change(batch_id);
