-- 0013: identities signed in as people and workloads (collect --user, the accounts file's auth
-- column), and runs that can be copied between databases (palscope merge).

-- A signed-in user's user principal name (from the token), NULL for other kinds.
ALTER TABLE identity ADD COLUMN upn TEXT;

-- Every run has a UUID, kept when the run is copied to another database (palscope merge), so a
-- run is never copied twice. Existing runs get one now; a run inserted without one (an older
-- palscope's statement, a test fixture) gets one from the trigger.
ALTER TABLE run ADD COLUMN uuid TEXT COLLATE NOCASE;
UPDATE run SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
		 substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
		 substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
WHERE uuid IS NULL;
CREATE UNIQUE INDEX run_uuid ON run(uuid);
CREATE TRIGGER run_uuid_default AFTER INSERT ON run WHEN NEW.uuid IS NULL
BEGIN
	UPDATE run SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
			 substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
			 substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
	WHERE run_id = NEW.run_id;
END;

-- identity.auth_kind takes the new credential kinds. SQLite cannot ALTER a CHECK constraint, and
-- rebuilding identity would need foreign keys off (every collected table references it with ON
-- DELETE CASCADE, so dropping it inside the migration's transaction would delete them). Widening
-- a CHECK changes nothing on disk, so the table's stored definition is edited as SQLite documents
-- for such changes (https://www.sqlite.org/lang_altertable.html, "writable_schema"); this is last, as ALTER TABLE
-- above works from the definition as loaded; the runner (db/db.c) then increments schema_version in the same transaction, so every connection reloads
-- the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (auth_kind IN (''secret'', ''token_command'', ''import''))',
		  'CHECK (auth_kind IN (''secret'', ''token_command'', ''import'', ''certificate'', '
		  || '''federated'', ''managed_identity'', ''az'', ''user''))')
WHERE type = 'table' AND name = 'identity';
PRAGMA writable_schema = OFF;
-- The edit must have happened (a definition written differently would leave the old CHECK).
CREATE TEMP TABLE migration_0013_check (ok INTEGER CHECK (ok = 1));
INSERT INTO migration_0013_check
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name = 'identity' AND sql LIKE '%''managed_identity'', ''az'', ''user''%';
DROP TABLE migration_0013_check;
