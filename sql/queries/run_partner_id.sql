INSERT OR IGNORE INTO run_partner_id (run_id, partner_id) VALUES (:run_id, :partner_id);
