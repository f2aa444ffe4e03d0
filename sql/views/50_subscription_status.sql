-- One row per subscription and period: the pair (identity) that got furthest down the checks
-- decides status, reason_code and reasons; ATTRIBUTED when any pair passes them all. usage is the
-- subscription's cost in the period (NULL when unreadable); attributed is the largest attributed
-- cost of its passing pairs (max, not union, so it never counts a day twice). This is the
-- subscriptions report.
CREATE VIEW subscription_status AS
SELECT x.period, x.tenant_id, coalesce(x.tenant_name, x.tenant_id) AS customer_name,
       x.subscription_id, coalesce(x.subscription_name, '') AS subscription_name,
       coalesce(x.quota_id, '') AS offer, coalesce(x.state, '') AS state,
       coalesce(rc.status, 'ATTRIBUTED') AS status,
       coalesce(rc.code, '') AS reason_code,
       x.codes AS reasons,
       CASE WHEN x.link_active THEN coalesce(x.partner_id, '') ELSE '' END AS partner_id,
       x.principals, coalesce(x.roles, '') AS roles,
       CASE WHEN x.cost_status IN ('ok', 'no_cost') THEN x.total END AS usage,
       coalesce(x.currency, '') AS currency,
       CASE rc.code
       WHEN 'COLLECTION_FAILED' THEN
	       CASE WHEN x.identity_status = 'failed' THEN x.signin_story
		    WHEN x.interrupted AND NOT x.link_read THEN
			    'The collection was interrupted before the partner link of ' || x.who ||
			    ' in tenant ' || x.identity_tenant_id || ' was read, and no earlier ' ||
			    'complete run of ' || x.period || ' has this identity; run palscope collect again'
		    WHEN x.not_read IS NOT NULL AND x.failure IS NULL THEN
			    'The collection was interrupted before ' || x.not_read || ', and no ' ||
			    'earlier complete run of ' || x.period || ' has this identity; run palscope ' ||
			    'collect again'
		    WHEN NOT x.link_read THEN
			    'The partner link of ' || x.who || ' in tenant ' || x.identity_tenant_id ||
			    ' could not be read (' || coalesce(x.failure, 'no response recorded') ||
			    '); run palscope collect again'
		    ELSE 'A required read for ' || x.who || ' in tenant ' || x.identity_tenant_id ||
			    ' failed (' || x.failure ||
			    '); check its access and run palscope collect again' END
       WHEN 'PRINCIPAL_DELETED' THEN x.signin_story
       WHEN 'PRINCIPAL_DISABLED' THEN x.signin_story
       WHEN 'CLOUD_NOT_ELIGIBLE' THEN
	       'The subscription was collected in ' ||
	       CASE lower(x.cloud) WHEN 'usgov' THEN 'Azure Government' ELSE 'Azure China' END ||
	       ' (collect --cloud ' || lower(x.cloud) || '), where PAL is not available per ' ||
	       'Microsoft''s partner material and the partner terms; nothing to fix (policy ' ||
	       'sovereign_cloud=blocking; `palscope rules set sovereign_cloud ignore` evaluates it ' ||
	       'like the public cloud)'
       WHEN 'SUBSCRIPTION_NOT_ACTIVE' THEN
	       'The subscription is ' || x.state || ' and only active subscriptions count; ' ||
	       're-enable it if it should earn attribution'
       WHEN 'NO_LINK' THEN
	       x.who || CASE WHEN x.n_access > 0 THEN ' has ' || x.roles ELSE ' sees the subscription' END ||
	       ' but is not linked to a partner ID in ' || x.where_link ||
	       CASE WHEN x.linked = 1 THEN ' (its link was deleted)' ELSE '' END ||
	       '; signed in as ' || x.who || ' in tenant ' || x.identity_tenant_id ||
	       ', run `az managementpartner create --partner-id ' || x.pid || '`' ||
	       ' (the az managementpartner extension: az extension add --name managementpartner),' ||
	       ' or for every identity at once `palscope link apply --partner-id ' || x.pid ||
	       ' --only-missing-from <this report>`' ||
	       CASE WHEN x.via_lighthouse THEN '; for Lighthouse the link must be in the managing tenant ' ||
			    x.identity_tenant_id || ', on an identity named in the delegation''s ' ||
			    'permanent authorizations with an eligible role'
		    ELSE '; a CSP partner signed in through its partner access (GDAP/AOBO) cannot ' ||
			    'create the link: use an identity of the customer tenant' END
       WHEN 'LINK_WRONG_PARTNER_ID' THEN
	       x.who || ' in tenant ' || x.identity_tenant_id || ' is linked to partner ID ' ||
	       coalesce(x.partner_id, '?') || ', not to ' || replace(x.expected_partner_ids, ';', ' or ') ||
	       '; signed in as ' || x.who || ', run `az managementpartner update --partner-id ' ||
	       x.pid || '` (the az managementpartner extension), or `palscope link apply ' ||
	       '--partner-id ' || x.pid || ' --update --only-missing-from <this report>`' ||
	       CASE WHEN x.via_lighthouse THEN '; for Lighthouse the link must be in the managing ' ||
			    'tenant, on an identity named in the delegation''s permanent ' ||
			    'authorizations with an eligible role' ELSE '' END
       WHEN 'NO_RBAC' THEN
	       x.who || ' is linked to partner ID ' || coalesce(x.partner_id, '?') ||
	       ' but holds no role assignment on this subscription' ||
	       CASE WHEN x.n_jit > 0 THEN ', only an eligible (just-in-time) Lighthouse authorization, ' ||
			    'which does not count' ELSE '' END || '; ' ||
	       CASE WHEN x.via_lighthouse THEN
			    'add ' || x.who || ' to the Lighthouse delegation as a permanent authorization ' ||
			    'with an eligible role such as Support Request Contributor'
		    ELSE 'assign ' || x.who || ' an eligible role such as Support Request Contributor ' ||
			    'on the subscription' END
       WHEN 'PIM_ELIGIBLE_ONLY' THEN
	       x.who || ' is linked to partner ID ' || coalesce(x.partner_id, '?') ||
	       ' but is only PIM-eligible for ' || coalesce(x.pim_roles, 'its role') ||
	       ' and was never active in ' || x.period ||
	       CASE WHEN x.n_access > x.n_pim_activated THEN ' (it holds permanently only ' ||
			    x.roles || ')' ELSE '' END ||
	       '; only role assignments active at a time count: activate the role while working ' ||
	       'on the subscription, or assign an eligible role such as Support Request ' ||
	       'Contributor permanently'
       WHEN 'ROLE_NOT_ELIGIBLE' THEN
	       x.who || ' holds only ' || x.roles || ', not eligible for partner earned credit; ' ||
	       'assign an eligible role such as Support Request Contributor (policy read_only_roles=' ||
	       (SELECT value FROM policy_switch WHERE key = 'read_only_roles') || ', custom_roles=' ||
	       (SELECT value FROM policy_switch WHERE key = 'custom_roles') ||
	       ': the official PAL page says association happens for all RBAC roles; ' ||
	       '`palscope rules` shows the alternatives)'
       WHEN 'MARKETPLACE_OFFER' THEN
	       x.who || ' has ' || x.roles || ' only through a Lighthouse delegation from a ' ||
	       'Marketplace managed-service offer, recognised through Marketplace, not PAL (policy ' ||
	       'marketplace_lighthouse=blocking); for PAL, give ' || x.who || ' an eligible role ' ||
	       'through a delegation outside the offer or a direct role assignment'
       WHEN 'ASSIGNMENT_TOO_RECENT' THEN
	       'Eligible access of ' || x.who || ' began ' ||
	       strftime('%Y-%m-%dT%H:%M:%SZ', x.start_jd) || ', after the end of ' || x.period ||
	       ' (the later of the role assignment and the link counts); it counts from the next period'
       WHEN 'EA_DPOR_EXPECTED' THEN
	       'Offer ' || x.quota_id || ' is an Enterprise Agreement subscription, attributed through ' ||
	       'Digital Partner of Record rather than PAL; ask the customer to set you as ' ||
	       'Digital Partner of Record (policy ea=dpor; Microsoft''s partner team says PAL counts ' ||
	       'on EA: `palscope rules set ea pal`)'
       WHEN 'OFFER_EXCLUDED' THEN
	       'Offer ' || x.quota_id || ' (trial, benefit, sponsored or internal) does not count ' ||
	       'for partner attribution; nothing to fix unless the customer moves to a paid offer'
       WHEN 'USAGE_UNREADABLE' THEN
	       CASE WHEN x.cost_status IS NULL AND x.interrupted THEN
			    'The collection was interrupted before the cost of the subscription was ' ||
			    'read, and no earlier complete run of ' || x.period || ' has it; run ' ||
			    'palscope collect again'
	       ELSE
	       'The cost of the subscription could not be read (' ||
	       CASE WHEN x.cost_status IS NULL THEN 'no cost query recorded'
		    ELSE coalesce('HTTP ' || nullif(x.cost_http_status, 0) || ' ', '') ||
			 coalesce(x.cost_error_code || ' ', '') ||
			 coalesce(x.cost_error_message, 'query failed') END ||
	       CASE WHEN x.csp_subscription THEN
			    '); on a CSP subscription the partner (the provider) must enable the cost ' ||
			    'visibility policy for the customer before its cost can be read (a Cost ' ||
			    'Management Reader role does not help there); then run palscope collect again'
		    ELSE '); give ' || x.who || ' Cost Management Reader on the subscription and ' ||
			    'run palscope collect again' END END
       WHEN 'NO_USAGE' THEN
	       x.who || ' is linked to partner ID ' || coalesce(x.partner_id, '?') || ' with ' || x.roles ||
	       ', but the subscription had no cost in ' || x.period ||
	       '; it is attributed once it has usage'
       WHEN 'SCOPE_EXCLUDES_USAGE' THEN
	       x.who || ' holds eligible roles only on ' ||
	       coalesce((SELECT 'resource(s) ' || group_concat(n, ', ') ||
			       coalesce(' and resource group(s) ' ||
					(SELECT group_concat(rs.resource_group, ', ')
					 FROM pair_rg_summary rs
					 WHERE rs.identity_id = x.identity_id
					   AND rs.subscription_id = x.subscription_id), '')
			 FROM (SELECT replace(r.resource_id, rtrim(r.resource_id,
					      replace(r.resource_id, '/', '')), '') || ' in ' ||
				      r.resource_group AS n
			       FROM pair_resource_summary r
			       WHERE r.identity_id = x.identity_id
				 AND r.subscription_id = x.subscription_id ORDER BY n)
			 HAVING count(*) > 0),
			'resource group(s) ' || replace(coalesce(x.covered_rgs, ''), ',', ', ')) ||
	       ', which had no cost in ' ||
	       x.period || ' while the subscription had ' || printf('%.2f', x.total) || ' ' ||
	       x.currency || '; assign the role at subscription scope or on the resource groups ' ||
	       'that carry the usage'
       ELSE
	       'Attributed to partner ID ' || coalesce(x.partner_id, '?') || ' through ' || x.who ||
	       ' (' || coalesce(CASE WHEN x.pim_only THEN 'PIM-activated ' || x.pim_roles END, x.roles, '') ||
	       '): ' || printf('%.2f', coalesce(x.sub_attributed, 0)) || ' of ' ||
	       printf('%.2f', x.total) || ' ' || x.currency || ' in ' || x.period || ' counted' ||
	       CASE WHEN round(coalesce(x.sub_attributed, 0), 2) < round(x.total, 2) THEN
			    ' (only days and resource groups with eligible access' ||
			    coalesce('; single resources: ' ||
				     (SELECT group_concat(n || ' ' || printf('%.2f', c), ', ')
				      FROM (SELECT rc.resource_name AS n, total(rc.cost) AS c
					    FROM pair_resource_cost rc
					    WHERE rc.identity_id = x.identity_id
					      AND rc.subscription_id = x.subscription_id
					      AND rc.currency = x.currency
					      AND rc.usage_date >= rc.start_date
					    GROUP BY rc.grant_resource_id ORDER BY n)), '') || ')'
		    ELSE '' END
       END ||
       CASE WHEN x.role_eligibility_unknown OR x.csp_subscription OR x.n_currencies > 1 OR
		 x.pim_partial OR x.pim_unreadable OR x.group_membership_unverified OR
		 x.ea_subscription OR x.marketplace_warning THEN
		    ' (note: ' ||
		    rtrim(CASE WHEN x.role_eligibility_unknown AND x.n_eligible_undefined > 0 THEN
				    'a role whose definition could not be read is counted as eligible; '
			       WHEN x.role_eligibility_unknown THEN 'a custom or unlisted role is counted as eligible ' ||
				    'because it has write actions; ' ELSE '' END ||
			  CASE WHEN x.csp_subscription THEN 'CSP offer: if you are its CSP partner, Partner Center ' ||
				    'shows this usage as CSP, not PAL; ' ELSE '' END ||
			  CASE WHEN x.ea_subscription THEN 'PAL counts on EA per Microsoft''s partner ' ||
				    'team (2026); the Learn page still describes DPOR for EA; reconcile ' ||
				    'against your Partner Center download; ' ELSE '' END ||
			  CASE WHEN x.marketplace_warning THEN 'delegations from a Marketplace ' ||
				    'managed-service offer are recognised through Marketplace, not PAL; '
			       ELSE '' END ||
			  CASE WHEN x.n_currencies > 1 THEN 'costs in other currencies than ' ||
				    x.currency || ' are left out; ' ELSE '' END ||
			  CASE WHEN x.pim_partial THEN 'the PIM role was active ' ||
				    printf('%.1f', x.pim_active_hours) || ' of ' ||
				    printf('%.0f', x.pim_period_hours) || ' hours of the period (' ||
				    printf('%.1f', 100.0 * x.pim_active_hours / x.pim_period_hours) ||
				    '%), only that share of the cost is counted; ' ELSE '' END ||
			  CASE WHEN x.pim_unreadable THEN 'PIM could not be read (' ||
				    x.pim_unread_why || '): evaluated on role assignments alone; '
			       ELSE '' END ||
			  CASE WHEN x.group_membership_unverified THEN 'membership of ' || x.who ||
				    ' in the Lighthouse group(s) named in the delegation is inferred, not ' ||
				    'verified: Microsoft Graph did not answer checkMemberGroups (' ||
				    coalesce(x.group_unverified_why, 'no Graph check recorded') ||
				    '); grant it GroupMember.Read.All (or Directory.Read.All) in the ' ||
				    'managing tenant to verify it; ' ELSE '' END, '; ') || ')'
	    ELSE '' END || '.' AS explanation,
       x.blocking, x.identity_id, x.identity_name, x.identity_tenant_id, x.via_lighthouse,
       x.n_pairs, x.sub_attributed AS attributed, x.cost_status, x.unread,
       -- an interrupted run did not read its cost: how much usage it has is not known
       x.interrupted AND x.cost_status IS NULL AS cost_unread
FROM (
	SELECT w.*,
	       '''' || w.identity_name || '''' AS who,
	       -- a failed sign-in: what it said and the fix, as the customers report says them
	       CASE WHEN w.identity_status = 'failed' THEN
		       (SELECT upper(substr(s.failure, 1, 1)) || substr(s.failure, 2) || '; ' || s.fix
			FROM identity_status s
			WHERE s.period = w.period AND s.identity_id = w.identity_id) END AS signin_story,
	       w.marketplace_offer AND (SELECT value FROM policy_switch
					WHERE key = 'marketplace_lighthouse') = 'warning'
		       AS marketplace_warning,
	       CASE WHEN w.via_lighthouse THEN 'the managing tenant ' ELSE 'tenant ' END ||
		       w.identity_tenant_id AS where_link,
	       CASE WHEN instr(coalesce(w.expected_partner_ids, ''), ';') > 0
		    THEN substr(w.expected_partner_ids, 1, instr(w.expected_partner_ids, ';') - 1)
		    ELSE coalesce(w.expected_partner_ids, '<your partner ID>') END AS pid
	FROM (
		-- only the columns used below: every window sort carries them
		SELECT pe.period, pe.tenant_id, pe.subscription_id, pe.subscription_name, pe.quota_id,
		       pe.state, pe.blocking, pe.codes, pe.identity_id, pe.identity_name,
		       pe.identity_tenant_id, pe.identity_status, pe.identity_error, pe.via_lighthouse,
		       pe.interrupted, pe.not_read,
		       pe.link_read, pe.link_active, pe.linked, pe.partner_id, pe.expected_partner_ids,
		       pe.failure, pe.roles, pe.n_access, pe.n_jit, pe.n_eligible_undefined,
		       pe.start_jd, pe.covered_rgs, pe.role_eligibility_unknown, pe.csp_subscription,
		       pe.cloud, pe.marketplace_offer, pe.ea_subscription,
		       pe.cost_status, pe.cost_http_status, pe.n_pim_activated, pe.pim_roles,
		       pe.group_membership_unverified,
		       CASE WHEN pe.group_membership_unverified THEN
			       (SELECT gc.status || coalesce(', HTTP ' || gc.http_status, '') ||
				       coalesce(' ' || gc.error_code, '')
				FROM group_check gc WHERE gc.identity_id = pe.identity_id
				  AND gc.status <> 'ok' ORDER BY gc.group_id LIMIT 1) END
			       AS group_unverified_why,
		       pe.pim_only, pe.pim_partial, pe.pim_unreadable, pe.pim_unread_why, pe.pim_active_hours, pe.pim_period_hours,
		       pe.cost_error_code, pe.cost_error_message, pe.currency, pe.total, pe.n_currencies,
		       tn.name AS tenant_name,
		       (pe.interrupted AND (pe.collection_failed OR (pe.cost_status IS NULL AND
			       pe.blocking = (SELECT ord FROM reason_code WHERE code = 'USAGE_UNREADABLE'))))
		       OR (pe.collection_failed AND NOT (pe.subscription_not_active OR
			       pe.ea_dpor_expected OR pe.offer_excluded OR pe.no_usage))
			       AS unread,
		       -- a passing pair decides; else one whose run was interrupted before it read
		       -- what it needed, or one whose read failed (after the retries) and that no
		       -- fact of the subscription itself (state, offer, no cost) rules out: what it
		       -- did not read might have passed, so UNKNOWN, never the MISSING of another
		       -- pair; else the pair that got furthest
		       row_number() OVER (PARTITION BY pe.period, pe.subscription_id
					  ORDER BY pe.blocking > (SELECT max(ord) FROM reason_code
								  WHERE kind = 'blocking') DESC,
						   (pe.interrupted AND (pe.collection_failed OR
							(pe.cost_status IS NULL AND pe.blocking = (SELECT ord
							 FROM reason_code WHERE code = 'USAGE_UNREADABLE'))))
						   OR (pe.collection_failed AND NOT
							(pe.subscription_not_active OR pe.ea_dpor_expected OR
							 pe.offer_excluded OR pe.no_usage)) DESC,
						   pe.blocking DESC, pe.identity_ord) AS rn,
		       max(pe.attributed) OVER (PARTITION BY pe.period, pe.subscription_id)
			       AS sub_attributed,
		       group_concat(pe.identity_name, ';') OVER (
			       PARTITION BY pe.period, pe.subscription_id ORDER BY pe.identity_ord
			       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS principals,
		       count(*) OVER (PARTITION BY pe.period, pe.subscription_id) AS n_pairs
		FROM pair_eval pe
		-- joined per pair, not after the rn = 1 filter: there the planner expects few rows
		-- and scans tenant_name once per subscription instead of indexing it
		LEFT JOIN tenant_name tn ON tn.period = pe.period AND tn.tenant_id = pe.tenant_id
	) w
	WHERE w.rn = 1
) x
-- no row for a pair that passes every check: its blocking is the pass ord
LEFT JOIN reason_code rc ON rc.ord = x.blocking;
