-- Build the summaries of one run (:run_id); see migrations/0006_run_summary.sql. Several
-- statements (sql/scripts/ holds multi-statement files), run in order inside one transaction
-- by db_summaries_build() (db/summary.c).
-- The rules stay in the views: this file only aggregates pair_access and cost_daily.

DELETE FROM pair_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);
DELETE FROM pair_rg_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);
DELETE FROM cost_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);
DELETE FROM cost_total_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);
DELETE FROM pair_resource_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);
DELETE FROM pair_pim_summary WHERE identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id);

-- The access aggregate per pair: counts and starts, the roles (distinct, sorted) and the
-- eligible resource groups. pair_access is read once into pa.
INSERT INTO pair_summary (identity_id, subscription_id, n_access, n_jit, n_eligible,
			  n_eligible_known, n_eligible_undefined, n_eligible_whole, start_jd,
			  whole_start_jd, covered_rgs, roles, n_pim_activated, n_group_unverified,
			  n_eligible_marketplace)
WITH pa AS MATERIALIZED (
	SELECT identity_id, subscription_id, jit, eligible, eligibility_known, basis,
	       resource_group, start_jd, role_name, scope_desc, pim_activated, source, marketplace
	FROM pair_access WHERE run_id = :run_id)
SELECT g.identity_id, g.subscription_id, g.n_access, g.n_jit, g.n_eligible, g.n_eligible_known,
       g.n_eligible_undefined, g.n_eligible_whole, g.start_jd, g.whole_start_jd, g.covered_rgs,
       lab.roles, g.n_pim_activated, g.n_group_unverified, g.n_eligible_marketplace
FROM (SELECT identity_id, subscription_id,
	     sum(jit = 0 AND eligible AND pim_activated) AS n_pim_activated,
	     sum(jit = 0 AND eligible AND source = 'lighthouse_group') AS n_group_unverified,
	     sum(jit = 0) AS n_access, sum(jit = 1) AS n_jit,
	     sum(jit = 0 AND eligible) AS n_eligible,
	     sum(jit = 0 AND eligible AND eligibility_known) AS n_eligible_known,
	     sum(jit = 0 AND eligible AND basis = 'definition_unavailable') AS n_eligible_undefined,
	     sum(jit = 0 AND eligible AND resource_group IS NULL) AS n_eligible_whole,
	     sum(jit = 0 AND eligible AND marketplace) AS n_eligible_marketplace,
	     min(CASE WHEN jit = 0 AND eligible THEN start_jd END) AS start_jd,
	     min(CASE WHEN jit = 0 AND eligible AND resource_group IS NULL THEN start_jd END)
		     AS whole_start_jd,
	     group_concat(DISTINCT CASE WHEN jit = 0 AND eligible THEN resource_group END)
		     AS covered_rgs
      FROM pa GROUP BY identity_id, subscription_id) g
LEFT JOIN (SELECT identity_id, subscription_id, group_concat(label, ';') AS roles
	   -- the order group_concat() sees: roles sorted within each pair
	   FROM (SELECT DISTINCT identity_id, subscription_id, role_name, scope_desc,
			role_name || ' at ' || scope_desc AS label
		 FROM pa WHERE jit = 0
		 ORDER BY identity_id, subscription_id, role_name, scope_desc)
	   GROUP BY identity_id, subscription_id) lab
	ON lab.identity_id = g.identity_id AND lab.subscription_id = g.subscription_id;

-- PIM per pair (views/22_pair_pim.sql).
INSERT INTO pair_pim_summary (identity_id, subscription_id, n_eligible, eligible_roles,
			      active_hours, period_hours, unreadable)
SELECT identity_id, subscription_id, n_eligible, eligible_roles, active_hours, period_hours,
       unreadable
FROM pair_pim WHERE run_id = :run_id;

-- Each eligible resource group's start per pair. pair_access.resource_group is an expression
-- (no NOCASE collation), hence lower(). A role on a single resource counts as its resource group
-- only when the identity's cost by ResourceId did not answer; else it counts the resource
-- (pair_resource_summary, migrations/0012_resource_summary.sql).
INSERT INTO pair_rg_summary (identity_id, subscription_id, resource_group, start_date)
SELECT identity_id, subscription_id, min(resource_group),
       CASE WHEN min(start_jd) = 0 THEN '0000-01-01' ELSE date(min(start_jd)) END
FROM pair_access pa
WHERE run_id = :run_id AND jit = 0 AND eligible AND resource_group IS NOT NULL
  AND (scope_level <> 'resource'
       OR NOT EXISTS (SELECT 1 FROM cost_resource_status crs
		      WHERE crs.identity_id = pa.identity_id
			AND crs.subscription_id = pa.subscription_id
			AND crs.status IN ('ok', 'no_cost')))
GROUP BY identity_id, subscription_id, lower(resource_group);

INSERT INTO pair_resource_summary (identity_id, subscription_id, resource_id, resource_group,
				   start_date)
SELECT identity_id, subscription_id, min(scope), min(resource_group),
       CASE WHEN min(start_jd) = 0 THEN '0000-01-01' ELSE date(min(start_jd)) END
FROM pair_access pa
WHERE run_id = :run_id AND jit = 0 AND eligible AND scope_level = 'resource'
  AND EXISTS (SELECT 1 FROM cost_resource_status crs
	      WHERE crs.identity_id = pa.identity_id AND crs.subscription_id = pa.subscription_id
		AND crs.status IN ('ok', 'no_cost'))
GROUP BY identity_id, subscription_id, lower(scope);

-- Cost per (identity, subscription, currency, resource group) on the days of the run's period.
INSERT INTO cost_summary (identity_id, subscription_id, currency, resource_group, cost, days)
SELECT cd.identity_id, cd.subscription_id, cd.currency, min(cd.resource_group), total(cd.cost),
       count(*)
FROM identity i
JOIN run r ON r.run_id = i.run_id
JOIN cost_daily cd ON cd.identity_id = i.identity_id
WHERE i.run_id = :run_id
  -- '+' keeps the planner on the covering index, in its order (no sort for the GROUP BY)
  AND +cd.usage_date BETWEEN r.period_start AND r.period_end
GROUP BY cd.identity_id, cd.subscription_id, cd.currency, cd.resource_group;

-- ... and per (identity, subscription): the currency with the largest cost (by absolute value;
-- the lowest currency code on a tie) and its total.
INSERT INTO cost_total_summary (identity_id, subscription_id, currency, cost, n_currencies)
SELECT identity_id, subscription_id, currency, cost, n_currencies
FROM (SELECT identity_id, subscription_id, currency, cost,
	     row_number() OVER (PARTITION BY identity_id, subscription_id
				ORDER BY abs(cost) DESC, currency) AS rn,
	     count(*) OVER (PARTITION BY identity_id, subscription_id) AS n_currencies
      FROM (SELECT cm.identity_id, cm.subscription_id, cm.currency, total(cm.cost) AS cost
	    FROM identity i JOIN cost_summary cm ON cm.identity_id = i.identity_id
	    WHERE i.run_id = :run_id
	    GROUP BY cm.identity_id, cm.subscription_id, cm.currency))
WHERE rn = 1;

-- The run's counts, from what it stored (also for a run whose process died before its end):
-- ok = every read done and none failed; failed = a sign-in or read failed; the rest of
-- identities_total never finished.
UPDATE run SET
	identities_total = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id),
	identities_failed = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id
	                     AND (i.status = 'failed'
	                          OR EXISTS (SELECT 1 FROM request_failure f
	                                     WHERE f.identity_id = i.identity_id))),
	identities_ok = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id
	                 AND i.status = 'ok'
	                 AND NOT EXISTS (SELECT 1 FROM request_failure f
	                                 WHERE f.identity_id = i.identity_id)),
	subscriptions = (SELECT count(DISTINCT subscription_id) FROM subscription s
	                 WHERE s.run_id = run.run_id),
	role_assignments = (SELECT count(*) FROM role_assignment a WHERE a.run_id = run.run_id),
	cost_rows = (SELECT count(*) FROM cost_daily c WHERE c.run_id = run.run_id),
	failures = (SELECT count(*) FROM request_failure f WHERE f.run_id = run.run_id)
WHERE run_id = :run_id;
