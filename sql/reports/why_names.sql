-- palscope why: every customer name, then every subscription name, of the period, for the
-- "did you mean" suggestions (customers win ties).
SELECT name FROM (
	SELECT DISTINCT 1 AS kind, customer_name AS name FROM customer_status WHERE period = :period
	UNION ALL
	SELECT DISTINCT 2, subscription_name FROM temp.why_subscription
	WHERE period = :period AND subscription_name <> ''
)
ORDER BY kind, name;
