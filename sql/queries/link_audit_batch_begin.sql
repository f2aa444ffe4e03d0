-- Start a link apply/remove batch (see migrations/0004_link_audit.sql).
INSERT INTO link_batch (command, partner_id, allow_update, only_missing_from, arm_url,
	started_at, identities, status)
VALUES (:command, :partner_id, :allow_update, :only_missing_from, :arm_url, :started_at,
	:identities, 'running')
RETURNING batch_id;
