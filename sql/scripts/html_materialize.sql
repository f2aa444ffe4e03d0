-- palscope report html: evaluate the period's subscription_status and customer_status once into
-- TEMP tables and let TEMP views of the same names read them, so the report's queries (the
-- customers, subscriptions and summary reports' own SELECTs, funnel.sql, actions.sql) read the
-- rows the rule views give without evaluating the rules again for each. No rule is copied: the
-- rows are the views' (the TEMP copies of sql/views/ made before this runs, db/as_of.c, which
-- are as of a run with --run). Parameter: :period.
DROP TABLE IF EXISTS temp.html_subscription;
CREATE TEMP TABLE html_subscription AS
SELECT * FROM subscription_status WHERE period = :period;
DROP VIEW IF EXISTS temp.subscription_status;
CREATE TEMP VIEW subscription_status AS SELECT * FROM temp.html_subscription;

DROP TABLE IF EXISTS temp.html_customer;
CREATE TEMP TABLE html_customer AS
SELECT * FROM customer_status WHERE period = :period;
DROP VIEW IF EXISTS temp.customer_status;
CREATE TEMP VIEW customer_status AS SELECT * FROM temp.html_customer;
