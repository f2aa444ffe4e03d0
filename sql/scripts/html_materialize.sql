-- palscope report html: evaluate the period's subscription_status and customer_status once into
-- TEMP tables and let TEMP views of the same names read them, so the report's queries (the
-- customers, subscriptions and summary reports' own SELECTs, funnel.sql, actions.sql) read the
-- rows the rule views give without evaluating the rules again for each. No rule is copied: the
-- rows are the views' (the TEMP copies of sql/views/ made before this runs, db/as_of.c, which
-- are as of a run with --run). Parameter: :period.
-- The explanation, principals and roles of an ATTRIBUTED subscription are left NULL: nothing the
-- page shows reads them (customer_status tells an attributed customer in its own words; the
-- stories and actions list the subscriptions that are not attributed), and building them is
-- much of a row's cost. A column added to subscription_status must be added here (t800 reads
-- every query of the page through this table and compares it with the CSV reports).
DROP TABLE IF EXISTS temp.html_subscription;
CREATE TEMP TABLE html_subscription AS
SELECT period, tenant_id, customer_name, subscription_id, subscription_name, offer, state, status,
       reason_code, reasons, partner_id,
       CASE WHEN status <> 'ATTRIBUTED' THEN principals END AS principals,
       CASE WHEN status <> 'ATTRIBUTED' THEN roles END AS roles,
       usage, currency,
       CASE WHEN status <> 'ATTRIBUTED' THEN explanation END AS explanation,
       blocking, identity_id, identity_name, identity_tenant_id, via_lighthouse, n_pairs,
       attributed, cost_status, unread, cost_unread
FROM subscription_status WHERE period = :period;
DROP VIEW IF EXISTS temp.subscription_status;
CREATE TEMP VIEW subscription_status AS SELECT * FROM temp.html_subscription;

DROP TABLE IF EXISTS temp.html_customer;
CREATE TEMP TABLE html_customer AS
SELECT * FROM customer_status WHERE period = :period;
DROP VIEW IF EXISTS temp.customer_status;
CREATE TEMP VIEW customer_status AS SELECT * FROM temp.html_customer;
