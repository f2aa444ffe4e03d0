INSERT OR REPLACE INTO role_definition (run_id, role_guid, role_name, role_type, description)
VALUES (:run_id, :role_guid, :role_name, :role_type, :description);
