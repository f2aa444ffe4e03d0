-- One read of an identity ran to its end (its data or its failure is stored).
INSERT OR IGNORE INTO identity_read (identity_id, kind, subscription_id)
VALUES (:identity_id, :kind, coalesce(:subscription_id, ''));
