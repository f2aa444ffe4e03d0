-- Record a switch change (db/policy.c): when, which, old and new value.
INSERT INTO policy_change (changed_at, key, old_value, new_value)
VALUES (:changed_at, :key, :old_value, :new_value);
