-- palscope why: evaluate the rule views for the customers a query can be about, not the whole
-- period (the scale issue: one customer answered in a fraction of a second on 50,000
-- subscriptions). The views are not copied or changed: the connection gets TEMP views named
-- `subscription`, `identity` and `role_assignment` over the main tables, narrowed to what can decide those
-- customers, and TEMP copies of every rule view (db/as_of.c) read them first. The answer for a
-- customer in scope is the one the whole evaluation gives (tests/integration/t740 compares
-- every customer both ways):
-- - a subscription's verdict reads only the pairs of that subscription, so the subscriptions of
--   the customers in scope are kept, all of them, and those their own identities see (whether a
--   tenant is a customer depends on them);
-- - a customer's verdict reads its subscriptions and the identities signed in to its tenant;
--   names come from tenant lists, Lighthouse delegations and labels. Identities are kept by
--   whole tenant (every run of the period), so each principal keeps all of its identities and
--   effective_identity picks the same one; the tie-break order (ord) keeps its relative order.
-- Parameters: :period, :q (the why argument).

DROP TABLE IF EXISTS temp.why_scope;
DROP TABLE IF EXISTS temp.why_identity_tenant;
DROP VIEW IF EXISTS temp.subscription;
DROP VIEW IF EXISTS temp.identity;
DROP VIEW IF EXISTS temp.role_assignment;
CREATE TEMP TABLE why_scope (tenant_id TEXT COLLATE NOCASE PRIMARY KEY) WITHOUT ROWID;

-- The customers the query can match (a superset: why_customers.sql decides on the narrowed views):
-- a tenant id; a part of a tenant's id or name (tenant lists, Lighthouse customer names,
-- accounts-file labels); a subscription id or a part of its name.
INSERT OR IGNORE INTO temp.why_scope (tenant_id)
SELECT i.tenant_id FROM main.identity i JOIN main.run r ON r.run_id = i.run_id
WHERE r.period = :period
  AND (instr(lower(i.tenant_id), lower(:q)) > 0 OR instr(lower(coalesce(i.label, '')), lower(:q)) > 0)
UNION
SELECT t.tenant_id FROM main.tenant t JOIN main.run r ON r.run_id = t.run_id
WHERE r.period = :period
  AND (instr(lower(t.tenant_id), lower(:q)) > 0
       OR instr(lower(coalesce(t.display_name, '')), lower(:q)) > 0)
UNION
SELECT la.managee_tenant_id FROM main.lighthouse_assignment la JOIN main.run r ON r.run_id = la.run_id
WHERE r.period = :period AND la.managee_tenant_id IS NOT NULL
  AND (instr(lower(la.managee_tenant_id), lower(:q)) > 0
       OR instr(lower(coalesce(la.managee_tenant_name, '')), lower(:q)) > 0)
UNION
SELECT s.tenant_id FROM main.subscription s JOIN main.run r ON r.run_id = s.run_id
WHERE r.period = :period
  AND (s.subscription_id = :q COLLATE NOCASE OR instr(lower(s.tenant_id), lower(:q)) > 0
       OR instr(lower(coalesce(s.display_name, '')), lower(:q)) > 0);

-- The subscriptions of the customers in scope, and every subscription an identity of theirs
-- sees (whether a tenant is a customer at all depends on what its identities see: a Lighthouse
-- managing tenant sees only its customers' subscriptions).
CREATE TEMP VIEW subscription AS
SELECT * FROM main.subscription
WHERE tenant_id IN (SELECT tenant_id FROM temp.why_scope)
   OR identity_id IN (SELECT i.identity_id FROM main.identity i
		      WHERE i.tenant_id IN (SELECT tenant_id FROM temp.why_scope));

-- The tenants whose identities can decide a customer in scope: its own, and those of every
-- identity that lists one of its subscriptions, lists the tenant, or holds a Lighthouse
-- delegation from it (a table, so the views do not scan the lists again on every use).
CREATE TEMP TABLE why_identity_tenant (tenant_id TEXT COLLATE NOCASE PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO temp.why_identity_tenant (tenant_id)
SELECT tenant_id FROM temp.why_scope
UNION
SELECT j.tenant_id FROM main.identity j
WHERE j.identity_id IN (SELECT s.identity_id FROM main.subscription s
			WHERE s.tenant_id IN (SELECT tenant_id FROM temp.why_scope)
			UNION
			SELECT t.identity_id FROM main.tenant t
			WHERE t.tenant_id IN (SELECT tenant_id FROM temp.why_scope)
			UNION
			SELECT la.identity_id FROM main.lighthouse_assignment la
			WHERE la.managee_tenant_id IN (SELECT tenant_id FROM temp.why_scope));

CREATE TEMP VIEW identity AS
SELECT i.* FROM main.identity i
WHERE i.tenant_id IN (SELECT tenant_id FROM temp.why_identity_tenant);

-- Role assignments are read per pair (views/20_pair_access.sql): only those of the identities
-- and subscriptions above can be asked for (through the primary key, not a scan of all).
CREATE TEMP VIEW role_assignment AS
SELECT ra.* FROM main.role_assignment ra
WHERE ra.identity_id IN (SELECT identity_id FROM temp.identity)
  AND ra.subscription_id IN (SELECT subscription_id FROM temp.subscription);
