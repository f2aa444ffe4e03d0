INSERT OR IGNORE INTO subscription_managed_by (identity_id, subscription_id, managing_tenant_id)
VALUES (:identity_id, :subscription_id, :managing_tenant_id);
