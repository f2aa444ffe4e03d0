-- Per run and currency, the counts and money of report trend (sql/reports/trend.sql) from the
-- status snapshots: kind 'subscription' (subscriptions by status, usage = the cost of those whose
-- cost was read, attributed = the attributed part, missing = the cost of those not attributed)
-- and kind 'customer' (customers by status, under their own currency). Stored per run in
-- trend_run (migrations/0015_trend_aggregate.sql); trend.sql reads this view for a run without.
CREATE VIEW trend_run_inline AS
SELECT s.run_id, 'subscription' AS kind, s.currency, count(*) AS n,
       sum(s.status = 'ATTRIBUTED') AS n_attr, sum(s.status = 'MISSING') AS n_miss,
       sum(s.status = 'UNKNOWN') AS n_unk,
       total(s.usage) AS usage,
       total(CASE WHEN s.status = 'ATTRIBUTED' THEN s.attributed END) AS attributed,
       total(CASE WHEN s.status <> 'ATTRIBUTED' THEN s.usage END) AS missing
FROM subscription_snapshot s
GROUP BY s.run_id, s.currency
UNION ALL
SELECT cs.run_id, 'customer', cs.currency, count(*),
       sum(cs.status = 'ATTRIBUTED'), sum(cs.status = 'MISSING'), sum(cs.status = 'UNKNOWN'),
       NULL, NULL, NULL
FROM customer_snapshot cs
GROUP BY cs.run_id, cs.currency;
