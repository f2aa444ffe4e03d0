-- Build the status snapshots of one run (:run_id); see migrations/0010_status_snapshot.sql.
-- Run by snapshots_of() (db/summary.c) inside the caller's transaction, with the views
-- evaluated as of the run (db/as_of.c: unqualified view names are the TEMP copies). The rules
-- stay in the views: this file only copies their rows.

DELETE FROM main.subscription_snapshot WHERE run_id = :run_id;
DELETE FROM main.customer_snapshot WHERE run_id = :run_id;
DELETE FROM main.identity_snapshot WHERE run_id = :run_id;

-- subscription_status is evaluated once: its rows go to a TEMP table, the snapshot copies them,
-- and the TEMP view subscription_status is replaced by one over that table, so customer_status
-- (the same view text) rolls the same rows up instead of evaluating every subscription again.
-- The columns are the view's, in its order, with the collations of its columns (customer_status
-- partitions and orders by them); a column added to the view makes the INSERT fail, not drift.
DROP TABLE IF EXISTS temp.snapshot_subscription_status;
CREATE TEMP TABLE snapshot_subscription_status (
	period, tenant_id COLLATE NOCASE, customer_name, subscription_id COLLATE NOCASE,
	subscription_name, offer, state, status, reason_code, reasons, partner_id, principals, roles,
	usage, currency, explanation, blocking, identity_id, identity_name,
	identity_tenant_id COLLATE NOCASE, via_lighthouse, n_pairs, attributed, cost_status, unread,
	cost_unread);
INSERT INTO temp.snapshot_subscription_status
SELECT * FROM subscription_status
WHERE period = (SELECT period FROM main.run WHERE run_id = :run_id);
DROP VIEW temp.subscription_status;
CREATE TEMP VIEW subscription_status AS SELECT * FROM temp.snapshot_subscription_status;

INSERT INTO main.subscription_snapshot (run_id, subscription_id, tenant_id, customer_name,
	subscription_name, offer, state, status, reason_code, reasons, partner_id, roles, usage,
	attributed, currency, cost_status, identity_id, identity_name, via_lighthouse)
SELECT :run_id, subscription_id, tenant_id, customer_name, subscription_name, offer, state, status,
       reason_code, reasons, partner_id, roles, usage, attributed, currency, cost_status,
       identity_id, identity_name, via_lighthouse
FROM temp.snapshot_subscription_status;

INSERT INTO main.customer_snapshot (run_id, tenant_id, customer_name, status, reason_code, reasons,
	subscriptions, attributed_subscriptions, attributed_usage, currency, top_subscription_id)
SELECT :run_id, tenant_id, customer_name, status, reason_code, reasons, subscriptions,
       attributed_subscriptions, attributed_usage, currency, top_subscription_id
FROM customer_status
WHERE period = (SELECT period FROM main.run WHERE run_id = :run_id);

INSERT OR REPLACE INTO main.identity_snapshot (run_id, principal_key, identity_id, tenant_id,
	identity_name, status, error, failed_read, link_level)
SELECT :run_id, principal_key, identity_id, tenant_id, identity_name, status, error, failed_read,
       link_level
FROM identity_status
WHERE period = (SELECT period FROM main.run WHERE run_id = :run_id);

DROP VIEW temp.subscription_status;
DROP TABLE temp.snapshot_subscription_status;
