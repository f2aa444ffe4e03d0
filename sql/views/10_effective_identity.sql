-- Effective identities of each period. Runs combine by identity, not by tenant: per principal
-- (principal_key: the tenant signed in to + the principal's object id) the newest run of the
-- period in which all of that identity's reads completed (identity.reads_done) is in effect, so
-- a later collection or import replaces older runs principal by principal, and two people's runs
-- both count for a tenant they share. A run that was interrupted or killed contributes only the
-- identities it finished; the others come from the period's earlier complete run, and only where
-- there is none does the unfinished identity count, with what it did not read reported UNKNOWN
-- (interrupted = 1; views/55_identity_status.sql, 40_pair_eval.sql).
-- A sign-in that failed has no object id: it is the principal that the same accounts line (tenant,
-- kind, client id or label) signed in as before, so a failed sign-in replaces that principal's
-- earlier run (the failure is the newest answer).
-- Only runs in effect count (views/05_run_in_effect.sql: summaries built; `--run ID` narrows it
-- to the runs of ID's period up to ID).
-- ord orders the period's identities the same way whichever runs they come from (accounts line,
-- then principal): the tie-breaks of the views use it, so combining runs never changes which
-- identity an explanation names. identity_name is what explanations call the identity.
CREATE VIEW effective_identity AS
SELECT e.period, e.period_start, e.period_end, e.run_id, e.run_status, e.identity_id,
       e.tenant_id, e.client_id, e.label, e.object_id, e.auth_kind, e.status, e.error,
       e.identity_name, e.principal_key, e.reads_done, e.reads_done = 0 AS interrupted,
       -- the sign-in's AADSTS code ("... AADSTS700016: ..."), NULL without one
       CASE WHEN instr(e.error, 'AADSTS') > 0
	    THEN CAST(substr(e.error, instr(e.error, 'AADSTS') + 6) AS INTEGER) END AS aadsts,
       row_number() OVER (PARTITION BY e.period
			  ORDER BY coalesce(e.source_line, 0), e.principal_key) AS ord
FROM (SELECT c.*,
	     row_number() OVER (PARTITION BY c.period, c.principal_key
				ORDER BY c.reads_done DESC, c.run_id DESC, c.identity_id DESC) AS rn
      FROM (SELECT r.period, r.period_start, r.period_end, r.run_id, r.status AS run_status,
		   i.identity_id, i.tenant_id, i.client_id, i.label, i.object_id, i.auth_kind,
		   i.status, i.error, i.reads_done, i.source_line,
		   coalesce(nullif(i.label, ''), i.client_id, i.object_id,
			    'identity ' || i.identity_id) AS identity_name,
		   lower(i.tenant_id) || '/' || lower(coalesce(i.object_id,
			(SELECT j.object_id FROM identity j
			 WHERE j.tenant_id = i.tenant_id AND j.object_id IS NOT NULL
			   AND j.auth_kind = i.auth_kind
			   AND coalesce(j.client_id, j.label, '') = coalesce(i.client_id, i.label, '')
			 ORDER BY j.identity_id DESC LIMIT 1),
			i.auth_kind || ':' || coalesce(i.client_id, i.label, ''))) AS principal_key
	    FROM run_in_effect r JOIN identity i ON i.run_id = r.run_id) c) e
WHERE e.rn = 1;
