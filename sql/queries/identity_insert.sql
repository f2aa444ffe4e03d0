-- A new identity of a run: 'pending' and not done until its reads complete (identity_done.sql).
-- upn: a signed-in user's user principal name (NULL for the other kinds).
INSERT INTO identity (run_id, tenant_id, client_id, label, auth_kind, source_line, reads_done, upn)
VALUES (:run_id, :tenant_id, :client_id, :label, :auth_kind, :source_line, 0, :upn)
RETURNING identity_id;
