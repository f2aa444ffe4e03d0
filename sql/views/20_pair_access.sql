-- Every access grant an identity holds on a subscription it saw: role assignments (direct,
-- through groups, inherited from management groups or the root, or inside the subscription) and
-- Azure Lighthouse authorizations naming the identity itself on subscriptions delegated to its
-- tenant. jit = 1 marks eligible (just-in-time) Lighthouse authorizations, which never count.
--
-- Lighthouse authorizations may name a group, and ARM does not say who is in it. When the
-- identity sees a delegated subscription (which takes a permanent authorization) but is named
-- in none of that delegation's authorizations, it must hold one through a group: the
-- delegation's permanent authorizations for other principals are then taken as the identity's
-- (source 'lighthouse_group', principal_type 'Group (inferred)'), and the scope says so. An
-- identity named only as eligible (JIT) gets nothing inferred: an activated JIT role would
-- explain its access just as well.
-- Membership verified with Microsoft Graph (group_check, checkMemberGroups for exactly these ids)
-- replaces the inference (issue 10 section 4): a verified member holds the group's
-- authorizations (source 'lighthouse_member', principal_type 'Group'), a verified non-member
-- does not, and the delegation's other authorizations are inferred only when Graph verified none
-- and could not say for them (403, no Graph token): then GROUP_MEMBERSHIP_UNVERIFIED
-- (views/40_pair_eval.sql). Role assignments through groups need no check: ARM's
-- assignedTo('{oid}') filter is transitive over group membership.
--
-- resource_group is NULL when the grant covers the whole subscription; a resource-scope grant is
-- counted as its resource group (cost is known per resource group only).
-- Eligibility: the role_eligibility table by GUID; otherwise (custom or unlisted) eligible when
-- any action or dataAction is not a read ('*' and 'Microsoft.Support/*' are writes); a role whose
-- definition could not be read is counted eligible. eligibility_known = 0 for the last two.
-- A role assignment whose principalType is Unknown (the portal's "Identity not found": a deleted
-- user, group or service principal whose assignments were not removed) says so in scope_desc.
-- The policy may widen or narrow that (views/11_policy_option.sql): read_only_roles = 'count' counts
-- the roles the table marks not eligible and read-only custom roles; custom_roles = 'count'
-- counts every role the table does not list, 'not_eligible' none of them.
-- marketplace = 1 for a grant from a delegation of a Marketplace managed-service offer (its
-- registration definition has a plan).
-- row_order: the order the grants were stored in (role assignments, then Lighthouse
-- authorizations, each as collected), which orders pair_summary.covered_rgs.
-- start_jd: julianday of max(assignment createdOn or delegation createdAt, link createdTime);
-- 0 when neither is known. A role assignment that is a PIM activation (an 'Activated'
-- roleAssignmentScheduleInstance of the same role and scope: pim_activated = 1) starts when its
-- eligibility started, not when it was activated (views/22_pair_pim.sql counts its active time).
CREATE VIEW pair_access AS
WITH la AS (
	SELECT x.*,
	       CASE WHEN x.p > 0 THEN substr(x.rest, 1, instr(x.rest || '/', '/') - 1) END AS rg
	FROM (SELECT y.*, y.rowid AS row_id, instr(lower(y.assignment_id), '/resourcegroups/') AS p,
		     substr(y.assignment_id, instr(lower(y.assignment_id), '/resourcegroups/') + 16)
			     AS rest
	      FROM lighthouse_assignment y) x
)
SELECT g.run_id, g.identity_id, g.subscription_id, g.source, g.assignment_id, g.role_guid,
       coalesce(nullif(g.def_name, ''), g.table_name, g.role_guid) AS role_name,
       g.scope, g.scope_level, g.resource_group, g.principal_type, g.created, g.jit,
       g.basis, g.pim_activated,
       -- the policy (views/11_policy_switch.sql): read_only_roles, custom_roles, as uncorrelated
       -- lookups (evaluated once per statement; joined, the planner read policy_switch again
       -- for every grant: 1.4 s of CPU for the 460,000 grants of the report bench database)
       -- g.listed, not g.basis = 'listed': each use of g.basis evaluates its CASE (and for a
       -- role the table does not list, its role_permission lookups) again
       CASE WHEN g.listed THEN g.table_eligible = 1 OR
		       (SELECT value FROM policy_switch WHERE key = 'read_only_roles') = 'count'
	       WHEN g.basis = 'read_only' THEN
		       (SELECT value FROM policy_switch WHERE key = 'custom_roles') = 'count' OR
		       ((SELECT value FROM policy_switch WHERE key = 'custom_roles') = 'write_actions'
			AND (SELECT value FROM policy_switch WHERE key = 'read_only_roles') = 'count')
	       ELSE (SELECT value FROM policy_switch WHERE key = 'custom_roles') <> 'not_eligible'
       END AS eligible,
       g.listed AS eligibility_known,
       CASE g.scope_level
	       WHEN 'root' THEN 'root'
	       WHEN 'management_group' THEN
		       'management group ' || replace(g.scope, rtrim(g.scope, replace(g.scope, '/', '')), '')
	       WHEN 'subscription' THEN 'subscription'
	       WHEN 'resource_group' THEN 'resource group ' || g.resource_group
	       ELSE 'resource ' || replace(g.scope, rtrim(g.scope, replace(g.scope, '/', '')), '') ||
		       ' in ' || g.resource_group
       END || CASE g.source
		      WHEN 'lighthouse' THEN ' via Lighthouse'
		      WHEN 'lighthouse_group' THEN ' via Lighthouse through ''' ||
			      coalesce(g.via_principal, '?') || ''' (membership inferred)'
		      WHEN 'lighthouse_member' THEN ' via Lighthouse through ''' ||
			      coalesce(g.via_principal, '?') || ''' (member, verified)'
		      ELSE '' END ||
       CASE WHEN g.principal_type = 'Unknown' COLLATE NOCASE
	    THEN ' (principal Unknown: identity not found, a deleted identity still holding the role)'
	    ELSE '' END AS scope_desc,
       max(coalesce(julianday(g.created), 0), coalesce(julianday(g.link_created), 0)) AS start_jd,
       g.plan_name IS NOT NULL AS marketplace, g.row_order
FROM (
	SELECT a.*, e.role_name AS table_name, e.eligible AS table_eligible,
	       d.role_name AS def_name, l.created_time AS link_created,
	       e.role_guid IS NOT NULL AS listed,	-- basis = 'listed'
	       CASE
		       WHEN e.role_guid IS NOT NULL THEN 'listed'
		       WHEN EXISTS (SELECT 1 FROM role_permission p
				    WHERE p.run_id = a.run_id AND p.role_guid = a.role_guid
				      AND p.kind IN ('action', 'dataAction')
				      AND p.pattern NOT LIKE '%/read') THEN 'write_actions'
		       WHEN d.role_guid IS NULL AND NOT EXISTS (
			       SELECT 1 FROM role_permission p
			       WHERE p.run_id = a.run_id AND p.role_guid = a.role_guid)
			       THEN 'definition_unavailable'
		       ELSE 'read_only'
	       END AS basis
	FROM (
		SELECT ra.run_id, ra.identity_id, ra.subscription_id, 'rbac' AS source,
		       ra.assignment_id, ra.role_guid, ra.scope, ra.scope_level,
		       CASE WHEN ra.scope_level IN ('resource_group', 'resource')
			    THEN coalesce(ra.resource_group, '') END AS resource_group,
		       ra.principal_type,
		       CASE WHEN pa.role_guid IS NULL THEN ra.created_on
			    ELSE coalesce((SELECT min(e.start_time) FROM pim_schedule e
					   WHERE e.identity_id = ra.identity_id
					     AND e.subscription_id = ra.subscription_id
					     AND e.kind = 'eligible'
					     AND (e.eligibility_id = pa.eligibility_id
						  OR (e.role_guid = ra.role_guid AND e.scope = ra.scope))),
					  ra.created_on) END AS created,
		       0 AS jit, NULL AS via_principal, pa.role_guid IS NOT NULL AS pim_activated,
		       NULL AS plan_name, ra.rowid AS row_order
		FROM role_assignment ra
		LEFT JOIN pim_schedule pa ON pa.identity_id = ra.identity_id
			AND pa.subscription_id = ra.subscription_id AND pa.kind = 'active'
			AND pa.assignment_type = 'Activated' AND pa.role_guid = ra.role_guid
			AND pa.scope = ra.scope
			AND pa.item_id = (SELECT min(x.item_id) FROM pim_schedule x
					  WHERE x.identity_id = ra.identity_id
					    AND x.subscription_id = ra.subscription_id
					    AND x.kind = 'active' AND x.assignment_type = 'Activated'
					    AND x.role_guid = ra.role_guid AND x.scope = ra.scope)
		WHERE ra.scope_level <> 'other'
		UNION ALL
		SELECT la.run_id, la.identity_id, la.subscription_id,
		       CASE WHEN lz.principal_id = i.object_id THEN 'lighthouse'
			    WHEN gc.member = 1 THEN 'lighthouse_member'
			    ELSE 'lighthouse_group' END,
		       la.assignment_id, lz.role_guid, la.assignment_id,
		       CASE WHEN la.rg IS NULL THEN 'subscription' ELSE 'resource_group' END,
		       la.rg,
		       CASE WHEN lz.principal_id = i.object_id THEN 'Lighthouse'
			    WHEN gc.member = 1 THEN 'Group'
			    ELSE 'Group (inferred)' END,
		       la.created_at, lz.eligible,
		       CASE WHEN lz.principal_id <> i.object_id
			    THEN coalesce(lz.principal_name, lz.principal_id) END, 0,
		       la.plan_name, 4611686018427387904 + la.row_id
		FROM la
		JOIN lighthouse_authorization lz
			ON lz.identity_id = la.identity_id AND lz.subscription_id = la.subscription_id
			AND lz.assignment_id = la.assignment_id
		JOIN identity i ON i.identity_id = la.identity_id
		LEFT JOIN group_check gc ON gc.identity_id = la.identity_id
			AND gc.group_id = lz.principal_id AND gc.status = 'ok'
		WHERE (la.managed_by_tenant_id IS NULL OR la.managed_by_tenant_id = i.tenant_id)
		  AND (lz.principal_id = i.object_id
		       OR gc.member = 1
		       OR (lz.eligible = 0 AND gc.member IS NULL
			   AND NOT EXISTS (SELECT 1 FROM lighthouse_authorization o
					   LEFT JOIN group_check og ON og.identity_id = o.identity_id
						AND og.group_id = o.principal_id AND og.status = 'ok'
					   WHERE o.identity_id = la.identity_id
					     AND o.subscription_id = la.subscription_id
					     AND o.assignment_id = la.assignment_id
					     AND (o.principal_id = i.object_id OR og.member = 1))))
	) a
	LEFT JOIN role_eligibility e ON e.role_guid = a.role_guid
	LEFT JOIN role_definition d ON d.run_id = a.run_id AND d.role_guid = a.role_guid
	LEFT JOIN partner_link l ON l.identity_id = a.identity_id
) g;
