-- What changed for each identity (principal: tenant + object id) between the two runs of a
-- diff_pair, read from the stored identities and partner links of each run's snapshot
-- (identity_snapshot: the identities in effect as of the run). One row per cause found
-- (change_cause, scope 'identity'); evidence names the identity, tenant, partner IDs, dates and
-- the sign-in error with its AADSTS code. The subscription and customer changes take these
-- for the principal that decided (views/74, 78).
CREATE VIEW identity_change_cause AS
SELECT dp.from_run, dp.to_run, ia.principal_key, ia.tenant_id, ia.identity_name, cc.ord,
       cc.code AS cause,
       CASE cc.code
       WHEN 'IDENTITY_NOT_COLLECTED' THEN
	       '''' || ia.identity_name || ''' (tenant ' || ia.tenant_id || ') was collected in ' ||
	       'run ' || dp.from_run || ' (' || ra.period || ', ' || substr(ra.started_at, 1, 10) ||
	       ') and not in run ' || dp.to_run || ' (' || rb.period || ', ' ||
	       substr(rb.started_at, 1, 10) || '): it is no longer in the accounts file'
       WHEN 'IDENTITY_SIGNIN_WORKING' THEN
	       'sign-in as ''' || ia.identity_name || ''' to tenant ' || ia.tenant_id ||
	       ' failed in run ' || dp.from_run || ' (' || coalesce(nullif(ia.error, ''), 'no error recorded') ||
	       ') and works in run ' || dp.to_run || ' (' || substr(rb.started_at, 1, 10) || ')'
       WHEN 'IDENTITY_SIGNIN_FAILING' THEN
	       'sign-in as ''' || ia.identity_name || ''' to tenant ' || ia.tenant_id ||
	       ' worked in run ' || dp.from_run || ' (' || substr(ra.started_at, 1, 10) ||
	       ') and fails in run ' || dp.to_run || ' (' || substr(rb.started_at, 1, 10) || ')' ||
	       CASE WHEN instr(coalesce(ib.error, ''), 'AADSTS') > 0 THEN
			    ' with ' || substr(substr(ib.error, instr(ib.error, 'AADSTS')), 1,
					       instr(substr(ib.error, instr(ib.error, 'AADSTS')) || ':', ':') - 1)
		    ELSE '' END ||
	       ': ' || coalesce(nullif(ib.error, ''), 'no error recorded')
       WHEN 'LINK_REMOVED' THEN
	       '''' || ia.identity_name || ''' in tenant ' || ia.tenant_id || ' was linked to partner ID ' ||
	       coalesce(la.partner_id, '?') || coalesce(' (since ' || substr(la.created_time, 1, 10) || ')', '') ||
	       ' in run ' || dp.from_run || ' and is not linked in run ' || dp.to_run ||
	       CASE WHEN lb.linked = 1 THEN ' (its link is ' || coalesce(lb.state, 'not active') || ')'
		    ELSE ' (GET partners answered ' || coalesce(lb.http_status, '?') || ')' END
       WHEN 'LINK_ADDED' THEN
	       '''' || ia.identity_name || ''' in tenant ' || ia.tenant_id || ' was not linked in run ' ||
	       dp.from_run || ' and is linked to partner ID ' || coalesce(lb.partner_id, '?') ||
	       coalesce(' (since ' || substr(lb.created_time, 1, 10) || ')', '') || ' in run ' || dp.to_run
       WHEN 'LINK_CHANGED' THEN
	       '''' || ia.identity_name || ''' in tenant ' || ia.tenant_id || ' was linked to partner ID ' ||
	       coalesce(la.partner_id, '?') || ' in run ' || dp.from_run || ' and is linked to ' ||
	       coalesce(lb.partner_id, '?') || coalesce(' (since ' || substr(lb.updated_time, 1, 10) || ')', '') ||
	       ' in run ' || dp.to_run
       END AS evidence
FROM diff_pair dp
JOIN run ra ON ra.run_id = dp.from_run
JOIN run rb ON rb.run_id = dp.to_run
JOIN identity_snapshot ia ON ia.run_id = dp.from_run
LEFT JOIN identity_snapshot ib ON ib.run_id = dp.to_run AND ib.principal_key = ia.principal_key
LEFT JOIN partner_link la ON la.identity_id = ia.identity_id
LEFT JOIN partner_link lb ON lb.identity_id = ib.identity_id
JOIN change_cause cc ON cc.scope = 'identity' AND cc.code <> 'IDENTITY_NEWLY_COLLECTED'
WHERE CASE cc.code
      WHEN 'IDENTITY_NOT_COLLECTED' THEN ib.identity_id IS NULL
      WHEN 'IDENTITY_SIGNIN_FAILING' THEN ia.status <> 'failed' AND ib.status = 'failed'
      WHEN 'IDENTITY_SIGNIN_WORKING' THEN ia.status = 'failed' AND ib.status = 'ok'
      -- a link is compared only where both runs read it
      WHEN 'LINK_REMOVED' THEN coalesce(ia.failed_read, '') NOT IN ('sign-in', 'link')
			       AND coalesce(ib.failed_read, '') NOT IN ('sign-in', 'link')
			       AND ia.link_level >= 2 AND ib.link_level = 1
      WHEN 'LINK_ADDED' THEN coalesce(ia.failed_read, '') NOT IN ('sign-in', 'link')
			       AND coalesce(ib.failed_read, '') NOT IN ('sign-in', 'link')
			     AND ia.link_level = 1 AND ib.link_level >= 2
      WHEN 'LINK_CHANGED' THEN coalesce(ia.failed_read, '') NOT IN ('sign-in', 'link')
			       AND coalesce(ib.failed_read, '') NOT IN ('sign-in', 'link')
			       AND ia.link_level >= 2 AND ib.link_level >= 2
			       AND coalesce(la.partner_id, '') <> coalesce(lb.partner_id, '')
      ELSE 0 END
UNION ALL
SELECT dp.from_run, dp.to_run, ib.principal_key, ib.tenant_id, ib.identity_name, cc.ord, cc.code,
       '''' || ib.identity_name || ''' (tenant ' || ib.tenant_id || ') was not collected in run ' ||
       dp.from_run || ' (' || ra.period || ', ' || substr(ra.started_at, 1, 10) || ') and is in run ' ||
       dp.to_run || ' (' || rb.period || ', ' || substr(rb.started_at, 1, 10) || ')'
FROM diff_pair dp
JOIN run ra ON ra.run_id = dp.from_run
JOIN run rb ON rb.run_id = dp.to_run
JOIN identity_snapshot ib ON ib.run_id = dp.to_run
JOIN change_cause cc ON cc.code = 'IDENTITY_NEWLY_COLLECTED'
WHERE NOT EXISTS (SELECT 1 FROM identity_snapshot ia
		  WHERE ia.run_id = dp.from_run AND ia.principal_key = ib.principal_key);
