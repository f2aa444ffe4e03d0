-- 0014: contested rules are policy, stored as data (issue 10 section 1). Each switch has a
-- current value; its alternatives, default and sources are views/11_policy_option.sql (policy_option),
-- so their texts can be corrected without a migration. The rule views read the values
-- (views/20_pair_access.sql, 12_reason_code.sql, 40_pair_eval.sql); `palscope rules set KEY
-- VALUE` changes one (cli/cmd_rules.c) and rebuilds the run summaries in the same transaction.
CREATE TABLE policy (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	changed_at TEXT                                     -- ISO 8601 UTC; NULL: never changed
) STRICT;

INSERT INTO policy (key, value) VALUES
	('ea', 'pal'),
	('read_only_roles', 'not_eligible'),
	('custom_roles', 'write_actions'),
	('marketplace_lighthouse', 'warning'),
	('sovereign_cloud', 'blocking');

-- Every change: when, which switch, the value before and after.
CREATE TABLE policy_change (
	change_id  INTEGER PRIMARY KEY,
	changed_at TEXT NOT NULL,                           -- ISO 8601 UTC
	key        TEXT NOT NULL,
	old_value  TEXT NOT NULL,
	new_value  TEXT NOT NULL
) STRICT;

-- Eligible grants of a pair that come only from Lighthouse delegations of a Marketplace
-- managed-service offer (the registration definition has a plan): MARKETPLACE_OFFER when they
-- are all of its eligible access. Summaries are rebuilt after a migration.
ALTER TABLE pair_summary ADD COLUMN n_eligible_marketplace INTEGER NOT NULL DEFAULT 0;
