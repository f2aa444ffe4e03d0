-- What an import stored, for its closing line.
SELECT status, subscriptions, role_assignments, cost_rows, period FROM run WHERE run_id = :run_id;
