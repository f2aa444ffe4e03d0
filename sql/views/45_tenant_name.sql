-- The name of each tenant in each period: its displayName from any identity's tenant list (first
-- identity in effective_identity.ord), else the customer name of a Lighthouse delegation, else the accounts-file label of
-- an identity signing in to it.
CREATE VIEW tenant_name AS
SELECT period, tenant_id, name, min(pri * 1000000000000 + ord) AS pick
FROM (SELECT ei.period, t.tenant_id, t.display_name AS name, 1 AS pri, ei.ord AS ord
      FROM tenant t JOIN effective_identity ei ON ei.identity_id = t.identity_id
      WHERE coalesce(t.display_name, '') <> ''
      UNION ALL
      SELECT ei.period, la.managee_tenant_id, la.managee_tenant_name, 2, ei.ord
      FROM lighthouse_assignment la JOIN effective_identity ei ON ei.identity_id = la.identity_id
      WHERE coalesce(la.managee_tenant_name, '') <> '' AND la.managee_tenant_id IS NOT NULL
      UNION ALL
      SELECT ei.period, ei.tenant_id, ei.label, 3, ei.ord
      FROM effective_identity ei
      WHERE coalesce(ei.label, '') <> '')
GROUP BY period, tenant_id;
