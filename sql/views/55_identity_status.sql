-- Each effective identity with the reads the customer rollup needs: which tenant-level read failed
-- (sign-in, partner link, subscription list), its link (link_level 1 = not linked or deleted,
-- 2 = linked to another partner ID, 3 = linked to one of the run's partner IDs) and how many
-- subscriptions it saw. An identity whose run was interrupted before it finished (and that no
-- complete run of the period replaces) fails the reads it did not complete: "the collection was
-- interrupted before ... was read", never "not linked" or "no subscription".
-- A sign-in that answered that the principal is gone gives principal_code (issue 10): deleted
-- (AADSTS700016 application not found in the tenant, 50034 user not found) or disabled (7000112
-- application, 50057 user): the customer is MISSING, not UNKNOWN ("if the identity that was
-- used for PAL is deleted or disabled, the ACR attribution stops", Microsoft Learn). An expired
-- secret (7000222) or a wrong one (7000215) stays COLLECTION_FAILED. fix is what to do; the
-- customers and subscriptions reports both take failure and fix from here.
CREATE VIEW identity_status AS
SELECT z.*,
       CASE WHEN z.status = 'failed' AND z.aadsts IN (700016, 50034) THEN 'PRINCIPAL_DELETED'
	    WHEN z.status = 'failed' AND z.aadsts IN (7000112, 50057) THEN 'PRINCIPAL_DISABLED'
       END AS principal_code,
       CASE WHEN z.status = 'failed' AND z.aadsts IN (700016, 50034, 7000112, 50057) THEN
		    'the identity that held the link is gone (' ||
		    CASE WHEN z.aadsts IN (700016, 50034) THEN 'deleted' ELSE 'disabled' END ||
		    ') and attribution through it stops: link another identity with access (signed ' ||
		    'in as an identity holding an eligible role on the customer''s subscriptions, ' ||
		    '`az managementpartner create --partner-id ' ||
		    coalesce(CASE WHEN instr(z.expected_partner_ids, ';') > 0
				  THEN substr(z.expected_partner_ids, 1,
					      instr(z.expected_partner_ids, ';') - 1)
				  ELSE z.expected_partner_ids END, '<your partner ID>') ||
		    '`) and put it in the accounts file in place of ''' || z.identity_name || '''' ||
		    CASE WHEN z.aadsts IN (7000112, 50057) THEN ', or re-enable ''' ||
			      z.identity_name || '''' ELSE '' END
	    WHEN z.status = 'failed' AND z.aadsts = 7000222 THEN
		    'renew the secret of ''' || z.identity_name || ''' (its client secret has expired: ' ||
		    'add a new one under Certificates & secrets of its app registration), put the new ' ||
		    'value in its secret variable and run palscope collect again'
	    WHEN z.status = 'failed' THEN
		    'fix its credentials in the accounts file and run palscope collect again'
	    ELSE 'fix it and run palscope collect again' END AS fix,
       CASE WHEN z.status = 'failed' OR z.not_signed_in THEN 'sign-in'
	    WHEN NOT z.link_read THEN 'link'
	    WHEN z.subscriptions_failure IS NOT NULL OR z.subscriptions_not_read THEN 'subscriptions'
       END AS failed_read,
       CASE WHEN z.status = 'failed' THEN
		    'sign-in as ''' || z.identity_name || ''' to tenant ' || z.tenant_id || ' failed (' ||
		    coalesce(nullif(z.error, ''), z.token_failure, 'no error recorded') || ')'
	    WHEN z.not_signed_in THEN
		    'the collection was interrupted before ''' || z.identity_name ||
		    ''' signed in to tenant ' || z.tenant_id || ', and no earlier complete run of ' ||
		    z.period || ' has this identity'
	    WHEN NOT z.link_read AND z.interrupted AND z.link_failure IS NULL THEN
		    'the collection was interrupted before the partner link of ''' || z.identity_name ||
		    ''' in tenant ' || z.tenant_id || ' was read, and no earlier complete run of ' ||
		    z.period || ' has this identity'
	    WHEN z.subscriptions_not_read AND z.subscriptions_failure IS NULL THEN
		    'the collection was interrupted before the subscription list of ''' ||
		    z.identity_name || ''' in tenant ' || z.tenant_id || ' was read, and no earlier ' ||
		    'complete run of ' || z.period || ' has this identity'
	    WHEN NOT z.link_read THEN
		    'the partner link of ''' || z.identity_name || ''' in tenant ' || z.tenant_id ||
		    ' could not be read (' || coalesce(z.link_failure, 'no response recorded') || ')'
	    WHEN z.subscriptions_failure IS NOT NULL THEN
		    'the subscription list of ''' || z.identity_name || ''' in tenant ' || z.tenant_id ||
		    ' could not be read (' || z.subscriptions_failure || ')' END AS failure
FROM (
	SELECT ei.*, l.identity_id IS NOT NULL AS link_read, l.linked, l.partner_id,
	       ei.interrupted AND ei.object_id IS NULL AND ei.auth_kind <> 'import'
		       AS not_signed_in,
	       ei.interrupted AND NOT EXISTS (SELECT 1 FROM identity_read ir
					      WHERE ir.identity_id = ei.identity_id
						AND ir.kind = 'subscriptions') AS subscriptions_not_read,
	       l.state AS link_state, l.created_time AS link_created,
	       CASE WHEN l.linked = 1 AND lower(coalesce(l.state, '')) <> 'deleted' THEN
			    CASE WHEN EXISTS (SELECT 1 FROM run_partner_id rp
					      WHERE rp.run_id = ei.run_id AND rp.partner_id = l.partner_id)
				      OR NOT EXISTS (SELECT 1 FROM run_partner_id rp
						     WHERE rp.run_id = ei.run_id) THEN 3 ELSE 2 END
		    ELSE 1 END AS link_level,
	       (SELECT group_concat(partner_id, ';')
		FROM (SELECT rp.partner_id FROM run_partner_id rp
		      WHERE rp.run_id = ei.run_id ORDER BY rp.partner_id)) AS expected_partner_ids,
	       (SELECT count(*) FROM subscription s WHERE s.identity_id = ei.identity_id)
		       AS n_subscriptions,
	       (SELECT coalesce('HTTP ' || nullif(rf.http_status, 0) || ' ', '') ||
		       coalesce(rf.error_code || ' ', '') ||
		       coalesce(rf.error_message, rf.transport_error, '')
		FROM request_failure rf
		WHERE rf.run_id = ei.run_id AND rf.identity_id = ei.identity_id AND rf.kind = 'token'
		ORDER BY rf.failure_id LIMIT 1) AS token_failure,
	       (SELECT coalesce('HTTP ' || nullif(rf.http_status, 0) || ' ', '') ||
		       coalesce(rf.error_code || ' ', '') ||
		       coalesce(rf.error_message, rf.transport_error, '')
		FROM request_failure rf
		WHERE rf.run_id = ei.run_id AND rf.identity_id = ei.identity_id AND rf.kind = 'link'
		ORDER BY rf.failure_id LIMIT 1) AS link_failure,
	       (SELECT coalesce('HTTP ' || nullif(rf.http_status, 0) || ' ', '') ||
		       coalesce(rf.error_code || ' ', '') ||
		       coalesce(rf.error_message, rf.transport_error, '')
		FROM request_failure rf
		WHERE rf.run_id = ei.run_id AND rf.identity_id = ei.identity_id
		  AND rf.kind = 'subscriptions'
		ORDER BY rf.failure_id LIMIT 1) AS subscriptions_failure
	FROM effective_identity ei
	LEFT JOIN partner_link l ON l.identity_id = ei.identity_id
) z;
