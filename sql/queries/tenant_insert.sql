INSERT OR REPLACE INTO tenant (run_id, identity_id, tenant_id, display_name, default_domain,
	tenant_category, country_code)
VALUES (:run_id, :identity_id, :tenant_id, :display_name, :default_domain, :tenant_category,
	:country_code);
