-- palscope rules: every change of a switch (migrations/0014_policy.sql), oldest first.
SELECT changed_at, key, old_value, new_value FROM policy_change ORDER BY change_id;
