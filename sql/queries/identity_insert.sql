INSERT INTO identity (run_id, tenant_id, client_id, label, auth_kind, source_line)
VALUES (:run_id, :tenant_id, :client_id, :label, :auth_kind, :source_line)
RETURNING identity_id;
