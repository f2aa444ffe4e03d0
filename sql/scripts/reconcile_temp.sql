-- palscope reconcile: the temporary tables sql/reports/reconcile.sql reads (import/pc.c creates
-- them before loading a Partner Center download) and what it says of the download as a whole.
-- temp.pc_row: the download's PAL rows; temp.reconcile_meta: today's date (:today, YYYY-MM-DD)
-- and whether the download has subscription ids (set by pc_load; reconciled by customer when not).
-- Parameters: :today.

CREATE TEMP TABLE IF NOT EXISTS pc_row (tenant_id TEXT COLLATE NOCASE, customer_name TEXT,
	subscription_id TEXT COLLATE NOCASE, partner_id TEXT, month TEXT, acr REAL);
DELETE FROM temp.pc_row;
DROP TABLE IF EXISTS temp.reconcile_meta;
CREATE TEMP TABLE reconcile_meta (today TEXT, by_subscription INTEGER NOT NULL DEFAULT 1);
INSERT INTO temp.reconcile_meta (today) VALUES (:today);

-- The download as a whole: latency_from is the first month Partner Center may not show yet
-- (attribution appears days to weeks after the month); filters_note names the months and
-- partner IDs it holds PAL rows for.
DROP VIEW IF EXISTS temp.reconcile_file;
CREATE TEMP VIEW reconcile_file AS
SELECT m.by_subscription,
       strftime('%Y-%m', m.today, 'start of month', '-1 month') AS latency_from,
       'REPORT_FILTERS: the download holds PAL rows for ' ||
       coalesce((SELECT group_concat(x, ', ') FROM (SELECT DISTINCT month AS x FROM temp.pc_row
						    ORDER BY 1)), 'no month') ||
       ' and partner IDs ' ||
       coalesce((SELECT group_concat(x, ', ') FROM (SELECT DISTINCT partner_id AS x
						    FROM temp.pc_row
						    WHERE coalesce(partner_id, '') <> ''
						    ORDER BY 1)), '(none)') ||
       '; check its date range, location and attribution filters' AS filters_note
FROM temp.reconcile_meta m;
