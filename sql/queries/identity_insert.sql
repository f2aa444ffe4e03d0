-- A new identity of a run: 'pending' and not done until its reads complete (identity_done.sql).
INSERT INTO identity (run_id, tenant_id, client_id, label, auth_kind, source_line, reads_done)
VALUES (:run_id, :tenant_id, :client_id, :label, :auth_kind, :source_line, 0)
RETURNING identity_id;
