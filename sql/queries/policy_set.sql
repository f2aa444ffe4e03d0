-- Set one policy switch (db/policy.c, palscope rules set), inside the caller's transaction.
INSERT INTO policy (key, value, changed_at) VALUES (:key, :value, :changed_at)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at;
