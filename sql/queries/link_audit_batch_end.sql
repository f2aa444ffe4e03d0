UPDATE link_batch SET ended_at = :ended_at, status = :status, changed = :changed,
	failed = :failed
WHERE batch_id = :batch_id;
