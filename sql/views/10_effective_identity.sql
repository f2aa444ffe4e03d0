-- Effective identities of each period. Per accounts tenant (identity.tenant_id) the newest run of
-- the period that holds identities for that tenant and has its summaries built wins, so a later
-- collection or import replaces older runs tenant by tenant (once it ends) and runs mix.
-- identity_name is what explanations call the identity.
CREATE VIEW effective_identity AS
SELECT r.period, r.period_start, r.period_end, r.run_id, r.status AS run_status,
       i.identity_id, i.tenant_id, i.client_id, i.label, i.object_id, i.auth_kind,
       i.status, i.error,
       coalesce(nullif(i.label, ''), i.client_id, i.object_id,
                'identity ' || i.identity_id) AS identity_name
FROM (SELECT r2.period, i2.tenant_id, max(r2.run_id) AS run_id
      FROM run r2 JOIN identity i2 ON i2.run_id = r2.run_id
      -- only runs whose summaries are built: a collect still writing its run is not in effect
      -- until it ends (migrations/0006_run_summary.sql)
      WHERE EXISTS (SELECT 1 FROM run_summary rs WHERE rs.run_id = r2.run_id)
      GROUP BY r2.period, i2.tenant_id) n
JOIN run r ON r.run_id = n.run_id
JOIN identity i ON i.run_id = n.run_id AND i.tenant_id = n.tenant_id;
