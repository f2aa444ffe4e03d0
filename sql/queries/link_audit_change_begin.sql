-- Written before the request is sent: outcome stays 'pending' until the answer.
INSERT INTO link_change (batch_id, identity, client_id, tenant_id, object_id, operation, method,
	partner_before, started_at, outcome)
VALUES (:batch_id, :identity, :client_id, :tenant_id, :object_id, :operation, :method,
	:partner_before, :started_at, 'pending')
RETURNING change_id;
