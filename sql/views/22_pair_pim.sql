-- PIM per (identity, subscription) (issue 10 section 3: "eligible is not active"), from the
-- schedules the collector read (migrations/0008_pim_groups_resources.sql):
-- n_eligible: roleEligibilityScheduleInstances for a role eligible for partner earned credit (the
-- role_eligibility table; a role not listed there counts); eligible_roles names them.
-- active_hours: the hours inside the period covered by activations - roleAssignmentScheduleRequests
-- that grant (SelfActivate, SelfExtend, SelfRenew, AdminAssign, AdminExtend, AdminRenew, not
-- denied, failed, revoked, canceled or pending) and 'Activated' roleAssignmentScheduleInstances -
-- with overlapping windows merged (an open end runs to the end of the period).
-- unreadable: a PIM list answered 401/403 or failed (the subscription is then evaluated on its role
-- assignments alone, with the warning PIM_UNREADABLE).
-- Only pairs with something to say get a row; summary_build.sql stores them in pair_pim_summary.
CREATE VIEW pair_pim AS
WITH pim_roles AS (
	SELECT DISTINCT ps.role_guid,
	       coalesce((SELECT e.eligible FROM role_eligibility e WHERE e.role_guid = ps.role_guid), 1)
		       AS eligible
	FROM pim_schedule ps
),
w AS (
	-- activation windows clipped to the period, as julian days
	SELECT ps.run_id, ps.identity_id, ps.subscription_id,
	       max(julianday(ps.start_time), julianday(r.period_start)) AS s,
	       min(coalesce(julianday(ps.end_time), 1e9), julianday(r.period_end) + 1) AS e
	FROM pim_schedule ps
	JOIN pim_roles pr ON pr.role_guid = ps.role_guid AND pr.eligible
	JOIN run r ON r.run_id = ps.run_id
	WHERE ps.start_time IS NOT NULL
	  AND ((ps.kind = 'request'
		AND ps.request_type IN ('SelfActivate', 'SelfExtend', 'SelfRenew', 'AdminAssign',
					'AdminExtend', 'AdminRenew')
		AND coalesce(ps.status, 'Provisioned') IN ('Provisioned', 'Granted', 'Accepted',
							   'AdminApproved', 'ScheduleCreated'))
	       OR (ps.kind = 'active' AND ps.assignment_type = 'Activated'))
),
m AS (
	-- merge overlapping windows: a window starts a new run when it begins after every earlier end
	SELECT run_id, identity_id, subscription_id, s, e,
	       sum(new_run) OVER (PARTITION BY identity_id, subscription_id ORDER BY s, e) AS grp
	FROM (SELECT w.*,
		     CASE WHEN s > coalesce(max(e) OVER (PARTITION BY identity_id, subscription_id
							 ORDER BY s, e ROWS BETWEEN UNBOUNDED
							 PRECEDING AND 1 PRECEDING), -1e9)
			  THEN 1 ELSE 0 END AS new_run
	      FROM w WHERE e > s)
),
act AS (
	SELECT run_id, identity_id, subscription_id, total(hours) AS hours
	FROM (SELECT run_id, identity_id, subscription_id, (max(e) - min(s)) * 24 AS hours
	      FROM m GROUP BY run_id, identity_id, subscription_id, grp)
	GROUP BY run_id, identity_id, subscription_id
),
pairs AS (
	SELECT run_id, identity_id, subscription_id FROM pim_schedule
	UNION
	SELECT run_id, identity_id, subscription_id FROM pim_status WHERE status <> 'ok'
)
SELECT p.run_id, p.identity_id, p.subscription_id,
       (SELECT count(*) FROM pim_schedule e JOIN pim_roles pr ON pr.role_guid = e.role_guid
	WHERE e.identity_id = p.identity_id AND e.subscription_id = p.subscription_id
	  AND e.kind = 'eligible' AND pr.eligible) AS n_eligible,
       (SELECT group_concat(label, ';')
	FROM (SELECT DISTINCT coalesce(d.role_name, re.role_name, e.role_guid) || ' at ' ||
			      CASE e.scope_level WHEN 'resource_group' THEN 'resource group ' ||
						      e.resource_group
				   ELSE replace(e.scope_level, '_', ' ') END AS label
	      FROM pim_schedule e
	      JOIN pim_roles pr ON pr.role_guid = e.role_guid AND pr.eligible
	      LEFT JOIN role_eligibility re ON re.role_guid = e.role_guid
	      LEFT JOIN role_definition d ON d.run_id = e.run_id AND d.role_guid = e.role_guid
	      WHERE e.identity_id = p.identity_id AND e.subscription_id = p.subscription_id
		AND e.kind = 'eligible'
	      ORDER BY label)) AS eligible_roles,
       coalesce(a.hours, 0.0) AS active_hours,
       (julianday(r.period_end) + 1 - julianday(r.period_start)) * 24 AS period_hours,
       (SELECT group_concat(x.list, ', ') || ': ' || min(x.status) ||
	       coalesce(', HTTP ' || min(x.http_status) || coalesce(' ' || min(x.error_code), ''), '')
	FROM pim_status x
	WHERE x.identity_id = p.identity_id AND x.subscription_id = p.subscription_id
	  AND x.status <> 'ok') AS unreadable
FROM pairs p
JOIN run r ON r.run_id = p.run_id
LEFT JOIN act a ON a.identity_id = p.identity_id AND a.subscription_id = p.subscription_id;
