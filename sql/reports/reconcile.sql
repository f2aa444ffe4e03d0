-- palscope reconcile: palscope's prediction for :period against the PAL rows of a Partner Center
-- download (temp.pc_row, loaded by import/pc.c; the download as a whole: temp.reconcile_file,
-- sql/scripts/reconcile_temp.sql). One row per subscription either side knows
-- (subscription_status), or per customer (customer_status) when the download has no
-- subscription ids (reconcile_file.by_subscription = 0).
-- match: BOTH, PREDICTED_ONLY (palscope expects attribution, Partner Center lacks it),
-- REPORTED_ONLY (Partner Center attributes it, palscope does not), NEITHER.
WITH f AS (SELECT * FROM temp.reconcile_file),
pc AS (
	SELECT CASE WHEN f.by_subscription THEN lower(r.subscription_id) ELSE lower(r.tenant_id)
	       END AS k,
	       max(lower(r.tenant_id)) AS tid, max(r.customer_name) AS cname,
	       group_concat(DISTINCT r.partner_id) AS pids, total(r.acr) AS acr
	FROM temp.pc_row r, f
	WHERE r.month = :period
	  AND CASE WHEN f.by_subscription THEN r.subscription_id ELSE r.tenant_id END IS NOT NULL
	GROUP BY 1
),
ss AS (SELECT s.* FROM subscription_status s, f WHERE f.by_subscription AND s.period = :period),
cs AS (SELECT c.* FROM customer_status c, f WHERE NOT f.by_subscription AND c.period = :period),
-- each side's row in one shape: sid '' for a customer; csp_offers, other_pids NULL when none
j AS (
	SELECT k.sid, coalesce(ss.tenant_id, pc.tid) AS tenant, ss.customer_name AS s_name,
	       ss.subscription_name, ss.status, ss.reason_code, ss.partner_id, ss.explanation,
	       pc.k IS NOT NULL AS reported, pc.cname, pc.pids, pc.acr,
	       CASE WHEN ss.offer LIKE 'CSP%' THEN ss.offer END AS csp_offers,
	       EXISTS (SELECT 1 FROM effective_identity ei
		       WHERE ei.period = :period AND ei.tenant_id = coalesce(ss.tenant_id, pc.tid))
		       AS tenant_has_identity,
	       (SELECT group_concat(DISTINCT r.partner_id) FROM temp.pc_row r
		WHERE r.tenant_id = coalesce(ss.tenant_id, pc.tid)
		  AND coalesce(r.partner_id, '') <> coalesce(ss.partner_id, '')
		  AND coalesce(r.partner_id, '') <> '') AS other_pids,
	       1 AS by_subscription
	FROM (SELECT lower(subscription_id) AS sid FROM ss
	      UNION SELECT pc.k FROM pc, f WHERE f.by_subscription) k
	LEFT JOIN ss ON lower(ss.subscription_id) = k.sid
	LEFT JOIN pc ON pc.k = k.sid
	UNION ALL
	SELECT '', k.tid, cs.customer_name, NULL, cs.status, cs.reason_code,
	       (SELECT group_concat(DISTINCT s.partner_id) FROM subscription_status s
		WHERE s.period = :period AND s.tenant_id = k.tid AND s.status = 'ATTRIBUTED'),
	       cs.explanation, pc.k IS NOT NULL, pc.cname, pc.pids, pc.acr,
	       (SELECT group_concat(DISTINCT s.offer) FROM subscription_status s
		WHERE s.period = :period AND s.tenant_id = k.tid AND s.status = 'ATTRIBUTED'
		  AND s.offer LIKE 'CSP%'),
	       EXISTS (SELECT 1 FROM effective_identity ei
		       WHERE ei.period = :period AND ei.tenant_id = k.tid),
	       NULL, 0
	FROM (SELECT lower(tenant_id) AS tid FROM cs
	      UNION SELECT pc.k FROM pc, f WHERE NOT f.by_subscription) k
	LEFT JOIN cs ON lower(cs.tenant_id) = k.tid
	LEFT JOIN pc ON pc.k = k.tid
)
SELECT CASE WHEN j.status = 'ATTRIBUTED' AND j.reported THEN 'BOTH'
	    WHEN j.status = 'ATTRIBUTED' THEN 'PREDICTED_ONLY'
	    WHEN j.reported THEN 'REPORTED_ONLY'
	    ELSE 'NEITHER' END AS match,
       coalesce(j.tenant, '') AS tenant_id,
       coalesce(nullif(j.s_name, ''), nullif(j.cname, ''), j.tenant, '') AS customer_name,
       j.sid AS subscription_id,
       coalesce(j.subscription_name, '') AS subscription_name,
       coalesce(j.status, 'NOT_SEEN') AS palscope_status,
       coalesce(j.reason_code, '') AS reason_code,
       coalesce(j.partner_id, '') AS palscope_partner_id,
       coalesce(j.pids, '') AS reported_partner_ids,
       CASE WHEN j.reported THEN j.acr END AS reported_acr,
       CASE
       WHEN j.status = 'ATTRIBUTED' AND j.reported THEN ''
       WHEN j.status = 'ATTRIBUTED' THEN
	       rtrim(
	       CASE WHEN :period >= f.latency_from
		    THEN 'DATA_LATENCY: Partner Center may not show ' || :period ||
			 ' yet (attribution appears days to weeks after the month); ' ELSE '' END ||
	       CASE WHEN j.csp_offers IS NULL THEN ''
		    WHEN j.by_subscription THEN
			 'CSP_PRECEDENCE: offer ' || j.csp_offers || ' is a CSP subscription; if you ' ||
			 'are its CSP partner, Partner Center shows the consumption as CSP, not PAL; '
		    ELSE 'CSP_PRECEDENCE: ' || j.csp_offers || ' subscriptions are CSP; if you are ' ||
			 'the CSP partner, Partner Center shows them as CSP, not PAL; ' END ||
	       CASE WHEN j.other_pids IS NOT NULL THEN
			 'OTHER_LOCATION_ID: Partner Center attributes this customer to partner ID ' ||
			 j.other_pids || ', not ' || coalesce(nullif(j.partner_id, ''), 'yours') ||
			 '; the link may point to another location ID; '
		    ELSE 'OTHER_LOCATION_ID: the link to ' || coalesce(nullif(j.partner_id, ''), '?') ||
			 ' may be to a location ID this download does not cover; ' END ||
	       f.filters_note, '; ')
       WHEN j.reported AND (j.status IS NULL OR NOT j.by_subscription)
	    AND NOT j.tenant_has_identity THEN
	       'NO_IDENTITY: tenant ' || coalesce(j.tenant, '?') ||
	       ' has no collected or imported identity; collect or import one signed in to it'
       WHEN j.reported AND j.status IS NULL AND j.by_subscription THEN
	       'UNSEEN_IDENTITY: no identity palscope collected in tenant ' || j.tenant ||
	       ' sees this subscription; Partner Center attributes it through another linked user, ' ||
	       'service principal or group'
       WHEN j.reported THEN
	       'UNSEEN_IDENTITY: Partner Center attributes it through an identity palscope did not ' ||
	       'see in tenant ' || j.tenant || ' (palscope: ' || coalesce(j.status, 'NOT_SEEN') || ' ' ||
	       coalesce(j.reason_code, '') || ')'
       ELSE '' END AS likely_causes,
       coalesce(j.explanation, '') AS explanation
FROM j, f
ORDER BY CASE match WHEN 'PREDICTED_ONLY' THEN 0 WHEN 'REPORTED_ONLY' THEN 1 WHEN 'BOTH' THEN 2
	 ELSE 3 END, tenant_id, subscription_id;
