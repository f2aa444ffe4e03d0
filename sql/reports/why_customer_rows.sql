-- palscope why (reports/why_story.c): the customers of temp.why_customer
-- (sql/scripts/why_customers.sql) in the order their stories are told.
SELECT rank, tenant_id, customer_name, status, reason_code, reasons, subscriptions,
       attributed_subscriptions, attributed_usage, currency, explanation, whole
FROM temp.why_customer
ORDER BY rank;
