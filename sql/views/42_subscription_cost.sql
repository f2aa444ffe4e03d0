-- Cost of each subscription in each period, as pair_eval reads it (once per subscription): from
-- the lowest effective identity whose cost query succeeded, else 'no_cost', 'unreadable' only
-- when none succeeded; only days inside the period; in the subscription's main currency (the
-- one with the largest cost; n_currencies > 1 says costs were mixed).
CREATE VIEW subscription_cost AS
SELECT DISTINCT period, subscription_id, cost_identity_id, cost_status AS status,
       cost_http_status AS http_status, cost_error_code AS error_code,
       cost_error_message AS error_message, currency, total, n_currencies
FROM pair_eval
WHERE cost_identity_id IS NOT NULL;
