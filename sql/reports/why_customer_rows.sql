-- palscope why (reports/why_story.c): the customers of temp.why_customer
-- (sql/scripts/why_customers.sql) in the order their stories are told; actor: who must act on
-- the deciding reason's fix (views/12_reason_code.sql), '' when attributed.
SELECT rank, tenant_id, customer_name, status, reason_code, reasons, subscriptions,
       attributed_subscriptions, attributed_usage, currency, explanation, whole,
       coalesce((SELECT rc.actor FROM reason_code rc WHERE rc.code = why_customer.reason_code), '')
	       AS actor
FROM temp.why_customer
ORDER BY rank;
