-- Bench data for the report views: 10,000 tenants (one identity each), 50,000 subscriptions,
-- 500,000 role assignments and 5,000,000 daily cost rows in one run of period 2026-10.
-- Run against a migrated database: sqlite3 bench.db < gen.sql
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
BEGIN;
INSERT INTO run (run_id, kind, started_at, ended_at, period, period_start, period_end, status)
VALUES (1, 'collect', '2026-11-02T08:00:00Z', '2026-11-02T09:00:00Z', '2026-10', '2026-10-01',
	'2026-10-31', 'complete');
INSERT INTO run_partner_id VALUES (1, '1234567');
INSERT INTO role_definition VALUES (1, '11111111-1111-4111-8111-111111111111', 'Ops (custom)', 'CustomRole', NULL);
INSERT INTO role_permission VALUES (1, '11111111-1111-4111-8111-111111111111', 'action', 'Microsoft.Support/*');
INSERT INTO role_definition VALUES (1, '22222222-2222-4222-8222-222222222222', 'Audit (custom)', 'CustomRole', NULL);
INSERT INTO role_permission VALUES (1, '22222222-2222-4222-8222-222222222222', 'action', '*/read');

-- tenants and identities: t = 1..10000
INSERT INTO identity (identity_id, run_id, tenant_id, client_id, label, auth_kind, object_id, status, error)
WITH RECURSIVE n(t) AS (SELECT 1 UNION ALL SELECT t + 1 FROM n WHERE t < 10000)
SELECT t, 1, printf('%08x-0000-4000-8000-000000000000', t), printf('c%07x-0000-4000-8000-000000000000', t),
       'tenant-' || t || '-sp', 'secret', printf('%08x-0b00-4000-8000-000000000000', t),
       CASE WHEN t % 500 = 0 THEN 'failed' ELSE 'ok' END,
       CASE WHEN t % 500 = 0 THEN 'AADSTS7000215: Invalid client secret' END
FROM n;
INSERT INTO partner_link (identity_id, run_id, linked, partner_id, tenant_id, object_id, state, created_time, http_status)
SELECT identity_id, 1, t % 10 <> 0, CASE WHEN t % 10 = 0 THEN NULL WHEN t % 10 = 1 THEN '7654321' ELSE '1234567' END,
       tenant_id, object_id, CASE WHEN t % 10 = 0 THEN NULL ELSE 'Active' END,
       CASE WHEN t % 10 = 0 THEN NULL ELSE '2026-01-01T00:00:00Z' END, CASE WHEN t % 10 = 0 THEN 404 ELSE 200 END
FROM (SELECT identity_id, identity_id AS t, tenant_id, object_id FROM identity WHERE status = 'ok');
INSERT INTO tenant (run_id, identity_id, tenant_id, display_name, tenant_category)
SELECT 1, identity_id, tenant_id, 'Customer ' || identity_id || ', Ltd', 'Home' FROM identity WHERE status = 'ok';

-- subscriptions: 5 per tenant, s = 1..50000 (tenant (s-1)/5+1)
INSERT INTO subscription (run_id, identity_id, subscription_id, display_name, tenant_id, state, quota_id)
WITH RECURSIVE n(s) AS (SELECT 1 UNION ALL SELECT s + 1 FROM n WHERE s < 50000)
SELECT 1, (s - 1) / 5 + 1, printf('%08x-5ub0-4000-8000-000000000000', s), 'Subscription ' || s,
       printf('%08x-0000-4000-8000-000000000000', (s - 1) / 5 + 1),
       CASE WHEN s % 97 = 0 THEN 'Disabled' ELSE 'Enabled' END,
       CASE s % 50 WHEN 1 THEN 'EnterpriseAgreement_2014-09-01' WHEN 2 THEN 'FreeTrial_2014-09-01'
		   WHEN 3 THEN 'CSP_2015-05-01' WHEN 4 THEN 'MSDNDevTest_2014-09-01' ELSE 'PayAsYouGo_2014-09-01' END
FROM n WHERE ((s - 1) / 5 + 1) % 500 <> 0
UNION ALL
-- the failed tenants' subscriptions are invisible; keep 50,000 rows by giving their slots to
-- the first tenants as extra subscriptions
SELECT 1, ((s - 1) / 5 + 1) % 9000 + 1, printf('%08x-5ub0-4000-8000-000000000000', s), 'Subscription ' || s,
       printf('%08x-0000-4000-8000-000000000000', ((s - 1) / 5 + 1) % 9000 + 1), 'Enabled', 'PayAsYouGo_2014-09-01'
FROM n WHERE ((s - 1) / 5 + 1) % 500 = 0;

-- role assignments: 10 per subscription
INSERT INTO role_assignment (run_id, identity_id, subscription_id, assignment_id, scope, role_guid,
			     role_definition_id, principal_id, principal_type, created_on, resource_group, scope_level)
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
SELECT 1, s.identity_id, s.subscription_id,
       '/subscriptions/' || s.subscription_id || '/providers/Microsoft.Authorization/roleAssignments/' || k.i,
       CASE WHEN k.i = 0 THEN '/subscriptions/' || s.subscription_id
	    WHEN k.i = 1 THEN '/providers/Microsoft.Management/managementGroups/mg-' || (s.rowid % 100)
	    WHEN k.i < 8 THEN '/subscriptions/' || s.subscription_id || '/resourceGroups/rg-' || (k.i % 4)
	    ELSE '/subscriptions/' || s.subscription_id || '/resourceGroups/rg-' || (k.i % 4) || '/providers/Microsoft.Compute/virtualMachines/vm' || k.i END,
       CASE WHEN k.i = 0 THEN CASE s.rowid % 7 WHEN 0 THEN 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
						 WHEN 1 THEN '11111111-1111-4111-8111-111111111111'
						 WHEN 2 THEN '22222222-2222-4222-8222-222222222222'
						 ELSE 'b24988ac-6180-42a0-ab88-20f7382dd24c' END
	    WHEN k.i = 1 THEN CASE WHEN s.rowid % 3 = 0 THEN 'acdd72a7-3385-48ef-bd42-f606fba81ae7' ELSE 'cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e' END
	    ELSE CASE k.i % 3 WHEN 0 THEN 'acdd72a7-3385-48ef-bd42-f606fba81ae7' WHEN 1 THEN '9980e02c-c2be-4d73-94e8-173b1dc7cf3c'
		 ELSE '33333333-3333-4333-8333-33333333333' || (s.rowid % 10) END END,
       '/providers/Microsoft.Authorization/roleDefinitions/x',
       CASE WHEN k.i = 2 THEN 'group-' || (s.rowid % 1000) ELSE printf('%08x-0b00-4000-8000-000000000000', s.identity_id) END,
       CASE WHEN k.i = 2 THEN 'Group' ELSE 'ServicePrincipal' END,
       CASE WHEN s.rowid % 41 = 0 AND k.i < 2 THEN '2026-11-05T00:00:00Z'
	    WHEN s.rowid % 13 = 0 AND k.i < 2 THEN '2026-10-15T12:00:00.1234567Z'
	    ELSE '2025-03-01T00:00:00.0000000Z' END,
       CASE WHEN k.i >= 2 THEN 'rg-' || (k.i % 4) END,
       CASE WHEN k.i = 0 THEN CASE WHEN s.rowid % 11 = 0 THEN 'resource_group' ELSE 'subscription' END
	    WHEN k.i = 1 THEN CASE WHEN s.rowid % 5 = 0 THEN 'management_group' ELSE 'other' END
	    WHEN k.i < 8 THEN 'resource_group' ELSE 'resource' END
FROM subscription s, k;

-- cost status and 108 daily rows per readable subscription (27 days x 4 resource groups):
-- 46,534 x 108 = 5,025,672 rows
INSERT INTO cost_status (run_id, identity_id, subscription_id, status, http_status, error_code, error_message)
SELECT 1, identity_id, subscription_id,
       CASE WHEN rowid % 37 = 0 THEN 'unreadable' WHEN rowid % 23 = 0 THEN 'no_cost' ELSE 'ok' END,
       CASE WHEN rowid % 37 = 0 THEN 403 WHEN rowid % 23 = 0 THEN 204 ELSE 200 END,
       CASE WHEN rowid % 37 = 0 THEN 'RBACAccessDenied' END,
       CASE WHEN rowid % 37 = 0 THEN 'The client does not have authorization' END
FROM subscription;
INSERT INTO cost_daily (run_id, identity_id, subscription_id, usage_date, resource_group, cost, currency)
WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < 107)
SELECT 1, s.identity_id, s.subscription_id, printf('2026-10-%02d', 1 + d.i / 4),
       'rg-' || (d.i % 4), CASE WHEN d.i % 4 = 3 AND s.rowid % 17 = 0 THEN 0.0 ELSE ((s.rowid * 7 + d.i) % 1000) / 100.0 END,
       CASE WHEN s.rowid % 200 = 0 THEN 'USD' ELSE 'EUR' END
FROM (SELECT rowid, identity_id, subscription_id FROM subscription
      WHERE rowid % 37 <> 0 AND rowid % 23 <> 0) s, d;
COMMIT;
-- No ANALYZE: palscope never runs it, so the plans measured are the ones users get.
