-- palscope link history: every change, oldest first, optionally for one tenant
-- and/or the last :limit rows (-1 = all).
SELECT change_id, batch_id, command, started_at, finished_at, identity, client_id, tenant_id,
       object_id, operation, method, partner_before, partner_after, outcome, http_status,
       request_id, error_code, error_message, explanation
FROM (
	SELECT c.*, b.command
	FROM link_change c JOIN link_batch b USING (batch_id)
	WHERE :tenant_id IS NULL OR c.tenant_id = :tenant_id
	ORDER BY c.change_id DESC
	LIMIT :limit
)
ORDER BY change_id;
