INSERT OR REPLACE INTO partner_link (identity_id, run_id, linked, partner_id, partner_name,
	tenant_id, object_id, state, created_time, updated_time, http_status, raw_json)
VALUES (:identity_id, :run_id, :linked, :partner_id, :partner_name, :tenant_id, :object_id,
	:state, :created_time, :updated_time, :http_status, :raw_json);
