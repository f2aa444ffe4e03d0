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

-- The run's rows of pair_access, evaluated once for the three summaries below. :id_lo and :id_hi
-- are the lowest and highest identity_id of the run (db/summary.c): as bound constants the
-- planner pushes them into the view's role assignment and Lighthouse branches and seeks their
-- primary keys, where run_id alone scans every run's rows (a subquery is not pushed down).
-- The collations are those of the view's columns (GROUP BY and min() below depend on them).
-- Only what the statements below read, as narrow as it goes (the table is written to and read
-- back from a temp file): the view's basis, source and scope_level as the flags tested below,
-- its scope only for a grant on a single resource.
DROP TABLE IF EXISTS temp.summary_access;
CREATE TEMP TABLE summary_access (
	identity_id INTEGER, subscription_id TEXT COLLATE NOCASE, jit, eligible, eligibility_known,
	undefined, resource_group, resource_scope COLLATE NOCASE, start_jd, role_name, scope_desc,
	pim_activated, group_unverified, marketplace, row_order);
INSERT INTO temp.summary_access
SELECT identity_id, subscription_id, jit, eligible, eligibility_known,
       basis = 'definition_unavailable', resource_group,
       CASE WHEN scope_level = 'resource' THEN scope END, start_jd, role_name, scope_desc,
       pim_activated, source = 'lighthouse_group', marketplace, row_order
FROM pair_access
WHERE run_id = :run_id AND identity_id BETWEEN :id_lo AND :id_hi;
-- per pair, in the order the roles are listed
CREATE INDEX temp.summary_access_pair
	ON summary_access (identity_id, subscription_id, jit, role_name, scope_desc);

-- The access aggregate per pair: counts and starts, the roles (distinct, sorted) and the
-- eligible resource groups (distinct, in the order their grants were stored: row_order).
INSERT INTO pair_summary (identity_id, subscription_id, n_access, n_jit, n_eligible,
			  n_eligible_known, n_eligible_undefined, n_eligible_whole, start_jd,
			  whole_start_jd, covered_rgs, roles, n_pim_activated, n_group_unverified,
			  n_eligible_marketplace)
SELECT g.identity_id, g.subscription_id, g.n_access, g.n_jit, g.n_eligible, g.n_eligible_known,
       g.n_eligible_undefined, g.n_eligible_whole, g.start_jd, g.whole_start_jd,
       -- DISTINCT keeps each resource group's first grant in row_order: one sort, not two
       (SELECT group_concat(DISTINCT resource_group)
	FROM (SELECT x.resource_group
	      FROM temp.summary_access x
	      WHERE x.identity_id = g.identity_id AND x.subscription_id = g.subscription_id
		AND x.jit = 0 AND x.eligible AND x.resource_group IS NOT NULL
	      ORDER BY x.row_order)) AS covered_rgs,
       (SELECT group_concat(label, ';')
	FROM (SELECT DISTINCT x.role_name, x.scope_desc, x.role_name || ' at ' || x.scope_desc AS label
	      FROM temp.summary_access x
	      WHERE x.identity_id = g.identity_id AND x.subscription_id = g.subscription_id
		AND x.jit = 0
	      ORDER BY x.role_name, x.scope_desc)) AS roles,
       g.n_pim_activated, g.n_group_unverified, g.n_eligible_marketplace
FROM (SELECT identity_id, subscription_id,
	     sum(jit = 0 AND eligible AND pim_activated) AS n_pim_activated,
	     sum(jit = 0 AND eligible AND group_unverified) AS n_group_unverified,
	     sum(jit = 0) AS n_access, sum(jit = 1) AS n_jit,
	     sum(jit = 0 AND eligible) AS n_eligible,
	     sum(jit = 0 AND eligible AND eligibility_known) AS n_eligible_known,
	     sum(jit = 0 AND eligible AND undefined) AS n_eligible_undefined,
	     sum(jit = 0 AND eligible AND resource_group IS NULL) AS n_eligible_whole,
	     sum(jit = 0 AND eligible AND marketplace) AS n_eligible_marketplace,
	     min(CASE WHEN jit = 0 AND eligible THEN start_jd END) AS start_jd,
	     min(CASE WHEN jit = 0 AND eligible AND resource_group IS NULL THEN start_jd END)
		     AS whole_start_jd
      FROM temp.summary_access GROUP BY identity_id, subscription_id) g;

-- PIM per pair (views/22_pair_pim.sql), the run's identities only.
INSERT INTO pair_pim_summary (identity_id, subscription_id, n_eligible, eligible_roles,
			      active_hours, period_hours, unreadable)
SELECT identity_id, subscription_id, n_eligible, eligible_roles, active_hours, period_hours,
       unreadable
FROM pair_pim WHERE run_id = :run_id AND identity_id BETWEEN :id_lo AND :id_hi;

-- Each eligible resource group's start per pair. pair_access.resource_group is an expression
-- (no NOCASE collation), hence lower(). A role on a single resource counts as its resource group
-- only when the identity's cost by ResourceId did not answer; else it counts the resource
-- (pair_resource_summary, migrations/0012_resource_summary.sql).
INSERT INTO pair_rg_summary (identity_id, subscription_id, resource_group, start_date)
SELECT identity_id, subscription_id, min(resource_group),
       CASE WHEN min(start_jd) = 0 THEN '0000-01-01' ELSE date(min(start_jd)) END
-- read in stored order: through the pair index every row would be a lookup, and the GROUP BY
-- (lower(), not in the index) sorts anyway
FROM temp.summary_access pa NOT INDEXED
WHERE jit = 0 AND eligible AND resource_group IS NOT NULL
  AND (resource_scope IS NULL
       OR NOT EXISTS (SELECT 1 FROM cost_resource_status crs
		      WHERE crs.identity_id = pa.identity_id
			AND crs.subscription_id = pa.subscription_id
			AND crs.status IN ('ok', 'no_cost')))
GROUP BY identity_id, subscription_id, lower(resource_group);

INSERT INTO pair_resource_summary (identity_id, subscription_id, resource_id, resource_group,
				   start_date)
SELECT identity_id, subscription_id, min(resource_scope), min(resource_group),
       CASE WHEN min(start_jd) = 0 THEN '0000-01-01' ELSE date(min(start_jd)) END
FROM temp.summary_access pa NOT INDEXED	-- as above
WHERE jit = 0 AND eligible AND resource_scope IS NOT NULL
  AND EXISTS (SELECT 1 FROM cost_resource_status crs
	      WHERE crs.identity_id = pa.identity_id AND crs.subscription_id = pa.subscription_id
		AND crs.status IN ('ok', 'no_cost'))
GROUP BY identity_id, subscription_id, lower(resource_scope);

DROP TABLE temp.summary_access;

-- Cost per (identity, subscription, currency, resource group) on the days of the run's period,
-- through temp.summary_cost: one read of the run's daily rows (five million on the report bench
-- database) gives both these sums and the run's count of cost rows (n_rows, for the UPDATE
-- below), where a second count(*) read them all again. A group none of whose days is in the
-- period is left out (days = 0), as the period filter did.
DROP TABLE IF EXISTS temp.summary_cost;
CREATE TEMP TABLE summary_cost (
	identity_id INTEGER, subscription_id TEXT COLLATE NOCASE, currency TEXT,
	resource_group TEXT COLLATE NOCASE, cost REAL, days INTEGER, n_rows INTEGER);
INSERT INTO temp.summary_cost
SELECT cd.identity_id, cd.subscription_id, cd.currency,
       min(cd.resource_group) FILTER (WHERE +cd.usage_date BETWEEN r.period_start AND r.period_end),
       total(cd.cost) FILTER (WHERE +cd.usage_date BETWEEN r.period_start AND r.period_end),
       count(*) FILTER (WHERE +cd.usage_date BETWEEN r.period_start AND r.period_end), count(*)
FROM run r
JOIN cost_daily cd
WHERE r.run_id = :run_id
  -- the run's identities as an IN list: the covering index is read in identity_id order, so the
  -- GROUP BY needs no sort of the run's five million rows (a join on identity_run's order did)
  AND cd.identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id)
GROUP BY cd.identity_id, cd.subscription_id, cd.currency, cd.resource_group;
INSERT INTO cost_summary (identity_id, subscription_id, currency, resource_group, cost, days)
SELECT identity_id, subscription_id, currency, resource_group, cost, days
FROM temp.summary_cost WHERE days > 0;

-- ... and per (identity, subscription): the currency with the largest cost (by absolute value;
-- the lowest currency code on a tie) and its total.
INSERT INTO cost_total_summary (identity_id, subscription_id, currency, cost, n_currencies)
SELECT identity_id, subscription_id, currency, cost, n_currencies
FROM (SELECT identity_id, subscription_id, currency, cost,
	     row_number() OVER (PARTITION BY identity_id, subscription_id
				ORDER BY abs(cost) DESC, currency) AS rn,
	     count(*) OVER (PARTITION BY identity_id, subscription_id) AS n_currencies
      FROM (SELECT cm.identity_id, cm.subscription_id, cm.currency, total(cm.cost) AS cost
	    FROM cost_summary cm
	    WHERE cm.identity_id IN (SELECT identity_id FROM identity WHERE run_id = :run_id)
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
	                                     WHERE f.run_id = i.run_id
	                                       AND f.identity_id = i.identity_id))),
	identities_ok = (SELECT count(*) FROM identity i WHERE i.run_id = run.run_id
	                 AND i.status = 'ok'
	                 AND NOT EXISTS (SELECT 1 FROM request_failure f
	                                 WHERE f.run_id = i.run_id
	                                   AND f.identity_id = i.identity_id)),
	subscriptions = (SELECT count(DISTINCT subscription_id) FROM subscription s
	                 WHERE s.run_id = run.run_id),
	-- a row's run is its identity's: counted through the identity-led keys, not a scan of
	-- every run's rows
	role_assignments = (SELECT count(*) FROM role_assignment a
	                    WHERE a.identity_id IN (SELECT identity_id FROM identity i
	                                            WHERE i.run_id = run.run_id)),
	cost_rows = (SELECT coalesce(sum(n_rows), 0) FROM temp.summary_cost),
	failures = (SELECT count(*) FROM request_failure f WHERE f.run_id = run.run_id)
WHERE run_id = :run_id;

DROP TABLE temp.summary_cost;
