-- Build the status snapshots of one run (:run_id); see migrations/0010_status_snapshot.sql.
-- Run by db_snapshot_build() (db/snapshot.c) inside the caller's transaction, with the views
-- evaluated as of the run (db/as_of.c: unqualified view names are the TEMP copies). The rules
-- stay in the views: this file only copies their rows.

DELETE FROM main.subscription_snapshot WHERE run_id = :run_id;
DELETE FROM main.customer_snapshot WHERE run_id = :run_id;
DELETE FROM main.identity_snapshot WHERE run_id = :run_id;

INSERT INTO main.subscription_snapshot (run_id, subscription_id, tenant_id, customer_name,
	subscription_name, offer, state, status, reason_code, reasons, partner_id, roles, usage,
	attributed, currency, cost_status, identity_id, identity_name, via_lighthouse)
SELECT :run_id, subscription_id, tenant_id, customer_name, subscription_name, offer, state, status,
       reason_code, reasons, partner_id, roles, usage, attributed, currency, cost_status,
       identity_id, identity_name, via_lighthouse
FROM subscription_status
WHERE period = (SELECT period FROM main.run WHERE run_id = :run_id);

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
