-- palscope why (reports/why_story.c): the customers whose stories are told, in the order they
-- are told (rank: by name, then tenant id, unless :by_tenant), into temp.why_customer, which why_pairs.sql joins to
-- read every pair of every such customer in one pass. :all = 1: every customer of the period;
-- else those matching :q (tenant id, subscription id, or a case-insensitive part of a customer
-- or subscription name). whole = 1 when the customer itself matched, so all its subscriptions
-- are told; otherwise only the matching subscriptions are.
-- customer_status is evaluated once (cs); subscriptions match on the subscription lists of the
-- period's identities, which is what subscription_status reports (without evaluating it).
-- :by_tenant = 1: told in tenant-id order (as report customers lists them), not by name.
-- Then the rule views' rows those stories read, evaluated once for all of them (set-based: the
-- views are not evaluated again per customer or per subscription): temp.why_pair, the
-- pair_eval rows of their subscriptions, and temp.why_role, the distinct grants of those pairs
-- (pair_access), both read by why_pairs.sql through their indexes. No rule is copied: the rows
-- are the views' (their TEMP copies, db/as_of.c: as of a run with --run; narrowed to the
-- customers q can be about by why_scope.sql). :all: every pair of the period, in one
-- evaluation (a filter on the customers' subscriptions makes SQLite evaluate the view per
-- subscription: 143 s instead of 3.3 s on the 50,000-subscription bench); a query: the pairs of
-- the matching customers' subscriptions, each through the view's subscription lookup (a few
-- subscriptions: cheaper than every pair of the scope).
-- Parameters: :period, :q, :all, :by_tenant.
DROP TABLE IF EXISTS temp.why_customer;
CREATE TEMP TABLE why_customer AS
WITH cs AS MATERIALIZED (
	SELECT * FROM customer_status WHERE period = :period
),
m AS (
	SELECT tenant_id, NULL AS subscription_id FROM cs
	WHERE tenant_id = :q COLLATE NOCASE OR instr(lower(customer_name), lower(:q)) > 0
	UNION ALL
	SELECT s.tenant_id, s.subscription_id
	FROM effective_identity ei JOIN subscription s ON s.identity_id = ei.identity_id
	WHERE ei.period = :period
	  AND (s.subscription_id = :q COLLATE NOCASE
	       OR instr(lower(coalesce(s.display_name, '')), lower(:q)) > 0)
)
SELECT row_number() OVER (ORDER BY CASE WHEN :by_tenant THEN c.tenant_id END,
				  c.customer_name COLLATE NOCASE, c.tenant_id) AS rank,
       c.tenant_id, c.customer_name, c.status, c.reason_code, c.reasons, c.subscriptions,
       c.attributed_subscriptions, c.attributed_usage, c.currency, c.explanation,
       (:all OR EXISTS (SELECT 1 FROM m WHERE m.tenant_id = c.tenant_id
			AND m.subscription_id IS NULL)) AS whole
FROM cs c
WHERE :all OR c.tenant_id IN (SELECT tenant_id FROM m);
CREATE INDEX temp.why_customer_tenant ON why_customer (tenant_id);

DROP TABLE IF EXISTS temp.why_pair;
CREATE TEMP TABLE why_pair AS
SELECT pe.* FROM pair_eval pe
WHERE pe.period = :period
  AND (:all OR pe.subscription_id IN (SELECT ss.subscription_id
				      FROM temp.why_customer c
				      JOIN temp.why_subscription ss ON ss.tenant_id = c.tenant_id
				      WHERE ss.period = :period));
CREATE INDEX temp.why_pair_subscription ON why_pair (subscription_id);

DROP TABLE IF EXISTS temp.why_role;
CREATE TEMP TABLE why_role AS
SELECT DISTINCT a.identity_id, a.subscription_id, a.role_name, a.scope_desc, a.jit, a.eligible
FROM temp.why_pair p
JOIN pair_access a ON a.identity_id = p.identity_id AND a.subscription_id = p.subscription_id;
CREATE INDEX temp.why_role_pair ON why_role (identity_id, subscription_id);
