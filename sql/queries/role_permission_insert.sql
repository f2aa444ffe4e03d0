INSERT OR IGNORE INTO role_permission (run_id, role_guid, kind, pattern)
VALUES (:run_id, :role_guid, :kind, :pattern);
