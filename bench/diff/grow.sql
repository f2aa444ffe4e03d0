-- Grow the report bench database (bench/report/gen.sql, here for period 2025-11 as run 1) by one
-- monthly run: run :k + 1 for the period :k months later, a copy of run 1 with changes, so that
-- consecutive runs differ the way a partner's months do (bench/diff/run.sh applies it 11 times).
-- Per copy k: a link deleted for tenants t with (t + k) % 40 = 0, Contributor -> Reader on the
-- subscription-scope assignment of subscriptions with (rowid + k) % 50 = 0, subscriptions with
-- (rowid + k) % 60 = 0 without cost, (rowid + k) % 97 = 0 disabled, (rowid + k) % 89 = 0 gone.
-- To keep the database bounded, a copy's cost is one row per subscription and resource group
-- (the month's total of run 1 on the period's first day) instead of run 1's 27 daily rows: the
-- change views read the status snapshots, never cost_daily.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
BEGIN;
INSERT INTO run (run_id, kind, started_at, ended_at, period, period_start, period_end, status)
SELECT :k + 1, 'collect', strftime('%Y-%m-%dT08:00:00Z', date('2025-12-02', '+' || :k || ' months')),
       strftime('%Y-%m-%dT09:00:00Z', date('2025-12-02', '+' || :k || ' months')),
       strftime('%Y-%m', date('2025-11-01', '+' || :k || ' months')),
       date('2025-11-01', '+' || :k || ' months'),
       date('2025-11-01', '+' || (:k + 1) || ' months', '-1 day'), 'complete';
INSERT INTO run_partner_id SELECT :k + 1, partner_id FROM run_partner_id WHERE run_id = 1;
INSERT INTO role_definition SELECT :k + 1, role_guid, role_name, role_type, description
FROM role_definition WHERE run_id = 1;
INSERT INTO role_permission SELECT :k + 1, role_guid, kind, pattern FROM role_permission WHERE run_id = 1;
INSERT INTO identity (identity_id, run_id, tenant_id, client_id, label, auth_kind, object_id, status, error)
SELECT identity_id + :k * 100000, :k + 1, tenant_id, client_id, label, auth_kind, object_id, status, error
FROM identity WHERE run_id = 1;
INSERT INTO partner_link (identity_id, run_id, linked, partner_id, tenant_id, object_id, state, created_time, http_status)
SELECT identity_id + :k * 100000, :k + 1,
       CASE WHEN (identity_id + :k) % 40 = 0 THEN 0 ELSE linked END,
       CASE WHEN (identity_id + :k) % 40 = 0 THEN NULL ELSE partner_id END, tenant_id, object_id,
       CASE WHEN (identity_id + :k) % 40 = 0 THEN NULL ELSE state END,
       CASE WHEN (identity_id + :k) % 40 = 0 THEN NULL ELSE created_time END,
       CASE WHEN (identity_id + :k) % 40 = 0 THEN 404 ELSE http_status END
FROM partner_link WHERE run_id = 1;
INSERT INTO tenant (run_id, identity_id, tenant_id, display_name, tenant_category)
SELECT :k + 1, identity_id + :k * 100000, tenant_id, display_name, tenant_category
FROM tenant WHERE run_id = 1;
INSERT INTO subscription (run_id, identity_id, subscription_id, display_name, tenant_id, state, quota_id)
SELECT :k + 1, identity_id + :k * 100000, subscription_id, display_name, tenant_id,
       CASE WHEN (rowid + :k) % 97 = 0 THEN 'Disabled' ELSE state END, quota_id
FROM subscription WHERE run_id = 1 AND (rowid + :k) % 89 <> 0;
INSERT INTO role_assignment (run_id, identity_id, subscription_id, assignment_id, scope, role_guid,
			     role_definition_id, principal_id, principal_type, created_on, resource_group, scope_level)
SELECT :k + 1, a.identity_id + :k * 100000, a.subscription_id, a.assignment_id, a.scope,
       CASE WHEN a.scope_level = 'subscription' AND (s.rowid + :k) % 50 = 0
	    THEN 'acdd72a7-3385-48ef-bd42-f606fba81ae7' ELSE a.role_guid END,
       a.role_definition_id, a.principal_id, a.principal_type, a.created_on, a.resource_group, a.scope_level
FROM role_assignment a
JOIN subscription s ON s.run_id = 1 AND s.identity_id = a.identity_id AND s.subscription_id = a.subscription_id
WHERE a.run_id = 1 AND (s.rowid + :k) % 89 <> 0;
INSERT INTO cost_status (run_id, identity_id, subscription_id, status, http_status, error_code, error_message)
SELECT :k + 1, c.identity_id + :k * 100000, c.subscription_id,
       CASE WHEN c.status = 'ok' AND (s.rowid + :k) % 60 = 0 THEN 'no_cost' ELSE c.status END,
       CASE WHEN c.status = 'ok' AND (s.rowid + :k) % 60 = 0 THEN 204 ELSE c.http_status END,
       c.error_code, c.error_message
FROM cost_status c
JOIN subscription s ON s.run_id = 1 AND s.identity_id = c.identity_id AND s.subscription_id = c.subscription_id
WHERE c.run_id = 1 AND (s.rowid + :k) % 89 <> 0;
INSERT INTO cost_daily (run_id, identity_id, subscription_id, usage_date, resource_group, cost, currency)
SELECT :k + 1, cs.identity_id + :k * 100000, cs.subscription_id,
       date('2025-11-01', '+' || :k || ' months'), cs.resource_group, cs.cost, cs.currency
FROM cost_summary cs
JOIN subscription s ON s.run_id = 1 AND s.identity_id = cs.identity_id AND s.subscription_id = cs.subscription_id
WHERE s.identity_id IN (SELECT identity_id FROM identity WHERE run_id = 1)
  AND (s.rowid + :k) % 89 <> 0 AND (s.rowid + :k) % 60 <> 0;
COMMIT;
