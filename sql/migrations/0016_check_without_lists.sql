-- 0016: CHECK constraints of the tables collect writes row by row, without value lists.
--
-- SQLite codes a CHECK `col IN ('a', 'b', 'c')` of three or more constants as a temporary
-- b-tree filled with the list, and in a CHECK it builds that b-tree again for every row it
-- checks (EXPLAIN of an INSERT shows OpenEphemeral + IdxInsert per value, with no Once guard):
-- with up to two values, or with `col = 'a' OR col = 'b' ...`, it compares registers instead.
-- On the collect bench (500 tenants, 9,501 requests) that was about 21,000 temporary b-trees,
-- the largest single cost of storing pim_status and identity_read rows. The constraints below
-- accept and reject exactly the same values (same column, same collation, NULL passes both
-- forms), so nothing on disk changes and the table definitions are edited in place as SQLite
-- documents for such changes (https://www.sqlite.org/lang_altertable.html, "writable_schema",
-- as migrations/0013_user_identities.sql does); the runner (db/db.c) increments schema_version
-- in the same transaction. Tables written once a run (run, link_batch, link_change,
-- role_permission) keep their lists.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
		'CHECK (auth_kind IN (''secret'', ''token_command'', ''import'', ''certificate'', ''federated'', ''managed_identity'', ''az'', ''user''))',
		'CHECK (auth_kind = ''secret'' OR auth_kind = ''token_command'' OR auth_kind = ''import'' OR auth_kind = ''certificate'' OR auth_kind = ''federated'' OR auth_kind = ''managed_identity'' OR auth_kind = ''az'' OR auth_kind = ''user'')'),
		'CHECK (status IN (''pending'', ''ok'', ''failed''))',
		'CHECK (status = ''pending'' OR status = ''ok'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'identity';
UPDATE sqlite_schema
SET sql = replace(sql,
		'CHECK (scope_level IN (''root'', ''management_group'', ''subscription'',
	                                          ''resource_group'', ''resource'', ''other''))',
		'CHECK (scope_level = ''root'' OR scope_level = ''management_group'' OR scope_level = ''subscription'' OR scope_level = ''resource_group'' OR scope_level = ''resource'' OR scope_level = ''other'')')
WHERE type = 'table' AND name = 'role_assignment';
UPDATE sqlite_schema
SET sql = replace(sql,
		'CHECK (status IN (''ok'', ''no_cost'', ''unreadable''))',
		'CHECK (status = ''ok'' OR status = ''no_cost'' OR status = ''unreadable'')')
WHERE type = 'table' AND name = 'cost_status';
UPDATE sqlite_schema
SET sql = replace(replace(sql,
		'CHECK (kind IN (''eligible'', ''active'', ''request''))',
		'CHECK (kind = ''eligible'' OR kind = ''active'' OR kind = ''request'')'),
		'CHECK (scope_level IN (''root'', ''management_group'', ''subscription'',
	                                       ''resource_group'', ''resource'', ''other''))',
		'CHECK (scope_level = ''root'' OR scope_level = ''management_group'' OR scope_level = ''subscription'' OR scope_level = ''resource_group'' OR scope_level = ''resource'' OR scope_level = ''other'')')
WHERE type = 'table' AND name = 'pim_schedule';
UPDATE sqlite_schema
SET sql = replace(replace(sql,
		'CHECK (list IN (''eligible'', ''active'', ''request''))',
		'CHECK (list = ''eligible'' OR list = ''active'' OR list = ''request'')'),
		'CHECK (status IN (''ok'', ''forbidden'', ''failed''))',
		'CHECK (status = ''ok'' OR status = ''forbidden'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'pim_status';
UPDATE sqlite_schema
SET sql = replace(sql,
		'CHECK (status IN (''ok'', ''forbidden'', ''failed''))',
		'CHECK (status = ''ok'' OR status = ''forbidden'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'group_check';
UPDATE sqlite_schema
SET sql = replace(sql,
		'CHECK (status IN (''ok'', ''no_cost'', ''unreadable''))',
		'CHECK (status = ''ok'' OR status = ''no_cost'' OR status = ''unreadable'')')
WHERE type = 'table' AND name = 'cost_resource_status';
UPDATE sqlite_schema
SET sql = replace(sql,
		'CHECK (kind IN (''link'', ''tenants'', ''subscriptions'',
	                                              ''role_assignments'', ''lighthouse'', ''cost'',
	                                              ''pim_eligibility'', ''pim_assignment'',
	                                              ''pim_request'', ''graph'', ''cost_resource''))',
		'CHECK (kind = ''link'' OR kind = ''tenants'' OR kind = ''subscriptions'' OR kind = ''role_assignments'' OR kind = ''lighthouse'' OR kind = ''cost'' OR kind = ''pim_eligibility'' OR kind = ''pim_assignment'' OR kind = ''pim_request'' OR kind = ''graph'' OR kind = ''cost_resource'')')
WHERE type = 'table' AND name = 'identity_read';
PRAGMA writable_schema = OFF;
-- Every edit must have happened (a definition written differently would keep its list).
CREATE TEMP TABLE migration_0016_check (ok INTEGER CHECK (ok = 0));
INSERT INTO migration_0016_check
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('identity', 'role_assignment', 'cost_status', 'pim_schedule',
				  'pim_status', 'group_check', 'cost_resource_status',
				  'identity_read')
  AND sql LIKE '% IN (''%';
DROP TABLE migration_0016_check;
