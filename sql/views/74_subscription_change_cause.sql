-- Why each changed subscription (views/73_subscription_change.sql) changed, found in the stored
-- data of the two runs: one row per cause, in change_cause order. The principal compared is the
-- one whose pair decided the subscription's row in the earlier run (else in the later run); its
-- identity in each run is its identity in effect as of that run (identity_snapshot). The
-- identity causes (sign-in, link) come from identity_change_cause; here the subscription's own:
-- its tenant, visibility, Lighthouse delegation, state, offer, the principal's roles on it
-- (pair_summary.roles, "role at scope" per permanent grant) and its cost.
CREATE VIEW subscription_change_cause AS
WITH x AS MATERIALIZED (
	SELECT c.from_run, c.to_run, c.from_period, c.to_period, c.subscription_id,
	       c.subscription_name, c.from_tenant_id, c.to_tenant_id, c.from_customer_name, c.to_customer_name,
	       c.in_from, c.in_to, c.from_state, c.to_state, c.from_offer, c.to_offer,
	       c.from_usage, c.to_usage, c.from_currency, c.to_currency, c.from_cost_status,
	       c.to_cost_status, c.to_identity_id, c.to_identity_name, c.from_status, c.to_status,
	       coalesce(pa.principal_key, pb.principal_key) AS pkey
	FROM subscription_change c
	LEFT JOIN identity_snapshot pa ON pa.run_id = c.from_run AND pa.identity_id = c.from_identity_id
	LEFT JOIN identity_snapshot pb ON pb.run_id = c.to_run AND pb.identity_id = c.to_identity_id
),
y AS MATERIALIZED (
	SELECT x.*, ia.identity_id AS a_id, ia.identity_name AS a_name, ia.status AS a_status,
	       ib.identity_id AS b_id, ib.identity_name AS b_name, ib.status AS b_status,
	       coalesce(ia.identity_name, ib.identity_name) AS who,
	       'run ' || x.from_run || ' (' || ra.period || ', ' || substr(ra.started_at, 1, 10) || ')'
		       AS a_run,
	       'run ' || x.to_run || ' (' || rb.period || ', ' || substr(rb.started_at, 1, 10) || ')'
		       AS b_run,
	       coalesce(psa.roles, '') AS a_roles, coalesce(psb.roles, '') AS b_roles,
	       '["' || replace(replace(replace(coalesce(psa.roles, ''), '\', '\\'), '"', '\"'),
			       ';', '","') || '"]' AS ja,
	       '["' || replace(replace(replace(coalesce(psb.roles, ''), '\', '\\'), '"', '\"'),
			       ';', '","') || '"]' AS jb,
	       EXISTS (SELECT 1 FROM subscription s WHERE s.identity_id = ia.identity_id
					     AND s.subscription_id = x.subscription_id) AS a_sees,
	       EXISTS (SELECT 1 FROM subscription s WHERE s.identity_id = ib.identity_id
					     AND s.subscription_id = x.subscription_id) AS b_sees,
	       (SELECT 'the Lighthouse delegation ''' || coalesce(l.definition_name, l.assignment_id) ||
		       ''' of the subscription to tenant ' || coalesce(l.managed_by_tenant_id, '?') ||
		       coalesce(' (' || l.managed_by_tenant_name || ')', '') ||
		       coalesce(', created ' || substr(l.created_at, 1, 10), '')
		FROM lighthouse_assignment l
		WHERE l.identity_id = ia.identity_id AND l.subscription_id = x.subscription_id
		ORDER BY l.assignment_id LIMIT 1) AS a_lh,
	       (SELECT 'the Lighthouse delegation ''' || coalesce(l.definition_name, l.assignment_id) ||
		       ''' of the subscription to tenant ' || coalesce(l.managed_by_tenant_id, '?') ||
		       coalesce(' (' || l.managed_by_tenant_name || ')', '') ||
		       coalesce(', created ' || substr(l.created_at, 1, 10), '')
		FROM lighthouse_assignment l
		WHERE l.identity_id = ib.identity_id AND l.subscription_id = x.subscription_id
		ORDER BY l.assignment_id LIMIT 1) AS b_lh,
	       coalesce('HTTP ' || nullif(cs.http_status, 0) || ' ', '') ||
		       coalesce(cs.error_code || ' ', '') || coalesce(cs.error_message, '') AS b_cost_error
	FROM x
	JOIN run ra ON ra.run_id = x.from_run
	JOIN run rb ON rb.run_id = x.to_run
	LEFT JOIN identity_snapshot ia ON ia.run_id = x.from_run AND ia.principal_key = x.pkey
	LEFT JOIN identity_snapshot ib ON ib.run_id = x.to_run AND ib.principal_key = x.pkey
	LEFT JOIN pair_summary psa ON psa.identity_id = ia.identity_id
				  AND psa.subscription_id = x.subscription_id
	LEFT JOIN pair_summary psb ON psb.identity_id = ib.identity_id
				  AND psb.subscription_id = x.subscription_id
	LEFT JOIN cost_status cs ON cs.identity_id = x.to_identity_id
				AND cs.subscription_id = x.subscription_id
),
-- the grants ("role at scope") the principal lost and gained on the subscription, and the
-- distinct roles and scopes of each
z AS MATERIALIZED (
	SELECT y.*,
	       (SELECT group_concat(value, '; ') FROM json_each(y.ja)
		WHERE value <> '' AND instr(';' || y.b_roles || ';', ';' || value || ';') = 0) AS removed,
	       (SELECT group_concat(value, '; ') FROM json_each(y.jb)
		WHERE value <> '' AND instr(';' || y.a_roles || ';', ';' || value || ';') = 0) AS added,
	       (SELECT group_concat(r, ',') FROM (
		       SELECT DISTINCT substr(value, 1, instr(value, ' at ') - 1) AS r FROM json_each(y.ja)
		       WHERE value <> '' AND instr(';' || y.b_roles || ';', ';' || value || ';') = 0
		       ORDER BY 1)) AS removed_roles,
	       (SELECT group_concat(r, ',') FROM (
		       SELECT DISTINCT substr(value, 1, instr(value, ' at ') - 1) AS r FROM json_each(y.jb)
		       WHERE value <> '' AND instr(';' || y.a_roles || ';', ';' || value || ';') = 0
		       ORDER BY 1)) AS added_roles,
	       (SELECT group_concat(r, ',') FROM (
		       SELECT DISTINCT substr(value, instr(value, ' at ') + 4) AS r FROM json_each(y.ja)
		       WHERE value <> '' AND instr(';' || y.b_roles || ';', ';' || value || ';') = 0
		       ORDER BY 1)) AS removed_scopes,
	       (SELECT group_concat(r, ',') FROM (
		       SELECT DISTINCT substr(value, instr(value, ' at ') + 4) AS r FROM json_each(y.jb)
		       WHERE value <> '' AND instr(';' || y.a_roles || ';', ';' || value || ';') = 0
		       ORDER BY 1)) AS added_scopes,
	       y.a_id IS NOT NULL AND y.a_status <> 'failed' AND y.b_id IS NOT NULL AND
		       y.b_status <> 'failed' AND
		       ((y.a_sees AND y.b_sees) OR (NOT y.in_from AND y.b_sees)) AND
		       -- grants through a delegation that came or went are that delegation's change
		       (y.a_lh IS NULL) = (y.b_lh IS NULL) AS roles_compared
	FROM y
)
SELECT z.from_run, z.to_run, z.subscription_id, z.subscription_name, z.from_tenant_id,
       z.to_tenant_id, 'identity' AS scope, ic.ord, ic.cause, ic.evidence
FROM z
JOIN identity_change_cause ic
	ON ic.from_run = z.from_run AND ic.to_run = z.to_run AND ic.principal_key = z.pkey
UNION ALL
SELECT z.from_run, z.to_run, z.subscription_id, z.subscription_name, z.from_tenant_id,
       z.to_tenant_id, 'subscription', cc.ord, cc.code,
       CASE cc.code
       WHEN 'SUBSCRIPTION_MOVED_TENANT' THEN
	       'the subscription moved from tenant ' || z.from_tenant_id || ' (' || z.from_customer_name ||
	       ') to tenant ' || z.to_tenant_id || ' (' || z.to_customer_name || ') between ' ||
	       z.a_run || ' and ' || z.b_run || ', where ''' || coalesce(z.to_identity_name, '?') ||
	       ''' sees it'
       WHEN 'LIGHTHOUSE_DELEGATION_REMOVED' THEN
	       z.a_lh || ', through which ''' || z.who || ''' saw it in ' || z.a_run ||
	       ', is gone in ' || z.b_run
       WHEN 'LIGHTHOUSE_DELEGATION_ADDED' THEN
	       z.b_lh || ' is new in ' || z.b_run || ' (''' || z.who || ''' did not see it in ' ||
	       z.a_run || ')'
       WHEN 'SUBSCRIPTION_GONE' THEN
	       '''' || z.who || ''' saw the subscription in ' || z.a_run || ' and does not see it in ' ||
	       z.b_run || ' (deleted, cancelled or its access removed)'
       WHEN 'SUBSCRIPTION_DISABLED' THEN
	       'the subscription was ' || z.from_state || ' in ' || z.a_run || ' and is ' || z.to_state ||
	       ' in ' || z.b_run
       WHEN 'SUBSCRIPTION_ENABLED' THEN
	       'the subscription was ' || z.from_state || ' in ' || z.a_run || ' and is ' || z.to_state ||
	       ' in ' || z.b_run
       WHEN 'ROLE_REMOVED' THEN
	       'the role assignment ' || z.removed || ' of ''' || z.who || ''' on the subscription ' ||
	       'was removed between ' || z.a_run || ' and ' || z.b_run ||
	       CASE WHEN z.b_roles <> '' THEN ' (it still holds ' || replace(z.b_roles, ';', '; ') || ')'
		    ELSE ' (it holds no role there now)' END
       WHEN 'ROLE_ADDED' THEN
	       '''' || z.who || ''' holds ' || z.added || ' on the subscription in ' || z.b_run ||
	       ', not in ' || z.a_run
       WHEN 'ROLE_CHANGED' THEN
	       '''' || z.who || ''' held ' || z.removed || ' on the subscription in ' || z.a_run ||
	       ' and holds ' || z.added || ' in ' || z.b_run
       WHEN 'SCOPE_CHANGED' THEN
	       '''' || z.who || ''' held ' || z.removed || ' on the subscription in ' || z.a_run ||
	       ' and holds ' || z.added || ' in ' || z.b_run
       WHEN 'OFFER_CHANGED' THEN
	       'the offer (quotaId) was ' || z.from_offer || ' in ' || z.a_run || ' and is ' ||
	       z.to_offer || ' in ' || z.b_run
       WHEN 'COST_UNREADABLE_NOW' THEN
	       'the cost was read in ' || z.a_run || ' (' || printf('%.2f', coalesce(z.from_usage, 0)) ||
	       ' ' || z.from_currency || ' in ' || z.from_period || '); in ' || z.b_run ||
	       ' the cost query of ''' || coalesce(z.to_identity_name, z.who) || ''' failed (' ||
	       coalesce(nullif(z.b_cost_error, ''), 'no response recorded') || ')'
       WHEN 'COST_READABLE_NOW' THEN
	       'the cost could not be read in ' || z.a_run || '; in ' || z.b_run || ' it is ' ||
	       printf('%.2f', coalesce(z.to_usage, 0)) || ' ' || z.to_currency || ' in ' || z.to_period
       WHEN 'USAGE_STOPPED' THEN
	       'usage ' || printf('%.2f', z.from_usage) || ' ' || z.from_currency || ' in ' ||
	       z.from_period || ' as of ' || z.a_run || ', none (0.00) in ' || z.to_period ||
	       ' as of ' || z.b_run
       WHEN 'USAGE_STARTED' THEN
	       'no usage (0.00) in ' || z.from_period || ' as of ' || z.a_run || ', ' ||
	       printf('%.2f', z.to_usage) || ' ' || z.to_currency || ' in ' || z.to_period ||
	       ' as of ' || z.b_run
       WHEN 'USAGE_CHANGED' THEN
	       'usage ' || printf('%.2f', z.from_usage) || ' ' || z.from_currency || ' in ' ||
	       z.from_period || ' as of ' || z.a_run || ', ' || printf('%.2f', z.to_usage) || ' ' ||
	       z.to_currency || ' in ' || z.to_period || ' as of ' || z.b_run
       END
FROM z
JOIN change_cause cc ON cc.scope = 'subscription'
WHERE CASE cc.code
      WHEN 'SUBSCRIPTION_MOVED_TENANT' THEN z.in_from AND z.in_to AND z.from_tenant_id <> z.to_tenant_id
      WHEN 'LIGHTHOUSE_DELEGATION_REMOVED' THEN
	      z.a_lh IS NOT NULL AND z.b_lh IS NULL AND z.b_id IS NOT NULL AND z.b_status <> 'failed'
      WHEN 'LIGHTHOUSE_DELEGATION_ADDED' THEN
	      z.b_lh IS NOT NULL AND z.a_lh IS NULL AND z.a_id IS NOT NULL AND z.a_status <> 'failed'
      WHEN 'SUBSCRIPTION_GONE' THEN
	      z.in_from AND NOT z.in_to AND z.b_id IS NOT NULL AND z.b_status <> 'failed'
	      AND NOT (z.a_lh IS NOT NULL AND z.b_lh IS NULL)
      WHEN 'SUBSCRIPTION_DISABLED' THEN
	      z.in_from AND z.in_to AND z.from_state = 'Enabled' AND z.to_state <> 'Enabled'
      WHEN 'SUBSCRIPTION_ENABLED' THEN
	      z.in_from AND z.in_to AND z.from_state <> 'Enabled' AND z.to_state = 'Enabled'
      WHEN 'ROLE_REMOVED' THEN z.roles_compared AND z.removed IS NOT NULL AND z.added IS NULL
      WHEN 'ROLE_ADDED' THEN z.roles_compared AND z.added IS NOT NULL AND z.removed IS NULL
      WHEN 'ROLE_CHANGED' THEN z.roles_compared AND z.removed IS NOT NULL AND z.added IS NOT NULL
			       AND z.removed_roles <> z.added_roles
      WHEN 'SCOPE_CHANGED' THEN z.roles_compared AND z.removed IS NOT NULL AND z.added IS NOT NULL
				AND z.removed_scopes <> z.added_scopes
      WHEN 'OFFER_CHANGED' THEN z.in_from AND z.in_to AND z.from_offer <> z.to_offer
      WHEN 'COST_UNREADABLE_NOW' THEN z.in_from AND z.in_to
				      AND z.from_cost_status IN ('ok', 'no_cost')
				      AND z.to_cost_status = 'unreadable'
      WHEN 'COST_READABLE_NOW' THEN z.in_from AND z.in_to AND z.from_cost_status = 'unreadable'
				    AND z.to_cost_status IN ('ok', 'no_cost')
      WHEN 'USAGE_STOPPED' THEN z.in_from AND z.in_to AND round(z.from_usage, 2) > 0
				AND round(z.to_usage, 2) = 0
      WHEN 'USAGE_STARTED' THEN z.in_from AND z.in_to AND round(z.from_usage, 2) = 0
				AND round(z.to_usage, 2) > 0
      WHEN 'USAGE_CHANGED' THEN z.from_status = 'ATTRIBUTED' AND z.to_status = 'ATTRIBUTED'
				AND round(z.from_usage, 2) > 0
				AND round(z.to_usage, 2) > 0
				AND (round(z.from_usage, 2) <> round(z.to_usage, 2)
				     OR z.from_currency <> z.to_currency)
      ELSE 0 END;
