-- Cost of single resources an identity holds an eligible role on (issue 10 section 5): each row of
-- cost_resource_daily inside the run's period that falls under a resource of pair_resource_summary
-- (the resource itself or one below it, ids compared case-insensitively), with the covering
-- resource whose access started first (grant_resource_id, its start_date and short name). Rows of
-- a resource group the pair also holds a role on are left out: that resource group's cost counts
-- them already.
CREATE VIEW pair_resource_cost AS
SELECT x.identity_id, x.subscription_id, x.currency, x.resource_id, x.usage_date, x.cost,
       x.grant_resource_id, r.start_date,
       replace(r.resource_id, rtrim(r.resource_id, replace(r.resource_id, '/', '')), '') ||
	       ' in ' || r.resource_group AS resource_name
FROM (SELECT c.identity_id, c.subscription_id, c.currency, c.resource_id, c.usage_date, c.cost,
	     (SELECT g.resource_id FROM pair_resource_summary g
	      WHERE g.identity_id = c.identity_id AND g.subscription_id = c.subscription_id
		AND (lower(c.resource_id) = lower(g.resource_id)
		     OR lower(substr(c.resource_id, 1, length(g.resource_id) + 1)) =
			lower(g.resource_id) || '/')
	      ORDER BY g.start_date, g.resource_id LIMIT 1) AS grant_resource_id
      FROM cost_resource_daily c
      JOIN run rn ON rn.run_id = c.run_id
      WHERE c.usage_date BETWEEN rn.period_start AND rn.period_end
	AND NOT EXISTS (SELECT 1 FROM pair_rg_summary rs
			WHERE rs.identity_id = c.identity_id AND rs.subscription_id = c.subscription_id
			  AND instr(lower(c.resource_id),
				    '/resourcegroups/' || lower(rs.resource_group) || '/') > 0)) x
JOIN pair_resource_summary r ON r.identity_id = x.identity_id
	AND r.subscription_id = x.subscription_id AND r.resource_id = x.grant_resource_id;
