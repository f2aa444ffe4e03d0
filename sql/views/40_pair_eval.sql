-- Every (subscription, identity) pair of a period with each check evaluated on its own, in a
-- column named after its reason code (no_link, ...); codes lists the failing ones in the order of
-- reason_code (views/12_reason_code.sql), blocking is the ord of the first failing blocking code
-- (the pass ord, one past every code, when none fails), and for passing pairs attributed is the
-- attributed cost: cost on days from the start of eligible access, limited to the covered
-- resource groups when access is below subscription scope (union over the pair's eligible
-- grants; a role on a single resource counts that resource's own cost where the cost by
-- ResourceId was read, views/24_pair_resource_cost.sql, else its resource group's). The code -> check mapping is spelt by name twice below (the CASE of codes, the lookups
-- of blocking; a new check goes in both); the numbers live only in reason_code.
-- PIM (views/22_pair_pim.sql): role assignments that are PIM activations are not permanent access;
-- an identity whose access is only PIM-eligible, never active in the period, is PIM_ELIGIBLE_ONLY;
-- one active only part of the period passes with PIM_PARTIAL and is attributed that share of the
-- cost (active hours / hours in the period); PIM_UNREADABLE when a PIM list was denied.
-- The policy switches (views/11_policy_switch.sql) are read here by uncorrelated lookups: ea decides
-- between EA_DPOR_EXPECTED and EA_SUBSCRIPTION, sovereign_cloud whether CLOUD_NOT_ELIGIBLE is
-- evaluated, marketplace_lighthouse the kind of MARKETPLACE_OFFER (in reason_code); the role
-- switches act in pair_access.
CREATE VIEW pair_eval AS
SELECT z.*,
       CASE WHEN z.blocking < (SELECT max(ord) + 1 FROM reason_code) THEN NULL
	    WHEN z.pim_only THEN
		    z.total * min(1.0, z.pim_active_hours / z.pim_period_hours)
	    WHEN z.whole_start_jd IS NOT NULL AND z.whole_start_jd < julianday(z.period_start) + 1
		 THEN z.total
	    -- per cost resource group: access counts from the earlier of the pair's
	    -- subscription-scope start and that resource group's start; a group whose access
	    -- starts on or before the first day counts whole (its summary), one whose access
	    -- starts inside the period counts from that day (its daily rows)
	    ELSE (SELECT total(CASE WHEN e.start <= z.period_start THEN e.cost
				    WHEN e.start <= z.period_end THEN
					    (SELECT total(cd.cost) FROM cost_daily cd
					     WHERE cd.identity_id = z.cost_identity_id
					       AND cd.subscription_id = z.subscription_id
					       AND cd.currency = z.currency
					       AND cd.resource_group = e.resource_group
					       AND cd.usage_date BETWEEN e.start AND z.period_end)
				    ELSE 0 END)
		  FROM (SELECT cm.resource_group, cm.cost,
			       min(CASE WHEN z.whole_start_jd IS NULL THEN '9999-12-31'
					WHEN z.whole_start_jd = 0 THEN '0000-01-01'
					ELSE date(z.whole_start_jd) END,
				   coalesce(rs.start_date, '9999-12-31')) AS start
			FROM cost_summary cm
			LEFT JOIN pair_rg_summary rs ON rs.identity_id = z.identity_id
			     AND rs.subscription_id = z.subscription_id
			     AND rs.resource_group = cm.resource_group
			WHERE cm.identity_id = z.cost_identity_id
			  AND cm.subscription_id = z.subscription_id
			  AND cm.currency = z.currency) e) +
		 -- single resources (views/24_pair_resource_cost.sql): their own cost from the day
		 -- their access starts, before the subscription-scope access starts
		 (SELECT total(x.cost) FROM pair_resource_cost x
		  WHERE x.identity_id = z.identity_id AND x.subscription_id = z.subscription_id
		    AND x.currency = z.currency AND x.usage_date >= x.start_date
		    AND (z.whole_start_jd IS NULL OR x.usage_date < date(z.whole_start_jd)))
       END AS attributed
FROM (
-- blocking: the least ord among the failing checks whose code is blocking (a warning's lookup
-- finds no row), the pass ord when none fails. Each lookup is an uncorrelated subquery,
-- computed once per statement: reading blocking costs no scan of reason_code per pair.
SELECT y.*,
       coalesce(nullif(min(			    coalesce(CASE WHEN y.collection_failed THEN (SELECT ord FROM reason_code
								 WHERE code = 'COLLECTION_FAILED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.cloud_not_eligible THEN (SELECT ord FROM reason_code
								 WHERE code = 'CLOUD_NOT_ELIGIBLE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.principal_deleted THEN (SELECT ord FROM reason_code
								 WHERE code = 'PRINCIPAL_DELETED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.principal_disabled THEN (SELECT ord FROM reason_code
								 WHERE code = 'PRINCIPAL_DISABLED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.subscription_not_active THEN (SELECT ord FROM reason_code
								 WHERE code = 'SUBSCRIPTION_NOT_ACTIVE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.no_link THEN (SELECT ord FROM reason_code
								 WHERE code = 'NO_LINK'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.link_wrong_partner_id THEN (SELECT ord FROM reason_code
								 WHERE code = 'LINK_WRONG_PARTNER_ID'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.no_rbac THEN (SELECT ord FROM reason_code
								 WHERE code = 'NO_RBAC'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.pim_eligible_only THEN (SELECT ord FROM reason_code
								 WHERE code = 'PIM_ELIGIBLE_ONLY'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.role_not_eligible THEN (SELECT ord FROM reason_code
								 WHERE code = 'ROLE_NOT_ELIGIBLE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.assignment_too_recent THEN (SELECT ord FROM reason_code
								 WHERE code = 'ASSIGNMENT_TOO_RECENT'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.marketplace_offer THEN (SELECT ord FROM reason_code
								 WHERE code = 'MARKETPLACE_OFFER'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.ea_dpor_expected THEN (SELECT ord FROM reason_code
								 WHERE code = 'EA_DPOR_EXPECTED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.offer_excluded THEN (SELECT ord FROM reason_code
								 WHERE code = 'OFFER_EXCLUDED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.usage_unreadable THEN (SELECT ord FROM reason_code
								 WHERE code = 'USAGE_UNREADABLE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.no_usage THEN (SELECT ord FROM reason_code
								 WHERE code = 'NO_USAGE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.scope_excludes_usage THEN (SELECT ord FROM reason_code
								 WHERE code = 'SCOPE_EXCLUDES_USAGE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.role_eligibility_unknown THEN (SELECT ord FROM reason_code
								 WHERE code = 'ROLE_ELIGIBILITY_UNKNOWN'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.csp_subscription THEN (SELECT ord FROM reason_code
								 WHERE code = 'CSP_SUBSCRIPTION'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.pim_partial THEN (SELECT ord FROM reason_code
								 WHERE code = 'PIM_PARTIAL'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.pim_unreadable THEN (SELECT ord FROM reason_code
								 WHERE code = 'PIM_UNREADABLE'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.group_membership_unverified THEN (SELECT ord FROM reason_code
								 WHERE code = 'GROUP_MEMBERSHIP_UNVERIFIED'
								   AND kind = 'blocking') END, 1e9),
			    coalesce(CASE WHEN y.ea_subscription THEN (SELECT ord FROM reason_code
								 WHERE code = 'EA_SUBSCRIPTION'
								   AND kind = 'blocking') END, 1e9)), 1e9),
		(SELECT max(ord) + 1 FROM reason_code)) AS blocking
FROM (
SELECT q.*,
       coalesce((SELECT group_concat(k.code, ';')
		 FROM (SELECT rc.code FROM reason_code rc
		       WHERE CASE rc.code
			     WHEN 'COLLECTION_FAILED' THEN q.collection_failed
			     WHEN 'CLOUD_NOT_ELIGIBLE' THEN q.cloud_not_eligible
			     WHEN 'PRINCIPAL_DELETED' THEN q.principal_deleted
			     WHEN 'PRINCIPAL_DISABLED' THEN q.principal_disabled
			     WHEN 'SUBSCRIPTION_NOT_ACTIVE' THEN q.subscription_not_active
			     WHEN 'NO_LINK' THEN q.no_link
			     WHEN 'LINK_WRONG_PARTNER_ID' THEN q.link_wrong_partner_id
			     WHEN 'NO_RBAC' THEN q.no_rbac
			     WHEN 'PIM_ELIGIBLE_ONLY' THEN q.pim_eligible_only
			     WHEN 'ROLE_NOT_ELIGIBLE' THEN q.role_not_eligible
			     WHEN 'ASSIGNMENT_TOO_RECENT' THEN q.assignment_too_recent
			     WHEN 'MARKETPLACE_OFFER' THEN q.marketplace_offer
			     WHEN 'EA_DPOR_EXPECTED' THEN q.ea_dpor_expected
			     WHEN 'OFFER_EXCLUDED' THEN q.offer_excluded
			     WHEN 'USAGE_UNREADABLE' THEN q.usage_unreadable
			     WHEN 'NO_USAGE' THEN q.no_usage
			     WHEN 'SCOPE_EXCLUDES_USAGE' THEN q.scope_excludes_usage
			     WHEN 'ROLE_ELIGIBILITY_UNKNOWN' THEN q.role_eligibility_unknown
			     WHEN 'CSP_SUBSCRIPTION' THEN q.csp_subscription
			     WHEN 'PIM_PARTIAL' THEN q.pim_partial
			     WHEN 'PIM_UNREADABLE' THEN q.pim_unreadable
			     WHEN 'GROUP_MEMBERSHIP_UNVERIFIED' THEN q.group_membership_unverified
			     WHEN 'EA_SUBSCRIPTION' THEN q.ea_subscription
			     END
		       ORDER BY rc.ord) k), '') AS codes
FROM (
	SELECT p.*,
	       (p.identity_status = 'failed' AND coalesce(p.aadsts, 0) NOT IN
			(700016, 50034, 7000112, 50057)) OR p.not_read IS NOT NULL OR NOT p.link_read OR
		       p.failure IS NOT NULL AS collection_failed,
	       -- the sign-in answered that the principal is gone: deleted (application not in the
	       -- tenant 700016, user 50034) or disabled (application 7000112, user 50057)
	       p.identity_status = 'failed' AND p.aadsts IN (700016, 50034) AS principal_deleted,
	       p.identity_status = 'failed' AND p.aadsts IN (7000112, 50057) AS principal_disabled,
	       lower(p.cloud) IN ('usgov', 'china') AND
		       (SELECT value FROM policy_switch WHERE key = 'sovereign_cloud') = 'blocking'
		       AS cloud_not_eligible,
	       lower(coalesce(p.state, '')) IN ('disabled', 'deleted') AS subscription_not_active,
	       p.link_read AND NOT p.link_active AS no_link,
	       p.link_active AND p.expected_partner_ids IS NOT NULL AND NOT p.partner_id_ok AS link_wrong_partner_id,
	       p.n_access = 0 AND p.pim_n_eligible = 0 AND p.pim_active_hours = 0 AS no_rbac,
	       -- PIM: no permanent eligible access, PIM eligibility (or an activation) but no
	       -- active time in the period
	       p.n_eligible = p.n_pim_activated AND (p.pim_n_eligible > 0 OR p.n_pim_activated > 0)
		       AND p.pim_active_hours = 0 AS pim_eligible_only,
	       p.n_access > 0 AND p.n_eligible = 0 AND p.pim_active_hours = 0 AS role_not_eligible,
	       p.n_eligible > 0 AND p.start_jd > julianday(p.period_end || ' 23:59:59') AS assignment_too_recent,
	       p.n_eligible > 0 AND p.n_eligible_marketplace = p.n_eligible AS marketplace_offer,
	       EXISTS (SELECT 1 FROM offer_rule o WHERE o.code = 'EA_DPOR_EXPECTED'
		       AND substr(p.quota_id, 1, length(o.prefix)) = o.prefix) AND
		       (SELECT value FROM policy_switch WHERE key = 'ea') = 'dpor' AS ea_dpor_expected,
	       EXISTS (SELECT 1 FROM offer_rule o WHERE o.code = 'OFFER_EXCLUDED'
		       AND substr(p.quota_id, 1, length(o.prefix)) = o.prefix) AS offer_excluded,
	       coalesce(p.cost_status, 'unreadable') NOT IN ('ok', 'no_cost') AS usage_unreadable,
	       coalesce(p.cost_status, 'unreadable') IN ('ok', 'no_cost') AND
		       round(p.total, 2) = 0 AS no_usage,
	       CASE WHEN coalesce(p.cost_status, 'unreadable') IN ('ok', 'no_cost') AND
		       round(p.total, 2) <> 0 AND p.n_eligible > 0 AND p.n_eligible_whole = 0 THEN
		       round((SELECT total(cm.cost) FROM cost_summary cm
			      JOIN pair_rg_summary rs ON rs.identity_id = p.identity_id
				   AND rs.subscription_id = p.subscription_id
				   AND rs.resource_group = cm.resource_group
			      WHERE cm.identity_id = p.cost_identity_id
				AND cm.subscription_id = p.subscription_id
				AND cm.currency = p.currency) +
			     (SELECT total(x.cost) FROM pair_resource_cost x
			      WHERE x.identity_id = p.identity_id
				AND x.subscription_id = p.subscription_id
				AND x.currency = p.currency), 2) = 0
	       ELSE 0 END AS scope_excludes_usage,
	       p.n_eligible > 0 AND p.n_eligible_known = 0 AS role_eligibility_unknown,
	       EXISTS (SELECT 1 FROM offer_rule o WHERE o.code = 'CSP_SUBSCRIPTION'
		       AND substr(p.quota_id, 1, length(o.prefix)) = o.prefix) AS csp_subscription,
	       p.pim_only AND p.pim_active_hours < p.pim_period_hours - 0.01 AS pim_partial,
	       p.pim_unread_why IS NOT NULL AS pim_unreadable,
	       -- eligible access that rests on a Lighthouse group membership Graph did not verify
	       p.n_group_unverified > 0 AS group_membership_unverified,
	       EXISTS (SELECT 1 FROM offer_rule o WHERE o.code = 'EA_DPOR_EXPECTED'
		       AND substr(p.quota_id, 1, length(o.prefix)) = o.prefix) AND
		       (SELECT value FROM policy_switch WHERE key = 'ea') = 'pal' AS ea_subscription
	FROM (SELECT p0.*,
		     -- access only through PIM activations that were active in the period
		     p0.n_eligible = p0.n_pim_activated AND p0.pim_active_hours > 0 AS pim_only
	FROM (
		SELECT ei.period, ei.period_start, ei.period_end, ei.run_id, ei.identity_id,
		       ei.ord AS identity_ord, ei.interrupted,
		       ei.identity_name, ei.client_id, ei.object_id,
		       ei.tenant_id AS identity_tenant_id, ei.status AS identity_status,
		       ei.error AS identity_error, ei.aadsts,
		       s.subscription_id, s.tenant_id, s.display_name AS subscription_name,
		       s.state, s.quota_id,
		       -- the cloud the run was collected against (collect --cloud; import: public)
		       coalesce((SELECT r.cloud FROM run r WHERE r.run_id = ei.run_id), 'public')
			       AS cloud,
		       s.tenant_id <> ei.tenant_id COLLATE NOCASE AS via_lighthouse,
		       l.identity_id IS NOT NULL AS link_read,
		       -- an identity whose run was interrupted before it finished: what it did not
		       -- read for this subscription (NULL: everything, or the identity finished)
		       CASE WHEN NOT ei.interrupted THEN NULL
			    WHEN NOT EXISTS (SELECT 1 FROM identity_read ir
					     WHERE ir.identity_id = ei.identity_id
					       AND ir.kind = 'role_assignments'
					       AND ir.subscription_id = s.subscription_id)
			    THEN 'the role assignments of ''' || ei.identity_name ||
				 ''' on the subscription were read'
			    WHEN EXISTS (SELECT 1 FROM subscription_managed_by m
					 WHERE m.identity_id = s.identity_id
					   AND m.subscription_id = s.subscription_id
					   AND m.managing_tenant_id = ei.tenant_id)
				 AND NOT EXISTS (SELECT 1 FROM identity_read ir
						 WHERE ir.identity_id = ei.identity_id
						   AND ir.kind = 'lighthouse'
						   AND ir.subscription_id = s.subscription_id)
			    THEN 'the Lighthouse delegations of the subscription were read' END
			       AS not_read,
		       coalesce(l.linked = 1 AND lower(coalesce(l.state, '')) <> 'deleted', 0)
			       AS link_active,
		       l.linked, l.partner_id, l.partner_name, l.state AS link_state,
		       l.created_time AS link_created,
		       (SELECT group_concat(partner_id, ';')
			FROM (SELECT rp.partner_id FROM run_partner_id rp
			      WHERE rp.run_id = ei.run_id ORDER BY rp.partner_id)) AS expected_partner_ids,
		       EXISTS (SELECT 1 FROM run_partner_id rp
			       WHERE rp.run_id = ei.run_id AND rp.partner_id = l.partner_id)
			       AS partner_id_ok,
		       (SELECT rf.kind || ': ' ||
			       coalesce('HTTP ' || nullif(rf.http_status, 0) || ' ', '') ||
			       coalesce(rf.error_code || ' ', '') ||
			       coalesce(rf.error_message, rf.transport_error, '')
			FROM request_failure rf
			WHERE rf.run_id = ei.run_id AND rf.identity_id = ei.identity_id
			  AND (rf.kind = 'link'
			       OR (rf.kind = 'role_assignments'
				   AND rf.subscription_id = s.subscription_id)
			       OR (rf.kind = 'lighthouse'
				   AND (rf.subscription_id = s.subscription_id
					OR (rf.subscription_id IS NULL AND EXISTS (
						SELECT 1 FROM subscription_managed_by m
						WHERE m.identity_id = s.identity_id
						  AND m.subscription_id = s.subscription_id
						  AND m.managing_tenant_id = ei.tenant_id)))))
			ORDER BY rf.failure_id LIMIT 1) AS failure,
		       sc.status AS cost_status, sc.identity_id AS cost_identity_id,
		       CASE WHEN sc.identity_id IS NOT NULL THEN coalesce(ct.currency, '') END
			       AS currency,
		       coalesce(ct.cost, 0.0) AS total,
		       CASE WHEN sc.identity_id IS NOT NULL THEN coalesce(ct.n_currencies, 0) END
			       AS n_currencies,
		       sc.http_status AS cost_http_status,
		       sc.error_code AS cost_error_code, sc.error_message AS cost_error_message,
		       ag.roles,
		       coalesce(ag.n_access, 0) AS n_access, coalesce(ag.n_jit, 0) AS n_jit,
		       coalesce(ag.n_eligible, 0) AS n_eligible,
		       coalesce(ag.n_eligible_known, 0) AS n_eligible_known,
		       coalesce(ag.n_eligible_whole, 0) AS n_eligible_whole,
		       coalesce(ag.n_eligible_undefined, 0) AS n_eligible_undefined,
		       coalesce(ag.n_eligible_marketplace, 0) AS n_eligible_marketplace,
		       ag.start_jd, ag.whole_start_jd, ag.covered_rgs,
		       coalesce(ag.n_pim_activated, 0) AS n_pim_activated,
		       coalesce(ag.n_group_unverified, 0) AS n_group_unverified,
		       coalesce(pp.n_eligible, 0) AS pim_n_eligible, pp.eligible_roles AS pim_roles,
		       coalesce(pp.active_hours, 0.0) AS pim_active_hours,
		       pp.period_hours AS pim_period_hours, pp.unreadable AS pim_unread_why
		FROM effective_identity ei
		JOIN subscription s ON s.identity_id = ei.identity_id
		LEFT JOIN partner_link l ON l.identity_id = ei.identity_id
		-- the subscription's cost, read once per period: several identities may have queried
		-- it; the one whose query succeeded (lowest identity_id) is used, else one that got
		-- no cost, 'unreadable' only when none succeeded (joins on base tables keep the
		-- planner on their primary keys)
		LEFT JOIN (SELECT ec.period, c.subscription_id,
				  -- status rank, then identity: min() of rank * 10^12 + identity_id
				  min(CASE c.status WHEN 'ok' THEN 0 WHEN 'no_cost' THEN 1 ELSE 2 END *
				      1000000000000 + c.identity_id) % 1000000000000 AS identity_id
			   FROM effective_identity ec
			   JOIN cost_status c ON c.identity_id = ec.identity_id
			   GROUP BY ec.period, c.subscription_id) cb
			ON cb.period = ei.period AND cb.subscription_id = s.subscription_id
		LEFT JOIN cost_status sc ON sc.identity_id = cb.identity_id
			AND sc.subscription_id = s.subscription_id
		-- its cost in its main currency (cost_total_summary: migrations/0006_run_summary.sql)
		LEFT JOIN cost_total_summary ct ON sc.status = 'ok' AND ct.identity_id = sc.identity_id
			AND ct.subscription_id = sc.subscription_id
		-- per pair: counts, starts, roles and eligible resource groups, summarized from
		-- pair_access when the run ended (migrations/0006_run_summary.sql)
		LEFT JOIN pair_summary ag
			ON ag.identity_id = ei.identity_id AND ag.subscription_id = s.subscription_id
		-- PIM per pair (views/22_pair_pim.sql, summarized with the run)
		LEFT JOIN pair_pim_summary pp
			ON pp.identity_id = ei.identity_id AND pp.subscription_id = s.subscription_id
	) p0) p
) q
) y
) z;
